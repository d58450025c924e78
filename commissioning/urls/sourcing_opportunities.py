"""URLs for writing, publishing and listing opportunities (views/sourcing_opportunities.py);
see urls/__init__.py."""

from django.urls import path

from ..views import sourcing_opportunities as views

urlpatterns = [
    path("opportunities/", views.opportunity_list, name="opportunity_list"),
    path("opportunities/export.csv", views.opportunity_list_csv, name="opportunity_list_csv"),
    path("opportunities/new/", views.opportunity_create, name="opportunity_create"),
    path("opportunities/<int:pk>/", views.opportunity, name="opportunity"),
    path("opportunities/<int:pk>/edit/", views.opportunity_edit, name="opportunity_edit"),
    path("opportunities/<int:pk>/lots/", views.opportunity_lots, name="opportunity_lots"),
    path(
        "opportunities/<int:pk>/criteria/", views.opportunity_criteria, name="opportunity_criteria"
    ),
    path(
        "opportunities/<int:pk>/eligibility/",
        views.opportunity_eligibility,
        name="opportunity_eligibility",
    ),
    path(
        "opportunities/<int:pk>/documents/",
        views.opportunity_documents,
        name="opportunity_documents",
    ),
    path(
        "opportunities/documents/<int:pk>/",
        views.opportunity_document,
        name="opportunity_document",
    ),
    path("opportunities/<int:pk>/publish/", views.opportunity_publish, name="opportunity_publish"),
    path("opportunities/<int:pk>/status/", views.opportunity_status, name="opportunity_status"),
    path("opportunities/<int:pk>/cancel/", views.opportunity_cancel, name="opportunity_cancel"),
    path(
        "opportunities/<int:pk>/interest/", views.opportunity_interest, name="opportunity_interest"
    ),
    path("opportunities/<int:pk>/manage/", views.opportunity_manage, name="opportunity_manage"),
]
