"""Time the directory and the provision map on a national-size network: median and 95th percentile
server time, with query counts.

Run it against a database of its own, which it migrates and fills with `seed_demo --scale`
(334 gives about 50,000 organisations and 150,000 services):

    createdb -h 127.0.0.1 -U postgres portal_dir_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_dir_bench .venv/bin/python bench/directory.py

Target on PostgreSQL: every page under 150 ms at the 95th percentile, with a fixed query count.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

TARGET_P95_MS = 150


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=int, default=334, help="seed_demo --scale (150 organisations each)"
    )
    parser.add_argument("--runs", type=int, default=30, help="requests per page")
    parser.add_argument("--query", default="carers", help="the search words")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import Organisation, User
    from bench.timing import measure_page
    from providers.models import Area, Service, ServiceCategory

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    started = time.monotonic()
    call_command("seed_demo", scale=args.scale, stdout=open(os.devnull, "w"))  # noqa: SIM115
    if connection.vendor == "postgresql":
        # As autovacuum would leave a live database after a bulk load: fresh statistics, and a
        # visibility map so that index-only scans can skip the table.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(
        f"{connection.vendor}: {Organisation.objects.count():,} organisations, "
        f"{Service.objects.count():,} services (seeded or checked in "
        f"{time.monotonic() - started:.0f}s)"
    )

    borough = Area.objects.filter(parent__isnull=True).order_by("pk").first()
    care = ServiceCategory.objects.get(code="care")
    provider_org = Organisation.objects.get(memberships__user__email="provider@example.org")
    search = urlencode({"q": args.query, "category": care.pk, "area": borough.pk})
    by_advice = f"/provision-map/?category={ServiceCategory.objects.get(code='advice').pk}"
    organisation = f"/directory/organisations/{provider_org.pk}/"
    commissioner = "commissioner@example.org"
    # (label, who, url, count the map afresh): the map keeps its counts for a few minutes, so
    # its last two rows clear them before every request to time the counting itself.
    pages = [
        ("directory: search + 2 filters", None, f"/directory/?{search}", False),
        ("  the same, as a commissioner", commissioner, f"/directory/?{search}", False),
        ("directory: page 200", None, "/directory/?page=200", False),
        ("  the same, as a commissioner", commissioner, "/directory/?page=200", False),
        ("organisation page", None, organisation, False),
        ("  the same, as a commissioner", commissioner, organisation, False),
        ("provision map", commissioner, "/provision-map/", False),
        ("  by the advice categories", commissioner, by_advice, False),
        ("provision map, counted afresh", commissioner, "/provision-map/", True),
        ("  by the advice categories", commissioner, by_advice, True),
    ]
    print(f"{'page':32} {'median ms':>10} {'p95 ms':>8} {'queries':>8}  target")
    for label, email, url, afresh in pages:
        client = Client()
        if email:
            client.force_login(User.objects.get(email=email))
        timing = measure_page(
            client, url, runs=args.runs, before_each=cache.clear if afresh else None
        )
        p95 = timing.p95_ms
        verdict = "ok" if p95 < TARGET_P95_MS else "MISSED"
        print(f"{label:32} {timing.median_ms:10.1f} {p95:8.1f} {timing.queries:8d}  {verdict}")


if __name__ == "__main__":
    main()
