"""Seizure events from news and press releases: deterministic, offline, every field with its span.

from astara.extraction.service import extract_text
extract_text("Customs seized 12 kg of heroin at the Astara post on Tuesday.", "2024-05-09")
"""
