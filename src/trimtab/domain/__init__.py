"""The pure rebalancing core: targets, drift, planning, risk. No I/O, clock, SDK or ORM."""
