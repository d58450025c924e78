"""Reads for service users' feedback. Nothing here returns a comment to anyone who may not read
comments (access.can_read_feedback_comments), a comment never comes with the person's answers
about themselves or its day, and a group of fewer than five people is never shown on its own
(seeds/000 11.2.3(e))."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import segno
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.db.models.functions import TruncQuarter
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.periods import financial_quarter

from .. import access
from ..charts import BarInput, bar_chart
from ..models import Agreement, FeedbackTheme, ServiceUserFeedback
from ..services.user_feedback import ABOUT_YOU, RATING_WORDS

# Groups smaller than this are not shown on their own, so that no one can be picked out.
SMALL_GROUP = 5
RECENT_DAYS = 90
COMMENTS_PAGE_SIZE = 20
QUARTER_MONTHS = {
    1: "April to June",
    2: "July to September",
    3: "October to December",
    4: "January to March",
}
QR_SCALE = {"svg": 10, "png": 10}
QR_CONTENT_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


def _one_place(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _feedback_of(agreement: Agreement) -> QuerySet[ServiceUserFeedback]:
    return ServiceUserFeedback.objects.filter(agreement=agreement).order_by()


def _theme_aggregates() -> dict:
    return {
        f"theme_{theme}": Count("pk", filter=Q(themes__contains=[theme]))
        for theme in FeedbackTheme.values
    }


def _totals(feedback: QuerySet[ServiceUserFeedback], *, today: date) -> dict:
    """Count, average, the last 90 days, each rating and each theme: one query on PostgreSQL (two
    where the database cannot look inside JSON, such as SQLite)."""
    in_json = connection.features.supports_json_field_contains
    row = feedback.aggregate(
        count=Count("pk"),
        average=Avg("rating"),
        recent=Count("pk", filter=Q(given_on__gt=today - timedelta(days=RECENT_DAYS))),
        **{f"rating_{value}": Count("pk", filter=Q(rating=value)) for value in RATING_WORDS},
        **(_theme_aggregates() if in_json else {}),
    )
    if in_json:
        themes = {theme: row[f"theme_{theme}"] for theme in FeedbackTheme.values}
    else:
        themes = dict.fromkeys(FeedbackTheme.values, 0)
        for chosen in feedback.values_list("themes", flat=True):
            for theme in chosen or ():
                if theme in themes:
                    themes[theme] += 1
    return {
        "count": row["count"],
        "average": _one_place(row["average"]),
        "recent_count": row["recent"],
        "ratings": [
            (value, words, row[f"rating_{value}"]) for value, words in RATING_WORDS.items()
        ],
        "themes": themes,
    }


def _themes_by_count(themes: dict[str, int]) -> list[tuple[str, int]]:
    """Themes that were mentioned, most mentioned first, then in the form's order."""
    order = {theme: i for i, theme in enumerate(FeedbackTheme.values)}
    mentioned = [(theme, count) for theme, count in themes.items() if count]
    mentioned.sort(key=lambda item: (-item[1], order[item[0]]))
    return [(FeedbackTheme(theme).label, count) for theme, count in mentioned]


def public_link(agreement: Agreement) -> str:
    """The absolute address of the public form, as printed on posters and in QR codes."""
    path = reverse("commissioning:feedback_form", args=[agreement.feedback_token])
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def feedback_links(agreement: Agreement) -> dict:
    return {
        "public_url": public_link(agreement),
        "page_url": reverse("commissioning:agreement_feedback", args=[agreement.pk]),
        "poster_url": reverse("commissioning:agreement_feedback_poster", args=[agreement.pk]),
        "qr_svg_url": reverse("commissioning:agreement_feedback_qr", args=[agreement.pk, "svg"]),
        "qr_png_url": reverse("commissioning:agreement_feedback_qr", args=[agreement.pk, "png"]),
    }


