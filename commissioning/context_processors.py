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

# Agreements and monitoring. Commissioners and network admins find them under "Agreements" (the
# register), and commissioners find returns under "Returns to review"; a provider finds them all
# under "Your agreements".
AGREEMENT_PAGES = frozenset(
    {
        "agreements",
        "agreements_csv",
        "agreements_ours",
        "provider_agreements",
        "agreement_new",
        "agreement_from_award",
        "agreement",
        "agreement_edit",
        "agreement_measures",
        "agreement_payments",
        "instalment_paid",
        "agreement_variation_new",
        "agreement_history",
        "agreement_notice_new",
        "agreement_move",
        "agreement_end_feedback",
        "visit_new",
        "visit_edit",
        "improvement_plan_new",
        "improvement_plan",
        "improvement_plan_edit",
        "improvement_plan_move",
        "agreement_feedback",
        "agreement_feedback_qr",
        "agreement_feedback_poster",
    }
)
RETURN_PAGES = frozenset(
    {
        "return",
        "return_submit",
        "return_evidence",
        "return_evidence_file",
        "return_evidence_delete",
        "return_review",
        "returns_to_review",
        "returns_due",
    }
)
# The public feedback form on an agreement, for service users without an account.
PUBLIC_FEEDBACK_PAGES = frozenset({"feedback_form", "feedback_thanks"})


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
    elif name in AGREEMENT_PAGES or name in RETURN_PAGES:
        section = _agreements_section(request, name)
    elif name in PUBLIC_FEEDBACK_PAGES:
        return {}  # a service user's page, under no item
    else:
        section = "planning"
    return {"commissioning_section": section}


def _is_planner(request) -> bool:
    portal = getattr(request, "portal", None)
    return bool(portal and (portal.is_commissioner or portal.is_network_admin))


def _agreements_section(request, name: str) -> str:
    if name == "agreements_ours":
        return "your_agreements"
    portal = getattr(request, "portal", None)
    if portal is not None and portal.is_commissioner and name in RETURN_PAGES:
        return "returns"
    return "agreements" if _is_planner(request) else "your_agreements"
