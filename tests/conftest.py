"""Fixtures shared by several test modules."""

from __future__ import annotations

import pytest
from hypothesis import settings

# A test run is repeatable: each property test draws the examples seeded by its
# own source, so CI cannot pass one run and fail the next on the same commit.
# ``pytest --hypothesis-profile=explore`` draws fresh examples to hunt for new
# failures (and replays any it found before, from .hypothesis/).
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile("repeatable")


@pytest.fixture
def isolated_data(monkeypatch, tmp_path):
    """No test sees the user's data directory or a proxy (downloads go to 127.0.0.1 only)."""
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path / "env-data"))
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


# The built site, served on 127.0.0.1, and Chromium: one of each per module of the site's
# browser tests (test_site, test_site_layout, test_site_a11y). A module that serves or
# drives something else (test_data, test_derive, test_explorer) declares its own.


@pytest.fixture(scope="module")
def site():
    """The built site (``_build/html``, or ``ATLAS_SITE``), built first if missing."""
    from site_browser import built_site

    return built_site()


@pytest.fixture(scope="module")
def server(site):
    """The built site's base URL on 127.0.0.1."""
    from site_browser import serve

    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless."""
    from site_browser import chromium

    with chromium() as chromium_browser:
        yield chromium_browser
