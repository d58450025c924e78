"""Writes for provider profiles and services, with their history and the search index."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction

from accounts.access import is_organisation_admin
from accounts.models import Organisation, OrganisationKind, User
from accounts.services import audit_event_record

from .. import selectors
from ..models import (
    PROFILE_FIELDS,
    PROFILE_M2M,
    OrganisationQualityMark,
    ProfileVersion,
    ProviderProfile,
    QualityMark,
    Service,
    ServiceCategory,
)
from .provision import provision_counts_refresh_soon


def profile_ensure(organisation: Organisation) -> ProviderProfile:
    profile, _ = ProviderProfile.objects.get_or_create(organisation=organisation)
    return profile


def _shown(value) -> str:
    """A value as a person reads it in the history."""
    if value is None or value == "":
        return "—"
    if isinstance(value, date):
        return value.strftime("%-d %B %Y")
    if isinstance(value, Iterable) and not isinstance(value, str):
        names = sorted(str(v) for v in value)
        return ", ".join(names) if names else "—"
    return str(value)


def _snapshot(profile: ProviderProfile) -> dict[str, str]:
    shown: dict[str, str] = {}
    for name in PROFILE_FIELDS:
        field = profile._meta.get_field(name)
        value = getattr(profile, name)
        if field.choices:
            value = getattr(profile, f"get_{name}_display")()
        shown[str(field.verbose_name)] = _shown(value)
    for name in PROFILE_M2M:
        field = profile._meta.get_field(name)
        shown[str(field.verbose_name)] = _shown(getattr(profile, name).all())
    shown["quality marks"] = _shown(
        f"{m.quality_mark}" + (f" (until {m.expires_on:%-d %B %Y})" if m.expires_on else "")
        for m in profile.quality_marks.select_related("quality_mark")
    )
    return shown


@transaction.atomic
def profile_update(
    *,
    actor: User,
    organisation: Organisation,
    data: dict,
    quality_marks: dict[QualityMark, date | None] | None = None,
) -> ProviderProfile:
    """Save an organisation's profile. Each save that changes something keeps a version."""
    if organisation.kind != OrganisationKind.THIRD_SECTOR:
        raise ValidationError("Only third sector organisations have a provider profile.")
    if not is_organisation_admin(actor, organisation):
        raise PermissionDenied("Only the organisation's admins can change its profile.")
    profile = profile_ensure(organisation)
    profile = ProviderProfile.objects.select_for_update().get(pk=profile.pk)
    before = _snapshot(profile)
    for name in PROFILE_FIELDS:
        if name in data:
            setattr(profile, name, data[name])
    profile.full_clean()
    profile.save()
    for name in PROFILE_M2M:
        if name in data:
            getattr(profile, name).set(data[name])
    if quality_marks is not None:
        profile.quality_marks.exclude(quality_mark__in=list(quality_marks)).delete()
        for mark, expires_on in quality_marks.items():
            OrganisationQualityMark.objects.update_or_create(
                profile=profile, quality_mark=mark, defaults={"expires_on": expires_on}
            )
    after = _snapshot(profile)
    changed = {k: [before.get(k, "—"), v] for k, v in after.items() if before.get(k) != v}
    if changed:
        ProfileVersion.objects.create(profile=profile, actor=actor, changed=changed)
        audit_event_record(
            actor=actor,
            action="profile.updated",
            obj=organisation,
            note="Changed: " + ", ".join(changed),
        )
    directory_entry_refresh(organisation_ids=[organisation.pk])
    return profile


def _check_service(service: Service, categories: list[ServiceCategory]) -> None:
    if not categories:
        raise ValidationError(
            {"categories": "Choose at least one category, so people can find the service."}
        )
    service.full_clean(exclude=["organisation"])


@transaction.atomic
def service_create(
    *, actor: User, organisation: Organisation, data: dict, m2m: dict[str, list]
) -> Service:
    if not organisation.memberships.filter(user=actor).exists():
        raise PermissionDenied("Only the organisation's members can add its services.")
    service = Service(organisation=organisation, **data)
    _check_service(service, list(m2m.get("categories", [])))
    service.save()
    for name, values in m2m.items():
        getattr(service, name).set(values)
    audit_event_record(
        actor=actor,
        action="service.created",
        obj=service,
        organisation=organisation,
        to_state=service.status,
    )
    directory_entry_refresh(organisation_ids=[organisation.pk])
    return service


