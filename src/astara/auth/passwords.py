"""Password hashing with argon2id (argon2-cffi's defaults: RFC 9106's low-memory profile)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from astara.errors import InvalidInput

MIN_LENGTH = 12
_hasher = PasswordHasher()  # argon2id, 64 MiB, 3 passes
# Verifying against this keeps a wrong user name as slow as a wrong password (no user enumeration).
_DUMMY_HASH = _hasher.hash("astara: no such user")


def check_strength(password: str, username: str = "") -> None:
    """Refuse passwords a guesser tries first; the message says what to change.

    The detail names the field and the problem, so a page can say it in its own language.
    """
    if len(password) < MIN_LENGTH:
        raise _weak(f"the password must have at least {MIN_LENGTH} characters, not {len(password)}",
                    "password_short", min=MIN_LENGTH, length=len(password))  # fmt: skip
    if len(set(password)) < 5:
        raise _weak("the password must use at least 5 different characters", "password_repetitive", min=5)
    name = username.split("@")[0].casefold()
    if name and name in password.casefold():
        raise _weak("the password must not contain the user name", "password_has_name")


def _weak(message: str, problem: str, **values: int) -> InvalidInput:
    detail = {"field": "password", "reason": message, "problem": problem, **values}
    return InvalidInput(message, details=[detail])


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored``; a missing or damaged hash never matches."""
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """True when ``stored`` was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored)
