"""The v2 points' faster text forms are the ones the ``strftime`` / ``uuid.UUID`` forms gave, to the byte."""

from __future__ import annotations

import datetime as dt
import uuid

from hypothesis import given
from hypothesis import strategies as st

from mdh_notebook.emulator.devicedata_v2_series import _stamp, uuid4_text, wall_clock

_EPOCH = dt.datetime(1970, 1, 1)
#: Epoch milliseconds from the year 1 to 9998 (``strftime`` leaves years below 1000 unpadded).
EPOCH_MS = st.integers(min_value=-62_135_596_800_000, max_value=253_370_764_800_000)


def reference_wall_clock(ms: int) -> str:
    text = (_EPOCH + dt.timedelta(milliseconds=ms)).strftime("%Y-%m-%dT%H:%M:%S")
    return text + (f".{ms % 1000:03d}" if ms % 1000 else "")


def reference_stamp(us: int, digits: int) -> str:
    text = (_EPOCH + dt.timedelta(microseconds=us)).strftime("%Y-%m-%dT%H:%M:%S")
    fraction = f"{us % 1_000_000:06d}" + "0"
    return f"{text}.{fraction[:digits]}Z"


@given(st.one_of(EPOCH_MS, st.integers(1_700_000_000_000, 1_900_000_000_000)))
def test_wall_clock_is_the_strftime_form(ms: int) -> None:
    assert wall_clock(ms) == reference_wall_clock(ms)


@given(st.one_of(EPOCH_MS.map(lambda ms: ms * 1000 + 999), st.integers(1_700_000_000_000_000, 1_900_000_000_000_000)),
       st.integers(1, 7))
def test_stamp_is_the_strftime_form(us: int, digits: int) -> None:
    assert _stamp(us, digits) == reference_stamp(us, digits)


@given(st.binary(min_size=16, max_size=16))
def test_uuid4_text_is_the_uuid_module_form(raw: bytes) -> None:
    assert uuid4_text(raw) == str(uuid.UUID(bytes=raw, version=4))


def test_early_years_keep_strftime_padding() -> None:
    ms = int((dt.datetime(999, 12, 31, 23, 59, 59) - _EPOCH).total_seconds() * 1000) + 5
    assert wall_clock(ms) == reference_wall_clock(ms)
