"""Access rows for the planning hub, which is for commissioners and network admins."""

from tests.access.access_table import row


def build(base: dict) -> dict[str, dict]:
    return {}


ROWS = {
    "commissioning:planning": row(302, 403, 200, 200, 403),
}
