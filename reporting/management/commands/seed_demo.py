"""Load a synthetic Commissioners Network for the fictional borough of Lindenford, with demo logins.

It only adds what is missing, so it can run any number of times; `--scale N` adds N times as many
third sector organisations, for benchmarks.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TextIO

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.postgres.search import SearchVector
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import (
    AuditEvent,
    LegalForm,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    User,
    VerificationStatus,
)
from accounts.services import audit_event_record
from accounts.validators import (
    normalise_charity_number,
    normalise_company_number,
    normalise_postcode,
)
from providers.models import (
    Area,
    CapacityUnit,
    ClientGroup,
    IncomeBand,
    Language,
    OrganisationQualityMark,
    ProviderProfile,
    QualityMark,
    Service,
    ServiceCategory,
    ServiceFocus,
    ServiceStatus,
)
from providers.reference_data import reference_data_ensure
from providers.services.profiles import (
    directory_entry_refresh,
    directory_reach_refresh,
    search_document_text,
)
from providers.services.provision import provision_counts_refresh
from reporting.demo.agreements import seed_agreements
from reporting.demo.planning import seed_planning
from reporting.demo.sourcing import seed_sourcing

SEED = 2026
MAX_SCALE = 1000
BULK_BATCH_SIZE = 2000
THIRD_SECTOR_PER_SCALE = 150
PENDING_COUNT = 12
DAY = 24 * 60  # minutes

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed for anyone running the demo
ADMIN_EMAIL = "admin@example.org"
COMMISSIONER_EMAIL = "commissioner@example.org"
PROVIDER_EMAIL = "provider@example.org"
PANEL_EMAIL = "panel@example.org"
PROVIDER_ORGANISATION = "Lindenford Community Advice"

# (role shown in the logins block, email, full name)
DEMO_LOGINS = (
    ("network admin", ADMIN_EMAIL, "Ada Network-Admin"),
    ("commissioner", COMMISSIONER_EMAIL, "Colin Commissioner"),
    ("provider", PROVIDER_EMAIL, "Priya Provider"),
    ("panel member", PANEL_EMAIL, "Pat Panel"),
)

# Codes in the E09/E05 series that ONS has not issued, so they cannot clash with real areas.
BOROUGH = ("Lindenford", "E09900001")
WARDS = (
    "Abbey Fields",
    "Brookside",
    "Castle Hill",
    "Dene Park",
    "Eastgate",
    "Fairmead",
    "Hollins Green",
    "Kingsmead",
    "Millbrook",
    "Northcote",
    "St Anne's",
    "Westfield",
)

STREETS = (
    "Elm Road", "Station Road", "Church Lane", "Mill Street", "Linden Avenue", "Canal Side",
    "High Street", "Victoria Road", "Queen's Parade", "Park Road", "Brook Street", "Chapel Walk",
    "Market Street", "Orchard Way", "Willow Crescent", "Foundry Lane", "Cross Street",
    "Albert Terrace", "Meadow Close", "Tannery Yard",
)  # fmt: skip
BUILDINGS = (
    "Linden Business Park", "Canal Wharf House", "The Old Library",
    "Brook Street Enterprise Centre", "Millbrook Resource Centre", "The Vestry Hall",
    "Kingsmead Community Hub", "Foundry Works",
)  # fmt: skip
# Real inward codes never use C, I, K, M, O or V.
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

FIRST_NAMES = (
    "Aisha", "Ben", "Chloe", "Dev", "Eleni", "Femi", "Grace", "Hamza", "Imogen", "Jamal", "Kasia",
    "Liam", "Maya", "Nadia", "Owen", "Parveen", "Rhys", "Sade", "Tom", "Uma", "Viktor", "Wen",
    "Yusuf", "Zara", "Amir", "Bethan", "Callum", "Divya", "Ewan", "Farah", "Gareth", "Hana",
    "Isaac", "Joy", "Kwame", "Leah", "Marek", "Niamh", "Tunde", "Rosa",
)  # fmt: skip
LAST_NAMES = (
    "Adeyemi", "Bennett", "Chowdhury", "Davies", "Evans", "Fernandes", "Green", "Hussain",
    "Ibrahim", "Jones", "Kowalski", "Lewis", "Mahmood", "Nowak", "Okafor", "Patel", "Quinn",
    "Rahman", "Singh", "Thompson", "Usman", "Vaughan", "Walsh", "Xu", "Yilmaz", "Zielinski",
    "Ahmed", "Brown", "Campbell", "Dlamini", "Edwards", "Fraser", "Gill", "Hughes", "Iqbal",
    "Jackson", "Khan", "Lee", "Murphy", "Nguyen",
)  # fmt: skip

L = LegalForm
# (key, name, home); the CVS is the infrastructure body, the rest commission services.
PUBLIC_BODIES = (
    ("adult_social_care", "Lindenford Council: Adult Social Care", "council"),
    ("children", "Lindenford Council: Children and Families", "council"),
    ("public_health", "Lindenford Council: Public Health", "council"),
    ("housing", "Lindenford Council: Communities and Housing", "council"),
    ("employment", "Lindenford Council: Economy, Skills and Employment", "council"),
    ("nhs", "Lindenford NHS Integrated Care Board place team", "nhs"),
    ("schools", "Lindenford Learning Partnership Schools Trust", "schools"),
    ("police", "Lindenford Police: community safety", "police"),
    ("cvs", "Lindenford Council for Voluntary Service", "cvs"),
)
# home: (email domain for its staff, address above the town, postcode)
PUBLIC_BODY_HOMES = {
    "council": ("lindenford-council.example.org", "Lindenford Town Hall\nMarket Square", "LF1 1AA"),
    "nhs": ("lindenford-icb.example.org", "Linden House\n2 Station Road", "LF2 4HQ"),
    "schools": ("lindenford-schools.example.org", "Kingsmead Academy\nOrchard Way", "LF8 3SD"),
    "police": (
        "lindenford-police.example.org",
        "Lindenford Police Station\nCross Street",
        "LF1 3PS",
    ),
    "cvs": ("lindenford-cvs.example.org", "The Old Library\n14 Chapel Walk", "LF4 2DX"),
}

# Providers with names of their own; the first is the demo provider's organisation.
NAMED_PROVIDERS = (
    (PROVIDER_ORGANISATION, L.CHARITY),
    ("Older People's Lunch Club", L.UNINCORPORATED),
    ("Refugee Women's Network", L.CIO),
    ("Youth Boxing Academy CIC", L.CIC),
    ("Lindenford Carers Centre", L.CHARITY),
    ("Lindenford Foodbank Partnership", L.CIO),
    ("Lindenford Community Credit Union", L.COOPERATIVE),
    ("Lindenford Community Energy", L.COMMUNITY_BENEFIT),
    ("Canal Side Housing Co-operative", L.COOPERATIVE),
    ("Lindenford Dementia Café", L.UNINCORPORATED),
    ("Lindenford Deaf Centre", L.CHARITY),
    ("Lindenford Sight Loss Support", L.CIO),
    ("Lindenford Law Centre", L.CLG),
    ("Lindenford Domestic Abuse Service", L.CLG),
    ("Lindenford Recovery Community", L.CIO),
    ("New Roots Mental Health Trust", L.CHARITY),
    ("Bright Start Family Hub", L.CIO),
    ("Lindenford Young Carers", L.CIO),
    ("Second Chance Furniture Reuse CIC", L.CIC),
    ("The Bike Kitchen CIC", L.CIC),
    ("Lindenford Community Transport", L.CLG),
    ("Lindenford Hospice at Home", L.CHARITY),
    ("Lindenford Bereavement Support", L.CIO),
    ("Lindenford Men's Shed", L.UNINCORPORATED),
    ("Lindenford Pride Community Group", L.UNINCORPORATED),
    ("African Caribbean Elders Forum", L.UNINCORPORATED),
    ("South Asian Women's Wellbeing Project", L.CIO),
    ("Polish Community Association of Lindenford", L.CHARITY),
    ("Lindenford Somali Development Association", L.CIO),
    ("Lindenford Chinese Community Centre", L.CHARITY),
    ("Eastern European Advice Network", L.CIO),
    ("Lindenford Autism Support", L.CIO),
    ("Lindenford Learning Disability Partnership", L.CLG),
    ("Lindenford Parent Carer Forum", L.UNINCORPORATED),
    ("Family Friends Lindenford", L.CHARITY),
    ("Lindenford Volunteer Centre", L.CLG),
    ("Lindenford Arts Collective CIC", L.CIC),
    ("Green Spaces Lindenford", L.CIO),
    ("Lindenford Community Garden Co-operative", L.COOPERATIVE),
    ("Lindenford Employment Hub", L.SOCIAL_ENTERPRISE),
    ("Ready for Work Lindenford CIC", L.CIC),
    ("The Wheelhouse Café", L.SOCIAL_ENTERPRISE),
    ("Lindenford Debt Advice Service", L.CLG),
    ("Lindenford Housing Advice Centre", L.CLG),
    ("Lindenford Night Shelter", L.CIO),
    ("Lindenford Street Outreach", L.CIO),
    ("Lindenford Veterans Network", L.CIO),
    ("Lindenford Sexual Violence Support Service", L.CIO),
    ("Lindenford Stroke Club", L.UNINCORPORATED),
    ("Lindenford Parkinson's Support Group", L.UNINCORPORATED),
    ("Lindenford Diabetes Peer Support", L.UNINCORPORATED),
    ("Lindenford Breastfeeding Peer Supporters", L.UNINCORPORATED),
    ("Lindenford Befriending Scheme", L.CHARITY),
    ("Good Neighbours Lindenford", L.CHARITY),
    ("Lindenford Digital Inclusion CIC", L.CIC),
    ("Lindenford Adult Literacy Project", L.CIO),
    ("English for All Lindenford", L.CIO),
    ("Lindenford Sports Development Trust", L.CHARITY),
    ("Lindenford Football in the Community", L.CLG),
    ("Lindenford Disabled Swimmers Club", L.UNINCORPORATED),
    ("Lindenford Theatre Workshop", L.CIO),
    ("Lindenford Music Makers CIC", L.CIC),
    ("Lindenford Playcare Association", L.CHARITY),
    ("Little Acorns Pre-School", L.CIO),
    ("Lindenford Home Care Co-operative", L.COOPERATIVE),
    ("Northcote Community Shop", L.COMMUNITY_BENEFIT),
    ("The Old Library Community Hub", L.COMMUNITY_BENEFIT),
    ("The Linden Tree Community Pub", L.COMMUNITY_BENEFIT),
    ("Lindenford Tenants' Federation", L.UNINCORPORATED),
    ("Lindenford Gypsy and Traveller Support", L.CIO),
    ("Lindenford Asylum Seekers Welcome", L.CIO),
    ("Lindenford Interfaith Forum", L.UNINCORPORATED),
    ("St Barnabas Church Community Project", L.CHARITY),
    ("Lindenford Mosque Community Trust", L.CHARITY),
    ("Lindenford Gurdwara Langar Service", L.CHARITY),
    ("Lindenford Hearing Voices Group", L.UNINCORPORATED),
    ("Lindenford Eating Disorder Support", L.CIO),
    ("Lindenford Young People's Counselling Service", L.CLG),
    ("Lindenford Youth Theatre", L.CIO),
    ("Lindenford Girls' Football Club", L.UNINCORPORATED),
    ("Lindenford Warm Homes CIC", L.CIC),
    ("Lindenford Repair Café", L.UNINCORPORATED),
    ("Lindenford Social Prescribing Partnership", L.CLG),
    ("Lindenford Advocacy", L.CIO),
    ("Lindenford Independent Living Centre", L.CLG),
    ("Lindenford Inclusive Cycling", L.CIO),
    ("Lindenford Allotment Society", L.COMMUNITY_BENEFIT),
    ("Lindenford Print Works", L.SOCIAL_ENTERPRISE),
    ("Lindenford Cleaning Co-operative", L.COOPERATIVE),
    ("Lindenford Training Kitchen", L.SOCIAL_ENTERPRISE),
    ("Lindenford Hoarding Support", L.CIO),
    ("Lindenford Prison Leavers Project", L.CIO),
    ("Lindenford Family Mediation", L.CLG),
    ("Lindenford Kinship Carers Group", L.UNINCORPORATED),
    ("Lindenford Care Leavers Network", L.CIO),
    ("Second Helpings Community Catering", L.SOCIAL_ENTERPRISE),
)
# Neighbourhood groups, one per ward and template, to make up the rest.
WARD_PROVIDER_TEMPLATES = (
    ("{ward} Community Advice", (L.CHARITY, L.CIO)),
    ("{ward} Food Bank", (L.CIO, L.UNINCORPORATED)),
    ("{ward} Residents' Association", (L.UNINCORPORATED,)),
    ("{ward} Youth Club", (L.CHARITY, L.UNINCORPORATED)),
    ("{ward} Community Centre", (L.CHARITY, L.COMMUNITY_BENEFIT, L.CLG)),
    ("Friends of {ward} Park", (L.UNINCORPORATED, L.CIO)),
    ("{ward} Over-60s Club", (L.UNINCORPORATED,)),
    ("{ward} Baby Bank", (L.CIO, L.UNINCORPORATED)),
    ("{ward} Homework Club", (L.UNINCORPORATED, L.CIO)),
)
SMALL_FORMS = frozenset({L.UNINCORPORATED, L.COOPERATIVE, L.COMMUNITY_BENEFIT})

VERIFIED_NOTES = {
    "charity": "Checked against the Charity Commission register.",
    "company": "Checked against the Companies House register.",
    "none": "Constitution and a recent bank statement in the group's name checked.",
}
REJECTION_REASONS = {
    "charity": (
        "The charity number given belongs to a different charity on the Charity Commission "
        "register. Check the number and resubmit."
    ),
    "company": (
        "The registered office on Companies House does not match the address given. Update "
        "the address, or tell us why they differ, and resubmit."
    ),
    "none": (
        "We need a copy of the group's constitution and a recent bank statement in the "
        "group's name before we can verify it."
    ),
}

# Registered numbers are drawn from ranges the registers have not reached, so no demo
# organisation carries a real charity's or company's number. Core and bulk ranges do not meet.
CORE_CHARITY_NUMBERS = range(1_980_000, 2_000_000)
CORE_COMPANY_NUMBERS = range(99_000_000, 99_990_000)
CORE_SOCIETY_NUMBERS = range(90_000, 100_000)  # as IP90000R: a society registered in England
BULK_CHARITY_START = 1_900_000
BULK_COMPANY_START = 90_000_000
BULK_FORMS = tuple(LegalForm)
# Every bulk organisation has exactly one number, which is its key when the command runs again.
BULK_CHARITY_FORMS = frozenset({L.CHARITY, L.CIO, L.UNINCORPORATED})
BULK_THEMES = (
    "Carers", "Youth", "Older People's", "Families", "Mental Health", "Refugee", "Disability",
    "Food", "Sports", "Arts", "Housing", "Employment", "Digital", "Women's", "Men's",
    "Neighbourhood", "Bereavement", "Recovery", "Environmental", "Heritage",
)  # fmt: skip
BULK_NOUNS = {
    L.CHARITY: ("Trust", "Association", "Fund"),
    L.CIO: ("Project", "Network", "Support"),
    L.CIC: ("Services CIC", "Hub CIC"),
    L.CLG: ("Centre", "Service", "Partnership"),
    L.COOPERATIVE: ("Co-operative",),
    L.COMMUNITY_BENEFIT: ("Society", "Community Benefit Society"),
    L.UNINCORPORATED: ("Group", "Club", "Forum"),
    L.SOCIAL_ENTERPRISE: ("Enterprises", "Works", "Social Enterprise"),
}


@dataclass(frozen=True)
class ProviderSpec:
    """One third sector organisation to create, and its first admin."""

    name: str
    legal_form: str
    charity_number: str
    company_number: str
    address: str
    postcode: str
    status: str
    reason: str
    note: str
    submitted_minutes_ago: int
    verified_after_days: int
    admin_email: str
    admin_name: str


def _person(*, rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def _postcode(*, rng: random.Random, ward_index: int) -> str:
    inward = f"{rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
    return normalise_postcode(f"LF{ward_index + 1} {inward}")


def _address(*, rng: random.Random, legal_form: str, ward: str) -> str:
    number = rng.randint(1, 180)
    street = rng.choice(STREETS)
    if legal_form == L.UNINCORPORATED:
        first_line = f"c/o {number} {street}"
    elif legal_form in SMALL_FORMS:
        first_line = f"{number} {street}"
    else:
        first_line = rng.choice(
            (
                f"Unit {rng.randint(1, 24)}, Linden Business Park",
                f"Suite {rng.randint(1, 12)}, Canal Wharf House",
                f"{rng.choice(BUILDINGS)}\n{number} {street}",
                f"{number} {street}",
            )
        )
    return f"{first_line}\n{ward}\n{BOROUGH[0]}"


def _numbers_kind(*, charity_number: str, company_number: str) -> str:
    if charity_number:
        return "charity"
    return "company" if company_number else "none"


def provider_specs(*, rng: random.Random) -> list[ProviderSpec]:
    """The core third sector organisations, the same on every run."""
    ward_names = [
        (template.format(ward=ward), forms, ward)
        for template, forms in WARD_PROVIDER_TEMPLATES
        for ward in WARDS
    ]
    rng.shuffle(ward_names)
    wanted = THIRD_SECTOR_PER_SCALE - len(NAMED_PROVIDERS)
    entries: list[tuple[str, str, str]] = [
        (name, form, rng.choice(WARDS)) for name, form in NAMED_PROVIDERS
    ]
    entries += [(name, rng.choice(forms), ward) for name, forms, ward in ward_names[:wanted]]

    charity_numbers = iter(rng.sample(CORE_CHARITY_NUMBERS, len(entries)))
    company_numbers = iter(rng.sample(CORE_COMPANY_NUMBERS, len(entries)))
    society_numbers = iter(rng.sample(CORE_SOCIETY_NUMBERS, len(entries)))
    drafts = []
    for name, form, ward in entries:
        charity_number = company_number = ""
        if form in (L.CHARITY, L.CIO) or (form == L.UNINCORPORATED and rng.random() < 0.25):
            charity_number = str(next(charity_numbers))
        if form in (L.CIC, L.CLG) or (form == L.SOCIAL_ENTERPRISE and rng.random() < 0.7):
            company_number = f"{next(company_numbers):08d}"
        if form == L.CLG and rng.random() < 0.5:  # a charitable company is on both registers
            charity_number = str(next(charity_numbers))
        if form in (L.COOPERATIVE, L.COMMUNITY_BENEFIT) and rng.random() < 0.6:
            company_number = f"IP{next(society_numbers)}R"
        first, last = _person(rng=rng)
        drafts.append(
            {
                "name": name,
                "legal_form": str(form),
                "charity_number": normalise_charity_number(charity_number),
                "company_number": normalise_company_number(company_number),
                "address": _address(rng=rng, legal_form=form, ward=ward),
                "postcode": _postcode(rng=rng, ward_index=WARDS.index(ward)),
                "admin_email": f"{slugify(first)}.{slugify(last)}@{slugify(name)}.example.org",
                "admin_name": f"{first} {last}",
            }
        )
    drafts[0]["admin_email"], drafts[0]["admin_name"] = PROVIDER_EMAIL, DEMO_LOGINS[2][2]

    # The demo provider's organisation stays verified; pick the others' fates at random,
    # rejecting one of each kind so that each rejection reason is used once.
    order = list(range(1, len(drafts)))
    rng.shuffle(order)
    rejected: dict[int, str] = {}
    for index in order:
        kind = _numbers_kind(
            charity_number=drafts[index]["charity_number"],
            company_number=drafts[index]["company_number"],
        )
        if kind not in rejected.values():
            rejected[index] = kind
        if len(rejected) == len(REJECTION_REASONS):
            break
    pending = [index for index in order if index not in rejected][:PENDING_COUNT]

    specs = []
    for index, draft in enumerate(drafts):
        kind = _numbers_kind(
            charity_number=draft["charity_number"], company_number=draft["company_number"]
        )
        if index in rejected:
            status, reason, note = VerificationStatus.REJECTED, REJECTION_REASONS[kind], ""
        elif index in pending:
            status, reason, note = VerificationStatus.PENDING, "", ""
        else:
            status, reason, note = VerificationStatus.VERIFIED, "", VERIFIED_NOTES[kind]
        recent = status == VerificationStatus.PENDING
        specs.append(
            ProviderSpec(
                **draft,
                status=str(status),
                reason=reason,
                note=note,
                submitted_minutes_ago=rng.randint(60, 25 * DAY)
                if recent
                else rng.randint(40 * DAY, 1100 * DAY),
                verified_after_days=rng.randint(1, 12),
            )
        )
    return specs


def _public_body_members(*, rng: random.Random) -> dict[str, list[tuple[str, str]]]:
    """Three synthetic staff per public body: (email, full name), the first an admin."""
    used: set[str] = set()
    members: dict[str, list[tuple[str, str]]] = {}
    for key, _name, home in PUBLIC_BODIES:
        domain = PUBLIC_BODY_HOMES[home][0]
        members[key] = []
        while len(members[key]) < 3:
            first, last = _person(rng=rng)
            email = f"{slugify(first)}.{slugify(last)}@{domain}"
            if email not in used:
                used.add(email)
                members[key].append((email, f"{first} {last}"))
    return members


def _ensure_areas() -> int:
    name, code = BOROUGH
    borough, created = Area.objects.get_or_create(
        ons_code=code, defaults={"name": name, "level": "borough"}
    )
    made = int(created)
    for number, ward in enumerate(WARDS, start=1):
        _ward, created = Area.objects.get_or_create(
            ons_code=f"E05{900000 + number}",
            defaults={"name": ward, "level": "ward", "parent": borough},
        )
        made += int(created)
    return made


def _ensure_demo_user(*, email: str, full_name: str, **flags: bool) -> tuple[User, bool]:
    """A demo login that works: the known password and a verified primary email address."""
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, full_name=full_name, **flags
        )
    else:
        changed = [name for name, value in flags.items() if getattr(user, name) != value]
        for name in changed:
            setattr(user, name, flags[name])
        if not user.is_active:
            user.is_active = True
            changed.append("is_active")
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            changed.append("password")
        if changed:
            user.save(update_fields=changed)
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        EmailAddress.objects.filter(user=user, primary=True).update(primary=False)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    elif not (address.verified and address.primary):
        EmailAddress.objects.filter(user=user, primary=True).exclude(pk=address.pk).update(
            primary=False
        )
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])
    return user, created


def _ensure_membership(*, user: User, organisation: Organisation, role: str) -> bool:
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    if membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return created


def _ensure_public_bodies(*, admin: User, now: datetime) -> tuple[dict[str, Organisation], int]:
    existing = {
        (org.name, org.kind): org
        for org in Organisation.objects.filter(name__in=[name for _k, name, _h in PUBLIC_BODIES])
    }
    bodies: dict[str, Organisation] = {}
    made = 0
    for key, name, home in PUBLIC_BODIES:
        kind = (
            OrganisationKind.INFRASTRUCTURE if key == "cvs" else OrganisationKind.COMMISSIONING_BODY
        )
        organisation = existing.get((name, kind))
        if organisation is None:
            _domain, address, postcode = PUBLIC_BODY_HOMES[home]
            organisation = Organisation.objects.create(
                name=name,
                kind=kind,
                address=f"{address}\n{BOROUGH[0]}",
                postcode=postcode,
                verification_status=VerificationStatus.VERIFIED,
                verified_at=now - timedelta(days=1200),
                submitted_at=now - timedelta(days=1200),
            )
            audit_event_record(
                actor=admin, action="organisation.created", obj=organisation, to_state=kind
            )
            made += 1
        bodies[key] = organisation
    return bodies, made


def _synthetic_users(*, people: list[tuple[str, str]]) -> tuple[dict[str, User], int]:
    """Users for the synthetic staff. They cannot sign in: they have no usable password."""
    emails = [email for email, _name in people]
    users = {user.email: user for user in User.objects.filter(email__in=emails)}
    new = [
        User(email=email, full_name=full_name, password=make_password(None))
        for email, full_name in dict(people).items()
        if email not in users
    ]
    users.update((user.email, user) for user in User.objects.bulk_create(new))
    return users, len(new)


def _ensure_staff(
    *,
    staff: dict[str, list[tuple[str, str]]],
    bodies: dict[str, Organisation],
    users: dict[str, User],
) -> int:
    """The public bodies' synthetic staff: the first of each is its admin."""
    existing = set(
        Membership.objects.filter(organisation__in=bodies.values()).values_list(
            "user_id", "organisation_id"
        )
    )
    new = [
        Membership(
            user=users[email],
            organisation=bodies[key],
            role=MembershipRole.ADMIN if position == 0 else MembershipRole.MEMBER,
        )
        for key, members in staff.items()
        for position, (email, _name) in enumerate(members)
        if (users[email].pk, bodies[key].pk) not in existing
    ]
    Membership.objects.bulk_create(new)
    return len(new)