def feedback_section(agreement, user) -> dict:
    """What the agreement page shows of its service users' feedback (_feedback_section.html):
    totals only, never a comment, whoever is looking. One query."""
    totals = _totals(_feedback_of(agreement), today=timezone.localdate())
    return {
        "count": totals["count"],
        "average": totals["average"],
        "recent_count": totals["recent_count"],
        "recent_days": RECENT_DAYS,
        "is_live": agreement.is_live,
        **feedback_links(agreement),
    }


def feedback_summary(agreement, start, end) -> dict:
    """Counts, average rating and themes of the feedback given from start to end (dates,
    inclusive): shown with a monitoring return for its period."""
    feedback = _feedback_of(agreement).filter(given_on__gte=start, given_on__lte=end)
    totals = _totals(feedback, today=timezone.localdate())
    return {
        "count": totals["count"],
        "average": totals["average"],
        "themes": _themes_by_count(totals["themes"]),
    }


# The feedback page


@dataclass(frozen=True)
class QuarterRow:
    year_label: str
    quarter: int
    months: str
    count: int
    average: Decimal | None

    @property
    def label(self) -> str:
        return f"Q{self.quarter} {self.year_label}"


def _next_quarter(start: date) -> date:
    month = start.month + 3
    return date(start.year + (month > 12), (month - 1) % 12 + 1, 1)


def _quarters(feedback: QuerySet[ServiceUserFeedback]) -> list[QuarterRow]:
    """Each financial quarter from the first with feedback to the last, empty ones included.
    Calendar quarters start in the same months as financial ones, so the database groups them."""
    found = {
        row["quarter"]: row
        for row in feedback.annotate(quarter=TruncQuarter("given_on"))
        .values("quarter")
        .annotate(count=Count("pk"), average=Avg("rating"))
        .order_by("quarter")
    }
    if not found:
        return []
    rows = []
    start, last = min(found), max(found)
    while start <= last:
        year, quarter = financial_quarter(start)
        row = found.get(start)
        rows.append(
            QuarterRow(
                year_label=year.label,
                quarter=quarter,
                months=f"{QUARTER_MONTHS[quarter]} {start.year}",
                count=row["count"] if row else 0,
                average=_one_place(row["average"]) if row else None,
            )
        )
        start = _next_quarter(start)
    return rows


def _quarters_chart(agreement: Agreement, quarters: list[QuarterRow]):
    if not quarters:
        return None
    return bar_chart(
        id=f"feedback-quarters-{agreement.pk}",
        title="Average rating by financial quarter",
        description="Average rating out of 5 in each quarter, from 1 (very poor) to 5 (very "
        "good). The same figures are in the table that follows.",
        bars=[
            BarInput(
                label=row.label,
                value=row.average,
                css_class="rating-higher",
                value_text=f"{row.average} out of 5" if row.average is not None else "",
                note=f"{row.count} response{'' if row.count == 1 else 's'}",
            )
            for row in quarters
        ],
        # A line at the best rating keeps the scale at 0 to 5, so a middling average does not
        # fill the chart.
        reference=max(RATING_WORDS),
        reference_label=RATING_WORDS[max(RATING_WORDS)],
    )


@dataclass(frozen=True)
class GroupRow:
    label: str
    count: int
    average: Decimal | None


@dataclass(frozen=True)
class Breakdown:
    heading: str
    rows: list[GroupRow]
    combined: GroupRow | None  # the small groups together, when they make at least five
    suppressed: bool  # too few answers to show any group


