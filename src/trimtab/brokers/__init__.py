"""Adapters behind one Broker protocol: Alpaca (alpaca-py), paper broker, simulator."""
