"""Who gets what: the status of a GET on every named URL for each role.

200 shown; 302 sent elsewhere (to sign in, mostly); 403 seen but not allowed; 404 hidden;
405 a POST-only URL; 410 an invitation link that no longer works.
The roles: anonymous; provider (admin of a verified charity); commissioner (admin of a
commissioning body); network_admin; outsider (admin of another charity). Object URLs point
at the provider's organisation.
"""

import importlib
import pkgutil
from pathlib import Path

ROLES = ["anonymous", "provider", "commissioner", "network_admin", "outsider"]


def row(anonymous, provider, commissioner, network_admin, outsider):
    return dict(
        zip(ROLES, [anonymous, provider, commissioner, network_admin, outsider], strict=True)
    )


# The Django admin: superusers only, so every role here is sent to its sign-in page.
ADMIN_SITE = row(302, 302, 302, 302, 302)

EXPECTED = {
    # The admin's own sign-in page hands over to allauth's, and refuses signed-in non-staff.
    "admin:login": row(302, 403, 403, 403, 403),
    # Public pages
    "home": row(200, 200, 200, 200, 200),
    "health": row(200, 200, 200, 200, 200),
    "accessibility": row(200, 200, 200, 200, 200),
    "privacy": row(200, 200, 200, 200, 200),
    # Signing in and up (django-allauth)
    "account_change_password": row(302, 200, 200, 200, 200),
    "account_confirm_email": row(200, 200, 200, 200, 200),
    "account_confirm_login_code": row(302, 302, 302, 302, 302),
    "account_email": row(302, 200, 200, 200, 200),
    "account_email_verification_sent": row(200, 200, 200, 200, 200),
    "account_inactive": row(200, 200, 200, 200, 200),
    "account_login": row(200, 302, 302, 302, 302),
    "account_logout": row(302, 200, 200, 200, 200),
    "account_reauthenticate": row(302, 200, 200, 200, 200),
    "account_reset_password": row(200, 200, 200, 200, 200),
    "account_reset_password_done": row(200, 200, 200, 200, 200),
    "account_reset_password_from_key": row(200, 200, 200, 200, 200),
    "account_reset_password_from_key_done": row(200, 200, 200, 200, 200),
    "account_set_password": row(302, 302, 302, 302, 302),
    "account_signup": row(200, 302, 302, 302, 302),
    # Two-factor authentication (django-allauth MFA); 404 where there is nothing to show yet
    "mfa_activate_totp": row(302, 302, 302, 302, 302),
    "mfa_authenticate": row(302, 302, 302, 302, 302),
    "mfa_deactivate_totp": row(302, 404, 404, 404, 404),
    "mfa_download_recovery_codes": row(302, 404, 404, 404, 404),
    "mfa_generate_recovery_codes": row(302, 302, 302, 302, 302),
    "mfa_index": row(302, 200, 200, 200, 200),
    "mfa_reauthenticate": row(302, 302, 302, 302, 302),
    "mfa_view_recovery_codes": row(302, 404, 404, 404, 404),
    # Organisations, members and invitations. The invitation link is its own credential.
    "accounts:invitation_accept": row(200, 200, 200, 200, 200),
    "accounts:invitation_create": row(302, 200, 404, 200, 404),
    "accounts:invitation_revoke": row(302, 405, 405, 405, 405),
    "accounts:membership_update": row(302, 405, 405, 405, 405),
    "accounts:organisation_detail": row(302, 200, 404, 200, 404),
    "accounts:organisation_register": row(302, 200, 200, 200, 200),
    "accounts:organisation_resubmit": row(302, 302, 404, 403, 404),
    "accounts:organisation_switch": row(302, 405, 405, 405, 405),
    # Network admin pages
    "accounts:audit_log": row(302, 403, 403, 200, 403),
    "accounts:commissioning_body_create": row(302, 403, 403, 200, 403),
    "accounts:organisation_list": row(302, 403, 403, 200, 403),
    "accounts:organisation_review": row(302, 403, 403, 200, 403),
    "accounts:verification_queue": row(302, 403, 403, 200, 403),
}


# Each part of the portal keeps its rows in tests/access/rows_<part>.py: a ROWS dict like the one
# above and, where its URLs take arguments, a build(base) function that makes the objects they
# point at and returns {url name: kwargs}. base holds "users" (by role), "provider_org" (the
# provider's organisation) and "commissioning_body" (the commissioner's).
WORLD_BUILDERS = []
for _module in pkgutil.iter_modules([str(Path(__file__).parent)]):
    if _module.name.startswith("rows_"):
        _rows = importlib.import_module(f"tests.access.{_module.name}")
        _clash = set(_rows.ROWS) & set(EXPECTED)
        assert not _clash, f"{_module.name} repeats rows: {_clash}"
        EXPECTED.update(_rows.ROWS)
        if hasattr(_rows, "build"):
            WORLD_BUILDERS.append(_rows.build)
