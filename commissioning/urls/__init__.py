"""URLs for commissioning, one module per part; every name is in the "commissioning" namespace.

- evidence.py: the outcomes framework, indicators and their data (views/evidence.py)
- assessments.py: needs assessments and the evidence library (views/assessments.py)
- business_cases.py: business cases and the contract thresholds (views/business_cases.py)
- planning.py: commissioning intentions, the public forward plan and subscriptions
  (views/intentions.py)
- together.py: chances to commission together, joint exercises and the gap analysis
  (views/together.py)
- sourcing_opportunities.py: writing, publishing and listing opportunities
- sourcing_clarifications.py: clarifications, changes and extensions, and OCDS open data
- sourcing_bids.py: bids, from the bidder's side
- sourcing_evaluation.py: panels, declarations, scoring, moderation, award and feedback
- agreements.py: agreements, made from an award or entered directly; payments, variations,
  versions, notices, the end of an agreement
- agreements_register.py: the network's register of funding, and a provider's agreements
- agreements_monitoring.py: monitoring returns, their review, and the lists of returns
- agreements_improvement.py: visits and improvement plans
- agreements_feedback.py: service users' feedback, its public form and what is shared of it
- open_data_grants.py: grants as 360Giving open data
"""

from django.urls import path

from ..views import hub
from . import (
    agreements,
    agreements_feedback,
    agreements_improvement,
    agreements_monitoring,
    agreements_register,
    assessments,
    business_cases,
    evidence,
    open_data_grants,
    planning,
    sourcing_bids,
    sourcing_clarifications,
    sourcing_evaluation,
    sourcing_opportunities,
    together,
)

app_name = "commissioning"

urlpatterns = [
    path("planning/", hub.planning, name="planning"),
    *evidence.urlpatterns,
    *assessments.urlpatterns,
    *business_cases.urlpatterns,
    *planning.urlpatterns,
    *together.urlpatterns,
    *sourcing_opportunities.urlpatterns,
    *sourcing_clarifications.urlpatterns,
    *sourcing_bids.urlpatterns,
    *sourcing_evaluation.urlpatterns,
    *agreements.urlpatterns,
    *agreements_register.urlpatterns,
    *agreements_monitoring.urlpatterns,
    *agreements_improvement.urlpatterns,
    *agreements_feedback.urlpatterns,
    *open_data_grants.urlpatterns,
]
