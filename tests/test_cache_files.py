"""Cache files and merges without a network: a typed frame comes back from Parquet exactly (lists,
dicts, categoricals, tz-aware and naive date-times, extras); a damaged file is a FileProblem, never
pyarrow's traceback; an upsert of what is new into what is stored is the full pull."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mdh_notebook as mdh
from mdh_notebook.cache import plan_for, upsert
from mdh_notebook.cache_files import FORMAT, META_KEY, FileProblem, read_frame, schema_hash, write_frame
from mdh_notebook.frames import to_frame
from mdh_notebook.kinds import KINDS, CatalogueError
from mdh_notebook.kinds import kind as lookup_kind
from mdh_notebook.kinds.order import Incremental

JSON = st.recursive(st.none() | st.booleans() | st.integers(-2**53, 2**53) | st.floats(allow_nan=False)
                    | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                    max_leaves=8)
INSTANTS = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2040, 1, 1),
                        timezones=st.sampled_from([dt.timezone.utc, dt.timezone(dt.timedelta(hours=-5))]))
TEXT = st.none() | st.text(max_size=6)


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


POINT = st.fixed_dictionaries(
    {"id": st.uuids().map(str)},
    optional={
        "namespace": st.sampled_from(["Fitbit", "Project", "AppleHealth"]),
        "type": st.none() | st.sampled_from(["Steps", "HeartRate", "Weight"]),
        "value": TEXT,
        "units": st.none() | st.sampled_from(["", "bpm", "kg"]),
        "properties": st.none() | st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=3),
        "source": st.none() | st.fixed_dictionaries({"identifier": TEXT, "properties": st.none() | JSON}),
        "observationDate": st.none() | INSTANTS.map(_iso),
        "modifiedDate": INSTANTS.map(_iso),
        "somethingNew": JSON,  # an extra, undeclared key
        "nested": st.fixed_dictionaries({"deeper": TEXT}),
    })
ANSWER = st.fixed_dictionaries(
    {"id": st.uuids().map(str)},
    optional={"answers": st.none() | st.lists(st.text(max_size=4), max_size=3), "surveyVersion": st.none()
              | st.integers(0, 9), "insertedDate": INSTANTS.map(_iso), "date": st.none() | INSTANTS.map(_iso),
              "surveyName": TEXT, "extra": JSON})


def _roundtrip(tmp: Path, frame: pd.DataFrame) -> pd.DataFrame:
    path = tmp / "f.parquet"
    write_frame(path, frame, {"schema": "s"})
    found = read_frame(path, {"schema": "s"})
    assert found is not None
    return found[0]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["device_data", "survey_answers"]), data=st.data())
def test_a_frame_comes_back_from_its_file_exactly(tmp_path: Path, kind: str, data: st.DataObject) -> None:
    records = data.draw(st.lists(POINT if kind == "device_data" else ANSWER, max_size=6))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a value that is not of its column's type: beside the point here
        frame = to_frame(kind, records)
    back = _roundtrip(tmp_path, frame)
    pd.testing.assert_frame_equal(back, frame, check_exact=True)
    for name in frame.columns:  # the very values: dicts stay dicts, lists lists, ints ints
        if frame[name].dtype == object:
            assert [json.dumps(v) for v in back[name]] == [json.dumps(v) for v in frame[name]]


def test_every_cached_kind_declares_a_plan_that_fits_it_and_the_others_none() -> None:
    for name, entry in KINDS.items():
        changes = {p.name for p in entry.params} & {"inserted_after", "modified_after"}
        if entry.uncached:
            assert changes and plan_for(entry) is None, f"{name}: passed by for a reason that does not hold"
        elif entry.token == "participant" and changes:
            assert plan_for(entry) is not None, f"{name} can be cached incrementally: add a plan, or say why not"


def test_a_plan_that_does_not_fit_its_kind_is_refused() -> None:
    answers = lookup_kind("survey_answers")
    with pytest.raises(CatalogueError, match="stamp"):
        replace(answers, incremental=Incremental("inserted_after", "no_such_column"))
    with pytest.raises(CatalogueError, match="after"):
        replace(answers, incremental=Incremental("after_all", "inserted_date"))
    with pytest.raises(CatalogueError, match="declare order"):
        replace(answers, order=(), slicing=None)
    with pytest.raises(CatalogueError, match="incremental or uncached"):
        replace(answers, uncached="no reason")


@pytest.fixture
def written(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    frame = to_frame("survey_answers", [{"id": "a", "answers": ["1"], "insertedDate": "2026-01-01T00:00:00Z"},
                                        {"id": "b", "answers": [], "insertedDate": "2026-01-02T00:00:00Z"}])
    path = tmp_path / "f.parquet"
    write_frame(path, frame, {"schema": schema_hash(lookup_kind("survey_answers")), "filters": {}})
    return path, frame


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0), junk=st.binary(max_size=16))
def test_a_cut_or_damaged_file_is_a_file_problem_never_a_traceback(written: tuple[Path, pd.DataFrame], cut: int,
                                                                    junk: bytes) -> None:
    path, _ = written
    whole = path.read_bytes()
    damaged = path.with_name("damaged.parquet")
    damaged.write_bytes(whole[: cut % len(whole)] + junk)
    with pytest.raises(FileProblem):
        read_frame(damaged, {})


def test_another_format_or_catalogue_is_a_file_problem(written: tuple[Path, pd.DataFrame], tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    path, frame = written
    assert read_frame(path, {"filters": {}}) is not None
    with pytest.raises(FileProblem, match="columns changed"):
        read_frame(path, {"schema": "another catalogue"})
    with pytest.raises(FileProblem, match="filters differs"):
        read_frame(path, {"filters": {"surveyName": "x"}})
    table = pq.read_table(path)
    info = json.loads(table.schema.metadata[META_KEY])
    old = tmp_path / "old.parquet"
    pq.write_table(table.replace_schema_metadata({META_KEY: json.dumps({**info, "format": FORMAT - 1}).encode()}), old)
    with pytest.raises(FileProblem, match="format"):
        read_frame(old, {})
    plain = tmp_path / "plain.parquet"
    frame.astype({"answers": "string"}).to_parquet(plain)
    with pytest.raises(FileProblem, match="no cache metadata"):
        read_frame(plain, {})
    assert read_frame(tmp_path / "absent.parquet", {}) is None


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(written: tuple[Path, pd.DataFrame]) -> None:
    path, frame = written
    before = path.read_bytes()
    bad = frame.copy()
    bad["answers"] = [object(), object()]  # not JSON: the write fails part-way
    with pytest.raises(TypeError):
        write_frame(path, bad, {})
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["f.parquet"]


# -- upserts against the sandbox's own order -----------------------------------------------------

CASES = {"survey_answers": {}, "device_data": {"namespace": "Fitbit"},
         "device_data_v2": {"namespace": "Fitbit", "type": "heart-rate", "observed_after": "2026-10-20T00:00:00Z",
                            "observed_before": "2026-10-20T06:00:00Z"}}


@pytest.fixture(scope="module")
def full(sandbox: Any) -> dict[str, pd.DataFrame]:
    from suite import config_for

    with mdh.connect("PT-0002", ["SurveyAnswers:read", "DeviceData:read"], config=config_for(sandbox)) as s:
        return {name: s.fetch(name, progress=False, **filters) for name, filters in CASES.items()}


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(CASES)), data=st.data())
def test_what_is_new_upserted_into_what_is_stored_is_the_full_pull(full: dict[str, pd.DataFrame], name: str,
                                                                  data: st.DataObject) -> None:
    """Stored: the full pull without some rows (not yet seen) and with some others older (since
    modified); fresh: those rows as they are now, plus some unchanged ones (the overlap)."""
    cold = full[name]
    n = len(cold)
    assert n > 50
    rows = st.sets(st.integers(0, n - 1), max_size=12)
    unseen, modified, overlap = data.draw(rows), data.draw(rows), data.draw(rows)
    modified -= unseen
    stored = cold.drop(index=sorted(unseen)).copy()
    stale = sorted(modified)
    if stale:  # the same ids with older values
        text = "step_identifier" if name == "survey_answers" else "value"
        stored.loc[stale, text] = "an older value"
    stored = stored.reset_index(drop=True)
    fresh = cold.iloc[sorted(unseen | modified | overlap)].reset_index(drop=True)
    plan = plan_for(lookup_kind(name))
    assert plan is not None
    merged = upsert(lookup_kind(name), plan, stored, fresh)
    pd.testing.assert_frame_equal(merged, cold)
    if not unseen and not modified:
        assert merged is stored  # nothing changed: the stored frame as it is, not rewritten
