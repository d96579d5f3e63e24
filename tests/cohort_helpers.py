"""What the cohort tests share: the frame of participants read one after another, and a transport
that counts the requests in flight."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import httpx
import pandas as pd

import mdh_notebook as mdh
from mdh_notebook import frames

__all__ = ["InFlight", "joined", "one_after_another", "with_identifier"]


def with_identifier(frame: pd.DataFrame, identifier: str) -> pd.DataFrame:
    """``frame`` with ``participant_identifier`` (as the cohort states it) first."""
    frame = frame.drop(columns="participant_identifier", errors="ignore")
    frame.insert(0, "participant_identifier", pd.array([identifier] * len(frame), dtype="string"))
    return frame


def one_after_another(config: mdh.Config, identifiers: Sequence[str], kind: str, scopes: Sequence[str],
                      **filters: Any) -> pd.DataFrame:
    """Each participant's frame of ``kind``, read by a session of their own one after another, then joined."""
    parts = []
    with mdh.Client(config) as client:
        for identifier in identifiers:
            session = client.connect(identifier, scopes)
            parts.append(with_identifier(session.fetch(kind, progress=False, **filters), identifier))
    return joined(kind, parts)


def joined(kind: str, parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Frames of one kind joined as the package joins them (``frames.concat_frames``: categoricals unioned)."""
    concat = getattr(frames, "concat_frames", None)
    if concat is not None:
        frame: pd.DataFrame = concat(kind, parts)
        return frame
    return pd.concat(list(parts), ignore_index=True)


class InFlight(httpx.BaseTransport):
    """httpx's own transport, counting requests in flight: ``peak`` is the most there ever were at once
    (token requests included — everything the client sends goes through here)."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self._lock = threading.Lock()
        self.now = 0
        self.peak = 0
        self.sent = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.now += 1
            self.sent += 1
            self.peak = max(self.peak, self.now)
        try:
            response = self._inner.handle_request(request)
            response.read()  # the whole answer arrives while the request is counted
            return response
        finally:
            with self._lock:
                self.now -= 1

    def close(self) -> None:
        self._inner.close()
