"""App configuration for providers."""

from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = "Provider mapping"

    def ready(self) -> None:
        from accounts.selectors import register_next_steps

        from .steps import provider_mapping_steps

        register_next_steps(provider_mapping_steps)
