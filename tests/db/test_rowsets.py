"""Driver values written the fast way are exactly what the slow way writes."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from astara.db.rowsets import sqlite_json


@given(st.lists(st.text(), max_size=4) | st.lists(st.integers(), max_size=3))
def test_json_columns_read_back_as_written_and_match_json_dumps(value: list[object]) -> None:
    """Quality flags (texts with quotes, backslashes, control characters, any script) and source
    rows take short cuts; the stored text is json.dumps's, so stored records do not depend on it."""
    text = sqlite_json(value)
    assert text == json.dumps(value, ensure_ascii=False)
    assert json.loads(text) == value
    assert sqlite_json(tuple(value)) == text  # flags may come as a tuple


@given(st.dictionaries(st.text(), st.text() | st.lists(st.text(), max_size=2), max_size=3))
def test_a_json_object_is_written_whole(value: dict[str, object]) -> None:
    """An object (an identity conflict's details) reads back as the object, not as its keys."""
    assert json.loads(sqlite_json(value)) == value
