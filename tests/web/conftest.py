"""Fixtures of the page tests."""

from __future__ import annotations

from fixtures.web import browser_like  # noqa: F401 - the fixture of the page tests
