"""Load a synthetic Commissioners Network for the fictional borough of Lindenford, with demo logins.

It only adds what is missing, so it can run any number of times; `--scale N` adds N times as many
third sector organisations, for benchmarks.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TextIO

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
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
from providers.models import Area

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
        counts["audit_events"] = AuditEvent.objects.count() - audit_before

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
        f"  users                             {counts['total_users']:>7,}"
        f"  ({counts['users']:,} new)",
        f"  memberships                       {counts['total_memberships']:>7,}"
        f"  ({counts['memberships']:,} new)",
        f"  areas added {counts['areas']:,}, audit events written {counts['audit_events']:,}",
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
