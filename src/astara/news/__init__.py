"""News review: articles ingested into a queue of draft seizure events, accepted, rejected or merged."""
