"""URLs for this part of agreements and monitoring (see urls/__init__.py)."""

from django.urls import path  # noqa: F401

urlpatterns = []