def _ensure_providers(
    *, specs: list[ProviderSpec], admin: User, users: dict[str, User], now: datetime
) -> tuple[int, int]:
    """Create the missing core providers, each with its admin and its verification history."""
    # A registered number is the key where there is one: names repeat (the bulk rows reuse
    # them), numbers cannot. Groups with no number are known by their name alone.
    charity_numbers = [spec.charity_number for spec in specs if spec.charity_number]
    company_numbers = [spec.company_number for spec in specs if spec.company_number]
    unnumbered = [spec.name for spec in specs if not (spec.charity_number or spec.company_number)]
    found = Organisation.objects.filter(kind=OrganisationKind.THIRD_SECTOR).filter(
        Q(charity_number__in=charity_numbers)
        | Q(company_number__in=company_numbers)
        | Q(name__in=unnumbered, charity_number="", company_number="")
    )
    by_charity = {org.charity_number: org for org in found if org.charity_number}
    by_company = {org.company_number: org for org in found if org.company_number}
    by_name = {org.name: org for org in found if not (org.charity_number or org.company_number)}
    memberships = set(
        Membership.objects.filter(organisation__in=found).values_list("user_id", "organisation_id")
    )
    made_orgs = 0
    new_memberships = []
    for spec in specs:
        if spec.charity_number or spec.company_number:
            organisation = by_charity.get(spec.charity_number or None) or by_company.get(
                spec.company_number or None
            )
        else:
            organisation = by_name.get(spec.name)
        user = users[spec.admin_email]
        if organisation is None:
            submitted_at = now - timedelta(minutes=spec.submitted_minutes_ago)
            decided_at = submitted_at + timedelta(days=spec.verified_after_days)
            verified = spec.status == VerificationStatus.VERIFIED
            organisation = Organisation.objects.create(
                name=spec.name,
                kind=OrganisationKind.THIRD_SECTOR,
                legal_form=spec.legal_form,
                charity_number=spec.charity_number,
                company_number=spec.company_number,
                address=spec.address,
                postcode=spec.postcode,
                verification_status=spec.status,
                verification_reason=spec.reason or spec.note,
                verified_at=decided_at if verified else None,
                submitted_at=submitted_at,
            )
            made_orgs += 1
            audit_event_record(
                actor=user,
                action="organisation.registered",
                obj=organisation,
                to_state=VerificationStatus.PENDING,
            )
            if spec.status != VerificationStatus.PENDING:
                audit_event_record(
                    actor=admin,
                    action=f"organisation.{spec.status}",
                    obj=organisation,
                    from_state=VerificationStatus.PENDING,
                    to_state=spec.status,
                    note=spec.reason or spec.note,
                )
        if (user.pk, organisation.pk) not in memberships:
            new_memberships.append(
                Membership(user=user, organisation=organisation, role=MembershipRole.ADMIN)
            )
    Membership.objects.bulk_create(new_memberships)
    return made_orgs, len(new_memberships)


