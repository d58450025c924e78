"""People, the organisations they act for, their memberships and invitations, and the audit trail."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. They sign in with their email address."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(
        default=False, help_text="Can sign in to the Django admin (superusers only use it)."
    )
    is_active = models.BooleanField(default=True)
    is_network_admin = models.BooleanField(
        default=False,
        help_text="A member of the network's coordinating team: verifies organisations, "
        "keeps reference data and runs the reviews.",
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class OrganisationKind(models.TextChoices):
    COMMISSIONING_BODY = "commissioning_body", "Commissioning body"
    THIRD_SECTOR = "third_sector", "Third sector organisation"
    INFRASTRUCTURE = "infrastructure", "Infrastructure body"


class LegalForm(models.TextChoices):
    CHARITY = "charity", "Registered charity (trust or association)"
    CIO = "cio", "Charitable incorporated organisation (CIO)"
    CIC = "cic", "Community interest company (CIC)"
    CLG = "clg", "Company limited by guarantee"
    COOPERATIVE = "cooperative", "Co-operative society"
    COMMUNITY_BENEFIT = "cbs", "Community benefit society"
    UNINCORPORATED = "unincorporated", "Unincorporated association or community group"
    SOCIAL_ENTERPRISE = "social_enterprise", "Other social enterprise"


# Which registered numbers each legal form must have.
LEGAL_FORMS_NEEDING_CHARITY_NUMBER = frozenset({LegalForm.CHARITY, LegalForm.CIO})
LEGAL_FORMS_NEEDING_COMPANY_NUMBER = frozenset({LegalForm.CIC, LegalForm.CLG})


class VerificationStatus(models.TextChoices):
    PENDING = "pending", "Waiting for verification"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"


# The moves a network admin (or a rejected organisation resubmitting) may make.
VERIFICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    VerificationStatus.PENDING: frozenset(
        {VerificationStatus.VERIFIED, VerificationStatus.REJECTED}
    ),
    VerificationStatus.REJECTED: frozenset({VerificationStatus.PENDING}),
    VerificationStatus.VERIFIED: frozenset(),
}


class Organisation(models.Model):
    """A commissioning body, a third sector organisation or an infrastructure body."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    legal_form = models.CharField(max_length=32, choices=LegalForm.choices, blank=True)
    charity_number = models.CharField(
        "registered charity number", max_length=10, blank=True, help_text="England and Wales"
    )
    company_number = models.CharField("Companies House number", max_length=8, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    verification_status = models.CharField(
        max_length=16, choices=VerificationStatus.choices, default=VerificationStatus.PENDING
    )
    verification_reason = models.TextField(
        blank=True, help_text="Why it was rejected, or a note on its verification."
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["charity_number"],
                condition=~Q(charity_number=""),
                name="organisation_unique_charity_number",
                violation_error_message="An organisation with this charity number is already registered.",
            ),
            models.UniqueConstraint(
                fields=["company_number"],
                condition=~Q(company_number=""),
                name="organisation_unique_company_number",
                violation_error_message="An organisation with this company number is already registered.",
            ),
            # Only third sector organisations wait for verification.
            models.CheckConstraint(
                condition=Q(kind=OrganisationKind.THIRD_SECTOR)
                | Q(verification_status=VerificationStatus.VERIFIED),
                name="organisation_only_third_sector_unverified",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "verification_status"]),
            models.Index(fields=["verification_status", "submitted_at"]),
            # The directory lists verified third sector organisations by name, a page at a time.
            models.Index(
                fields=["kind", "verification_status", "name", "id"],
                name="organisation_directory_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:organisation_detail", args=[self.pk])

    @property
    def is_commissioning_body(self) -> bool:
        return self.kind == OrganisationKind.COMMISSIONING_BODY

    @property
    def is_third_sector(self) -> bool:
        return self.kind == OrganisationKind.THIRD_SECTOR

    @property
    def is_verified(self) -> bool:
        return self.verification_status == VerificationStatus.VERIFIED


class MembershipRole(models.TextChoices):
    ADMIN = "admin", "Organisation admin"
    MEMBER = "member", "Member"


class Membership(models.Model):
    """A person's place in one organisation. A person may have several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        max_length=16, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    is_compact_champion = models.BooleanField(
        "Compact champion",
        default=False,
        help_text="Promotes the local Compact in this organisation and is the first contact for concerns.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_unique_user_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.organisation} ({self.get_role_display()})"

    @property
    def is_admin(self) -> bool:
        return self.role == MembershipRole.ADMIN


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """An emailed link that makes its holder a member of an organisation. It works once."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(
        max_length=16, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    # Only a hash is kept: the link itself exists only in the email.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="invitations_sent")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations_accepted"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="invitation_expires_after_created",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.organisation}"

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_open(self) -> bool:
        return not self.is_accepted and not self.revoked_at and not self.is_expired

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.is_expired:
            return "expired"
        return "open"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit events are never edited.")

    def delete(self):
        raise TypeError("Audit events are never deleted.")


class AuditEvent(models.Model):
    """One thing that happened: who did it, to what, from which state to which, and when.

    Rows are only ever added. The model refuses edits and deletes; on PostgreSQL a trigger
    refuses them too.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        help_text="Empty when the system acted, for example a scheduled task.",
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    action = models.CharField(max_length=64, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    from_state = models.CharField(max_length=64, blank=True)
    to_state = models.CharField(max_length=64, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} on {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit events are never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are never deleted.")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Finished"
    FAILED = "failed", "Failed"


class RowOutcome:
    """What an import did with one row of its file."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"

    LABELS = {
        CREATED: "Created",
        UPDATED: "Updated",
        UNCHANGED: "Unchanged",
        REFUSED: "Refused",
    }


class ImportJob(models.Model):
    """A CSV file imported a row at a time, with its counts and a report of what happened to each
    row. Each app's import adds the stored file (where it is kept differs) and its own name; the
    machinery that runs one is in accounts/imports.py."""

    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField(max_length=255)
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    refused_count = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=list, help_text="One entry a row: line, outcome, messages.")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def percent_done(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    @property
    def in_progress(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
