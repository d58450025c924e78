"""Reads for monitoring returns."""

from __future__ import annotations


def returns_section(agreement, user) -> dict:
    """What the agreement page shows of its returns (templates/commissioning/agreements/
    _returns_section.html), in a fixed number of queries."""
    return {}
