"""URLs for organisations, invitations and the network admins' pages."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("organisations/register/", views.organisation_register, name="organisation_register"),
    path("organisations/switch/", views.organisation_switch, name="organisation_switch"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path(
        "organisations/<int:pk>/resubmit/",
        views.organisation_resubmit,
        name="organisation_resubmit",
    ),
    path(
        "organisations/<int:pk>/invitations/new/", views.invitation_create, name="invitation_create"
    ),
    path(
        "organisations/<int:pk>/invitations/<int:invitation_pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "organisations/<int:pk>/members/<int:membership_pk>/",
        views.membership_update,
        name="membership_update",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("network/verification/", views.verification_queue, name="verification_queue"),
    path("network/organisations/", views.organisation_list, name="organisation_list"),
    path(
        "network/organisations/<int:pk>/review/",
        views.organisation_review,
        name="organisation_review",
    ),
    path(
        "network/commissioning-bodies/new/",
        views.commissioning_body_create,
        name="commissioning_body_create",
    ),
    path("network/audit/", views.audit_log, name="audit_log"),
]