def _bulk_rows(*, count: int, now: datetime) -> list[Organisation]:
    """The extra providers for --scale: the same rows on every run, keyed by their number."""
    rng = random.Random(f"{SEED}:bulk")
    # Legal forms repeat in blocks of eight; each slot in a block takes the next number from
    # the charity series or the company series.
    charity_slots = [form in BULK_CHARITY_FORMS for form in BULK_FORMS]
    slot_offsets = []
    per_block = {True: 0, False: 0}
    for uses_charity in charity_slots:
        slot_offsets.append(per_block[uses_charity])
        per_block[uses_charity] += 1
    places = (*WARDS, BOROUGH[0], f"North {BOROUGH[0]}", f"South {BOROUGH[0]}", "Old Town")
    rows = []
    for index in range(count):
        block, slot = divmod(index, len(BULK_FORMS))
        form = BULK_FORMS[slot]
        sequence = block * per_block[charity_slots[slot]] + slot_offsets[slot]
        charity_number = str(BULK_CHARITY_START + sequence) if charity_slots[slot] else ""
        company_number = "" if charity_slots[slot] else f"{BULK_COMPANY_START + sequence:08d}"
        # The same number of draws for every row, so row i does not depend on the scale.
        place, theme, noun = (
            rng.choice(places),
            rng.choice(BULK_THEMES),
            rng.choice(BULK_NOUNS[form]),
        )
        ward_index = rng.randrange(len(WARDS))
        days_ago = rng.randint(40, 1500)
        postcode = _postcode(rng=rng, ward_index=ward_index)
        address = _address(rng=rng, legal_form=form, ward=WARDS[ward_index])
        if index % 250 == 13:
            status, reason = (
                VerificationStatus.REJECTED,
                REJECTION_REASONS["charity" if charity_number else "company"],
            )
        elif index % 20 == 7:
            status, reason = VerificationStatus.PENDING, ""
            days_ago = index % 25 + 1
        else:
            status, reason = VerificationStatus.VERIFIED, ""
        submitted_at = now - timedelta(days=days_ago)
        rows.append(
            Organisation(
                name=f"{place} {theme} {noun}",
                kind=OrganisationKind.THIRD_SECTOR,
                legal_form=form,
                charity_number=charity_number,
                company_number=company_number,
                address=address,
                postcode=postcode,
                verification_status=status,
                verification_reason=reason,
                verified_at=submitted_at + timedelta(days=5)
                if status == VerificationStatus.VERIFIED
                else None,
                submitted_at=submitted_at,
            )
        )
    return rows


