"""URLs for grants as 360Giving open data (views/open_data_grants.py)."""

from django.urls import path

from ..views import open_data_grants as views

urlpatterns = [
    path("open-data/360giving/", views.open_data_360giving, name="open_data_360giving"),
]
