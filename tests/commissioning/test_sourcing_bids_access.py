"""The bids part's rows of the access matrix, walked on their own: every bid URL as every role."""

import importlib

import pytest

from tests.access.access_table import ROLES
from tests.access.test_access_matrix import url_for
from tests.access.test_access_matrix import world as world  # the fixture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_every_bid_url_as_every_role(client, world, role_users, role):
    # Loaded after the table, which imports every rows module in turn.
    rows = importlib.import_module("tests.access.rows_sourcing_bids").ROWS
    if role != "anonymous":
        client.force_login(role_users[role])
    wrong = []
    for name, expected in rows.items():
        url = url_for(name, world)
        status = client.get(url).status_code
        if status != expected[role]:
            wrong.append(f"{name} {url}: expected {expected[role]}, got {status}")
    assert not wrong, "\n".join(wrong)
