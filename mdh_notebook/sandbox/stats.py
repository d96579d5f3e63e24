"""Request / response / token counters for the control plane (thread-safe)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

__all__ = ["Stats"]


class Stats:
    GRANTS = ("client_credentials", "delegated_participant")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: Counter[str] = Counter()
        self._responses: Counter[str] = Counter()
        self._tokens: Counter[str] = Counter()

    def record(self, request_key: str, status: int) -> None:
        with self._lock:
            self._requests[request_key] += 1
            self._responses[str(status)] += 1

    def token_issued(self, grant: str) -> None:
        with self._lock:
            self._tokens[grant] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": dict(sorted(self._requests.items())),
                "responses": dict(sorted(self._responses.items())),
                "tokens_issued": {grant: self._tokens.get(grant, 0) for grant in self.GRANTS},
            }

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._responses.clear()
            self._tokens.clear()
