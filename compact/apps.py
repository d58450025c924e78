"""App configuration for compact."""

from django.apps import AppConfig


class CompactConfig(AppConfig):
    name = "compact"
    verbose_name = "The Compact"
