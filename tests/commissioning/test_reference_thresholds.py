"""The default contract thresholds: in every new database, and put back when missing."""

from decimal import Decimal

import pytest

from commissioning.models import ContractThreshold
from commissioning.reference_data import CONTRACT_THRESHOLDS, contract_thresholds_ensure

pytestmark = pytest.mark.django_db


def test_the_migration_adds_the_defaults():
    held = dict(ContractThreshold.objects.values_list("code", "amount"))
    assert held == {code: amount for code, _name, amount in CONTRACT_THRESHOLDS}


def test_ensuring_puts_back_what_is_missing_and_keeps_what_an_admin_changed():
    ContractThreshold.objects.filter(code="central-government").delete()
    ContractThreshold.objects.filter(code="sub-central").update(amount=Decimal("250000"))
    assert contract_thresholds_ensure() == 1
    assert contract_thresholds_ensure() == 0
    assert ContractThreshold.objects.get(code="sub-central").amount == Decimal("250000")
    assert ContractThreshold.objects.filter(code="central-government").exists()