def _ensure_bulk(*, count: int, now: datetime, stdout: TextIO | None) -> int:
    if count <= 0:
        return 0
    charity_taken = set(
        Organisation.objects.exclude(charity_number="").values_list("charity_number", flat=True)
    )
    company_taken = set(
        Organisation.objects.exclude(company_number="").values_list("company_number", flat=True)
    )
    missing = [
        row
        for row in _bulk_rows(count=count, now=now)
        if row.charity_number not in charity_taken and row.company_number not in company_taken
    ]
    if stdout is not None and missing:
        stdout.write(f"Adding {len(missing):,} more third sector organisations in bulk…\n")
    for start in range(0, len(missing), BULK_BATCH_SIZE):
        Organisation.objects.bulk_create(missing[start : start + BULK_BATCH_SIZE])
    return len(missing)


# Provider profiles and services

# Leaf category code: (service names, what it offers, client group codes it usually serves).
LEAF_SERVICES: dict[str, tuple[tuple[str, ...], str, tuple[str, ...]]] = {
    "debt-advice": (("Debt advice drop-in", "Money and debt casework"), "Free, confidential help to deal with debts, arrears and bailiffs, and to make a budget that works.", ("everyone", "unemployed")),
    "welfare-benefits": (("Benefits check", "Welfare benefits casework"), "Help to check and claim the benefits people are owed, with appeals and tribunal representation.", ("everyone", "disabled-people")),
    "housing-advice": (("Housing advice line", "Renters' rights clinic"), "Advice on tenancy problems, repairs, evictions and homelessness applications.", ("families", "homeless-people")),
    "immigration-advice": (("Immigration advice clinic", "Asylum support casework"), "Regulated immigration advice, asylum support applications and help with settled status.", ("refugees-asylum-seekers",)),
    "employment-advice": (("Employment rights advice",), "Advice on pay, contracts, discrimination and dismissal at work.", ("everyone",)),
    "mental-health": (("Wellbeing peer support group", "Talking therapies", "Mental health drop-in"), "Peer support and talking therapies for people living with anxiety, depression and low mood.", ("people-with-mental-ill-health",)),
    "physical-activity": (("Walking football", "Chair-based exercise", "Community sports sessions"), "Friendly physical activity sessions for all abilities, with trained coaches.", ("everyone", "older-people")),
    "healthy-eating": (("Community food bank", "Cook and eat sessions", "Community lunch"), "Emergency food parcels, cooking skills and a shared meal, with signposting to advice.", ("families", "everyone")),
    "substance-misuse": (("Recovery cafe", "Drug and alcohol peer support"), "Peer-led recovery support for people affected by drugs and alcohol, and their families.", ("men", "ex-offenders")),
    "sexual-health": (("Sexual health outreach",), "Outreach, testing signposting and relationships education.", ("young-people", "lgbtq")),
    "befriending": (("Telephone befriending", "Befriending visits"), "Regular friendly calls and visits to reduce loneliness and isolation.", ("older-people",)),
    "carers-support": (("Carers' support group", "Carers' breaks"), "Information, breaks and a listening ear for unpaid carers.", ("carers",)),
    "day-services": (("Day centre", "Activity day"), "Day opportunities with activities, lunch and transport.", ("older-people", "people-with-learning-disabilities")),
    "home-support": (("Home from hospital", "Help at home"), "Practical help at home after a stay in hospital, and support to live independently.", ("older-people", "disabled-people")),
    "dementia-support": (("Dementia cafe", "Memory support group"), "A welcoming cafe and support for people living with dementia and their carers.", ("older-people", "carers")),
    "youth-clubs": (("Youth club", "Detached youth work"), "Safe spaces, activities and trusted youth workers for young people in the evenings.", ("young-people",)),
    "early-years": (("Stay and play", "Baby bank"), "Stay and play sessions and essentials for babies and young children.", ("children", "families")),
    "mentoring": (("Youth mentoring", "Peer mentoring"), "One-to-one mentoring from trained volunteers.", ("young-people",)),
    "homework-clubs": (("Homework club",), "After-school homework help with volunteer tutors.", ("children",)),
    "family-support": (("Family support", "Parenting programme"), "Support for parents and families under pressure, at home and in groups.", ("families",)),
    "domestic-abuse": (("Domestic abuse outreach", "Independent domestic violence advocacy"), "Safety planning, advocacy and support for survivors of domestic abuse.", ("women",)),
    "victim-support": (("Victim support service",), "Emotional and practical support after crime.", ("everyone",)),
    "youth-violence": (("Youth violence prevention",), "Mentoring and diversion for young people at risk of violence and exploitation.", ("young-people",)),
    "hate-crime": (("Hate crime reporting centre",), "A safe place to report hate crime and get support.", ("black-minority-ethnic", "lgbtq")),
    "job-search": (("Job club", "Employment support"), "CV help, interview practice and one-to-one support into work.", ("unemployed",)),
    "english-language": (("ESOL classes", "English conversation club"), "English language classes for speakers of other languages, from beginners up.", ("refugees-asylum-seekers",)),
    "digital-skills": (("Digital skills sessions", "Device lending"), "Help to get online safely, with devices and data for those who need them.", ("older-people", "unemployed")),
    "volunteering": (("Volunteer brokerage",), "Matching local people with volunteering roles.", ("everyone",)),
    "homelessness": (("Night shelter", "Street outreach"), "Emergency accommodation and outreach for people sleeping rough.", ("homeless-people",)),
    "tenancy-sustainment": (("Tenancy sustainment", "Resettlement support"), "Support to set up and keep a home.", ("homeless-people", "ex-offenders")),
    "community-centres": (("Community centre", "Community hub"), "A community venue with groups, classes and rooms to hire.", ("everyone",)),
    "arts-culture": (("Community arts workshops", "Community theatre"), "Creative workshops and performances open to everyone.", ("everyone",)),
    "environment": (("Community garden", "Repair cafe", "Green volunteering"), "Growing, repairing and caring for green spaces together.", ("everyone",)),
    "faith-based": (("Faith community kitchen", "Interfaith dialogue"), "Community work from a local faith group, open to people of all faiths and none.", ("everyone",)),
}  # fmt: skip
# Words in an organisation's name, and the leaf categories they suggest; checked in order.
NAME_CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("friends of", ("environment", "volunteering")),
    ("sexual violence", ("victim-support", "domestic-abuse")),
    ("domestic abuse", ("domestic-abuse",)),
    ("debt", ("debt-advice",)),
    ("credit union", ("debt-advice",)),
    ("law centre", ("housing-advice", "immigration-advice", "employment-advice")),
    ("housing advice", ("housing-advice",)),
    ("advice", ("debt-advice", "welfare-benefits", "housing-advice")),
    ("food", ("healthy-eating",)),
    ("catering", ("healthy-eating", "job-search")),
    ("kitchen", ("healthy-eating",)),
    ("langar", ("healthy-eating", "faith-based")),
    ("lunch", ("befriending", "healthy-eating")),
    ("homework", ("homework-clubs",)),
    ("young carers", ("carers-support", "youth-clubs")),
    ("carer", ("carers-support",)),
    ("dementia", ("dementia-support",)),
    ("youth", ("youth-clubs", "mentoring")),
    ("young people", ("mentoring", "mental-health")),
    ("boxing", ("physical-activity", "youth-violence")),
    ("girls", ("physical-activity", "youth-clubs")),
    ("baby", ("early-years",)),
    ("pre-school", ("early-years",)),
    ("playcare", ("early-years",)),
    ("breastfeeding", ("early-years",)),
    ("family", ("family-support",)),
    ("families", ("family-support",)),
    ("parent", ("family-support",)),
    ("kinship", ("family-support", "carers-support")),
    ("care leavers", ("mentoring", "tenancy-sustainment")),
    ("older", ("befriending", "day-services")),
    ("over-60s", ("befriending", "day-services")),
    ("elders", ("befriending", "day-services")),
    ("befriending", ("befriending",)),
    ("neighbours", ("befriending",)),
    ("mental health", ("mental-health",)),
    ("hearing voices", ("mental-health",)),
    ("eating disorder", ("mental-health",)),
    ("counselling", ("mental-health",)),
    ("wellbeing", ("mental-health",)),
    ("bereavement", ("mental-health",)),
    ("hospice", ("home-support",)),
    ("recovery", ("substance-misuse",)),
    ("sport", ("physical-activity",)),
    ("football", ("physical-activity",)),
    ("swimmers", ("physical-activity",)),
    ("cycling", ("physical-activity",)),
    ("stroke", ("physical-activity", "befriending")),
    ("parkinson", ("physical-activity", "befriending")),
    ("diabetes", ("healthy-eating", "physical-activity")),
    ("refugee", ("immigration-advice", "english-language")),
    ("asylum", ("immigration-advice", "english-language")),
    ("eastern european", ("immigration-advice", "employment-advice")),
    ("somali", ("immigration-advice", "english-language")),
    ("polish", ("english-language", "community-centres")),
    ("chinese", ("community-centres", "english-language")),
    ("english", ("english-language",)),
    ("literacy", ("english-language",)),
    ("digital", ("digital-skills",)),
    ("employment", ("job-search",)),
    ("work", ("job-search",)),
    ("training", ("job-search",)),
    ("cleaning", ("job-search",)),
    ("print", ("job-search", "arts-culture")),
    ("prison", ("job-search", "mentoring")),
    ("volunteer", ("volunteering",)),
    ("night shelter", ("homelessness",)),
    ("street outreach", ("homelessness",)),
    ("housing", ("tenancy-sustainment",)),
    ("tenants", ("tenancy-sustainment",)),
    ("hoarding", ("tenancy-sustainment", "mental-health")),
    ("warm homes", ("tenancy-sustainment",)),
    ("arts", ("arts-culture",)),
    ("theatre", ("arts-culture",)),
    ("music", ("arts-culture",)),
    ("heritage", ("arts-culture",)),
    ("green", ("environment",)),
    ("garden", ("environment",)),
    ("allotment", ("environment",)),
    ("park", ("environment",)),
    ("environmental", ("environment",)),
    ("energy", ("environment",)),
    ("repair", ("environment",)),
    ("reuse", ("environment",)),
    ("bike", ("environment", "physical-activity")),
    ("church", ("faith-based",)),
    ("mosque", ("faith-based",)),
    ("interfaith", ("faith-based",)),
    ("autism", ("day-services", "family-support")),
    ("learning disability", ("day-services",)),
    ("disab", ("day-services", "home-support")),
    ("independent living", ("home-support",)),
    ("sight loss", ("home-support",)),
    ("deaf", ("community-centres",)),
    ("advocacy", ("welfare-benefits",)),
    ("home care", ("home-support",)),
    ("transport", ("day-services",)),
    ("social prescribing", ("mental-health", "befriending")),
    ("veterans", ("befriending", "mental-health")),
    ("men's", ("befriending", "mental-health")),
    ("women", ("mental-health", "domestic-abuse")),
    ("pride", ("hate-crime", "mental-health")),
    ("gypsy", ("welfare-benefits", "family-support")),
    ("mediation", ("family-support",)),
    ("community centre", ("community-centres",)),
    ("community hub", ("community-centres",)),
    ("community shop", ("community-centres",)),
    ("pub", ("community-centres",)),
    ("residents", ("community-centres",)),
    ("neighbourhood", ("community-centres",)),
)
EXTRA_LANGUAGES = ("bn", "tr", "so", "pl", "ur", "pa", "yi", "es", "pt", "ar", "fr", "ro", "bfi")
FORM_NOUNS = {
    L.CHARITY: "registered charity",
    L.CIO: "charitable incorporated organisation",
    L.CIC: "community interest company",
    L.CLG: "not-for-profit company",
    L.COOPERATIVE: "co-operative",
    L.COMMUNITY_BENEFIT: "community benefit society",
    L.UNINCORPORATED: "community group",
    L.SOCIAL_ENTERPRISE: "social enterprise",
}
INCOME_BANDS_BY_FORM = {
    L.UNINCORPORATED: (IncomeBand.MICRO, IncomeBand.MICRO, IncomeBand.SMALL),
    L.COOPERATIVE: (IncomeBand.SMALL, IncomeBand.MEDIUM),
    L.COMMUNITY_BENEFIT: (IncomeBand.SMALL, IncomeBand.MEDIUM),
    L.CIC: (IncomeBand.SMALL, IncomeBand.MEDIUM),
    L.SOCIAL_ENTERPRISE: (IncomeBand.SMALL, IncomeBand.MEDIUM, IncomeBand.LARGE),
    L.CHARITY: (IncomeBand.SMALL, IncomeBand.MEDIUM, IncomeBand.LARGE, IncomeBand.MAJOR),
    L.CIO: (IncomeBand.MICRO, IncomeBand.SMALL, IncomeBand.MEDIUM),
    L.CLG: (IncomeBand.MEDIUM, IncomeBand.LARGE),
}
STAFF_BY_BAND = {
    IncomeBand.MICRO: (0, 1),
    IncomeBand.SMALL: (0, 4),
    IncomeBand.MEDIUM: (3, 25),
    IncomeBand.LARGE: (20, 150),
    IncomeBand.MAJOR: (150, 600),
}
COMMISSIONING_ROUTES = (
    "Grant from Lindenford Council's community chest, renewed each year.",
    "Contract with Adult Social Care after an open tender.",
    "Spot purchase by social workers, and self-funders paying directly.",
    "Public Health grant agreement; NHS social prescribers refer people.",
    "Funded by charitable trusts and local giving; not commissioned.",
    "Service level agreement with the schools trust.",
    "Subcontract from a larger provider under a consortium contract.",
)
GOOD_PRACTICE = (
    "Co-designed with the people who use it; volunteers with lived experience run half the sessions.",
    "Shares a front door with two other local charities so people tell their story once.",
    "Outcomes tracked with a validated wellbeing scale, reported quarterly.",
    "Sessions held in the evening and at weekends, when working carers can come.",
)


