"""Reads shared by the directory and the provision map: search, ordering, the rows each page shows,
and the area-by-category grid of provision."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Count,
    F,
    Prefetch,
    Q,
    QuerySet,
    Window,
    prefetch_related_objects,
)
from django.urls import reverse
from django.utils import timezone

from accounts.models import LegalForm, Organisation, OrganisationKind, VerificationStatus

from . import access
from .models import (
    PASSPORT_WARNING_DAYS,
    Area,
    ConsortiumStatus,
    IncomeBand,
    OrganisationQualityMark,
    Passport,
    ProviderProfile,
    ProvisionCount,
    Service,
    ServiceCategory,
    ServiceStatus,
)

DIRECTORY_PAGE_SIZE = 25
# A passport this close to its end is shown as "expires soon", so the organisation renews in time.
# Areas (borough, ward, neighbourhood) and categories nest at most this deep below a chosen node.
TREE_DEPTH = 3

SORT_RELEVANCE = "relevance"
SORT_NAME = "name"
SORT_UPDATED = "updated"
SORT_CHOICES = [
    (SORT_RELEVANCE, "Best match"),
    (SORT_NAME, "Name, A to Z"),
    (SORT_UPDATED, "Recently updated"),
]


# Trees of areas and categories


def _subtree_q(pk: int, *, depth: int = TREE_DEPTH) -> Q:
    condition = Q(pk=pk)
    path = "parent_id"
    for _ in range(depth):
        condition |= Q(**{path: pk})
        path = "parent__" + path
    return condition


def area_subtree_ids(area: Area) -> list[int]:
    """The area and the areas inside it (its wards, and theirs). Read as a list: PostgreSQL plans
    the directory's filters far better with the ids written out than with a subquery."""
    return list(Area.objects.filter(_subtree_q(area.pk)).values_list("pk", flat=True))


def category_subtree_ids(category: ServiceCategory) -> list[int]:
    """The category and its descendants, as a list (see area_subtree_ids)."""
    return list(
        ServiceCategory.objects.filter(_subtree_q(category.pk)).values_list("pk", flat=True)
    )


def listed_services() -> QuerySet[Service]:
    """The services the directory matches an organisation by: those the public can see
    (access.services_visible_to an anonymous visitor). The directory already holds only verified
    third sector organisations, so their status is all that is left to check."""
    return Service.objects.exclude(status=ServiceStatus.INACTIVE)


# Search and ordering


def directory_search(queryset: QuerySet[Organisation], text: str) -> QuerySet[Organisation]:
    """Organisations whose name, description or services match the words. PostgreSQL ranks them by
    full-text relevance (as `rank`); elsewhere every word must appear in the search document."""
    text = text.strip()
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        query = SearchQuery(text, search_type="websearch", config="english")
        return queryset.filter(profile__search_vector=query).annotate(
            rank=SearchRank(F("profile__search_vector"), query)
        )
    for word in text.split():
        queryset = queryset.filter(profile__search_document__icontains=word)
    return queryset


def directory_order(queryset: QuerySet[Organisation], *, sort: str) -> QuerySet[Organisation]:
    """Best match first when there is a relevance rank; otherwise by name, or the most recently
    updated profiles first. The primary key settles ties, so pages never overlap."""
    if sort == SORT_RELEVANCE and "rank" in queryset.query.annotations:
        return queryset.order_by("-rank", "name", "pk")
    if sort == SORT_UPDATED:
        return queryset.order_by(F("profile__updated_at").desc(nulls_last=True), "name", "pk")
    return queryset.order_by("name", "pk")


