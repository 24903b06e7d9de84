"""Periodic reports (bilateral, route brief) as HTML and PDF, built from the analysis services."""
