"""Rate-limit budgets: what the server said is left of a bucket (``RateLimit-*`` headers), and the
words for waiting on one or for one spent beyond ``rate_limit_wait``. Split from
:mod:`mdh_notebook.retry`, which applies them (and re-exports these names): stamina does not read
``RateLimit-Reset``, so the retry loop asks a :class:`Budget` before each try.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import httpx

from .errors import RateLimitError

__all__ = ["SPEND_LESS", "Budget", "RateLimit", "clock_time", "spent_error"]


@dataclass(frozen=True)
class RateLimit:
    """The budget the server reported on its last response (``reset`` in seconds)."""

    limit: int
    remaining: int
    reset: int

    @classmethod
    def from_headers(cls, headers: httpx.Headers) -> RateLimit | None:
        try:
            return cls(int(headers["RateLimit-Limit"]), int(headers["RateLimit-Remaining"]),
                       int(headers["RateLimit-Reset"]))
        except (KeyError, ValueError):
            return None


def clock_time(at: float) -> str:
    """``14:05:10 UTC+02:00`` style: the local wall clock, which a notebook user reads."""
    moment = datetime.fromtimestamp(at, timezone.utc).astimezone()
    offset = moment.utcoffset() or timedelta(0)
    hours, rest = divmod(int(offset.total_seconds()) // 60, 60)
    zone = "UTC" if not offset else f"UTC{'+' if offset >= timedelta(0) else '-'}{abs(hours):02d}:{rest:02d}"
    return f"{moment:%H:%M:%S} {zone}"


SPEND_LESS = ("to spend fewer requests: fetch narrower date ranges or fewer kinds (start=/end=, filters), keep the "
              "frames you already have instead of fetching them again, and for minute-level device data ask "
              "device_data_aggregate() (one row per interval) instead of every point")


class Budget:
    """One rate-limit bucket as its last response described it: the service account's (admin
    calls, one per project) or one participant's (delegated calls). The server says
    ``RateLimit-Remaining`` and ``RateLimit-Reset`` (seconds) on every answer; when the last one
    said 0 left, the next request waits for the reset (within ``rate_limit_wait``) instead of
    provoking a 429. Thread-safe."""

    def __init__(self, owner: str) -> None:
        self.owner = owner  # "the service account", "participant 'PT-0001'"
        self._lock = threading.Lock()
        self._last: RateLimit | None = None
        self._returns_at: float | None = None  # clock time the spent budget comes back; None = not spent

    def __repr__(self) -> str:
        return f"Budget({self.owner!r}, last={self._last!r})"

    @property
    def last(self) -> RateLimit | None:
        return self._last

    def update(self, limits: RateLimit, now: float) -> None:
        with self._lock:
            self._last = limits
            self._returns_at = now + limits.reset if limits.remaining <= 0 else None

    def spent_for(self, now: float) -> float | None:
        """Seconds until the spent budget returns; None when it is not known to be spent."""
        with self._lock:
            if self._returns_at is None:
                return None
            if now >= self._returns_at:
                self._returns_at = None
                return None
            return self._returns_at - now

    def waited(self) -> None:
        """The wait is over: send (the next answer says how the budget stands)."""
        with self._lock:
            self._returns_at = None

    def _described(self) -> str:
        per_hour = f" ({self._last.limit} requests per hour)" if self._last else ""
        return f"the rate-limit budget of {self.owner}{per_hour}"

    def waiting_note(self, seconds: float, now: float, cap: float) -> str:
        return (f"waiting {seconds:.0f} s for {self._described()} to return (at {clock_time(now + seconds)}; "
                f"rate_limit_wait={cap:g} s)")

    def spent_text(self, seconds: float, now: float, cap: float) -> str:
        return (f"{self._described()} is spent; it returns at {clock_time(now + seconds)} (resets in {seconds:.0f} s), "
                f"later than rate_limit_wait={cap:g} s allows waiting — pass a larger rate_limit_wait= to wait it "
                f"out, or {SPEND_LESS}; or ask for a higher limit (the sandbox takes --rate-limit)")


def spent_error(budget: Budget, seconds: float, now: float, cap: float, *, method: str, path: str,
                status_code: int = 429, sent: bool = True) -> RateLimitError:
    """The :class:`RateLimitError` for a budget that returns later than ``cap`` (``sent=False``: refused
    before sending, as the last answer said nothing is left; else for a 429)."""
    limit = budget.last.limit if budget.last else None
    return RateLimitError(budget.spent_text(seconds, now, cap), status_code=status_code, method=method,
                          path="/" + path.lstrip("/"), limit=limit, reset=int(seconds + 0.999), sent=sent)
