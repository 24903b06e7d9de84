"""Agencies, users and the one place that scopes every query by agency."""
