"""Seizure events and their items: the record everything else stands on."""
