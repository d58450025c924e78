"""URLs for commissioning, one module per part; every name is in the "commissioning" namespace.

- evidence.py: the outcomes framework, indicators and their data (views/evidence.py)
- assessments.py: needs assessments and the evidence library (views/assessments.py)
- business_cases.py: business cases and the contract thresholds (views/business_cases.py)
- planning.py: commissioning intentions, the public forward plan and subscriptions
  (views/intentions.py)
- together.py: chances to commission together, joint exercises and the gap analysis
  (views/together.py)
"""

from django.urls import path

from ..views import hub
from . import assessments, business_cases, evidence, planning, together

app_name = "commissioning"

urlpatterns = [
    path("planning/", hub.planning, name="planning"),
    *evidence.urlpatterns,
    *assessments.urlpatterns,
    *business_cases.urlpatterns,
    *planning.urlpatterns,
    *together.urlpatterns,
]
