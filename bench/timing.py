"""The one timing loop the benchmarks share: server time and query count for a page."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PageTiming:
    median_ms: float
    p95_ms: float
    queries: int


def measure_page(
    client, url: str, *, runs: int, before_each: Callable[[], None] | None = None
) -> PageTiming:
    """GET the page once to warm up, then `runs` times; every answer must be 200."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    timings = []
    for _ in range(runs):
        if before_each is not None:
            before_each()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    return PageTiming(statistics.median(timings), p95, len(queries))
