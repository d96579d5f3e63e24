"""Sessions in threads sharing one cache: no file is ever corrupt, a reader never sees a partial
one, and every session gets the frame a plain fetch returns."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
from suite import config_for

import mdh_notebook as mdh
from mdh_notebook.cache_files import FileProblem, read_frame

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
