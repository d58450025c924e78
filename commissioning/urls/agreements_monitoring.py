"""URLs for monitoring returns, their evidence and review, and the lists of returns to review and
returns due (views/agreements_monitoring.py); see urls/__init__.py."""

from django.urls import path

from ..views import agreements_monitoring as views

urlpatterns: list = [
    path("returns/review/", views.returns_to_review, name="returns_to_review"),
    path("returns/due/", views.returns_due, name="returns_due"),
    path("returns/<int:pk>/", views.monitoring_return, name="return"),
    path("returns/<int:pk>/submit/", views.return_submit, name="return_submit"),
    path("returns/<int:pk>/evidence/", views.return_evidence, name="return_evidence"),
    path("returns/<int:pk>/review/", views.return_review, name="return_review"),
    path("return-evidence/<int:pk>/", views.return_evidence_file, name="return_evidence_file"),
    path(
        "return-evidence/<int:pk>/delete/",
        views.return_evidence_delete,
        name="return_evidence_delete",
    ),
]