class _Categories(list):
    def all(self) -> _Categories:
        return self


@dataclass
class _DraftService:
    """A service before it is saved, shaped like one for search_document_text."""

    service: Service
    categories: _Categories

    @property
    def name(self) -> str:
        return self.service.name

    @property
    def description(self) -> str:
        return self.service.description


@dataclass
class _ReferenceData:
    borough: Area
    wards: dict[str, Area]
    leaves: dict[str, ServiceCategory]
    client_groups: dict[str, ClientGroup]
    languages: dict[str, Language]
    quality_marks: list[QualityMark]
    siblings: dict[str, list[ServiceCategory]]


def _reference_data() -> _ReferenceData:
    reference_data_ensure()
    borough = Area.objects.get(ons_code=BOROUGH[1])
    leaves = {
        c.code: c for c in ServiceCategory.objects.filter(parent__isnull=False).order_by("code")
    }
    branches: dict[int, list[ServiceCategory]] = {}
    for leaf in leaves.values():
        branches.setdefault(leaf.parent_id, []).append(leaf)
    return _ReferenceData(
        borough=borough,
        wards={area.name: area for area in Area.objects.filter(parent=borough)},
        leaves=leaves,
        siblings={code: branches[leaf.parent_id] for code, leaf in leaves.items()},
        client_groups={g.code: g for g in ClientGroup.objects.all()},
        languages={language.code: language for language in Language.objects.all()},
        quality_marks=list(QualityMark.objects.order_by("code")),
    )


