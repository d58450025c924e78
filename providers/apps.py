"""App configuration for providers."""

from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = "Provider mapping"

    def ready(self) -> None:
        from accounts.selectors import register_next_steps
        from accounts.signals import organisation_verification_decided

        from .services.provision import recount_after_verification
        from .steps import provider_mapping_steps

        register_next_steps(provider_mapping_steps)
        # Only verified organisations' services count on the provision map.
        organisation_verification_decided.connect(
            recount_after_verification, dispatch_uid="providers.provision_recount"
        )
