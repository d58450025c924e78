"""The QR code and the poster of an agreement's public feedback link: for anyone who sees the
agreement, encoding the absolute public link."""

from __future__ import annotations

import io
from xml.etree import ElementTree

import pytest
import segno
from django.conf import settings
from django.urls import reverse
from PIL import Image

from commissioning.models import AgreementStatus
from commissioning.selectors.user_feedback import QR_SCALE
from tests.factories.commissioning_agreements import AgreementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(provider_org, commissioning_body):
    return AgreementFactory(
        provider=provider_org,
        body=commissioning_body,
        reference="AG-QR-2026-0001",
        title="Riverside drop-in advice",
    )


def qr_url(agreement, fmt: str) -> str:
    return reverse("commissioning:agreement_feedback_qr", args=[agreement.pk, fmt])


def public_link(agreement) -> str:
    path = reverse("commissioning:feedback_form", args=[agreement.feedback_token])
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def modules_of(png: bytes, scale: int) -> list[list[bool]]:
    """Read the dark modules back from the PNG, one sample at the centre of each."""
    image = Image.open(io.BytesIO(png)).convert("L")
    size = image.width // scale
    return [
        [
            image.getpixel((x * scale + scale // 2, y * scale + scale // 2)) < 128
            for x in range(size)
        ]
        for y in range(size)
    ]


def test_the_png_encodes_the_public_link(client, agreement, provider):
    client.force_login(provider)
    response = client.get(qr_url(agreement, "png"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert (
        response["Content-Disposition"] == 'attachment; filename="feedback-qr-ag-qr-2026-0001.png"'
    )
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    expected = segno.make(public_link(agreement), error="m")
    border = expected.default_border_size
    drawn = modules_of(response.content, QR_SCALE["png"])
    inner = [row[border:-border] for row in drawn[border:-border]]
    assert inner == [[bool(module) for module in row] for row in expected.matrix]
    # The same symbol is not what another link makes.
    other = segno.make(public_link(agreement) + "x", error="m")
    assert inner != [[bool(module) for module in row] for row in other.matrix]


def test_the_svg_is_valid_and_encodes_the_public_link(client, agreement, commissioner):
    client.force_login(commissioner)
    response = client.get(qr_url(agreement, "svg"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert 'filename="feedback-qr-ag-qr-2026-0001.svg"' in response["Content-Disposition"]
    root = ElementTree.fromstring(response.content)  # noqa: S314 (our own output)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    expected = io.BytesIO()
    segno.make(public_link(agreement), error="m").save(
        expected, kind="svg", scale=QR_SCALE["svg"], title="Feedback on Riverside drop-in advice"
    )
    assert response.content == expected.getvalue()


def test_other_formats_are_not_found(client, agreement, provider):
    client.force_login(provider)
    assert client.get(f"/agreements/{agreement.pk}/feedback/qr.gif").status_code == 404


def test_the_poster_is_printable_and_plain(client, agreement, provider):
    client.force_login(provider)
    response = client.get(reverse("commissioning:agreement_feedback_poster", args=[agreement.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert public_link(agreement) in text
    assert f'src="{qr_url(agreement, "svg")}"' in text
    assert 'alt="QR code: scan it to open the feedback form' in text
    assert "How was Riverside drop-in advice?" in text
    assert "we do not ask for your name" in text
    # Its print styles are a file of our own: the content security policy allows no inline style.
    assert "<style" not in text and 'href="/static/css/agreements_feedback.css"' in text
    css = (settings.BASE_DIR / "static" / "css" / "agreements_feedback.css").read_text()
    assert "size: A4" in css and "@media print" in css


@pytest.mark.parametrize("status", [AgreementStatus.ENDED, AgreementStatus.TERMINATED])
def test_an_ended_agreement_has_no_qr_code_or_poster(
    client, provider_org, commissioning_body, provider, status
):
    ended = AgreementFactory(provider=provider_org, body=commissioning_body, status=status)
    client.force_login(provider)
    assert client.get(qr_url(ended, "png")).status_code == 404
    poster = client.get(reverse("commissioning:agreement_feedback_poster", args=[ended.pk]))
    assert poster.status_code == 200
    text = poster.content.decode()
    assert "public feedback link is closed" in text
    assert qr_url(ended, "svg") not in text


def test_outsiders_get_nothing(client, agreement, outsider):
    client.force_login(outsider)
    assert client.get(qr_url(agreement, "svg")).status_code == 404
    poster = reverse("commissioning:agreement_feedback_poster", args=[agreement.pk])
    assert client.get(poster).status_code == 404
