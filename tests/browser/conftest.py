"""Chromium through Playwright against the live server, with axe-core run on every page visited."""

import os
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.axe import CHECKED_PAGES, check_accessibility, describe

BROWSER_TESTS = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items):
    """Run the browser tests last. Once Playwright starts, its event loop runs in the main thread
    until the session ends, and the ORM then needs DJANGO_ALLOW_ASYNC_UNSAFE; no other test should
    run under that, or see it (`check --deploy` refuses it, rightly)."""
    items[:] = sorted(items, key=lambda item: item.path.is_relative_to(BROWSER_TESTS))


@pytest.fixture(scope="session")
def browser():
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an event loop running in the main thread, which trips
        # Django's async-safety check for the ORM calls the tests make while a browser is open.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        playwright = sync_playwright().start()
        chromium = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        yield chromium
        chromium.close()
        playwright.stop()


@pytest.fixture
def page(browser, live_server, transactional_db):
    """A fresh browser context per test, so no cookies carry over, pointed at the live server.

    bypass_csp lets the harness inject axe-core; the site's own pages still load under the
    policy's script-src 'self', and no page of ours relies on inline script.
    """
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        bypass_csp=True,
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def axe():
    """check_accessibility(page): run axe-core and fail on serious or critical findings."""
    return check_accessibility


def pytest_terminal_summary(terminalreporter):
    """List the pages axe checked and every finding of any impact, so none goes unseen."""
    if not CHECKED_PAGES:
        return
    reporter = terminalreporter
    reporter.section("axe-core accessibility checks")
    paths = sorted({urlsplit(check.url).path for check in CHECKED_PAGES})
    reporter.write_line(f"{len(CHECKED_PAGES)} page loads checked, at {len(paths)} addresses:")
    reporter.write_line("  " + " ".join(paths))
    findings = Counter()
    for check in CHECKED_PAGES:
        for violation in check.violations:
            findings[describe(violation, url=urlsplit(check.url).path)] += 1
    if not findings:
        reporter.write_line("No findings of any impact.")
        return
    reporter.write_line("Findings (serious and critical ones fail their test):")
    for line, count in sorted(findings.items()):
        reporter.write_line(line + (f" (x{count})" if count > 1 else ""))
