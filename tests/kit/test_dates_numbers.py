import contextlib
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from astara.kit.dates import DateError, from_value, parse_date, to_jalali
from astara.kit.numbers import NumberError, parse_number


@pytest.mark.parametrize(
    ("text", "iso", "precision"),
    [
        ("2016-05-28", "2016-05-28", "day"),
        ("2016-05", "2016-05", "month"),
        ("2016", "2016", "year"),
        ("28.05.2016", "2016-05-28", "day"),
        ("28/05/2016", "2016-05-28", "day"),
        ("1395/03/08", "2016-05-28", "day"),  # Jalali, as Iranian agencies write it
        ("۱۳۹۵/۰۳/۰۸", "2016-05-28", "day"),  # ... in Persian digits
        ("2016-05-28 13:45:00", "2016-05-28", "day"),
    ],
)
def test_dates_as_agencies_write_them(text: str, iso: str, precision: str) -> None:
    value = parse_date(text)
    assert value.iso() == iso
    assert value.precision == precision


@pytest.mark.parametrize("text", ["", "yesterday", "2016-13-01", "2016-02-30", "1850-01-01", "31.02.2016"])
def test_bad_dates_say_why(text: str) -> None:
    with pytest.raises(DateError) as info:
        parse_date(text)
    assert str(info.value)


def test_spreadsheet_date_values_and_jalali_display() -> None:
    assert from_value(dt.datetime(2016, 5, 28, 14, 30)).time == "14:30"
    assert from_value(dt.date(2016, 5, 28)).iso() == "2016-05-28"
    assert to_jalali(dt.date(2016, 5, 28)) == "1395/03/08"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234", 1234),
        ("0,080", 0.08),
        ("1,5", 1.5),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("12 345", 12345),
        ("۲۴۴", 244),
        ("244٫6", 244.6),
        ("-3", -3),
    ],
)
def test_numbers_in_several_conventions(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "nan", "inf", "12kg"])
def test_not_numbers(text: str) -> None:
    with pytest.raises(NumberError):
        parse_number(text)


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False).map(lambda x: round(x, 3)))
def test_number_round_trip(value: float) -> None:
    assert parse_number(repr(value)) == pytest.approx(value)
    assert parse_number(f"{value:,.3f}") == pytest.approx(value, abs=1e-3)


@given(st.text(max_size=30))
def test_parsers_never_crash_on_junk(text: str) -> None:
    for parse, error in ((parse_number, NumberError), (parse_date, DateError)):
        with contextlib.suppress(error):
            parse(text)
