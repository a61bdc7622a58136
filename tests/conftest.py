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
