"""axe-core checks for the browser tests, and the helpers that move a person between pages.

Every page a journey lands on goes through `check_accessibility`, which fails on serious or critical
findings and records the rest, with the URL, for the summary at the end of the run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, Response

AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
TARGETS_SHOWN = 3


@dataclass
class PageCheck:
    """One run of axe on one page: where it was, and everything axe found there."""

    url: str
    title: str
    violations: list[dict] = field(default_factory=list)

    @property
    def blocking(self) -> list[dict]:
        return [v for v in self.violations if v["impact"] in BLOCKING_IMPACTS]


# Every page checked in this run, in order; the terminal summary reports from it.
CHECKED_PAGES: list[PageCheck] = []


@cache
def _axe_source() -> str:
    if not AXE_SOURCE.exists():
        raise RuntimeError(f"axe-core is missing at {AXE_SOURCE}: run `npm install`.")
    return AXE_SOURCE.read_text(encoding="utf-8")


def describe(violation: dict, *, url: str = "", detail: bool = False) -> str:
    """One line per finding: impact, rule, what it asks, and the first few elements it found."""
    nodes = violation["nodes"]
    targets = [", ".join(node["target"]) for node in nodes[:TARGETS_SHOWN]]
    more = len(nodes) - TARGETS_SHOWN
    where = "; ".join(targets) + (f"; and {more} more" if more > 0 else "")
    prefix = f"{url}: " if url else ""
    line = f"{prefix}[{violation['impact']}] {violation['id']}: {violation['help']} at {where}"
    if detail and nodes and nodes[0]["summary"]:
        line += "\n    " + " ".join(nodes[0]["summary"].split())
    return line


def check_accessibility(page: Page) -> PageCheck:
    """Run axe-core on the page as it is now; fail the test on any serious or critical finding.

    The site's Content-Security-Policy forbids inline script, so the browser context must be
    opened with bypass_csp=True for the injected axe to run.
    """
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=_axe_source())
    results = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    check = PageCheck(
        url=page.url,
        title=page.title(),
        violations=[
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [
                    {"target": n["target"], "summary": n.get("failureSummary") or ""}
                    for n in v["nodes"]
                ],
            }
            for v in results["violations"]
        ],
    )
    CHECKED_PAGES.append(check)
    if check.blocking:
        lines = "\n".join(describe(v, detail=True) for v in check.blocking)
        pytest.fail(
            f"axe found {len(check.blocking)} serious or critical accessibility problem(s) "
            f"on {check.url} ({check.title!r}):\n{lines}",
            pytrace=False,
        )
    return check


def visit(page: Page, url: str, *, status: int = 200) -> Response:
    """Go to a URL (relative to the live server), check the status, then check accessibility."""
    response = page.goto(url)
    assert response is not None, f"no response for {url}"
    assert response.status == status, f"{url} answered {response.status}, expected {status}"
    check_accessibility(page)
    return response


def submit_and_check(page: Page, locator: Locator, *, status: int = 200) -> Response:
    """Press a button or follow a link, wait for the page it leads to, and check that page."""
    with page.expect_navigation(wait_until="load") as navigation:
        locator.click()
    response = navigation.value
    assert response is not None, f"no response after clicking {locator}"
    assert response.status == status, (
        f"{response.url} answered {response.status}, expected {status}"
    )
    check_accessibility(page)
    return response


def field(page: Page, label: str) -> Locator:
    """The form control with exactly this label; crispy-forms adds "*" to required fields' labels."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\*?\s*$"))


def sign_in(page: Page, email: str, password: str) -> Response:
    """Sign in through the real sign-in page, checking it and the page it leads to."""
    visit(page, "/accounts/login/")
    field(page, "Email").fill(email)
    field(page, "Password").fill(password)
    return submit_and_check(page, page.get_by_role("button", name="Sign in"))


def sign_out(page: Page) -> Response:
    response = submit_and_check(page, page.get_by_role("button", name="Sign out"))
    main_nav = page.get_by_role("navigation", name="Main")
    assert main_nav.get_by_role("link", name="Sign in", exact=True).is_visible()
    return response
