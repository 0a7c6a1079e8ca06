"""Metrics and structured logs: what an operator watches, counted in every process."""
