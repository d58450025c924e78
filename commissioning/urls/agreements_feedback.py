"""URLs for service users' feedback: the public form and what is shared of it; see
urls/__init__.py."""

from django.urls import path, re_path

from ..views import agreements_feedback as views

urlpatterns: list = [
    path("feedback/<str:token>/", views.feedback_form, name="feedback_form"),
    path("feedback/<str:token>/thanks/", views.feedback_thanks, name="feedback_thanks"),
    path("agreements/<int:pk>/feedback/", views.agreement_feedback, name="agreement_feedback"),
    re_path(
        r"^agreements/(?P<pk>[0-9]+)/feedback/qr\.(?P<fmt>svg|png)$",
        views.agreement_feedback_qr,
        name="agreement_feedback_qr",
    ),
    path(
        "agreements/<int:pk>/feedback/poster/",
        views.agreement_feedback_poster,
        name="agreement_feedback_poster",
    ),
]
