"""Demo data shipped with the package, and ``astara demo``."""
