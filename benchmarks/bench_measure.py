"""What the benchmark rows are measured with: the floor, the quickstart baseline, best-of timing,
peak memory, and a transport that counts the client's requests.

The *floor* is the least any client could do: bare httpx paging, sequential, the body decoded by
the stdlib ``json`` and the records kept in a list, nothing else. The *quickstart* baseline is the
notebook code an analyst would otherwise write: the same paging, then ``pd.json_normalize`` and
``pd.to_datetime`` on the date columns. One run of the baseline *is* a floor run followed by the
conversion, so both are timed from the same run (the floor sample is its paging part).
"""

from __future__ import annotations

import gc
import json
import statistics
import threading
import time
import tracemalloc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import pandas as pd

__all__ = ["CountingTransport", "Floor", "FloorRun", "best_of", "peak_bytes", "quickstart_frame", "timed"]


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds ``fn`` took, and what it returned (garbage collected first, so one run's garbage is
    not collected in the next one's time)."""
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    return min(timed(fn)[0] for _ in range(repeat))


def peak_bytes(fn: Callable[[], Any]) -> int:
    """The peak of memory allocated while ``fn`` runs (tracemalloc; what existed before is not counted)."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def quickstart_frame(records: Sequence[Mapping[str, Any]], dates: Sequence[str]) -> pd.DataFrame:
    """What an analyst writes from the quickstart: flatten, then parse the date columns."""
    frame = pd.json_normalize(list(records))
    for column in dates:
        if column in frame:
            frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame


@dataclass
class FloorRun:
    records: list[dict[str, Any]]
    seconds: float
    page_seconds: list[float]  # each page's round trip (request, response read, decode)

    @property
    def requests(self) -> int:
        return len(self.page_seconds)

    @property
    def median_page_ms(self) -> float:
        return statistics.median(self.page_seconds) * 1000


@dataclass
class Floor:
    """Bare paging of one endpoint with one participant token, sequential, stdlib json."""

    raw: httpx.Client
    path: str
    items_key: str
    params: Mapping[str, Any]
    size_param: str = "limit"
    size: int = 100

    def run(self) -> FloorRun:
        records: list[dict[str, Any]] = []
        pages: list[float] = []
        params: dict[str, Any] = {**self.params, self.size_param: self.size}
        start = time.perf_counter()
        while True:
            sent = time.perf_counter()
            body = json.loads(self.raw.get(self.path, params=params).content)
            pages.append(time.perf_counter() - sent)
            records += body[self.items_key]
            if not body.get("nextPageID"):
                return FloorRun(records, time.perf_counter() - start, pages)
            params["pageID"] = body["nextPageID"]


@dataclass
class CountingTransport(httpx.BaseTransport):
    """httpx's own transport, counting requests per path and the first pages (no ``pageID``):
    a sliced pull asks for one first page per slice. A fake at the transport, no patching."""

    inner: httpx.BaseTransport = field(default_factory=httpx.HTTPTransport)
    requests: dict[str, int] = field(default_factory=dict)
    first_pages: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.lstrip("/")
        with self._lock:
            self.requests[path] = self.requests.get(path, 0) + 1
            if "pageid" not in {key.lower() for key in request.url.params}:
                self.first_pages[path] = self.first_pages.get(path, 0) + 1
        return self.inner.handle_request(request)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.first_pages.clear()

    def close(self) -> None:
        self.inner.close()
