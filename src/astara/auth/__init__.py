"""Logins, passwords (argon2id), API tokens, roles and the first-run administrator."""
