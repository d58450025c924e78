"""Which navigation item a commissioning page belongs to, so the nav can mark it current."""

from __future__ import annotations

# Pages that sit under the public "Evidence" and "Forward plan" items; every other commissioning
# page is part of "Planning".
EVIDENCE_PAGES = frozenset(
    {
        "evidence_library",
        "assessment",
        "assessment_create",
        "assessment_edit",
        "assessment_document_add",
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
    else:
        section = "planning"
    return {"commissioning_section": section}


def _is_planner(request) -> bool:
    portal = getattr(request, "portal", None)
    return bool(portal and (portal.is_commissioner or portal.is_network_admin))
