"""App configuration for commissioning."""

from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    name = "commissioning"
    verbose_name = "Commissioning"

    def ready(self) -> None:
        from accounts.selectors import register_home_panel

        from .home import home_panel, panel_seats_panel

        register_home_panel("commissioning/_home_panel.html", home_panel)
        register_home_panel("commissioning/_home_panel_seats.html", panel_seats_panel)
