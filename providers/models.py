"""Provider mapping: shared reference data, provider profiles, services, consortia and passports."""

from __future__ import annotations

import uuid

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import ImportJob, Organisation, User
from accounts.models import ImportStatus as ImportStatus  # the statuses of OrganisationImport


def private_storage():
    """Uploaded documents live apart from public media, served only through permission checks."""
    from django.core.files.storage import storages

    return storages["private"]


# Reference data, kept by network admins


class AreaLevel(models.TextChoices):
    BOROUGH = "borough", "Borough"
    WARD = "ward", "Ward"
    NEIGHBOURHOOD = "neighbourhood", "Neighbourhood"


class Area(models.Model):
    """A place services are delivered in. Areas form a hierarchy: borough, then wards."""

    name = models.CharField(max_length=120)
    ons_code = models.CharField(
        "ONS code", max_length=9, unique=True, help_text="GSS code, for example E05009367."
    )
    level = models.CharField(max_length=16, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        ordering = ["level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level=AreaLevel.BOROUGH) | models.Q(parent__isnull=False),
                name="area_below_borough_has_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceCategory(models.Model):
    """A node of the service category taxonomy, such as Advice, then Debt advice."""

    name = models.CharField(max_length=120)
    code = models.SlugField(
        max_length=80, unique=True, help_text="A stable short code, e.g. debt-advice."
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    description = models.TextField(blank=True)
    # HSDS taxonomy terms carry UUIDs.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "service categories"

    def __str__(self) -> str:
        return self.name


class ClientGroup(models.Model):
    """Who a service is for: older people, carers, refugees and so on."""

    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=80, unique=True)
    usually_excluded = models.BooleanField(
        "a community usually excluded",
        default=False,
        help_text="Communities that commissioning usually fails to reach (seeds/000 7.3.1(e)).",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Language(models.Model):
    name = models.CharField(max_length=80, unique=True)
    code = models.CharField(max_length=8, unique=True, help_text="ISO 639 code, e.g. cy or bn.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QualityMark(models.Model):
    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=80, unique=True)
    awarded_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Provider profiles


class IncomeBand(models.TextChoices):
    """NCVO's size bands, by annual income."""

    MICRO = "micro", "Micro (under £10,000)"
    SMALL = "small", "Small (£10,000 to £100,000)"
    MEDIUM = "medium", "Medium (£100,000 to £1 million)"
    LARGE = "large", "Large (£1 million to £10 million)"
    MAJOR = "major", "Major (over £10 million)"


class ProviderProfile(models.Model):
    """What a third sector organisation tells the network about itself."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="profile"
    )
    # HSDS organisation ids are UUIDs.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    description = models.TextField("short description", blank=True)
    income_band = models.CharField(max_length=16, choices=IncomeBand.choices, blank=True)
    year_founded = models.PositiveSmallIntegerField(null=True, blank=True)
    staff_count = models.PositiveIntegerField("paid staff", null=True, blank=True)
    volunteer_count = models.PositiveIntegerField("volunteers", null=True, blank=True)
    areas_served = models.ManyToManyField(Area, blank=True, related_name="providers")
    client_groups = models.ManyToManyField(ClientGroup, blank=True, related_name="providers")
    languages = models.ManyToManyField(Language, blank=True, related_name="providers")
    safeguarding_lead = models.CharField(max_length=150, blank=True)
    safeguarding_policy_reviewed = models.DateField(
        "safeguarding policy last reviewed", null=True, blank=True
    )
    insurance_expires = models.DateField("insurance expires", null=True, blank=True)
    website = models.URLField(blank=True)
    contact_name = models.CharField(max_length=150, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Name, description and services, for full-text search; kept current by the services layer.
    search_document = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    # What the directory's filters match: the profile's own areas, groups and languages together
    # with those of its listed services, and the listed services' categories. Kept current with
    # the search document, so each filter is one lookup rather than a search of every service.
    reach_areas = models.ManyToManyField(
        Area, blank=True, editable=False, related_name="+", db_table="providers_reach_area"
    )
    reach_categories = models.ManyToManyField(
        ServiceCategory,
        blank=True,
        editable=False,
        related_name="+",
        db_table="providers_reach_category",
    )
    reach_client_groups = models.ManyToManyField(
        ClientGroup,
        blank=True,
        editable=False,
        related_name="+",
        db_table="providers_reach_client_group",
    )
    reach_languages = models.ManyToManyField(
        Language, blank=True, editable=False, related_name="+", db_table="providers_reach_language"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(year_founded__isnull=True) | Q(year_founded__gte=1500),
                name="profile_year_founded_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.organisation}"

    def get_absolute_url(self) -> str:
        return reverse("providers:organisation", args=[self.organisation_id])


# What an organisation's admins edit on its profile; the form and the history both follow these.
PROFILE_FIELDS = [
    "description",
    "income_band",
    "year_founded",
    "staff_count",
    "volunteer_count",
    "safeguarding_lead",
    "safeguarding_policy_reviewed",
    "insurance_expires",
    "website",
    "contact_name",
    "contact_email",
    "contact_phone",
]
PROFILE_M2M = ["areas_served", "client_groups", "languages"]


class OrganisationQualityMark(models.Model):
    profile = models.ForeignKey(
        ProviderProfile, on_delete=models.CASCADE, related_name="quality_marks"
    )
    quality_mark = models.ForeignKey(QualityMark, on_delete=models.PROTECT, related_name="holders")
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["quality_mark__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "quality_mark"], name="quality_mark_once_per_profile"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quality_mark} ({self.profile.organisation})"

    @property
    def is_current(self) -> bool:
        return self.expires_on is None or self.expires_on >= timezone.localdate()


class ProfileVersion(models.Model):
    """A snapshot of a profile after each change, so the organisation can see its history."""

    profile = models.ForeignKey(ProviderProfile, on_delete=models.CASCADE, related_name="versions")
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    changed = models.JSONField(
        default=dict, help_text="Field: [before, after], as shown to people."
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.profile} at {self.created_at:%Y-%m-%d %H:%M}"


# Services


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    TEMPORARILY_CLOSED = "temporarily_closed", "Temporarily closed"


class ServiceFocus(models.TextChoices):
    PREVENTATIVE = "preventative", "Preventative"
    EARLY_INTERVENTION = "early_intervention", "Early intervention"
    ONGOING_SUPPORT = "ongoing_support", "Ongoing support"
    CRISIS = "crisis", "Crisis response"


class CapacityUnit(models.TextChoices):
    PLACES = "places", "places"
    HOURS_A_WEEK = "hours_a_week", "hours a week"


class Service(models.Model):
    """A service an organisation runs, aligned with Open Referral HSDS, with the seven
    service-mapping questions of seeds/001 principle 4."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="services"
    )
    name = models.CharField(max_length=200)
    description = models.TextField()
    categories = models.ManyToManyField(ServiceCategory, related_name="services")
    client_groups = models.ManyToManyField(ClientGroup, blank=True, related_name="services")
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    eligibility = models.TextField(blank=True)
    areas = models.ManyToManyField(Area, blank=True, related_name="services")
    delivery_locations = models.TextField(blank=True, help_text="Addresses, one a line.")
    languages = models.ManyToManyField(Language, blank=True, related_name="services")
    accessibility = models.TextField(blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    capacity_unit = models.CharField(max_length=16, choices=CapacityUnit.choices, blank=True)
    cost_to_users = models.CharField(max_length=200, blank=True, help_text="For example: Free.")
    status = models.CharField(
        max_length=24, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    # The seven service-mapping questions.
    provides_information = models.BooleanField(
        "information or signposting is provided locally", default=False
    )
    focus = models.CharField(max_length=24, choices=ServiceFocus.choices, blank=True)
    who_provides_what = models.TextField(
        "who provides what to whom, and by which commissioning route", blank=True
    )
    provider_quality = models.TextField("the nature, quality and skill of the provider", blank=True)
    good_practice = models.TextField("innovative or good practice", blank=True)
    commissioned_by = models.TextField("who commissions it, and through what process", blank=True)
    market_spend = models.DecimalField(
        "annual spend (£)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    market_staff = models.PositiveIntegerField("staff delivering it", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            # The directory's filters look for an organisation's listed (not inactive) services.
            models.Index(
                fields=["organisation", "id"],
                condition=~Q(status=ServiceStatus.INACTIVE),
                name="service_listed_by_organisation",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True)
                | Q(maximum_age__isnull=True)
                | Q(minimum_age__lte=models.F("maximum_age")),
                name="service_age_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(market_spend__isnull=True) | Q(market_spend__gte=0),
                name="service_market_spend_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("providers:service", args=[self.pk])


# Consortia and subcontracting


class ConsortiumStatus(models.TextChoices):
    FORMING = "forming", "Forming"
    ACTIVE = "active", "Active"
    DISSOLVED = "dissolved", "Dissolved"


class Consortium(models.Model):
    name = models.CharField(max_length=200)
    lead = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="consortia_led")
    description = models.TextField(blank=True)
    lead_share = models.DecimalField(
        "lead's indicative share (%)", max_digits=5, decimal_places=2, default=0
    )
    has_written_agreement = models.BooleanField("has a written consortium agreement", default=False)
    agreement_document = models.FileField(
        storage=private_storage, upload_to="consortia/%Y/", blank=True
    )
    # As uploaded, so that the download gives people back their own file: the stored name may be
    # shortened or made unique by the storage.
    agreement_original_name = models.CharField(max_length=255, blank=True)
    agreement_content_type = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=16, choices=ConsortiumStatus.choices, default=ConsortiumStatus.FORMING
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "consortia"
        constraints = [
            models.CheckConstraint(
                condition=Q(lead_share__gte=0) & Q(lead_share__lte=100),
                name="consortium_lead_share_percentage",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ConsortiumMember(models.Model):
    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="consortium_memberships"
    )
    role = models.CharField(max_length=200, help_text="What this member delivers.")
    indicative_share = models.DecimalField("indicative share (%)", max_digits=5, decimal_places=2)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["consortium", "organisation"], name="consortium_member_once"
            ),
            models.CheckConstraint(
                condition=Q(indicative_share__gte=0) & Q(indicative_share__lte=100),
                name="consortium_member_share_percentage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.consortium}"


class SupportKind(models.TextChoices):
    SUBCONTRACTS = "subcontracts", "Subcontracts to"
    SUPPORTS = "supports", "Supports"


class SupportLink(models.Model):
    """An anchor organisation subcontracting to, or supporting, a smaller group (seeds/004)."""

    anchor = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="supports")
    partner = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="supported_by")
    kind = models.CharField(max_length=16, choices=SupportKind.choices)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["partner__name"]
        constraints = [
            models.UniqueConstraint(fields=["anchor", "partner", "kind"], name="support_link_once"),
            models.CheckConstraint(
                condition=~Q(anchor=models.F("partner")), name="support_link_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.anchor} {self.get_kind_display().lower()} {self.partner}"


# The pre-qualification passport: "tell us once"


class PassportDocumentKind(models.TextChoices):
    GOVERNING_DOCUMENT = "governing_document", "Governing document"
    ACCOUNTS = "accounts", "Latest accounts"
    SAFEGUARDING = "safeguarding", "Safeguarding policy"
    HEALTH_AND_SAFETY = "health_and_safety", "Health and safety policy"
    EQUALITY = "equality", "Equality policy"
    DATA_PROTECTION = "data_protection", "Data protection policy"
    INSURANCE = "insurance", "Insurance certificates"


class PassportDocumentStatus(models.TextChoices):
    SUBMITTED = "submitted", "Waiting for review"
    ACCEPTED = "accepted", "Accepted"
    RETURNED = "returned", "Returned"
    SUPERSEDED = "superseded", "Replaced by a newer upload"


PASSPORT_DOCUMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    PassportDocumentStatus.SUBMITTED: frozenset(
        {
            PassportDocumentStatus.ACCEPTED,
            PassportDocumentStatus.RETURNED,
            PassportDocumentStatus.SUPERSEDED,
        }
    ),
    PassportDocumentStatus.ACCEPTED: frozenset({PassportDocumentStatus.SUPERSEDED}),
    PassportDocumentStatus.RETURNED: frozenset({PassportDocumentStatus.SUPERSEDED}),
    PassportDocumentStatus.SUPERSEDED: frozenset(),
}

# An accepted passport lasts two years (seeds/001 principles 5 and 6).
PASSPORT_VALID_YEARS = 2
# How far ahead an expiry is shown as a warning, on the passport and in the directory.
PASSPORT_WARNING_DAYS = 60


def passport_upload_to(instance: PassportDocument, filename: str) -> str:
    return f"passports/{instance.organisation_id}/{uuid.uuid4().hex}/{filename}"


class PassportDocument(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="passport_documents"
    )
    kind = models.CharField(max_length=32, choices=PassportDocumentKind.choices)
    file = models.FileField(storage=private_storage, upload_to=passport_upload_to, max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    valid_until = models.DateField(
        null=True,
        blank=True,
        help_text="When this document stops being current, e.g. the insurance end date.",
    )
    status = models.CharField(
        max_length=16,
        choices=PassportDocumentStatus.choices,
        default=PassportDocumentStatus.SUBMITTED,
    )
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["kind", "-uploaded_at"]
        indexes = [models.Index(fields=["organisation", "kind", "status"])]
        constraints = [
            # At most one live (not superseded) document of each kind per organisation.
            models.UniqueConstraint(
                fields=["organisation", "kind"],
                condition=~Q(status=PassportDocumentStatus.SUPERSEDED),
                name="passport_one_live_document_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.organisation}"

    @property
    def is_current(self) -> bool:
        return self.status == PassportDocumentStatus.ACCEPTED and (
            self.valid_until is None or self.valid_until >= timezone.localdate()
        )


class Passport(models.Model):
    """Set when every required document is accepted: valid for two years, or until the first
    of its documents runs out."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="passport"
    )
    accepted_at = models.DateTimeField()
    expires_on = models.DateField(db_index=True)

    def __str__(self) -> str:
        return f"Passport of {self.organisation}"

    @property
    def is_current(self) -> bool:
        return self.expires_on >= timezone.localdate()

    def expires_within(self, days: int) -> bool:
        return self.is_current and (self.expires_on - timezone.localdate()).days <= days


# CSV import of organisations


class OrganisationImport(ImportJob):
    file = models.FileField(storage=private_storage, upload_to="imports/%Y/%m/")

    def __str__(self) -> str:
        return f"Import of {self.original_name}"


# The provision map's counts


class ProvisionCount(models.Model):
    """How many active services, and how many organisations, a verified third sector offers in an
    area and a category, each counted with everything inside it (a borough includes its wards).
    Recounted in the background (services.provision.provision_counts_refresh), so the map reads a
    few hundred rows rather than counting every service's links as it is shown."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(ServiceCategory, on_delete=models.CASCADE, related_name="+")
    services = models.PositiveIntegerField()
    organisations = models.PositiveIntegerField()
    counted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area", "category"], name="provision_count_once_per_cell"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} in {self.area}: {self.services} services"
