"""The sandbox clock: wall-clock time plus an adjustable forward offset (the control plane moves it)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["Clock"]


class Clock:
    """``now()`` = ``source()`` + offset. Used for issued-token lifetimes and rate-limit windows.

    ``source`` is injectable so tests of the state layer can drive time explicitly.
    """

    def __init__(self, source: Callable[[], float] = time.time) -> None:
        self._source = source
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._source() + self._offset

    def wall(self) -> float:
        """The unshifted source time (what a client's own clock reads)."""
        return self._source()

    @property
    def offset(self) -> float:
        return self._offset

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += float(seconds)
            return self._offset

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0