def _breakdown(heading: str, choices, counts: dict[str, list[int]]) -> Breakdown:
    """Groups of five or more are shown. Smaller ones are shown only together and only if they
    make five; if they make fewer, the next smallest group joins them, so that no small group can
    be worked out by taking the others from the total."""
    labels = {**dict(choices.choices), "": "Did not answer"}
    groups = [(code, n, total) for code, (n, total) in counts.items() if n]
    shown = [group for group in groups if group[1] >= SMALL_GROUP]
    hidden = [group for group in groups if group[1] < SMALL_GROUP]
    while hidden and shown and sum(group[1] for group in hidden) < SMALL_GROUP:
        smallest = min(shown, key=lambda group: group[1])
        shown.remove(smallest)
        hidden.append(smallest)
    order = {code: i for i, code in enumerate([*choices.values, ""])}
    rows = [
        GroupRow(labels.get(code, code), n, _one_place(Decimal(total) / n))
        for code, n, total in sorted(shown, key=lambda group: order.get(group[0], len(order)))
    ]
    hidden_count = sum(group[1] for group in hidden)
    combined = None
    if hidden_count >= SMALL_GROUP:
        hidden_total = sum(group[2] for group in hidden)
        combined = GroupRow(
            "Smaller groups, combined",
            hidden_count,
            _one_place(Decimal(hidden_total) / hidden_count),
        )
    return Breakdown(
        heading=heading,
        rows=rows,
        combined=combined,
        suppressed=bool(hidden_count) and combined is None,
    )


def _demographics(feedback: QuerySet[ServiceUserFeedback]) -> list[Breakdown]:
    """Every combination of answers in one query (a few hundred at most), summed per question."""
    fields = [field for field, _heading, _choices in ABOUT_YOU]
    counts: dict[str, dict[str, list[int]]] = {field: {} for field in fields}
    for row in feedback.values(*fields).annotate(n=Count("pk"), total=Sum("rating")):
        for field in fields:
            group = counts[field].setdefault(row[field], [0, 0])
            group[0] += row["n"]
            group[1] += row["total"]
    return [_breakdown(heading, choices, counts[field]) for field, heading, choices in ABOUT_YOU]


@dataclass(frozen=True)
class CommentRow:
    """A comment as its readers see it: the month it was given, never the day, and nothing the
    person said about themselves."""

    month: str
    rating: int
    rating_words: str
    themes: list[str]
    went_well: str
    could_be_better: str


def _comments(feedback: QuerySet[ServiceUserFeedback], page_number) -> Page:
    with_comments = (
        feedback.exclude(went_well="", could_be_better="")
        .values("given_on", "rating", "themes", "went_well", "could_be_better")
        .order_by("-given_on", "-pk")
    )
    page = Paginator(with_comments, COMMENTS_PAGE_SIZE).get_page(page_number)
    labels = dict(FeedbackTheme.choices)
    page.object_list = [
        CommentRow(
            month=date_format(row["given_on"], "F Y"),
            rating=row["rating"],
            rating_words=RATING_WORDS.get(row["rating"], ""),
            themes=[labels[theme] for theme in row["themes"] or () if theme in labels],
            went_well=row["went_well"],
            could_be_better=row["could_be_better"],
        )
        for row in page.object_list
    ]
    return page


def feedback_page(agreement: Agreement, user, *, page_number=None) -> dict:
    """The feedback page: totals, ratings over time, themes and who answered, for everyone who
    sees the agreement; the comments only for those who may read them. A fixed number of
    queries."""
    feedback = _feedback_of(agreement)
    totals = _totals(feedback, today=timezone.localdate())
    quarters = _quarters(feedback)
    can_read_comments = access.can_read_feedback_comments(user, agreement)
    return {
        "agreement": agreement,
        "totals": totals,
        "recent_days": RECENT_DAYS,
        "themes": _themes_by_count(totals["themes"]),
        "quarters": quarters,
        "chart": _quarters_chart(agreement, quarters),
        "demographics": _demographics(feedback) if totals["count"] else [],
        "small_group": SMALL_GROUP,
        "can_read_comments": can_read_comments,
        "comments": _comments(feedback, page_number) if can_read_comments else None,
        "is_live": agreement.is_live,
        **feedback_links(agreement),
    }


def feedback_qr(agreement: Agreement, kind: str) -> bytes:
    """The QR code of the public link, as SVG or PNG."""
    qr = segno.make(public_link(agreement), error="m")
    buffer = io.BytesIO()
    options = {"title": f"Feedback on {agreement.title}"} if kind == "svg" else {}
    qr.save(buffer, kind=kind, scale=QR_SCALE[kind], **options)
    return buffer.getvalue()
