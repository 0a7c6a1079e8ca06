"""An Alpaca-compatible HTTP simulator over the ``Exchange``, with scriptable state and faults."""
