"""Fixtures of the saved-search tests."""

from __future__ import annotations

from fixtures.web import browser_like  # noqa: F401 - a logged-in client of the list page
