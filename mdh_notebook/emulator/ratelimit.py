"""Hourly fixed-window request budgets, one bucket per key (project, participant, anonymous caller).

A bucket's window opens at its first request and lasts ``window`` seconds of sandbox-clock time.
"""

from __future__ import annotations

import dataclasses
import math
import threading

from .clock import Clock

__all__ = ["RateLimiter", "RateState"]


@dataclasses.dataclass(frozen=True)
class RateState:
    limit: int
    remaining: int
    reset: int
    allowed: bool

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
        }


class RateLimiter:
    def __init__(self, clock: Clock, window: float = 3600.0) -> None:
        self._clock = clock
        self._window = window
        self._buckets: dict[tuple[str, str], tuple[float, int]] = {}  # key -> (window start, used)
        self._lock = threading.Lock()

    def _window_of(self, key: tuple[str, str], now: float) -> tuple[float, int]:
        """(window start, used) for ``key`` at ``now``; a lapsed window starts afresh. Call under the lock."""
        start, used = self._buckets.get(key, (now, 0))
        return (now, 0) if now >= start + self._window else (start, used)

    def _state(self, start: float, used: int, now: float, limit: int, allowed: bool) -> RateState:
        reset = max(0, math.ceil(start + self._window - now))
        return RateState(limit=limit, remaining=max(0, limit - used), reset=reset, allowed=allowed)

    def hit(self, key: tuple[str, str], limit: int) -> RateState:
        """Spend one request from ``key``'s budget (unless it is already spent)."""
        now = self._clock.now()
        with self._lock:
            start, used = self._window_of(key, now)
            allowed = used < limit
            if allowed:
                used += 1
            self._buckets[key] = (start, used)
        return self._state(start, used, now, limit, allowed)

    def peek(self, key: tuple[str, str], limit: int) -> RateState:
        """``key``'s budget as it stands, without spending from it (or opening a window)."""
        now = self._clock.now()
        with self._lock:
            start, used = self._window_of(key, now)
        return self._state(start, used, now, limit, used < limit)

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
