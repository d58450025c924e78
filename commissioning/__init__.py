"""Needs, planning, sourcing, contracts, monitoring and feedback."""
