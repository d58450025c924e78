"""Time the sourcing pages on a national-size network: median and 95th percentile server time,
with query counts.

It loads 20,000 opportunities and 200,000 bids on top of the demo network, with one lot of 40
scored and moderated bids, then times the opportunities list and search, an opportunity page, a
bidder's list of bids and the moderation page for that lot. Run it against a database of its own:

    createdb -h 127.0.0.1 -U postgres portal_sourcing_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_sourcing_bench .venv/bin/python bench/sourcing.py

Target on PostgreSQL: every page under 200 ms at the 95th percentile, with a fixed query count.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

TARGET_P95_MS = 200
BATCH = 5000
MODERATED_BIDS = 40


def load(*, opportunities: int, bids: int) -> None:
    """Add what is missing, in bulk. Idempotent: a second run checks and moves on."""
    from django.utils import timezone

    from accounts.models import Organisation, OrganisationKind, User, VerificationStatus
    from commissioning.models import (
        Bid,
        BidStage,
        BidStatus,
        ConflictDeclaration,
        Criterion,
        Lot,
        Opportunity,
        OpportunityKind,
        OpportunityStatus,
        PanelMember,
        PanelRole,
        PanelSubmission,
        Procedure,
        Score,
    )
    from providers.models import Area, ServiceCategory

    rng = random.Random(2027)
    now = timezone.now()
    bodies = list(
        Organisation.objects.filter(kind=OrganisationKind.COMMISSIONING_BODY).order_by("pk")
    )
    providers = list(
        Organisation.objects.filter(
            kind=OrganisationKind.THIRD_SECTOR, verification_status=VerificationStatus.VERIFIED
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    author = User.objects.get(email="commissioner@example.org")
    leaves = list(ServiceCategory.objects.filter(children__isnull=True).order_by("pk"))
    wards = list(Area.objects.filter(parent__isnull=False).order_by("pk"))
    statuses = [OpportunityStatus.PUBLISHED] * 4 + [
        OpportunityStatus.CLOSED,
        OpportunityStatus.EVALUATING,
        OpportunityStatus.AWARDED,
    ]

    made = Opportunity.objects.filter(reference__startswith="BENCH-").count()
    for start in range(made, opportunities, BATCH):
        chunk = []
        for n in range(start, min(start + BATCH, opportunities)):
            status = statuses[n % len(statuses)]
            closes = now + timedelta(days=rng.randint(5, 90))
            if status != OpportunityStatus.PUBLISHED:
                closes = now - timedelta(days=rng.randint(5, 400))
            chunk.append(
                Opportunity(
                    reference=f"BENCH-{n:06d}",
                    kind=OpportunityKind.CONTRACT if n % 3 else OpportunityKind.GRANT,
                    procedure=Procedure.OPEN,
                    body=bodies[n % len(bodies)],
                    title=f"Bench opportunity {n}: community support",
                    summary="Support for residents, delivered locally by the third sector.",
                    outcomes_sought="People stay well and independent.",
                    contact_name="Bench",
                    contact_email="bench@example.org",
                    status=status,
                    publish_at=closes - timedelta(days=60),
                    published_at=closes - timedelta(days=60),
                    clarifications_close_at=closes - timedelta(days=10),
                    bid_deadline=closes,
                    evaluation_on=(closes + timedelta(days=14)).date(),
                    award_on=(closes + timedelta(days=30)).date(),
                    contract_start_on=(closes + timedelta(days=90)).date(),
                    created_by=author,
                )
            )
        Opportunity.objects.bulk_create(chunk)
        Lot.objects.bulk_create(
            [
                Lot(opportunity=o, number=1, title="Whole area", annual_budget=Decimal(250000))
                for o in chunk
            ],
            batch_size=BATCH,
        )
        Criterion.objects.bulk_create(
            [
                Criterion(
                    opportunity=o,
                    stage=BidStage.FULL,
                    title=title,
                    question="Tell us how.",
                    weight=Decimal(weight),
                    word_limit=500,
                )
                for o in chunk
                for title, weight in (("Quality", 60), ("Social value", 20), ("Price", 20))
            ],
            batch_size=BATCH,
        )
        links = Opportunity.categories.through
        places = Opportunity.areas.through
        links.objects.bulk_create(
            [links(opportunity_id=o.pk, servicecategory_id=rng.choice(leaves).pk) for o in chunk],
            batch_size=BATCH,
        )
        places.objects.bulk_create(
            [places(opportunity_id=o.pk, area_id=rng.choice(wards).pk) for o in chunk],
            batch_size=BATCH,
        )

    # The moderated lot: the first bench opportunity gets 40 bids, three panel members' scores.
    moderated = Opportunity.objects.get(reference="BENCH-000000")
    if not Bid.objects.filter(opportunity=moderated).exists():
        moderated.body = Organisation.objects.get(
            kind=OrganisationKind.COMMISSIONING_BODY,
            memberships__user__email="commissioner@example.org",
        )
        moderated.status = OpportunityStatus.EVALUATING
        moderated.bid_deadline = now - timedelta(days=3)
        moderated.clarifications_close_at = now - timedelta(days=10)
        moderated.save()
        lot = moderated.lots.get()
        entries = Bid.objects.bulk_create(
            [
                Bid(
                    opportunity=moderated,
                    organisation_id=pk,
                    status=BidStatus.SUBMITTED,
                    submitted_at=now - timedelta(days=4),
                    price=Decimal(rng.randint(180, 260) * 1000),
                    created_by=author,
                )
                for pk in providers[:MODERATED_BIDS]
            ]
        )
        Bid.lots.through.objects.bulk_create(
            [Bid.lots.through(bid_id=b.pk, lot_id=lot.pk) for b in entries]
        )
        panel = [
            PanelMember.objects.get_or_create(
                opportunity=moderated,
                user=User.objects.get(email=email),
                defaults={"role": PanelRole.COMMISSIONER, "added_by": author},
            )[0]
            for email in ("commissioner@example.org", "panel@example.org")
        ]
        criteria = list(moderated.criteria.all())
        Score.objects.bulk_create(
            [
                Score(
                    panel_member=member,
                    bid=b,
                    criterion=c,
                    score=rng.randint(1, 5),
                    comment="Clear and credible.",
                )
                for member in panel
                for b in entries
                for c in criteria
            ]
        )
        PanelSubmission.objects.bulk_create(
            [PanelSubmission(panel_member=m, bid=b) for m in panel for b in entries]
        )

    # The panel has declared no conflict on each bid, as it must before reading them.
    ConflictDeclaration.objects.bulk_create(
        [
            ConflictDeclaration(panel_member=member, bid=bid, has_conflict=False)
            for member in PanelMember.objects.filter(opportunity=moderated)
            for bid in Bid.objects.filter(opportunity=moderated)
        ],
        ignore_conflicts=True,
    )

    # The rest of the bids, spread over closed opportunities; the demo provider holds 50 of them.
    have = Bid.objects.count()
    closed = list(
        Opportunity.objects.filter(reference__startswith="BENCH-")
        .exclude(status=OpportunityStatus.PUBLISHED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    demo = Organisation.objects.get(memberships__user__email="provider@example.org").pk
    taken = set(Bid.objects.values_list("opportunity_id", "organisation_id"))
    for start in range(have, bids, BATCH):
        chunk = []
        while len(chunk) < min(BATCH, bids - start):
            organisation = demo if len(taken) % 4000 == 0 else rng.choice(providers)
            opportunity = rng.choice(closed)
            if (opportunity, organisation) in taken:
                continue
            taken.add((opportunity, organisation))
            chunk.append(
                Bid(
                    opportunity_id=opportunity,
                    organisation_id=organisation,
                    status=rng.choice([BidStatus.SUCCESSFUL, BidStatus.UNSUCCESSFUL]),
                    submitted_at=now - timedelta(days=rng.randint(20, 400)),
                    price=Decimal(rng.randint(100, 300) * 1000),
                    created_by=author,
                )
            )
        Bid.objects.bulk_create(chunk)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, default=20_000)
    parser.add_argument("--bids", type=int, default=200_000)
    parser.add_argument("--scale", type=int, default=20, help="seed_demo --scale, for bidders")
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
    from commissioning.models import Bid, Opportunity

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    started = time.monotonic()
    call_command("seed_demo", scale=args.scale, stdout=open(os.devnull, "w"))  # noqa: SIM115
    load(opportunities=args.opportunities, bids=args.bids)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(
        f"{connection.vendor}: {Opportunity.objects.count():,} opportunities, "
        f"{Bid.objects.count():,} bids (loaded or checked in {time.monotonic() - started:.0f}s)"
    )

    moderated = Opportunity.objects.get(reference="BENCH-000000")
    lot = moderated.lots.get()
    open_one = Opportunity.objects.filter(reference__startswith="BENCH-", status="published")
    listing = reverse("commissioning:opportunity_list")
    pages = [
        ("opportunities list", None, listing),
        ("  search + filter", None, f"{listing}?q=community&kind=contract"),
        ("opportunity page", None, reverse("commissioning:opportunity", args=[open_one[0].pk])),
        ("a bidder's bids", "provider@example.org", reverse("commissioning:bid_list")),
        (
            "moderation, 40-bid lot",
            "commissioner@example.org",
            f"{reverse('commissioning:moderation', args=[moderated.pk])}?lot={lot.pk}",
        ),
    ]
    print(f"{'page':32} {'median ms':>10} {'p95 ms':>8} {'queries':>8}  target")
    for label, email, url in pages:
        client = Client()
        if email:
            client.force_login(User.objects.get(email=email))
        timing = measure_page(client, url, runs=args.runs)
        verdict = "ok" if timing.p95_ms < TARGET_P95_MS else "MISSED"
        print(
            f"{label:32} {timing.median_ms:10.1f} {timing.p95_ms:8.1f} {timing.queries:8d}  "
            f"{verdict}"
        )


if __name__ == "__main__":
    main()
