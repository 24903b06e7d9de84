"""Running an instance: backup and restore, schema upgrades, health, readiness and metrics."""
