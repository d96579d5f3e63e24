"""Request / response / token / fault / CORS counters for the control plane, and request activity
for background work (thread-safe)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

from .cors import CORS_SEEN
from .faults import KINDS

__all__ = ["Activity", "Stats"]


class Activity:
    """Requests in flight, so background work can keep out of their way (it shares the GIL).

    ``wait_quiet`` returns once no request has been in flight for ``quiet`` seconds.
    """

    def __init__(self, quiet: float = 0.05) -> None:
        self._quiet = quiet
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._in_flight = 0
        self._last_end = -float("inf")

    def begin(self) -> None:
        with self._lock:
            self._in_flight += 1

    def end(self) -> None:
        with self._lock:
            self._in_flight -= 1
            self._last_end = time.monotonic()
            self._changed.notify_all()

    def wait_quiet(self, stop: threading.Event | None = None) -> bool:
        """Block until the server has been idle for ``quiet`` seconds (True) or ``stop`` is set
        (False; checked at least every ``quiet`` seconds)."""
        with self._lock:
            while stop is None or not stop.is_set():
                if self._in_flight == 0:
                    idle = time.monotonic() - self._last_end
                    if idle >= self._quiet:
                        return True
                    self._changed.wait(self._quiet - idle)
                else:
                    self._changed.wait(self._quiet)
        return False


class Stats:
    GRANTS = ("client_credentials", "delegated_participant")
    FAULTS = KINDS
    CORS = CORS_SEEN

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: Counter[str] = Counter()
        self._responses: Counter[str] = Counter()
        self._tokens: Counter[str] = Counter()
        self._faults: Counter[str] = Counter()
        self._cors: Counter[str] = Counter()

    def record(self, request_key: str, status: int) -> None:
        with self._lock:
            self._requests[request_key] += 1
            self._responses[str(status)] += 1

    def token_issued(self, grant: str) -> None:
        with self._lock:
            self._tokens[grant] += 1

    def fault_injected(self, kind: str) -> None:
        with self._lock:
            self._faults[kind] += 1

    def cors_seen(self, kind: str) -> None:
        with self._lock:
            self._cors[kind] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": dict(sorted(self._requests.items())),
                "responses": dict(sorted(self._responses.items())),
                "tokens_issued": {grant: self._tokens.get(grant, 0) for grant in self.GRANTS},
                "faults_injected": {kind: self._faults.get(kind, 0) for kind in self.FAULTS},
                "cors": {kind: self._cors.get(kind, 0) for kind in self.CORS},
            }

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._responses.clear()
            self._tokens.clear()
            self._faults.clear()
            self._cors.clear()
