"""URLs for clarifications, changes and extensions, and OCDS open data
(views/sourcing_clarifications.py); see urls/__init__.py."""

from django.urls import path

from ..views import sourcing_clarifications as views

urlpatterns = [
    path("opportunities/<int:pk>/clarifications/", views.clarifications, name="clarifications"),
    path(
        "clarifications/<int:pk>/answer/",
        views.clarification_answer,
        name="clarification_answer",
    ),
    path("opportunities/<int:pk>/extend/", views.opportunity_extend, name="opportunity_extend"),
    path("opportunities/<int:pk>/amend/", views.opportunity_amend, name="opportunity_amend"),
    path("open-data/ocds/", views.ocds_releases, name="ocds_releases"),
    path("open-data/ocds/<int:pk>/", views.ocds_release, name="ocds_release"),
]
