"""trimtab: keep a brokerage portfolio on its target allocation."""

__version__ = "0.1.0"
