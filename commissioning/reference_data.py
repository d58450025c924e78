"""The network's starting planning reference data: the public contract thresholds for services,
which the social value check uses. Network admins change them on the thresholds page.

Values from 1 January 2024, VAT included. Migration 0002 adds the same rows to a new database;
`contract_thresholds_ensure` puts back any that are missing (for the demo, and for tests that
empty the database)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from .models import ContractThreshold

EFFECTIVE_FROM = datetime.date(2024, 1, 1)
# (code, who it applies to, amount in pounds)
CONTRACT_THRESHOLDS = [
    ("central-government", "Central government bodies", Decimal("139688")),
    ("sub-central", "Other public bodies, such as councils and NHS trusts", Decimal("214904")),
    (
        "light-touch",
        "Light-touch services, such as health, social care and education",
        Decimal("663540"),
    ),
]


def contract_thresholds_ensure() -> int:
    """Add the default thresholds that are missing; leave any a network admin changed alone."""
    made = 0
    for position, (code, name, amount) in enumerate(CONTRACT_THRESHOLDS, start=1):
        _threshold, created = ContractThreshold.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "amount": amount,
                "effective_from": EFFECTIVE_FROM,
                "position": position,
            },
        )
        made += int(created)
    return made
