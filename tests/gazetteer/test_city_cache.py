"""The GeoNames city index is kept on disk after the first build; a damaged cache is rebuilt."""

from __future__ import annotations

from pathlib import Path

import pytest

from astara.gazetteer.cities import CityIndex, _cache_file


def test_index_is_cached_and_a_damaged_cache_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = CityIndex()
    path = _cache_file()
    assert path.parent == tmp_path / "astara" and path.exists()

    loaded = CityIndex()
    assert len(loaded) == len(built)
    assert loaded.lookup("baku", "AZ") == built.lookup("baku", "AZ")
    assert loaded.lookup("astara", "IR") is not None

    path.write_bytes(b"not a cache file")
    rebuilt = CityIndex()
    assert rebuilt.lookup("baku", "AZ") == built.lookup("baku", "AZ")
    assert path.read_bytes() != b"not a cache file"  # the damaged file was replaced


def test_unwritable_cache_folder_still_gives_an_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert CityIndex().lookup("tabriz", "IR") is not None
