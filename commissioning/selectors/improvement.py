"""Reads for visits and improvement plans."""

from __future__ import annotations


def visits_section(agreement, user) -> dict:
    """What the agreement page shows of its visits (_visits_section.html)."""
    return {}


def plans_section(agreement, user) -> dict:
    """What the agreement page shows of its improvement plans (_plans_section.html)."""
    return {}
