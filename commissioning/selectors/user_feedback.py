"""Reads for service users' feedback. Nothing here returns a comment to anyone who may not read
comments (access.can_read_feedback_comments)."""

from __future__ import annotations


def feedback_section(agreement, user) -> dict:
    """What the agreement page shows of its service users' feedback (_feedback_section.html)."""
    return {}


def feedback_summary(agreement, start, end) -> dict:
    """Counts, average rating and themes of the feedback given from start to end (dates,
    inclusive): shown with a monitoring return for its period."""
    return {}
