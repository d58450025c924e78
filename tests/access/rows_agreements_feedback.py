"""Access rows for service users' feedback. The public form and its thanks page need no account
(the unguessable token is the key); an agreement's feedback page, QR code and poster are for
whoever sees the agreement: its provider, commissioners and network admins."""

from tests.access.access_table import row


def build(base: dict) -> dict[str, dict]:
    from tests.factories.commissioning_agreements import (
        AgreementFactory,
        ServiceUserFeedbackFactory,
    )

    agreement = AgreementFactory(
        provider=base["provider_org"],
        body=base["commissioning_body"],
        title="Feedback access: drop-in advice",
    )
    ServiceUserFeedbackFactory(agreement=agreement)
    return {
        "commissioning:feedback_form": {"token": agreement.feedback_token},
        "commissioning:feedback_thanks": {"token": agreement.feedback_token},
        "commissioning:agreement_feedback": {"pk": agreement.pk},
        "commissioning:agreement_feedback_qr": {"pk": agreement.pk, "fmt": "svg"},
        "commissioning:agreement_feedback_poster": {"pk": agreement.pk},
    }


PUBLIC = row(200, 200, 200, 200, 200)
SEES_AGREEMENT = row(302, 200, 200, 200, 404)

ROWS = {
    "commissioning:feedback_form": PUBLIC,
    "commissioning:feedback_thanks": PUBLIC,
    "commissioning:agreement_feedback": SEES_AGREEMENT,
    "commissioning:agreement_feedback_qr": SEES_AGREEMENT,
    "commissioning:agreement_feedback_poster": SEES_AGREEMENT,
}
