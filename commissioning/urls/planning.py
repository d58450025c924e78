"""URLs for the forward plan: commissioning intentions, the public forward plan with its exports,
and a provider's alerts (views/intentions.py); see urls/__init__.py."""

from django.urls import path

from ..views import intentions

urlpatterns = [
    path("intentions/", intentions.intention_list, name="intention_list"),
    path("intentions/new/", intentions.intention_create, name="intention_create"),
    path("intentions/<int:pk>/", intentions.intention, name="intention"),
    path("intentions/<int:pk>/edit/", intentions.intention_edit, name="intention_edit"),
    path("intentions/<int:pk>/publish/", intentions.intention_publish, name="intention_publish"),
    path("intentions/<int:pk>/withdraw/", intentions.intention_withdraw, name="intention_withdraw"),
    path("forward-plan/", intentions.forward_plan, name="forward_plan"),
    path("forward-plan.csv", intentions.forward_plan_csv, name="forward_plan_csv"),
    path("forward-plan.ics", intentions.forward_plan_ics, name="forward_plan_ics"),
    path("alerts/", intentions.subscription, name="subscription"),
]
