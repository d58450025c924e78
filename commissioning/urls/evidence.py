"""URLs for the outcomes framework and indicator data (views/evidence.py and
views/indicator_imports.py); see urls/__init__.py."""

from django.urls import path

from ..views import evidence, indicator_imports

urlpatterns = [
    # The outcomes framework: everyone who plans reads it; network admins keep it.
    path("planning/outcomes/", evidence.outcomes, name="outcomes"),
    path("planning/outcomes/priorities/new/", evidence.priority_edit, name="priority_create"),
    path("planning/outcomes/priorities/<int:pk>/", evidence.priority_edit, name="priority_edit"),
    path("planning/outcomes/outcomes/new/", evidence.outcome_edit, name="outcome_create"),
    path("planning/outcomes/outcomes/<int:pk>/", evidence.outcome_edit, name="outcome_edit"),
    path("planning/outcomes/indicators/new/", evidence.indicator_edit, name="indicator_create"),
    path("planning/outcomes/indicators/<int:pk>/", evidence.indicator_edit, name="indicator_edit"),
    # Indicator data
    path("indicators/<int:pk>/", evidence.indicator, name="indicator"),
    path("indicators/<int:pk>/values.csv", evidence.indicator_csv, name="indicator_csv"),
    path(
        "indicators/<int:pk>/values/new/", evidence.indicator_value_add, name="indicator_value_add"
    ),
    path("indicators/import/", indicator_imports.indicator_import, name="indicator_import"),
    path(
        "indicators/import/template.csv",
        indicator_imports.indicator_import_template,
        name="indicator_import_template",
    ),
    path(
        "indicators/import/<int:pk>/",
        indicator_imports.indicator_import_detail,
        name="indicator_import_detail",
    ),
]
