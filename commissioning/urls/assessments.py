"""URLs for needs assessments and the evidence library; see urls/__init__.py."""

from django.urls import path

from ..views import assessments as views

urlpatterns: list = [
    path("evidence/", views.evidence_library, name="evidence_library"),
    path("evidence/export.csv", views.evidence_library_csv, name="evidence_library_csv"),
    path("evidence/assessments/new/", views.assessment_create, name="assessment_create"),
    path("evidence/assessments/<int:pk>/", views.assessment, name="assessment"),
    path("evidence/assessments/<int:pk>/edit/", views.assessment_edit, name="assessment_edit"),
    path(
        "evidence/assessments/<int:pk>/reviewed/",
        views.assessment_reviewed,
        name="assessment_reviewed",
    ),
    path(
        "evidence/assessments/<int:pk>/documents/new/",
        views.assessment_document_add,
        name="assessment_document_add",
    ),
    path(
        "evidence/assessment-documents/<int:pk>/",
        views.assessment_document,
        name="assessment_document",
    ),
    path(
        "evidence/assessment-documents/<int:pk>/delete/",
        views.assessment_document_delete,
        name="assessment_document_delete",
    ),
]
