"""The sandbox clock: wall-clock time plus an adjustable forward offset (the control plane moves it)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

__all__ = ["MAX_OFFSET", "Clock"]

#: The sandbox clock moves at most this far ahead of the wall clock in total (100 years).
MAX_OFFSET = 100 * 365.25 * 86400.0


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
        """Move forward by ``seconds`` (finite, >= 0); the total offset stays within ``MAX_OFFSET``.
        Raises ValueError (leaving the clock unchanged) otherwise."""
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise ValueError("advance must be a number of seconds")
        try:
            step = float(seconds)
        except OverflowError:
            step = math.inf
        if math.isnan(step):
            raise ValueError("advance must be a number of seconds, not NaN")
        if step < 0:
            raise ValueError("advance must be >= 0: the sandbox clock only moves forward")
        with self._lock:
            total = self._offset + step
            if not total <= MAX_OFFSET:
                raise ValueError(
                    f"the sandbox clock can move at most {MAX_OFFSET:.0f} s (100 years) ahead in total; "
                    f"it is already {self._offset:.0f} s ahead"
                )
            self._offset = total
            return self._offset

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0
