"""Configuration of the sandbox emulator: one frozen, validated value object."""

from __future__ import annotations

import dataclasses
import datetime
import math
from collections.abc import Sequence
from typing import Any, TypeGuard

from .cors import check_origin

__all__ = ["SandboxConfig", "SandboxConfigError"]


class SandboxConfigError(ValueError):
    """A ``SandboxConfig`` field given a bad value: ``field`` names it and ``expected`` says what it
    takes, so that the CLI can name its own option instead."""

    def __init__(self, field: str, expected: str, value: object) -> None:
        super().__init__(f"SandboxConfig.{field} must be {expected}, got {value!r}")
        self.field = field
        self.expected = expected
        self.value = value


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> TypeGuard[float]:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)) and math.isfinite(value)


@dataclasses.dataclass(frozen=True)
class SandboxConfig:
    """Everything that shapes one sandbox instance.

    The synthetic data depends only on ``seed``, ``participants``, ``days`` and ``end_date``
    (fixed by default so outputs are reproducible). Lifetimes are in seconds; rate limits are
    requests per hourly window (delegated: per participant, admin: per project). ``cors_origins``:
    the origins whose pages may call the API (``None``: any loopback origin; ``"*"``: any).
    """

    host: str = "127.0.0.1"
    port: int = 0
    seed: int = 0
    participants: int = 12
    days: int = 90
    end_date: datetime.date = datetime.date(2026, 10, 31)
    service_token_lifetime: float = 3600
    participant_token_lifetime: float = 3600
    rate_limit: int = 10000
    admin_rate_limit: int = 10000
    max_assertion_lifetime: float = 900
    clock_skew: float = 30
    service_account: str = "MyDataHelps.Sandbox.ServiceAccount"
    cors_origins: Sequence[str] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.cors_origins, (list, tuple)):  # kept as a tuple: the config stays hashable
            object.__setattr__(self, "cors_origins", tuple(self.cors_origins))
        self._check(isinstance(self.host, str) and self.host.strip() != "", "host", "a non-empty string")
        self._check(_is_int(self.port) and 0 <= self.port <= 65535, "port", "an integer in 0..65535")
        self._check(_is_int(self.seed), "seed", "an integer")
        self._check(
            _is_int(self.participants) and 1 <= self.participants <= 9999,
            "participants",
            "an integer in 1..9999",
        )
        self._check(_is_int(self.days) and 1 <= self.days <= 3660, "days", "an integer in 1..3660")
        self._check(
            isinstance(self.end_date, datetime.date) and not isinstance(self.end_date, datetime.datetime),
            "end_date",
            "a datetime.date",
        )
        for name in ("service_token_lifetime", "participant_token_lifetime", "max_assertion_lifetime"):
            value = getattr(self, name)
            self._check(_is_number(value) and value > 0, name, "a positive number of seconds")
        for name in ("rate_limit", "admin_rate_limit"):
            value = getattr(self, name)
            self._check(_is_int(value) and value >= 1, name, "an integer >= 1 (requests per hour)")
        self._check(
            _is_number(self.clock_skew) and 0 <= self.clock_skew <= 600,
            "clock_skew",
            "a number of seconds in 0..600",
        )
        self._check(
            isinstance(self.service_account, str) and self.service_account.strip() != "",
            "service_account",
            "a non-empty string",
        )
        self._check(
            self.cors_origins is None
            or (isinstance(self.cors_origins, tuple) and all(check_origin(o) for o in self.cors_origins)),
            "cors_origins",
            "None (any loopback origin) or a list of origins such as 'http://localhost:8888' (no path) or '*'",
        )

    def _check(self, ok: bool, field: str, expected: str) -> None:
        if not ok:
            raise SandboxConfigError(field, expected, getattr(self, field))

    def replace(self, **changes: Any) -> SandboxConfig:
        """A copy with ``changes`` applied (validated again); unknown names raise ValueError."""
        known = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError(f"unknown SandboxConfig field(s): {', '.join(unknown)}")
        return dataclasses.replace(self, **changes)
