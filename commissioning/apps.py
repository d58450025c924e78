"""App configuration for commissioning."""

from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    name = "commissioning"
    verbose_name = "Commissioning"

    def ready(self) -> None:
        from accounts.selectors import register_home_panel
        from providers.selectors import register_profile_panel

        from .home import home_panel, panel_seats_panel
        from .home_monitoring import returns_due_panel, returns_to_review_panel
        from .overlaps import register_overlap_source
        from .overlaps_agreements import agreement_items
        from .selectors.agreements_register import provider_profile_panel
        from .selectors.gaps import register_commissioned_source
        from .selectors.gaps_agreements import live_agreements_by_area

        register_home_panel("commissioning/_home_panel.html", home_panel)
        register_home_panel("commissioning/_home_panel_seats.html", panel_seats_panel)
        register_home_panel(
            "commissioning/returns/_home_panel_review.html", returns_to_review_panel
        )
        register_home_panel("commissioning/returns/_home_panel_due.html", returns_due_panel)
        # Agreements: shown on a provider's directory page, compared when looking for chances
        # to commission together, and counted as what is commissioned in the gap analysis.
        register_profile_panel(
            "commissioning/agreements/provider_panel.html", provider_profile_panel
        )
        register_overlap_source("agreement", agreement_items, title="Agreement", funds=True)
        register_commissioned_source(live_agreements_by_area, label="Agreements")
