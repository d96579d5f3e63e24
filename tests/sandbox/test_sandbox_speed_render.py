"""The v2 points' faster text forms are the ones the ``strftime`` / ``uuid.UUID`` forms gave, to the byte, and
the bisected selection picks the points the full mask picked."""

from __future__ import annotations

import datetime as dt
import uuid

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdh_notebook.emulator import SandboxServer
from mdh_notebook.emulator.devicedata_v2_series import Filter, Series, _matches, _stamp, uuid4_text, wall_clock
from mdh_notebook.emulator.kinds.devicedata_v2 import SERIES

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


def reference_select(series: Series, f: Filter) -> npt.NDArray[np.int64]:
    """The v2 selection as a mask over every point (how ``Series.select`` worked before bisection)."""
    keep = np.ones(len(series), dtype=bool)
    obs_us = series.obs_ms * 1000
    for bound, values, above in ((f.observed_after, obs_us, True), (f.observed_before, obs_us, False),
                                 (f.modified_after, series.modified_us, True),
                                 (f.modified_before, series.modified_us, False),
                                 (f.inserted_after, series.inserted_us, True),
                                 (f.inserted_before, series.inserted_us, False)):
        if bound is not None:
            keep &= (values > bound) if above else (values < bound)
    if f.data_source:
        allowed = [code for code, source in enumerate(series.sources) if _matches(source, f.data_source)]
        codes = series.source_codes if series.source_codes is not None else np.full(len(series), -1)
        keep &= np.isin(codes, allowed)
    if f.properties:
        keep &= series._properties_match(f.properties)
    return np.flatnonzero(keep).astype(np.int64)


@pytest.fixture(scope="module")
def all_series(protocol_sandbox: SandboxServer) -> list[Series]:
    """PT-0003's v2 series, of every (namespace, type) it has."""
    backend = protocol_sandbox.backend
    participant = backend.find_by_identifier("PT-0003")
    assert participant is not None
    found = [row for collection in SERIES.values() for row in backend.store.rows(participant, collection)]
    assert len(found) > 10
    return found


bounds = st.one_of(st.none(), st.integers(1_780_000_000_000_000, 1_795_000_000_000_000),
                   st.integers(-(2**62), 2**62))


@given(data=st.data())
def test_select_is_the_full_mask(all_series: list[Series], data: st.DataObject) -> None:
    series = data.draw(st.sampled_from(all_series))
    if len(series) and data.draw(st.booleans()):  # bounds on or next to real observation instants
        near = st.builds(lambda i, step: int(series.obs_ms[i]) * 1000 + step,
                         st.integers(0, len(series) - 1), st.integers(-1001, 1001))
        after, before = data.draw(st.one_of(st.none(), near)), data.draw(st.one_of(st.none(), near))
    else:
        after, before = data.draw(bounds), data.draw(bounds)
    data_source: tuple[tuple[str, tuple[str, ...]], ...] = ()
    if series.sources and data.draw(st.booleans()):
        key, value = data.draw(st.sampled_from(sorted(data.draw(st.sampled_from(series.sources)).items())))
        data_source = ((key.lower(), (value, "other")),)
    f = Filter(observed_after=after, observed_before=before, modified_after=data.draw(bounds),
               inserted_before=data.draw(bounds), data_source=data_source)
    picked = series.select(f)
    assert picked.dtype == np.int64
    assert np.array_equal(picked, reference_select(series, f))
