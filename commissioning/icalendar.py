"""iCalendar (RFC 5545) feeds of all-day events, such as the forward plan's key dates: text
escaped, long lines folded at 75 octets, lines ended with CRLF."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

CRLF = "\r\n"
MAX_OCTETS = 75  # RFC 5545 3.1: a line is at most 75 octets, not counting the line break


@dataclass(frozen=True)
class AllDayEvent:
    uid: str  # the same for the same event in every download, so calendars update it in place
    day: date
    summary: str
    stamp: datetime  # when the event's information last changed
    description: str = ""
    url: str = ""


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, line breaks as \\n."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Split a content line into pieces of at most 75 octets (RFC 5545 3.1); each piece after the
    first starts with a space. A character's UTF-8 octets are never split between pieces."""
    octets = line.encode("utf-8")
    if len(octets) <= MAX_OCTETS:
        return line
    pieces: list[bytes] = []
    start, room = 0, MAX_OCTETS
    while len(octets) - start > room:
        end = start + room
        while octets[end] & 0b1100_0000 == 0b1000_0000:  # inside a character: step back
            end -= 1
        pieces.append(octets[start:end])
        start, room = end, MAX_OCTETS - 1  # the leading space takes one octet
    pieces.append(octets[start:])
    return (CRLF + " ").join(piece.decode("utf-8") for piece in pieces)


def unfold(text: str) -> list[str]:
    """The content lines of a calendar, with folded lines joined again."""
    return text.replace(CRLF + " ", "").replace(CRLF + "\t", "").split(CRLF)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _day(day: date) -> str:
    return day.strftime("%Y%m%d")


def event_lines(event: AllDayEvent) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{_utc(event.stamp)}",
        f"DTSTART;VALUE=DATE:{_day(event.day)}",
        f"DTEND;VALUE=DATE:{_day(event.day + timedelta(days=1))}",
        f"SUMMARY:{escape_text(event.summary)}",
        "TRANSP:TRANSPARENT",  # a key date, not a meeting: it does not make anyone busy
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.url:
        lines.append(f"URL:{event.url}")  # a URI value, not TEXT: it is not escaped
    lines.append("END:VEVENT")
    return lines


def calendar_stream(events: Iterable[AllDayEvent], *, name: str, product: str) -> Iterator[str]:
    """The calendar an event at a time, folded, each line ended with CRLF: for a streamed
    response."""
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{escape_text(product)}//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    yield "".join(fold(line) + CRLF for line in head)
    for event in events:
        yield "".join(fold(line) + CRLF for line in event_lines(event))
    yield "END:VCALENDAR" + CRLF


def calendar_text(events: Iterable[AllDayEvent], *, name: str, product: str) -> str:
    return "".join(calendar_stream(events, name=name, product=product))
