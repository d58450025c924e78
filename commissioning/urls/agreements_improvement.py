"""URLs for visits and improvement plans; see urls/__init__.py."""

from django.urls import path

from ..views import agreements_improvement as views

urlpatterns: list = [
    path("agreements/<int:pk>/visits/new/", views.visit_new, name="visit_new"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit_edit"),
    path(
        "agreements/<int:pk>/improvement-plans/new/",
        views.improvement_plan_new,
        name="improvement_plan_new",
    ),
    path("improvement-plans/<int:pk>/", views.improvement_plan, name="improvement_plan"),
    path(
        "improvement-plans/<int:pk>/edit/",
        views.improvement_plan_edit,
        name="improvement_plan_edit",
    ),
    path(
        "improvement-plans/<int:pk>/status/",
        views.improvement_plan_move,
        name="improvement_plan_move",
    ),
]
