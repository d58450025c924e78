"""The Django admin site, open to superusers only (network admins use the portal's own pages)."""

from django.contrib import admin


class PortalAdminSite(admin.AdminSite):
    site_header = "Commissioners Network Portal: administration"
    site_title = "Portal administration"

    def has_permission(self, request) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)
