"""Time the evidence base and planning pages on a national-size network: median and 95th
percentile server time, with query counts.

It loads 200 indicators x 700 areas x 10 periods (1.4 million values), 5,000 commissioning
intentions and 500 needs assessments on top of the demo network, then finds the chances to
commission together. Run it against a database of its own:

    createdb -h 127.0.0.1 -U postgres portal_plan_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_plan_bench .venv/bin/python bench/planning.py

Target on PostgreSQL: every page under 300 ms at the 95th percentile, with a fixed query count.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

TARGET_P95_MS = 300
BATCH = 5000


def load(*, indicators: int, areas: int, periods: int, intentions: int, assessments: int) -> None:
    """Add what is missing, in bulk. Idempotent: a second run checks and moves on."""
    from django.db import transaction

    from accounts.models import Organisation, OrganisationKind, User
    from commissioning.models import (
        CommissioningIntention,
        ComparatorValue,
        Indicator,
        IndicatorUnit,
        IndicatorValue,
        IntentionStatus,
        NeedsAssessment,
        Outcome,
        Polarity,
        StrategyPriority,
    )
    from providers.models import Area, AreaLevel, ServiceCategory

    rng = random.Random(2026)
    borough = Area.objects.get(ons_code="E09900001")
    have = Area.objects.filter(parent=borough).count()
    Area.objects.bulk_create(
        [
            Area(
                name=f"Bench ward {n}",
                ons_code=f"E05{800000 + n}",
                level=AreaLevel.WARD,
                parent=borough,
            )
            for n in range(have, areas)
        ]
    )
    wards = list(Area.objects.filter(parent=borough).order_by("pk")[:areas])
    leaves = list(ServiceCategory.objects.filter(children__isnull=True).order_by("pk"))
    bodies = list(
        Organisation.objects.filter(kind=OrganisationKind.COMMISSIONING_BODY).order_by("pk")
    )
    author = User.objects.get(email="commissioner@example.org")

    with transaction.atomic():
        have = set(Indicator.objects.filter(code__startswith="B").values_list("code", flat=True))
        if len(have) < indicators:
            outcomes = []
            for p in range(8):
                priority, _ = StrategyPriority.objects.get_or_create(
                    name=f"Bench priority {p + 1}", defaults={"position": p}
                )
                for o in range(5):
                    outcome, _ = Outcome.objects.get_or_create(
                        priority=priority, name=f"Bench outcome {p + 1}.{o + 1}"
                    )
                    outcome.categories.set(rng.sample(leaves, 2))
                    outcomes.append(outcome)
            Indicator.objects.bulk_create(
                [
                    Indicator(
                        outcome=outcomes[n % len(outcomes)],
                        code=f"B{n:05d}",
                        name=f"Bench indicator {n}",
                        unit=IndicatorUnit.PERCENT,
                        polarity=Polarity.LOWER_IS_BETTER if n % 2 else Polarity.HIGHER_IS_BETTER,
                        comparator_name="England",
                        comparator_code="E92000001",
                    )
                    for n in range(indicators)
                    if f"B{n:05d}" not in have
                ]
            )
    labels = [(f"{2015 + p}/{str(2016 + p)[-2:]}", date(2015 + p, 4, 1)) for p in range(periods)]
    for indicator in Indicator.objects.filter(code__startswith="B").order_by("pk")[:indicators]:
        if IndicatorValue.objects.filter(indicator=indicator).exists():
            continue
        base = Decimal(rng.randint(10, 60))
        ComparatorValue.objects.bulk_create(
            [
                ComparatorValue(
                    indicator=indicator,
                    period=label,
                    period_start=start,
                    value=base,
                    lower_ci=base - 1,
                    upper_ci=base + 1,
                )
                for label, start in labels
            ]
        )
        rows = []
        for ward in wards:
            for label, start in labels:
                value = base + Decimal(rng.randint(-80, 80)) / 10
                width = Decimal(rng.randint(5, 40)) / 10
                rows.append(
                    IndicatorValue(
                        indicator=indicator,
                        area=ward,
                        period=label,
                        period_start=start,
                        value=value,
                        lower_ci=value - width,
                        upper_ci=value + width,
                        count=rng.randint(10, 900),
                        denominator=1000,
                        source="Bench",
                    )
                )
        IndicatorValue.objects.bulk_create(rows, batch_size=BATCH)

    outcomes = list(Outcome.objects.order_by("pk"))
    made = CommissioningIntention.objects.count()
    for start in range(made, intentions, BATCH):
        chunk = []
        links = []
        for n in range(start, min(start + BATCH, intentions)):
            begins = date(2027, 4, 1) + timedelta(days=30 * rng.randint(0, 30))
            chunk.append(
                CommissioningIntention(
                    body=bodies[n % len(bodies)],
                    title=f"Bench intention {n}",
                    summary="A service the bench plans to commission.",
                    outcome=rng.choice(outcomes),
                    value_low=Decimal(rng.randint(20, 200) * 1000),
                    value_high=Decimal(rng.randint(200, 900) * 1000),
                    route="contract",
                    tender_on=begins - timedelta(days=120),
                    start_on=begins,
                    end_on=begins + timedelta(days=3 * 365),
                    contact_name="Bench",
                    contact_email="bench@example.org",
                    status=IntentionStatus.PUBLISHED,
                    created_by=author,
                )
            )
            links.append((rng.sample(leaves, 2), rng.sample(wards, 2)))
        CommissioningIntention.objects.bulk_create(chunk)
        categories = CommissioningIntention.categories.through
        areas_through = CommissioningIntention.areas.through
        categories.objects.bulk_create(
            [
                categories(commissioningintention_id=i.pk, servicecategory_id=c.pk)
                for i, (cats, _) in zip(chunk, links, strict=True)
                for c in cats
            ],
            batch_size=BATCH,
        )
        areas_through.objects.bulk_create(
            [
                areas_through(commissioningintention_id=i.pk, area_id=a.pk)
                for i, (_, places) in zip(chunk, links, strict=True)
                for a in places
            ],
            batch_size=BATCH,
        )

    for n in range(NeedsAssessment.objects.count(), assessments):
        assessed = date(2024, 1, 1) + timedelta(days=rng.randint(0, 900))
        assessment = NeedsAssessment.objects.create(
            title=f"Bench needs assessment {n}",
            body=bodies[n % len(bodies)],
            summary="Findings.",
            method="Survey and data review.",
            involvement="Workshops with local groups.",
            assessed_on=assessed,
            next_review_on=assessed + timedelta(days=730),
            created_by=author,
        )
        assessment.themes.set(rng.sample(leaves, 2))
        assessment.areas.set(rng.sample(wards, 3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--areas", type=int, default=700)
    parser.add_argument("--periods", type=int, default=10)
    parser.add_argument("--intentions", type=int, default=5000)
    parser.add_argument("--assessments", type=int, default=500)
    parser.add_argument("--runs", type=int, default=30, help="requests per page")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from bench.timing import measure_page
    from commissioning.models import CommissioningIntention, Indicator, IndicatorValue
    from commissioning.services.overlaps import overlap_pairs_refresh
    from providers.models import ServiceCategory

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    started = time.monotonic()
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    load(
        indicators=args.indicators,
        areas=args.areas,
        periods=args.periods,
        intentions=args.intentions,
        assessments=args.assessments,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(
        f"{connection.vendor}: {Indicator.objects.count():,} indicators, "
        f"{IndicatorValue.objects.count():,} values, "
        f"{CommissioningIntention.objects.count():,} intentions "
        f"(loaded or checked in {time.monotonic() - started:.0f}s)"
    )
    started = time.perf_counter()
    pairs = overlap_pairs_refresh()
    print(
        f"finding the chances to commission together (background task): "
        f"{(time.perf_counter() - started):.1f}s, {pairs:,} pairs"
    )

    indicator = Indicator.objects.filter(code__startswith="B").order_by("pk").first()
    category = ServiceCategory.objects.filter(outcomes__isnull=False).order_by("pk").first()
    pages = [
        ("indicator page", reverse("commissioning:indicator", args=[indicator.pk])),
        (
            "gap analysis, one category",
            f"{reverse('commissioning:gap_analysis')}?category={category.pk}",
        ),
        ("commission together", reverse("commissioning:together")),
        ("forward plan", reverse("commissioning:forward_plan")),
        (
            "forward plan, one category",
            f"{reverse('commissioning:forward_plan')}?category={category.pk}",
        ),
        ("evidence library", reverse("commissioning:evidence_library")),
    ]
    client = Client()
    client.force_login(User.objects.get(email="commissioner@example.org"))
    print(f"{'page':32} {'median ms':>10} {'p95 ms':>8} {'queries':>8}  target")
    for label, url in pages:
        timing = measure_page(client, url, runs=args.runs)
        verdict = "ok" if timing.p95_ms < TARGET_P95_MS else "MISSED"
        print(
            f"{label:32} {timing.median_ms:10.1f} {timing.p95_ms:8.1f} {timing.queries:8d}  "
            f"{verdict}"
        )


if __name__ == "__main__":
    main()
