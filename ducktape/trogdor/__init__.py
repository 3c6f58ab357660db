"""Trogdor-style agent, coordinator, task specs, faults and workloads."""
