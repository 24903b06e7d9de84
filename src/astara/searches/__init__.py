"""Saved searches: a user's named seizure-list queries."""
