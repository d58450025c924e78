"""URLs for provider mapping: the directory, profiles and services, passports, consortia, imports
and open data. Each part's views live in their own module under providers/views/."""

from django.urls import path


app_name = "providers"

urlpatterns = [
    # Profiles, services and reference data (views/profiles.py): being written by the lead
    # The directory and the provision map (views/directory.py)
    # Passports (views/passports.py)
    # Consortia and support links (views/consortia.py)
    # Imports (views/imports.py)
    # Open data (views/opendata.py)
]
