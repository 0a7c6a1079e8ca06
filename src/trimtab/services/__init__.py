"""Use cases: the only layer that combines the domain, the store and the brokers."""