# Place names say where a group is, not what it does: "Dene Park" is not a park.
PLACE_NAMES = tuple(
    sorted(
        (*WARDS, f"North {BOROUGH[0]}", f"South {BOROUGH[0]}", BOROUGH[0], "Old Town"),
        key=len,
        reverse=True,
    )
)


def _leaf_codes_for(name: str, *, rng: random.Random) -> list[str]:
    lowered = name.lower()
    for place in PLACE_NAMES:
        lowered = lowered.replace(place.lower(), " ")
    codes: list[str] = []
    for word, suggested in NAME_CATEGORIES:
        if word in lowered:
            codes += [code for code in suggested if code not in codes]
        if len(codes) >= 3:
            break
    if not codes:
        codes = rng.sample(sorted(LEAF_SERVICES), 2)
    return codes


@dataclass
class _ProviderDraft:
    profile: ProviderProfile
    areas: list[Area]
    client_groups: list[ClientGroup]
    languages: list[Language]
    marks: list[OrganisationQualityMark]
    services: list[_DraftService]
    service_links: list[tuple[list[ClientGroup], list[Area], list[Language]]]


def _provider_draft(
    organisation: Organisation, *, ref: _ReferenceData, services_per_org: tuple[int, int]
) -> _ProviderDraft:
    """A profile and services for one organisation, the same on every run."""
    key = organisation.charity_number or organisation.company_number or organisation.name
    rng = random.Random(f"{SEED}:profile:{key}")
    lines = organisation.address.splitlines()
    home = ref.wards.get(lines[-2] if len(lines) >= 2 else "") or rng.choice(
        list(ref.wards.values())
    )
    ward_list = list(ref.wards.values())
    if rng.random() < 0.15:
        areas = [ref.borough]
        service_areas = [ref.borough]
    else:
        areas = [home, *rng.sample([w for w in ward_list if w != home], rng.randint(0, 3))]
        service_areas = areas
    codes = _leaf_codes_for(organisation.name, rng=rng)
    group_codes = sorted({g for code in codes for g in LEAF_SERVICES[code][2]})
    client_groups = [ref.client_groups[g] for g in group_codes if g in ref.client_groups]
    languages = [ref.languages["en"]] + [
        ref.languages[code]
        for code in rng.sample(EXTRA_LANGUAGES, rng.choice((0, 0, 1, 2)))
        if code in ref.languages
    ]
    band = rng.choice(INCOME_BANDS_BY_FORM.get(organisation.legal_form, (IncomeBand.SMALL,)))
    low, high = STAFF_BY_BAND[band]
    slug = slugify(organisation.name)[:40] or "group"
    first, last = _person(rng=rng)
    lead_first, lead_last = _person(rng=rng)
    today = timezone.localdate()
    category_names = [ref.leaves[code].name for code in codes if code in ref.leaves]
    place = ref.borough.name if areas == [ref.borough] else ", ".join(a.name for a in areas)
    profile = ProviderProfile(
        organisation=organisation,
        description=(
            f"{organisation.name} is a {FORM_NOUNS.get(organisation.legal_form, 'group')}"
            f" working in {place}. What we offer: {'; '.join(category_names)}."
        ),
        income_band=band,
        year_founded=rng.randint(1950, 2023),
        staff_count=rng.randint(low, high),
        volunteer_count=rng.randint(2, 120),
        safeguarding_lead=f"{lead_first} {lead_last}",
        safeguarding_policy_reviewed=today - timedelta(days=rng.randint(10, 700)),
        insurance_expires=today + timedelta(days=rng.randint(-30, 360)),
        website=f"https://{slug}.example.org/",
        contact_name=f"{first} {last}",
        contact_email=f"hello@{slug}.example.org",
        # Ofcom keeps 01632 960000 to 960999 for drama: they ring nobody.
        contact_phone=f"01632 960{rng.randint(0, 999):03d}",
    )
    marks = [
        OrganisationQualityMark(
            profile=profile,
            quality_mark=mark,
            expires_on=today + timedelta(days=rng.randint(-60, 3 * 365))
            if rng.random() < 0.8
            else None,
        )
        for mark in rng.sample(ref.quality_marks, rng.choice((0, 0, 0, 1, 1, 2)))
    ]
    services: list[_DraftService] = []
    links = []
    for index in range(rng.randint(*services_per_org)):
        code = codes[index % len(codes)]
        names, text, groups = LEAF_SERVICES[code]
        categories = _Categories([ref.leaves[code]])
        if rng.random() < 0.25:
            # A second category from the same branch: a debt service may also advise on benefits.
            other = rng.choice(ref.siblings[code])
            if other.code != code:
                categories.append(other)
        name = names[index // len(codes) % len(names)]
        if index >= len(codes) * len(names):
            name = f"{name} ({index + 1})"
        roll = rng.random()
        status = (
            ServiceStatus.ACTIVE
            if roll < 0.85
            else ServiceStatus.TEMPORARILY_CLOSED
            if roll < 0.93
            else ServiceStatus.INACTIVE
        )
        answered = rng.random() < 0.6
        service = Service(
            organisation=organisation,
            name=name,
            description=text,
            eligibility="" if rng.random() < 0.5 else f"Living or working in {BOROUGH[0]}.",
            delivery_locations=lines[0] if lines else "",
            accessibility=rng.choice(
                ("Step-free access and an accessible toilet.", "Hearing loop fitted.", "")
            ),
            capacity=rng.choice((None, 10, 20, 40, 80)),
            cost_to_users=rng.choice(("Free", "Free", "Free", "Pay what you can", "£2 a session")),
            status=status,
            provides_information=rng.random() < 0.5,
            focus=rng.choice(ServiceFocus.values) if answered else "",
            who_provides_what=(
                f"{organisation.name} delivers it directly to {groups[0].replace('-', ' ')}."
                if answered
                else ""
            ),
            provider_quality=(
                f"{rng.randint(1, 30)} trained staff and volunteers; DBS checks for all."
                if answered
                else ""
            ),
            good_practice=rng.choice(GOOD_PRACTICE) if answered and rng.random() < 0.5 else "",
            commissioned_by=rng.choice(COMMISSIONING_ROUTES) if answered else "",
            market_spend=Decimal(rng.randint(2, 400) * 500) if answered else None,
            market_staff=rng.randint(1, 20) if answered else None,
        )
        if service.capacity:
            service.capacity_unit = CapacityUnit.PLACES
        services.append(_DraftService(service, categories))
        links.append(
            (
                [ref.client_groups[g] for g in groups if g in ref.client_groups],
                rng.sample(service_areas, rng.randint(1, min(3, len(service_areas)))),
                languages[: rng.randint(1, len(languages))],
            )
        )
    return _ProviderDraft(
        profile=profile,
        areas=areas,
        client_groups=client_groups,
        languages=languages,
        marks=marks,
        services=services,
        service_links=links,
    )


def _through_rows(relation, pairs: Iterable[tuple[int, int]]) -> list:
    """Rows of a many-to-many table, for bulk_create."""
    field = relation.field
    source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
    return [relation.through(**{source: a, target: b}) for a, b in pairs]


def _save_drafts(drafts: list[_ProviderDraft], *, with_documents: bool) -> int:
    """Insert a batch of profiles and services with every link, in a few bulk inserts."""
    profiles = [draft.profile for draft in drafts]
    if with_documents:
        for draft in drafts:
            draft.profile.search_document = search_document_text(
                draft.profile.organisation, draft.profile, draft.services
            )
    ProviderProfile.objects.bulk_create(profiles, batch_size=BULK_BATCH_SIZE)
    OrganisationQualityMark.objects.bulk_create(
        [mark for draft in drafts for mark in draft.marks], batch_size=BULK_BATCH_SIZE
    )
    services = [s.service for draft in drafts for s in draft.services]
    Service.objects.bulk_create(services, batch_size=BULK_BATCH_SIZE)
    profile_links = {"areas_served": [], "client_groups": [], "languages": []}
    service_links = {"categories": [], "client_groups": [], "areas": [], "languages": []}
    for draft in drafts:
        pk = draft.profile.pk
        profile_links["areas_served"] += [(pk, a.pk) for a in draft.areas]
        profile_links["client_groups"] += [(pk, g.pk) for g in draft.client_groups]
        profile_links["languages"] += [(pk, language.pk) for language in draft.languages]
        for draft_service, (groups, areas, languages) in zip(
            draft.services, draft.service_links, strict=True
        ):
            pk = draft_service.service.pk
            service_links["categories"] += [(pk, c.pk) for c in draft_service.categories]
            service_links["client_groups"] += [(pk, g.pk) for g in groups]
            service_links["areas"] += [(pk, a.pk) for a in areas]
            service_links["languages"] += [(pk, language.pk) for language in languages]
    for name, pairs in profile_links.items():
        relation = getattr(ProviderProfile, name)
        relation.through.objects.bulk_create(
            _through_rows(relation, pairs), batch_size=BULK_BATCH_SIZE
        )
    for name, pairs in service_links.items():
        relation = getattr(Service, name)
        relation.through.objects.bulk_create(
            _through_rows(relation, pairs), batch_size=BULK_BATCH_SIZE
        )
    return len(services)


def _is_bulk_row(organisation: Organisation) -> bool:
    """Made by --scale: its number comes from the bulk ranges, below the core ones."""
    charity, company = organisation.charity_number, organisation.company_number
    if charity.isdigit():
        return BULK_CHARITY_START <= int(charity) < CORE_CHARITY_NUMBERS.start
    return company.isdigit() and BULK_COMPANY_START <= int(company) < CORE_COMPANY_NUMBERS.start


def _ensure_provider_records(*, in_bulk: bool, stdout: TextIO | None) -> tuple[int, int]:
    """A profile and services for every third sector organisation that has no profile yet.

    At normal size the services layer builds the search documents. In bulk (--scale) they are
    built in Python as the rows are made, then indexed by one set-based update."""
    ref = _reference_data()
    missing = list(
        Organisation.objects.filter(kind=OrganisationKind.THIRD_SECTOR, profile__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if stdout is not None and len(missing) > THIRD_SECTOR_PER_SCALE:
        stdout.write(f"Adding profiles and services for {len(missing):,} organisations…\n")
    profiles = services = 0
    for start in range(0, len(missing), BULK_BATCH_SIZE):
        chunk = Organisation.objects.filter(pk__in=missing[start : start + BULK_BATCH_SIZE])
        drafts = [
            _provider_draft(
                organisation,
                ref=ref,
                services_per_org=(2, 4) if _is_bulk_row(organisation) else (1, 4),
            )
            for organisation in chunk.order_by("pk")
        ]
        services += _save_drafts(drafts, with_documents=in_bulk)
        profiles += len(drafts)
    if not in_bulk and missing:
        directory_entry_refresh(organisation_ids=missing)
    elif profiles:
        for start in range(0, len(missing), BULK_BATCH_SIZE):
            directory_reach_refresh(organisation_ids=missing[start : start + BULK_BATCH_SIZE])
        if connection.vendor == "postgresql":
            # UPDATE ... SET search_vector = to_tsvector('english', search_document), in one go.
            ProviderProfile.objects.filter(search_vector__isnull=True).update(
                search_vector=SearchVector("search_document", config="english")
            )
    return profiles, services


def seed(*, scale: int = 1, stdout: TextIO | None = None) -> dict[str, int]:
    """Build the demo network, adding only what is missing. Returns what it created, and totals."""
    if not 1 <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be between 1 and {MAX_SCALE}.")
    started = time.monotonic()
    rng = random.Random(SEED)
    specs = provider_specs(rng=rng)
    staff = _public_body_members(rng=rng)
    now = timezone.now()
    with transaction.atomic():
        audit_before = AuditEvent.objects.count()
        counts = {"areas": _ensure_areas(), "users": 0, "memberships": 0}
        demo: dict[str, User] = {}
        for _role, email, full_name in DEMO_LOGINS:
            flags = {}
            if email == ADMIN_EMAIL:
                flags = {"is_network_admin": True, "is_staff": True, "is_superuser": True}
            demo[email], created = _ensure_demo_user(email=email, full_name=full_name, **flags)
            counts["users"] += int(created)
        admin = demo[ADMIN_EMAIL]

        bodies, counts["public_bodies"] = _ensure_public_bodies(admin=admin, now=now)
        people = [person for members in staff.values() for person in members]
        people += [(s.admin_email, s.admin_name) for s in specs if s.admin_email != PROVIDER_EMAIL]
        users, made = _synthetic_users(people=people)
        users.update(demo)
        counts["users"] += made

        counts["third_sector"], counts["memberships"] = _ensure_providers(
            specs=specs, admin=admin, users=users, now=now
        )
        counts["memberships"] += _ensure_staff(staff=staff, bodies=bodies, users=users)
        for email, key, role in (
            (COMMISSIONER_EMAIL, "adult_social_care", MembershipRole.ADMIN),
            (PANEL_EMAIL, "nhs", MembershipRole.MEMBER),
        ):
            made = _ensure_membership(user=demo[email], organisation=bodies[key], role=role)
            counts["memberships"] += int(made)

        bulk_count = (scale - 1) * THIRD_SECTOR_PER_SCALE
        counts["bulk"] = _ensure_bulk(count=bulk_count, now=now, stdout=stdout)
        counts["profiles"], counts["services"] = _ensure_provider_records(
            in_bulk=scale > 1, stdout=stdout
        )
        counts.update(
            seed_planning(
                bodies=bodies,
                commissioner=demo[COMMISSIONER_EMAIL],
                provider=demo[PROVIDER_EMAIL],
                borough=Area.objects.get(ons_code=BOROUGH[1]),
            )
        )
        counts.update(
            seed_sourcing(
                bodies=bodies,
                commissioner=demo[COMMISSIONER_EMAIL],
                panel=demo[PANEL_EMAIL],
                provider=demo[PROVIDER_EMAIL],
                borough=Area.objects.get(ons_code=BOROUGH[1]),
            )
        )
        counts.update(
            seed_agreements(
                bodies=bodies,
                commissioner=demo[COMMISSIONER_EMAIL],
                provider=demo[PROVIDER_EMAIL],
                borough=Area.objects.get(ons_code=BOROUGH[1]),
            )
        )
        counts["audit_events"] = AuditEvent.objects.count() - audit_before
        provision_counts_refresh()

    third_sector = Organisation.objects.filter(kind=OrganisationKind.THIRD_SECTOR)
    counts["total_public_bodies"] = Organisation.objects.exclude(
        kind=OrganisationKind.THIRD_SECTOR
    ).count()
    counts["total_third_sector"] = third_sector.count()
    counts["total_pending"] = third_sector.filter(
        verification_status=VerificationStatus.PENDING
    ).count()
    counts["total_rejected"] = third_sector.filter(
        verification_status=VerificationStatus.REJECTED
    ).count()
    counts["total_profiles"] = ProviderProfile.objects.count()
    counts["total_services"] = Service.objects.count()
    counts["total_users"] = User.objects.count()
    counts["total_memberships"] = Membership.objects.count()
    if stdout is not None:
        stdout.write(_summary(counts=counts, seconds=time.monotonic() - started))
    return counts


def _summary(*, counts: dict[str, int], seconds: float) -> str:
    new_providers = counts["third_sector"] + counts["bulk"]
    lines = [
        f"Demo network for {BOROUGH[0]} ({seconds:.1f}s):",
        f"  public and infrastructure bodies  {counts['total_public_bodies']:>7,}"
        f"  ({counts['public_bodies']:,} new)",
        f"  third sector organisations        {counts['total_third_sector']:>7,}"
        f"  ({new_providers:,} new; {counts['total_pending']:,} pending,"
        f" {counts['total_rejected']:,} rejected)",
        f"  provider profiles                 {counts['total_profiles']:>7,}"
        f"  ({counts['profiles']:,} new)",
        f"  services                          {counts['total_services']:>7,}"
        f"  ({counts['services']:,} new)",
        f"  users                             {counts['total_users']:>7,}"
        f"  ({counts['users']:,} new)",
        f"  memberships                       {counts['total_memberships']:>7,}"
        f"  ({counts['memberships']:,} new)",
        f"  areas added {counts['areas']:,}, audit events written {counts['audit_events']:,}",
        f"  planning: {counts['indicator_values']:,} indicator values,"
        f" {counts['needs_assessments']:,} needs assessments, {counts['business_cases']:,}"
        f" business cases and {counts['intentions']:,} intentions added",
        f"  sourcing: {counts['opportunities']:,} opportunities added",
        f"  agreements: {counts['agreements']:,} agreements, {counts['returns_reviewed']:,}"
        f" reviewed returns, {counts['improvement_plans']:,} improvement plans and"
        f" {counts['user_feedback']:,} service users' feedback added",
        "",
        f"Demo logins (password {DEMO_PASSWORD}):",
        *(f"  {role:<16}{email}" for role, email, _name in DEMO_LOGINS),
        "",
    ]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Load a synthetic demo network (Lindenford) with four demo logins. Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help=f"Create N x {THIRD_SECTOR_PER_SCALE} third sector organisations (benchmarks).",
        )

    def handle(self, *args, scale: int, **options) -> None:
        if not 1 <= scale <= MAX_SCALE:
            raise CommandError(f"--scale must be between 1 and {MAX_SCALE}.")
        seed(scale=scale, stdout=self.stdout)
