"""Which navigation item a commissioning page belongs to, so the nav can mark it current."""

from __future__ import annotations

# Pages that sit under the public "Evidence", "Forward plan" and "Opportunities" items, and a
# provider's "Your bids"; every other commissioning page is part of "Planning".
EVIDENCE_PAGES = frozenset(
    {
        "evidence_library",
        "assessment",
        "assessment_create",
        "assessment_edit",
        "assessment_document_add",
    }
)
OPPORTUNITY_PAGES = frozenset({"opportunity_list", "opportunity", "clarifications"})
BID_PAGES = frozenset(
    {
        "bid_list",
        "bid_start",
        "bid",
        "bid_edit",
        "bid_budget",
        "bid_documents",
        "bid_receipt",
        "feedback",
    }
)


def nav_section(request) -> dict[str, str]:
    match = getattr(request, "resolver_match", None)
    if match is None or match.app_name != "commissioning":
        return {}
    name = match.url_name
    if name in EVIDENCE_PAGES:
        section = "evidence"
    elif name == "forward_plan" or (name == "intention" and not _is_planner(request)):
        section = "forward_plan"  # planners reach an intention from their own list
    elif name == "subscription":
        section = "alerts"
    elif name in OPPORTUNITY_PAGES:
        section = "opportunities"
    elif name in BID_PAGES and not _is_planner(request):
        section = "bids"
    else:
        section = "planning"
    return {"commissioning_section": section}


def _is_planner(request) -> bool:
    portal = getattr(request, "portal", None)
    return bool(portal and (portal.is_commissioner or portal.is_network_admin))