def directory_ids_page(queryset: QuerySet[Organisation], page_number, *, one_query: bool) -> Page:
    """A page of the directory's ids, in order, with the total.

    With a search or filters, the total rides along with the page's rows (COUNT(*) OVER ()), so
    the filters are worked out once rather than twice; a second query is needed only past the
    last page. Unfiltered, a plain count and slice are cheaper, as both can use an index."""
    ids = queryset.values_list("pk", flat=True)
    if not one_query:
        return Paginator(ids, DIRECTORY_PAGE_SIZE).get_page(page_number)
    try:
        number = max(int(page_number), 1)
    except (TypeError, ValueError):
        number = 1
    counted = queryset.annotate(total=Window(Count("*"))).values_list("pk", "total")

    def rows_of(n: int) -> list[tuple[int, int]]:
        start = (n - 1) * DIRECTORY_PAGE_SIZE
        return list(counted[start : start + DIRECTORY_PAGE_SIZE])

    rows = rows_of(number)
    total = rows[0][1] if rows else queryset.count()
    if not rows and total:
        number = -(-total // DIRECTORY_PAGE_SIZE)  # the last page
        rows = rows_of(number)
    paginator = Paginator(ids, DIRECTORY_PAGE_SIZE)
    paginator.count = total  # known already: Paginator need not count again
    return Page([pk for pk, _total in rows], number if rows else 1, paginator)


# What the pages show


@dataclass(frozen=True)
class PassportStatus:
    code: str  # "current", "expires_soon" or "none"
    label: str
    expires_on: date | None = None


def passport_status(passport: Passport | None) -> PassportStatus:
    if passport is None:
        return PassportStatus("none", "No passport")
    if not passport.is_current:
        return PassportStatus(
            "none", f"Expired on {passport.expires_on:%-d %B %Y}", passport.expires_on
        )
    if passport.expires_within(PASSPORT_WARNING_DAYS):
        return PassportStatus(
            "expires_soon", f"Expires soon, on {passport.expires_on:%-d %B %Y}", passport.expires_on
        )
    return PassportStatus(
        "current", f"Current until {passport.expires_on:%-d %B %Y}", passport.expires_on
    )


def organisation_profile(organisation: Organisation) -> ProviderProfile | None:
    try:
        return organisation.profile
    except ProviderProfile.DoesNotExist:
        return None


def org_id_from(charity_number: str, company_number: str) -> str:
    """The organisation's identifier in the Org-ID scheme (org-id.guide), from its registered
    number: the charity register first, then the mutuals register, then Companies House."""
    if charity_number:
        return f"GB-CHC-{charity_number}"
    if not company_number:
        return ""
    if company_number[:2] in ("IP", "SP", "NP") and company_number.endswith("R"):
        return f"GB-MPR-{company_number[2:]}"
    return f"GB-COH-{company_number}"


def org_id(organisation: Organisation) -> str:
    return org_id_from(organisation.charity_number, organisation.company_number)


def _visible_services(user) -> QuerySet[Service]:
    return access.services_visible_to(user).order_by("name", "pk")


# A results page and the CSV read plain rows, not model instances: a page of 25 organisations
# with their areas, services and categories is some 250 objects, and on a busy server building
# and prefetching them costs more than the queries do.


@dataclass(frozen=True)
class ListedService:
    pk: int
    name: str
    status: str
    status_label: str


@dataclass(frozen=True)
class DirectoryRow:
    """One organisation as the directory lists it. The contacts and the passport are filled in
    for network members only."""

    pk: int
    name: str
    legal_form: str
    charity_number: str
    company_number: str
    org_id: str
    description: str
    income_band: str
    website: str
    areas: tuple[str, ...]
    services: tuple[ListedService, ...]
    categories: tuple[str, ...]
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    safeguarding_lead: str = ""
    passport: PassportStatus | None = None


PUBLIC_COLUMNS = (
    "pk",
    "name",
    "legal_form",
    "charity_number",
    "company_number",
    "profile__description",
    "profile__income_band",
    "profile__website",
)
MEMBER_COLUMNS = (
    "profile__contact_name",
    "profile__contact_email",
    "profile__contact_phone",
    "profile__safeguarding_lead",
    "passport__expires_on",
)
LEGAL_FORMS = dict(LegalForm.choices)
INCOME_BANDS = dict(IncomeBand.choices)
SERVICE_STATUSES = dict(ServiceStatus.choices)


def _grouped_names(pairs: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = {}
    for key, name in pairs:
        grouped.setdefault(key, []).append(name)
    return grouped


def directory_rows(ids: Iterable[int], *, user, member: bool) -> list[DirectoryRow]:
    """The rows for these organisation ids, in their order, in four queries: the organisations
    with their profiles, the areas they serve, their services, and the services' categories."""
    ids = list(ids)
    columns = PUBLIC_COLUMNS + (MEMBER_COLUMNS if member else ())
    found = {
        values[0]: values
        for values in access.directory_organisations()
        .filter(pk__in=ids)
        .values_list(*columns)
        .order_by()
    }
    areas = _grouped_names(
        ProviderProfile.areas_served.through.objects.filter(providerprofile_id__in=ids)
        .order_by("area__name")
        .values_list("providerprofile_id", "area__name")
    )
    services: dict[int, list[ListedService]] = {}
    for pk, organisation_id, name, status in (
        _visible_services(user)
        .filter(organisation_id__in=ids)
        .values_list("pk", "organisation_id", "name", "status")
    ):
        services.setdefault(organisation_id, []).append(
            ListedService(pk, name, status, SERVICE_STATUSES.get(status, status))
        )
    service_ids = [service.pk for listed in services.values() for service in listed]
    categories = _grouped_names(
        Service.categories.through.objects.filter(service_id__in=service_ids)
        .order_by()
        .values_list("service_id", "servicecategory__name")
    )
    rows = []
    for pk in ids:
        if pk not in found:
            continue
        values = dict(zip(columns, found[pk], strict=True))
        listed = services.get(pk, [])
        row = DirectoryRow(
            pk=pk,
            name=values["name"],
            legal_form=LEGAL_FORMS.get(values["legal_form"], ""),
            charity_number=values["charity_number"],
            company_number=values["company_number"],
            org_id=org_id_from(values["charity_number"], values["company_number"]),
            description=values["profile__description"] or "",
            income_band=INCOME_BANDS.get(values["profile__income_band"] or "", ""),
            website=values["profile__website"] or "",
            areas=tuple(areas.get(pk, ())),
            services=tuple(listed),
            categories=tuple(sorted({c for s in listed for c in categories.get(s.pk, ())})),
        )
        if member:
            expires_on = values["passport__expires_on"]
            row = replace(
                row,
                contact_name=values["profile__contact_name"] or "",
                contact_email=values["profile__contact_email"] or "",
                contact_phone=values["profile__contact_phone"] or "",
                safeguarding_lead=values["profile__safeguarding_lead"] or "",
                passport=passport_status(
                    Passport(expires_on=expires_on) if expires_on is not None else None
                ),
            )
        rows.append(row)
    return rows


def directory_export_header(*, member: bool) -> list[str]:
    header = [
        "Name",
        "Legal form",
        "Charity number",
        "Company number",
        "Org-ID",
        "Description",
        "Income band",
        "Areas served",
        "Client groups",
        "Languages",
        "Quality marks",
        "Website",
        "Services",
        "Service categories",
        "Directory page",
    ]
    if member:
        header += [
            "Contact name",
            "Contact email",
            "Contact phone",
            "Safeguarding lead",
            "Passport",
        ]
    return header


EXPORT_CHUNK = 1000


def directory_export_rows(
    queryset: QuerySet[Organisation], *, user, member: bool, base_url: str
) -> Iterator[list[str]]:
    """Every matching organisation, one row each, read a thousand at a time so that memory stays
    flat however many match."""
    ids = list(queryset.values_list("pk", flat=True))
    today = timezone.localdate()
    for start in range(0, len(ids), EXPORT_CHUNK):
        chunk = ids[start : start + EXPORT_CHUNK]
        client_groups = _grouped_names(
            ProviderProfile.client_groups.through.objects.filter(providerprofile_id__in=chunk)
            .order_by("clientgroup__name")
            .values_list("providerprofile_id", "clientgroup__name")
        )
        languages = _grouped_names(
            ProviderProfile.languages.through.objects.filter(providerprofile_id__in=chunk)
            .order_by("language__name")
            .values_list("providerprofile_id", "language__name")
        )
        marks = _grouped_names(
            (
                profile_id,
                name + (f" (until {expires_on:%Y-%m-%d})" if expires_on else ""),
            )
            for profile_id, name, expires_on in OrganisationQualityMark.objects.filter(
                profile_id__in=chunk
            )
            .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
            .order_by("quality_mark__name")
            .values_list("profile_id", "quality_mark__name", "expires_on")
        )
        for row in directory_rows(chunk, user=user, member=member):
            line = [
                row.name,
                row.legal_form,
                row.charity_number,
                row.company_number,
                row.org_id,
                row.description,
                row.income_band,
                "; ".join(row.areas),
                "; ".join(client_groups.get(row.pk, ())),
                "; ".join(languages.get(row.pk, ())),
                "; ".join(marks.get(row.pk, ())),
                row.website,
                "; ".join(s.name for s in row.services),
                "; ".join(row.categories),
                base_url + reverse("providers:organisation", args=[row.pk]),
            ]
            if member:
                line += [
                    row.contact_name,
                    row.contact_email,
                    row.contact_phone,
                    row.safeguarding_lead,
                    row.passport.label if row.passport else "",
                ]
            yield line


@dataclass
class OrganisationPage:
    organisation: Organisation
    profile: ProviderProfile | None
    services: list[Service]
    consortia: list
    quality_marks: list[OrganisationQualityMark]
    org_id: str = ""
    passport: PassportStatus | None = None


def organisation_page(organisation: Organisation, *, user, member: bool) -> OrganisationPage:
    """Everything the organisation's directory page shows, in a fixed number of queries."""
    profile = organisation_profile(organisation)
    marks: list[OrganisationQualityMark] = []
    if profile is not None:
        prefetch_related_objects(
            [profile],
            Prefetch("areas_served", queryset=Area.objects.order_by("name")),
            "client_groups",
            "languages",
        )
        marks = list(profile.quality_marks.select_related("quality_mark"))
    services = list(
        _visible_services(user)
        .filter(organisation=organisation)
        .prefetch_related("categories", Prefetch("areas", queryset=Area.objects.order_by("name")))
    )
    consortia = list(
        access.consortia_visible_to(user)
        .filter(Q(lead=organisation) | Q(members__organisation=organisation))
        .exclude(status=ConsortiumStatus.DISSOLVED)
        .select_related("lead")
        .distinct()
        .order_by("name")
    )
    passport = None
    if member:
        passport = passport_status(Passport.objects.filter(organisation=organisation).first())
    return OrganisationPage(
        organisation=organisation,
        profile=profile,
        services=services,
        consortia=consortia,
        quality_marks=marks,
        org_id=org_id(organisation),
        passport=passport,
    )


# Panels that later apps add to an organisation's directory page, such as its agreements across
# the network, so that providers never imports them (DESIGN §2): (template, context function). The
# function takes the request and the organisation and returns the panel's context, or None to
# leave it out; it should cost no query for the public.
PROFILE_PANELS: list[tuple[str, object]] = []


def register_profile_panel(template: str, context) -> None:
    if (template, context) not in PROFILE_PANELS:
        PROFILE_PANELS.append((template, context))


def profile_panels(request, organisation: Organisation) -> list[tuple[str, dict]]:
    """The panels this person sees on the organisation's page, in the order they were
    registered."""
    shown = []
    for template, context in PROFILE_PANELS:
        panel = context(request, organisation)
        if panel is not None:
            shown.append((template, panel))
    return shown


def service_page(service: Service) -> Service:
    """The service with its categories, client groups, areas and languages."""
    prefetch_related_objects(
        [service],
        Prefetch("categories", queryset=ServiceCategory.objects.select_related("parent")),
        "client_groups",
        Prefetch("areas", queryset=Area.objects.order_by("name")),
        "languages",
    )
    return service


# The provision map


@dataclass(frozen=True)
class MapCell:
    area: Area
    category: ServiceCategory
    services: int = 0
    organisations: int = 0

    @property
    def is_gap(self) -> bool:
        return self.services == 0


@dataclass
class ProvisionMap:
    parent_area: Area | None
    parent_category: ServiceCategory | None
    areas: list[Area]
    categories: list[ServiceCategory]
    grid: list[tuple[Area, list[MapCell]]] = field(default_factory=list)
    counted_at: datetime | None = None

    @property
    def gap_count(self) -> int:
        return sum(cell.is_gap for _area, cells in self.grid for cell in cells)


def _children_or_top(model, parent):
    """The parent's children; or the top-level nodes, or (when there is only one) its children.
    A parent with no children stands for itself."""
    if parent is not None:
        children = list(model.objects.filter(parent=parent).order_by("name"))
        return children or [parent]
    top = list(model.objects.filter(parent__isnull=True).order_by("name"))
    return top


def _with_ancestors(model) -> list[tuple[int, int]]:
    """(node, node or one of its ancestors) for every node of a tree, so a count joined through it
    lands in each enclosing node as well as its own."""
    parents = dict(model.objects.values_list("pk", "parent_id"))
    pairs = []
    for pk in parents:
        node, seen = pk, set()
        while node is not None and node not in seen:  # a loop in bad data must not hang us
            pairs.append((pk, node))
            seen.add(node)
            node = parents.get(node)
    return pairs


def _values(pairs: list[tuple[int, int]]) -> tuple[str, list[int]]:
    return ", ".join(["(%s, %s)"] * len(pairs)), [n for pair in pairs for n in pair]


def provision_counts_compute() -> dict[tuple[int, int], tuple[int, int]]:
    """(area, category) -> (active services, organisations), over every pair of nodes, each
    counting what lies inside it. A service counts once in a cell, however many of its areas or
    categories fall in it. One aggregate, written in SQL because it joins the services' links to
    each tree's ancestors, which the ORM cannot express."""
    areas, categories = _with_ancestors(Area), _with_ancestors(ServiceCategory)
    if not areas or not categories:
        return {}
    area_rows, area_params = _values(areas)
    category_rows, category_params = _values(categories)
    service_areas = Service.areas.through._meta
    service_categories = Service.categories.through._meta
    sql = f"""
        WITH area_up (leaf, node) AS (VALUES {area_rows}),
             category_up (leaf, node) AS (VALUES {category_rows})
        SELECT a.node, c.node, COUNT(DISTINCT s.id), COUNT(DISTINCT s.organisation_id)
        FROM {Service._meta.db_table} s
        JOIN {Organisation._meta.db_table} o ON o.id = s.organisation_id
        JOIN {service_areas.db_table} sa ON sa.{service_areas.get_field("service").column} = s.id
        JOIN area_up a ON a.leaf = sa.{service_areas.get_field("area").column}
        JOIN {service_categories.db_table} sc
            ON sc.{service_categories.get_field("service").column} = s.id
        JOIN category_up c
            ON c.leaf = sc.{service_categories.get_field("servicecategory").column}
        WHERE s.status = %s AND o.kind = %s AND o.verification_status = %s
        GROUP BY a.node, c.node
    """  # noqa: S608 (only table and column names are interpolated; every value is a parameter)
    params = [
        *area_params,
        *category_params,
        ServiceStatus.ACTIVE,
        OrganisationKind.THIRD_SECTOR,
        VerificationStatus.VERIFIED,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(area, category): (s, o) for area, category, s, o in cursor.fetchall()}


def _stored_provision_counts(
    areas: list[Area], categories: list[ServiceCategory]
) -> tuple[datetime | None, dict[tuple[int, int], tuple[int, int]]]:
    """The counts for these cells, as last recounted in the background (ProvisionCount). Until
    the first recount has run, they are counted as the page is shown."""
    stored = ProvisionCount.objects.filter(area__in=areas, category__in=categories).values_list(
        "area_id", "category_id", "services", "organisations", "counted_at"
    )
    rows = list(stored)
    if not rows and not ProvisionCount.objects.exists():
        return timezone.now(), provision_counts_compute()
    counted_at = min((row[4] for row in rows), default=None)
    return counted_at, {(a, c): (s, o) for a, c, s, o, _at in rows}


def default_map_area() -> Area | None:
    """The area whose wards the map shows when none is chosen: the only top-level area, if there
    is just one (one borough's network) and it has areas inside it."""
    top = list(Area.objects.filter(parent__isnull=True).order_by("pk")[:2])
    if len(top) == 1 and top[0].children.exists():
        return top[0]
    return None


def provision_map(
    *, parent_area: Area | None, parent_category: ServiceCategory | None
) -> ProvisionMap:
    """How many active services, and how many organisations, each area offers in each category.
    Rows are the parent area's wards, columns the parent category's children. A service counts in
    a cell if one of its areas lies in the row and one of its categories in the column."""
    areas = _children_or_top(Area, parent_area)
    categories = _children_or_top(ServiceCategory, parent_category)
    counted_at, found = _stored_provision_counts(areas, categories)
    grid = []
    for area in areas:
        cells = []
        for category in categories:
            services, organisations = found.get((area.pk, category.pk), (0, 0))
            cells.append(MapCell(area, category, services, organisations))
        grid.append((area, cells))
    return ProvisionMap(
        parent_area=parent_area,
        parent_category=parent_category,
        areas=areas,
        categories=categories,
        grid=grid,
        counted_at=counted_at,
    )
