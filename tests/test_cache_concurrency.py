"""Sessions in threads sharing one cache: no file is ever corrupt, a reader never sees a partial
one, and every session gets the frame a plain fetch returns."""

from __future__ import annotations

import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
from suite import config_for

import mdh_notebook as mdh
from mdh_notebook.cache import Site
from mdh_notebook.cache_files import FileProblem, read_frame
from mdh_notebook.kinds import kind

FILTERS = {"namespace": "Fitbit"}


def test_threads_on_one_participant_and_kind_never_corrupt_the_file(sandbox: Any, tmp_path: Path) -> None:
    config = config_for(sandbox)
    with mdh.connect("PT-0003", ["DeviceData:read"], config=config) as plain:
        expected = plain.device_data(progress=False, **FILTERS)
    stop = threading.Event()
    reads: list[int] = []
    problems: list[str] = []

    def reader() -> None:  # outside the lock, as another program might read the file
        paths: list[Path] = []
        while not stop.is_set() and not paths:
            paths = list(tmp_path.rglob("*.parquet"))
        while not stop.is_set():
            try:
                found = read_frame(paths[0], {})
            except FileProblem as exc:
                problems.append(str(exc))
                continue
            if found is not None:
                assert len(found[0]) == len(expected)
                reads.append(1)

    def worker(index: int) -> list[tuple[str, pd.DataFrame]]:
        with mdh.connect("PT-0003", ["DeviceData:read"], config=config, cache_dir=tmp_path) as session:
            out = []
            for step in range(4):  # odd workers refresh every time: many rewrites while others read
                frame = session.device_data(progress=False, refresh=index % 2 == 1 or step == 3, **FILTERS)
                out.append((str(frame.attrs["cache"]), frame))
            return out

    watcher = threading.Thread(target=reader)
    watcher.start()
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = [r for chunk in pool.map(worker, range(4)) for r in chunk]
    finally:
        stop.set()
        watcher.join()
    assert problems == []
    assert reads, "the reader never saw the file: the test proved nothing"
    states = {state for state, _ in results}
    assert "warm" in states and "refresh" in states
    for _, frame in results:
        pd.testing.assert_frame_equal(frame, expected)
    (path,) = tmp_path.rglob("*.parquet")
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temp file left behind


def test_threads_using_the_cache_leave_the_warning_filters_as_they_were(sandbox: Any, tmp_path: Path) -> None:
    """The cache's key encodes the filters again without warning; it never swaps the process-wide
    warning filters (``catch_warnings`` in worker threads leaves an 'ignore' behind, and every later
    DataWarning/CacheWarning/CohortWarning of the notebook would be dropped)."""
    config = config_for(sandbox)
    before = list(warnings.filters)
    ready = threading.Barrier(8)

    def worker(index: int) -> int:
        with mdh.connect("PT-0001", ["SurveyAnswers:read"], config=config, cache_dir=tmp_path) as session:
            session.survey_answers(inserted_after="2020-01-01T00:00:00Z", progress=False)
            session.survey_answers(inserted_after="2020-01-01T00:00:00Z", progress=False)  # warm
            assert session.cache is not None
            site = Site(session.client.base_url, "", session.participant_id)
            ready.wait()
            for day in range(2000):  # where each filter set is kept: the key encodes them, many threads at once
                session.cache.path(site, kind("survey_answers"), {"inserted_after": f"2020-01-01T00:00:{day % 60:02}Z"})
            return index

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert sorted(pool.map(worker, range(8))) == list(range(8))
    assert list(warnings.filters) == before
    with warnings.catch_warnings(record=True) as caught:  # the filters as they are: nothing reset
        mdh.to_frame("fitbit_sleep_logs", [{"startTimestamp": "last tuesday"}])
    assert any(issubclass(w.category, mdh.DataWarning) for w in caught)
