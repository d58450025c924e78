"""Request-wide behaviour: the current organisation, the MFA requirement and the security policy."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from .context import PortalContext
from .selectors import user_has_totp


class CurrentOrganisationMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        request.portal = PortalContext(request)
        return self.get_response(request)


class RequireMFAMiddleware:
    """Where settings.PORTAL_REQUIRE_MFA is on, commissioners and network admins must set up TOTP
    before they reach any page other than the account pages."""

    allowed_prefixes = (
        "/accounts/",
        "/static/",
        "/health/",
        "/accessibility/",
        "/privacy/",
        "/open-data/",
    )

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.PORTAL_REQUIRE_MFA
            and request.user.is_authenticated
            and not request.path.startswith(self.allowed_prefixes)
            and request.portal.needs_mfa
            and not user_has_totp(request.user)
        ):
            messages.warning(
                request,
                "Commissioners and network admins must use two-factor authentication. "
                "Set up an authenticator app to continue.",
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Sends the content security policy from settings on every response."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
