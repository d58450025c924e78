"""The provider's "what to do next" steps that come from provider mapping."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import Organisation
from accounts.selectors import Step

from .models import Passport, ProviderProfile, ServiceStatus


def provider_mapping_steps(*, organisation: Organisation, is_admin: bool) -> list[Step]:
    profile = ProviderProfile.objects.filter(organisation=organisation).only("description").first()
    active_services = organisation.services.filter(status=ServiceStatus.ACTIVE).count()
    passport = Passport.objects.filter(organisation=organisation).first()
    steps = [
        Step(
            "Describe your organisation",
            bool(profile and profile.description),
            "Your profile is what commissioners and the public directory see."
            if not (profile and profile.description)
            else "Your profile has a description.",
            reverse("providers:profile_edit", args=[organisation.pk]) if is_admin else "",
            "Complete your profile",
        ),
        Step(
            "List your services",
            active_services > 0,
            f"{active_services} active service{'s' if active_services != 1 else ''} listed."
            if active_services
            else "Commissioners look for who already delivers what, and where.",
            reverse("providers:service_list", args=[organisation.pk]),
            "Add a service",
        ),
    ]
    passport_current = bool(passport and passport.is_current)
    steps.append(
        Step(
            "Complete your pre-qualification passport",
            passport_current,
            f"Accepted until {passport.expires_on:%-d %B %Y}; bids can reuse it."
            if passport_current
            else "Upload your core documents once, and reuse them for every bid.",
            reverse("providers:passport", args=[organisation.pk]),
            "Go to your passport",
        )
    )
    return steps
