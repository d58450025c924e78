"""The default public contract thresholds for services, which the social value check uses.

Values from 1 January 2024, VAT included, as they apply to services contracts. Network admins
change them on the thresholds page when new amounts take effect."""

import datetime
from decimal import Decimal

from django.db import migrations

DEFAULTS = [
    ("central-government", "Central government bodies", Decimal("139688"), 1),
    ("sub-central", "Other public bodies, such as councils and NHS trusts", Decimal("214904"), 2),
    (
        "light-touch",
        "Light-touch services, such as health, social care and education",
        Decimal("663540"),
        3,
    ),
]


def add_thresholds(apps, schema_editor):
    ContractThreshold = apps.get_model("commissioning", "ContractThreshold")
    for code, name, amount, position in DEFAULTS:
        ContractThreshold.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "amount": amount,
                "effective_from": datetime.date(2024, 1, 1),
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("commissioning", "0001_initial")]

    operations = [migrations.RunPython(add_thresholds, migrations.RunPython.noop)]
