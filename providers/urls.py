"""URLs for provider mapping: the directory, profiles and services, passports, consortia, imports
and open data. Each part's views live in their own module under providers/views/."""

from django.urls import path

from .views import profiles

app_name = "providers"

urlpatterns = [
    # Profiles, services and reference data (views/profiles.py)
    path("organisations/<int:pk>/profile/", profiles.profile_edit, name="profile_edit"),
    path(
        "organisations/<int:pk>/profile/history/", profiles.profile_history, name="profile_history"
    ),
    path("organisations/<int:pk>/services/", profiles.service_list, name="service_list"),
    path("organisations/<int:pk>/services/new/", profiles.service_create, name="service_create"),
    path("services/<int:pk>/edit/", profiles.service_edit, name="service_edit"),
    path("network/reference/", profiles.reference_index, name="reference_index"),
    path("network/reference/<str:kind>/", profiles.reference_list, name="reference_list"),
    path("network/reference/<str:kind>/new/", profiles.reference_edit, name="reference_create"),
    path("network/reference/<str:kind>/<int:pk>/", profiles.reference_edit, name="reference_edit"),
    # The directory and the provision map (views/directory.py)
    # Passports (views/passports.py)
    # Consortia and support links (views/consortia.py)
    # Imports (views/imports.py)
    # Open data (views/opendata.py)
]
