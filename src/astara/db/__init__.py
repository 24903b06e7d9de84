"""Storage: ORM models (one place), engine and the one-transaction-per-job boundary, migrations."""
