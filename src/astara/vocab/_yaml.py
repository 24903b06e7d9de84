"""Small typed readers for YAML data, raising VocabularyError that names file, entry and field."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from astara.vocab.models import VocabularyError

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]*$")


class Entry:
    """One mapping from a data file, read field by field. ``done()`` rejects unknown fields."""

    def __init__(self, file: str, raw: object, where: str) -> None:
        self.file = file
        if not isinstance(raw, Mapping):
            raise VocabularyError(file, where, None, f"expected a mapping, got {type(raw).__name__}")
        self.raw: Mapping[str, Any] = raw
        code = raw.get("code")
        self.name = str(code) if isinstance(code, str | int) and str(code) else where
        self.used: set[str] = set()

    def error(self, field: str | None, message: str) -> VocabularyError:
        return VocabularyError(self.file, self.name, field, message)

    def _get(self, key: str, required: bool) -> Any:
        self.used.add(key)
        value = self.raw.get(key)
        if value is None and required:
            raise self.error(key, "required field is missing or empty")
        return value

    def text(self, key: str) -> str:
        value = self._get(key, True)
        if not isinstance(value, str | int | float) or isinstance(value, bool) or not str(value).strip():
            raise self.error(key, "must be a non-empty string")
        return str(value).strip()

    def opt_text(self, key: str) -> str | None:
        return None if self.raw.get(key) is None else self.text(key)

    def code(self, key: str = "code") -> str:
        value = self.text(key)
        if not CODE_RE.match(value):
            raise self.error(key, f"{value!r} is not a valid code (letters, digits, underscore)")
        return value

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.text(key)
        if value not in allowed:
            raise self.error(key, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def opt_positive(self, key: str) -> float | None:
        value = self._get(key, False)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, f"must be a number, got {value!r}")
        if not math.isfinite(value) or value <= 0:
            raise self.error(key, f"must be a positive number, got {value!r}")
        return float(value)

    def positive(self, key: str) -> float:
        self._get(key, True)
        value = self.opt_positive(key)
        assert value is not None
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        """A list of strings, or a mapping of language -> list of strings (flattened)."""
        value = self._get(key, False)
        if value is None:
            return ()
        if isinstance(value, Mapping):
            return tuple(t for lang in value for t in self._text_list(f"{key}.{lang}", value[lang]))
        return self._text_list(key, value)

    def _text_list(self, key: str, value: object) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.error(key, "must be a list of strings")
        out: list[str] = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, str | int | float) or not str(item).strip():
                raise self.error(key, f"contains an empty or non-string item {item!r}")
            out.append(str(item).strip())
        return tuple(out)

    def lang_texts(self, key: str) -> dict[str, tuple[str, ...]]:
        value = self._get(key, True)
        if not isinstance(value, Mapping) or not value:
            raise self.error(key, "must be a mapping of language code -> list of names")
        return {str(lang): self._text_list(f"{key}.{lang}", value[lang]) for lang in value}

    def str_map(self, key: str) -> dict[str, str]:
        value = self._get(key, False)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.error(key, "must be a mapping")
        return {str(k): str(v) for k, v in value.items()}

    def sub(self, key: str, required: bool = True) -> Any:
        return self._get(key, required)

    def done(self) -> None:
        extra = sorted(str(k) for k in self.raw if k not in self.used)
        if extra:
            raise self.error(extra[0], "unknown field (typo?)")


def entries(file: str, data: Mapping[str, Any], key: str) -> list[Entry]:
    """The list under ``key`` in a file's top-level mapping, as Entry objects."""
    items = data.get(key)
    if not isinstance(items, list) or not items:
        raise VocabularyError(file, None, key, "must be a non-empty list")
    return [Entry(file, item, f"#{i + 1}") for i, item in enumerate(items)]