@transaction.atomic
def service_update(*, actor: User, service: Service, data: dict, m2m: dict[str, list]) -> Service:
    if not service.organisation.memberships.filter(user=actor).exists():
        raise PermissionDenied("Only the organisation's members can change its services.")
    service = Service.objects.select_for_update().get(pk=service.pk)
    from_status = service.status
    for name, value in data.items():
        setattr(service, name, value)
    _check_service(service, list(m2m.get("categories", service.categories.all())))
    service.save()
    for name, values in m2m.items():
        getattr(service, name).set(values)
    audit_event_record(
        actor=actor,
        action="service.updated",
        obj=service,
        organisation=service.organisation,
        from_state=from_status,
        to_state=service.status,
    )
    directory_entry_refresh(organisation_ids=[service.organisation_id])
    return service


def search_document_text(
    organisation: Organisation, profile: ProviderProfile | None, services
) -> str:
    parts = [organisation.name]
    if profile is not None:
        parts.append(profile.description)
    for service in services:
        parts.extend([service.name, service.description])
        parts.extend(category.name for category in service.categories.all())
    return "\n".join(p for p in parts if p)


def search_document_refresh(*, organisation_ids: Iterable[int]) -> None:
    """Rebuild the full-text search document of these organisations' profiles."""
    ids = list(organisation_ids)
    organisations = Organisation.objects.filter(pk__in=ids).prefetch_related(
        models.Prefetch("services", queryset=Service.objects.prefetch_related("categories"))
    )
    for organisation in organisations:
        profile = profile_ensure(organisation)
        profile.search_document = search_document_text(
            organisation, profile, organisation.services.all()
        )
        profile.save(update_fields=["search_document"])
    if connection.vendor == "postgresql":
        ProviderProfile.objects.filter(organisation_id__in=ids).update(
            search_vector=SearchVector("search_document", config="english")
        )


# Each reach relation of a profile: the profile's own relation it includes (if any), and the
# relation of its listed services it includes.
REACH_SOURCES = {
    "reach_areas": ("areas_served", "areas"),
    "reach_categories": (None, "categories"),
    "reach_client_groups": ("client_groups", "client_groups"),
    "reach_languages": ("languages", "languages"),
}


def directory_reach_refresh(*, organisation_ids: Iterable[int]) -> None:
    """Rebuild what the directory's filters match for these organisations' profiles: their own
    areas, client groups and languages, and those (and the categories) of their listed services.
    Set-based, so a whole import or a bulk load is a few statements per relation."""
    ids = list(
        ProviderProfile.objects.filter(pk__in=list(organisation_ids)).values_list("pk", flat=True)
    )
    listed = selectors.listed_services().filter(organisation_id__in=ids)
    for name, (own, of_services) in REACH_SOURCES.items():
        relation = getattr(ProviderProfile, name)
        source = relation.field.m2m_field_name()
        target = relation.field.m2m_reverse_field_name()
        pairs = set(
            listed.filter(**{f"{of_services}__isnull": False}).values_list(
                "organisation_id", f"{of_services}__pk"
            )
        )
        if own is not None:
            own_relation = getattr(ProviderProfile, own)
            pairs |= set(
                own_relation.through.objects.filter(
                    **{f"{own_relation.field.m2m_field_name()}_id__in": ids}
                ).values_list(
                    f"{own_relation.field.m2m_field_name()}_id",
                    f"{own_relation.field.m2m_reverse_field_name()}_id",
                )
            )
        relation.through.objects.filter(**{f"{source}_id__in": ids}).delete()
        relation.through.objects.bulk_create(
            [relation.through(**{f"{source}_id": a, f"{target}_id": b}) for a, b in sorted(pairs)],
            batch_size=2000,
        )


def directory_entry_refresh(*, organisation_ids: Iterable[int]) -> None:
    """Bring these organisations' directory entries up to date after their profile or services
    changed: the search document and what the filters match now, and the provision map once the
    change is committed."""
    ids = list(organisation_ids)
    search_document_refresh(organisation_ids=ids)
    directory_reach_refresh(organisation_ids=ids)
    provision_counts_refresh_soon()
