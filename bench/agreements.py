"""Time the agreements and monitoring pages on a national-size network: median and 95th percentile
server time, with query counts.

It loads 50,000 agreements and 500,000 monitoring returns on top of the demo network (with their
values by year, measures, instalments, areas and categories), writing them with PostgreSQL's COPY,
then times the register with its filters and totals, an agreement's page, a provider's 360 view,
a commissioner's returns to review and the 360Giving and OCDS open data. Run it against a
database of its own:

    createdb -h 127.0.0.1 -U postgres portal_agreements_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_agreements_bench .venv/bin/python bench/agreements.py

Target on PostgreSQL (the issue's): every page under 200 ms at the 95th percentile, with a fixed query count. A
page whose URL name does not resolve yet is skipped with a message, and so is a page that fails.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

TARGET_P95_MS = 200
CHUNK = 10_000  # agreements a transaction: with their children, some 150,000 rows
PREFIX = "BENCH-AG-"


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_into(model, rows: Iterable[dict]) -> int:
    """Insert rows (attribute name → value) with COPY on PostgreSQL, or bulk_create elsewhere.
    A field a row leaves out takes its default, blank text, or NULL where it may."""
    from django.db import connection
    from django.db.models import CharField, TextField
    from django.utils import timezone

    rows = list(rows)
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=5000)
        return len(rows)
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    fixed = {}
    for f in fields:
        if f.has_default() and not callable(f.default):
            fixed[f.attname] = f.get_default()
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            fixed[f.attname] = now
        elif not f.has_default() and f.null:
            fixed[f.attname] = None
        elif not f.has_default() and isinstance(f, (CharField, TextField)) and f.blank:
            fixed[f.attname] = ""
    made = [f for f in fields if f.attname not in fixed and f.has_default()]
    buffer = io.StringIO()
    for row in rows:
        values = []
        for f in fields:
            if f.attname in row:
                value = row[f.attname]
            elif f.attname in fixed:
                value = fixed[f.attname]
            elif f in made:
                value = f.get_default()
            else:
                raise KeyError(f"{model.__name__}.{f.attname} needs a value")
            values.append(_copy_text(value))
        buffer.write("\t".join(values))
        buffer.write("\n")
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
    return len(rows)


def _quarters(start: date, count: int) -> Iterator[tuple[date, date, date]]:
    """(start, end, due) of `count` quarters from start; due a month after each ends."""
    from dateutil.relativedelta import relativedelta

    for n in range(count):
        first = start + relativedelta(months=3 * n)
        last = start + relativedelta(months=3 * (n + 1)) - timedelta(days=1)
        yield first, last, last + timedelta(days=1) + relativedelta(months=1) - timedelta(days=1)


def _returns(
    plans: dict, ids: dict, *, per_agreement: int, today: date, rng: random.Random,
    submitter: int, reviewer: int,
) -> Iterator[dict]:  # fmt: skip
    """Each agreement's quarterly returns: accepted and rated once more than a month past due,
    some submitted and waiting for review just after, the rest due."""
    from django.utils import timezone

    from commissioning.models import PerformanceRating, ReturnStatus

    zone = timezone.get_current_timezone()
    ratings = [PerformanceRating.GOOD] * 6 + [
        PerformanceRating.APPROACHING,
        PerformanceRating.APPROACHING,
        PerformanceRating.REQUIRES_IMPROVEMENT,
    ]
    for ref, pk in ids.items():
        start, end = plans[ref][0], plans[ref][1]
        for first, last, due in _quarters(start, per_agreement):
            row = {
                "agreement_id": pk,
                "body_id": plans[ref][4],
                "period_start": first,
                "period_end": last,
                "due_on": due,
                "after_end": first > end,
                "status": ReturnStatus.DUE,
            }
            submitted = datetime.combine(due - timedelta(days=3), datetime.min.time(), zone)
            if due < today - timedelta(days=30):
                row.update(
                    status=ReturnStatus.ACCEPTED,
                    submitted_at=submitted,
                    submitted_by_id=submitter,
                    narrative="On track this quarter.",
                    rating=rng.choice(ratings),
                    rating_comment="Reviewed against the targets.",
                    reviewed_at=submitted + timedelta(days=7),
                    reviewed_by_id=reviewer,
                    version=2,
                )
            elif due < today and rng.random() < 0.4:
                row.update(
                    status=ReturnStatus.SUBMITTED,
                    submitted_at=submitted,
                    submitted_by_id=submitter,
                    narrative="Figures for the quarter attached.",
                    version=1,
                )
            yield row


def load(*, agreements: int, returns: int) -> None:
    """Add what is missing, a chunk of agreements at a time with all their rows. Idempotent: a
    second run counts what is there and moves on."""
    from dateutil.relativedelta import relativedelta
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Organisation, OrganisationKind, User, VerificationStatus
    from commissioning.models import (
        Agreement,
        AgreementFunder,
        AgreementKind,
        AgreementStatus,
        AgreementYear,
        Instalment,
        MonitoringReturn,
        MultiYearFunding,
        OutcomeMeasure,
        ProcurementRoute,
    )
    from providers.models import Area, ServiceCategory

    rng = random.Random(2028)
    today, now = timezone.localdate(), timezone.now()
    zone = timezone.get_current_timezone()
    commissioner = User.objects.get(email="commissioner@example.org")
    lead = Organisation.objects.get(
        kind=OrganisationKind.COMMISSIONING_BODY, memberships__user=commissioner
    )
    bodies = list(
        Organisation.objects.filter(kind=OrganisationKind.COMMISSIONING_BODY)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    providers = list(
        Organisation.objects.filter(
            kind=OrganisationKind.THIRD_SECTOR, verification_status=VerificationStatus.VERIFIED
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    demo = Organisation.objects.get(memberships__user__email="provider@example.org").pk
    submitter = User.objects.get(email="provider@example.org").pk
    leaves = list(
        ServiceCategory.objects.filter(children__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    wards = list(
        Area.objects.filter(parent__isnull=False).order_by("pk").values_list("pk", flat=True)
    )
    kinds = [AgreementKind.GRANT, AgreementKind.CONTRACT, AgreementKind.CONTRACT, AgreementKind.SLA,
             AgreementKind.PARTNERSHIP]  # fmt: skip
    routes = list(ProcurementRoute)
    per_agreement = max(1, returns // max(agreements, 1))
    have = Agreement.objects.filter(reference__startswith=PREFIX).count()
    for chunk_start in range(have, agreements, CHUNK):
        chunk = range(chunk_start, min(chunk_start + CHUNK, agreements))
        rows, plans = [], {}
        for n in chunk:
            # The demo provider holds one in 400, and the demo commissioner's body leads one in
            # eight, so their pages have plenty to list.
            provider = demo if n % 400 == 0 else rng.choice(providers)
            body = lead.pk if n % 8 == 0 else rng.choice(bodies)
            start = date(today.year, today.month, 1) - relativedelta(months=rng.randint(-6, 42))
            end = start + relativedelta(months=rng.choice((12, 24, 36, 36, 36))) - timedelta(1)
            annual = Decimal(rng.randint(5, 400) * 1000)
            status = AgreementStatus.ACTIVE
            if end < today:
                status = AgreementStatus.ENDED if rng.random() < 0.9 else AgreementStatus.TERMINATED
            elif end < today + timedelta(days=120) and rng.random() < 0.5:
                status = AgreementStatus.ENDING
            first_year, last_year = start.year - (start.month < 4), end.year - (end.month < 4)
            years = dict.fromkeys(range(first_year, last_year + 1), annual)
            made = datetime.combine(start - timedelta(days=30), datetime.min.time(), tzinfo=zone)
            made = min(made, now)
            reference = f"{PREFIX}{n:06d}"
            plans[reference] = (start, end, annual, years, body, status)
            rows.append(
                {
                    "reference": reference,
                    "kind": kinds[n % len(kinds)],
                    "title": f"Bench agreement {n}: community support",
                    "description": "Support for residents, delivered locally by the third sector.",
                    "body_id": body,
                    "provider_id": provider,
                    "procurement_route": routes[n % len(routes)],
                    "start_on": start,
                    "end_on": end,
                    "total_value": sum(years.values(), Decimal(0)),
                    "multi_year_funding": MultiYearFunding.PASSED_ON,
                    "full_cost_recovery": n % 5 != 0,
                    "status": status,
                    "status_changed_at": made,
                    "terminated_reason": "Ended early by agreement."
                    if status == AgreementStatus.TERMINATED
                    else "",
                    "created_by_id": commissioner.pk,
                    "created_at": made,
                }
            )
        with transaction.atomic():
            copy_into(Agreement, rows)
            ids = dict(
                Agreement.objects.filter(reference__in=list(plans)).values_list("reference", "pk")
            )
            copy_into(
                AgreementYear,
                (
                    {"agreement_id": ids[ref], "start_year": fy, "amount": amount}
                    for ref, (_s, _e, _a, years, _b, _st) in plans.items()
                    for fy, amount in years.items()
                ),
            )
            copy_into(
                Agreement.areas.through,
                (
                    {"agreement_id": pk, "area_id": area}
                    for pk in ids.values()
                    for area in rng.sample(wards, rng.randint(1, 2))
                ),
            )
            copy_into(
                Agreement.categories.through,
                (
                    {"agreement_id": pk, "servicecategory_id": rng.choice(leaves)}
                    for pk in ids.values()
                ),
            )
            copy_into(
                AgreementFunder,
                (
                    {"agreement_id": pk, "body_id": other, "contribution": Decimal(20000)}
                    for ref, pk in ids.items()
                    if int(ref[len(PREFIX) :]) % 10 == 3
                    and (other := rng.choice(bodies)) != plans[ref][4]
                ),
            )
            copy_into(
                OutcomeMeasure,
                (
                    {
                        "agreement_id": pk,
                        "position": position,
                        "name": name,
                        "unit": "people",
                        "target": Decimal(rng.randint(10, 200)),
                        "evidence_required": "A register of people supported, anonymised.",
                    }
                    for pk in ids.values()
                    for position, name in enumerate(
                        ("People supported", "People reporting progress")
                    )
                ),
            )
            copy_into(
                Instalment,
                (
                    {
                        "agreement_id": ids[ref],
                        "number": number,
                        "due_on": due,
                        "amount": (annual / 4).quantize(Decimal("0.01")),
                        "paid_on": due if due < today and rng.random() < 0.95 else None,
                    }
                    for ref, (start, _e, annual, _y, _b, _st) in plans.items()
                    for number, (due, _last, _due) in enumerate(_quarters(start, 4), start=1)
                ),
            )

            copy_into(
                MonitoringReturn,
                _returns(
                    plans, ids, per_agreement=per_agreement, today=today, rng=rng,
                    submitter=submitter, reviewer=commissioner.pk,
                ),
            )  # fmt: skip
        print(f"  agreements {chunk.stop:,} of {agreements:,}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agreements", type=int, default=50_000)
    parser.add_argument("--returns", type=int, default=500_000)
    parser.add_argument("--scale", type=int, default=20, help="seed_demo --scale, for providers")
    parser.add_argument("--runs", type=int, default=50, help="requests per page")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from accounts.models import Organisation, User
    from bench.timing import measure_page
    from commissioning import ocds
    from commissioning.models import Agreement, MonitoringReturn

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    started = time.monotonic()
    if Agreement.objects.filter(reference__startswith=PREFIX).exists():
        # Seeded on the first run. Not again: seeding recounts the chances to commission
        # together, which reads every live agreement as a planning item, bench ones included.
        print("The demo network is already seeded; loading what is missing.")
    else:
        call_command("seed_demo", scale=args.scale, stdout=open(os.devnull, "w"))  # noqa: SIM115
    load(agreements=args.agreements, returns=args.returns)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(
        f"{connection.vendor}: {Agreement.objects.count():,} agreements, "
        f"{MonitoringReturn.objects.count():,} returns "
        f"(loaded or checked in {time.monotonic() - started:.0f}s)"
    )

    commissioner = "commissioner@example.org"
    demo = Organisation.objects.get(memberships__user__email="provider@example.org")
    body = Organisation.objects.get(memberships__user__email=commissioner)
    agreement = (
        Agreement.objects.filter(reference__startswith=PREFIX, provider=demo, body=body)
        .order_by("pk")
        .first()
    )

    listed = ocds.ocds_opportunities().count() + ocds.direct_contract_agreements().count()
    last_ocds_page = max(1, -(-listed // ocds.PAGE_SIZE))

    def url(name: str, *args, query: str = "") -> str | None:
        try:
            return reverse(f"commissioning:{name}", args=args) + query
        except NoReverseMatch:
            return None

    pages = [
        ("register", commissioner, "agreements", (), ""),
        ("  live grants by value", commissioner, "agreements", (), "?kind=grant&status=live&sort=value"),
        ("  a body's, ending soon", commissioner, "agreements", (), f"?body={body.pk}&ending_soon=on"),
        ("  provider search", commissioner, "agreements", (), "?provider=community&never_open=on"),
        ("agreement page", commissioner, "agreement", (agreement.pk,) if agreement else None, ""),
        ("provider's 360 view", commissioner, "provider_agreements", (demo.pk,), ""),
        ("returns to review", commissioner, "returns_to_review", (), ""),
        ("360Giving, first page", None, "open_data_360giving", (), ""),
        ("360Giving, page 100", None, "open_data_360giving", (), "?page=100"),
        ("OCDS, last page (contracts)", None, "ocds_releases", (), f"?page={last_ocds_page}"),
    ]  # fmt: skip
    print(f"{'page':34} {'median ms':>10} {'p95 ms':>8} {'queries':>8}  target")
    for label, email, name, arguments, query in pages:
        address = url(name, *arguments, query=query) if arguments is not None else None
        if address is None:
            print(f"{label:34} skipped: commissioning:{name} does not resolve yet")
            continue
        client = Client()
        if email:
            client.force_login(User.objects.get(email=email))
        try:
            timing = measure_page(client, address, runs=args.runs)
        except (Exception, SystemExit) as failure:
            print(f"{label:34} skipped: {address} failed ({failure})")
            continue
        verdict = "ok" if timing.p95_ms < TARGET_P95_MS else "MISSED"
        print(
            f"{label:34} {timing.median_ms:10.1f} {timing.p95_ms:8.1f} {timing.queries:8d}  "
            f"{verdict}"
        )


if __name__ == "__main__":
    main()
