"""URLs for agreements: made from an award or entered directly; their terms, measures, payments,
variations, versions, notices, status and end (see urls/__init__.py)."""

from django.urls import path

from ..views import agreements as views

urlpatterns: list = [
    path("agreements/new/", views.agreement_new, name="agreement_new"),
    path("awards/<int:pk>/agreement/", views.agreement_from_award, name="agreement_from_award"),
    path("agreements/<int:pk>/", views.agreement, name="agreement"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("agreements/<int:pk>/measures/", views.agreement_measures, name="agreement_measures"),
    path("agreements/<int:pk>/payments/", views.agreement_payments, name="agreement_payments"),
    path("instalments/<int:pk>/paid/", views.instalment_paid, name="instalment_paid"),
    path(
        "agreements/<int:pk>/variations/new/",
        views.agreement_variation_new,
        name="agreement_variation_new",
    ),
    path("agreements/<int:pk>/history/", views.agreement_history, name="agreement_history"),
    path(
        "agreements/<int:pk>/notices/new/", views.agreement_notice_new, name="agreement_notice_new"
    ),
    path("agreements/<int:pk>/status/", views.agreement_move, name="agreement_move"),
    path(
        "agreements/<int:pk>/end-feedback/",
        views.agreement_end_feedback,
        name="agreement_end_feedback",
    ),
]
