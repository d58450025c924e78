"""Monitoring's panels on the signed-in home page: the returns a commissioner's bodies have to
review, and the returns a provider's organisations owe. Registered in apps.py."""

from __future__ import annotations

from .selectors.monitoring import due_counts, review_counts


def returns_to_review_panel(request) -> dict | None:
    """For commissioners, always: "Returns to review (N)", with the overdue count."""
    return review_counts(request)


def returns_due_panel(request) -> dict | None:
    """For providers, when their organisations owe a return: "Returns due (N, M overdue)"."""
    counts = due_counts(request)
    if not counts or not counts["due"]:
        return None
    return counts
