"""URLs for business cases and the contract thresholds; see urls/__init__.py."""

from django.urls import path

from ..views import business_cases as views

urlpatterns = [
    path("business-cases/", views.business_case_list, name="business_case_list"),
    path("business-cases/new/", views.business_case_create, name="business_case_create"),
    path("business-cases/<int:pk>/", views.business_case, name="business_case"),
    path("business-cases/<int:pk>/edit/", views.business_case_edit, name="business_case_edit"),
    path(
        "business-cases/<int:pk>/approve/",
        views.business_case_approve,
        name="business_case_approve",
    ),
    path(
        "business-cases/<int:pk>/reopen/", views.business_case_reopen, name="business_case_reopen"
    ),
    path("business-cases/<int:pk>/pdf/", views.business_case_pdf, name="business_case_pdf"),
    path("contract-thresholds/", views.thresholds, name="thresholds"),
    path("contract-thresholds/<int:pk>/edit/", views.threshold_edit, name="threshold_edit"),
]
