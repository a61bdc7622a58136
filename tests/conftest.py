"""Fixtures shared by several test modules."""

from __future__ import annotations

import pytest


@pytest.fixture
def isolated_data(monkeypatch, tmp_path):
    """No test sees the user's data directory or a proxy (downloads go to 127.0.0.1 only)."""
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path / "env-data"))
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
