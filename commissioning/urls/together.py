"""URLs for the chances to commission together, joint exercises and the gap analysis; see
urls/__init__.py."""

from django.urls import path

from ..views import gaps, together

urlpatterns: list = [
    path("commission-together/", together.together, name="together"),
    path(
        "commission-together/<int:pk>/dismiss/",
        together.overlap_dismiss,
        name="overlap_dismiss",
    ),
    path(
        "commission-together/<int:pk>/joint-exercise/",
        together.joint_exercise_create,
        name="joint_exercise_create",
    ),
    path("joint-exercises/", together.joint_exercise_list, name="joint_exercise_list"),
    path("joint-exercises/<int:pk>/", together.joint_exercise, name="joint_exercise"),
    path(
        "joint-exercises/<int:pk>/edit/", together.joint_exercise_edit, name="joint_exercise_edit"
    ),
    path(
        "joint-exercises/<int:pk>/contributions/",
        together.joint_contribution_edit,
        name="joint_contribution_edit",
    ),
    path(
        "joint-exercises/<int:pk>/status/",
        together.joint_exercise_status,
        name="joint_exercise_status",
    ),
    path("gap-analysis/", gaps.gap_analysis, name="gap_analysis"),
    path("gap-analysis/export.csv", gaps.gap_analysis_csv, name="gap_analysis_csv"),
]
