"""Fixtures the browser tests share: one headless Chromium per test module, the built website served over HTTP."""

from pathlib import Path

import pytest

from tests.browser.launch import CHROMIUM, SITE, headless_chromium, serve_directory


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (make test installs it: apt-get install -y chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with headless_chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def website():
    """The base URL of the student website (_build/html), served on a free loopback port."""
    with serve_directory(SITE) as url:
        yield url
