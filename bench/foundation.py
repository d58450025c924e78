"""Time the foundation's pages on a large network: median and 95th percentile, with query counts.

Run it against a database of its own, which it migrates and fills with `seed_demo --scale`:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/foundation.py --scale 100
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=int, default=20, help="seed_demo --scale (150 organisations each)"
    )
    parser.add_argument("--runs", type=int, default=30, help="requests per page")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import Organisation, User
    from bench.timing import measure_page

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    call_command("seed_demo", scale=args.scale, stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(
        f"{connection.vendor}: {Organisation.objects.count():,} organisations, "
        f"{User.objects.count():,} users"
    )

    pages = [
        ("home, anonymous", None, "/"),
        ("home, provider", "provider@example.org", "/"),
        ("home, commissioner", "commissioner@example.org", "/"),
        ("home, network admin", "admin@example.org", "/"),
        ("verification queue", "admin@example.org", "/network/verification/"),
        ("organisations, page 50", "admin@example.org", "/network/organisations/?page=50"),
        ("audit log", "admin@example.org", "/network/audit/"),
    ]
    print(f"{'page':28} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for label, email, url in pages:
        client = Client()
        if email:
            client.force_login(User.objects.get(email=email))
        timing = measure_page(client, url, runs=args.runs)
        print(f"{label:28} {timing.median_ms:10.1f} {timing.p95_ms:8.1f} {timing.queries:8d}")


if __name__ == "__main__":
    main()
