"""Fault injection: the network and the proxies in front of the service, misbehaving on purpose.

``POST /_sandbox/faults`` (or ``SandboxServer.set_faults``) sets a ``FaultPlan``; ``FaultMiddleware``
then answers some requests in the service's place:

- ``error``: 500 or 503 (JSON ``{"message"}``, as the service sends) or 502 (an HTML page, as a proxy
  sends);
- ``drop``: the request's body is read (up to ``fault_layer.DROP_DRAIN_LIMIT``, 1 MiB), then the start
  of a 200 response and a few bytes of its body are sent and the connection closes, so a client sees
  a response cut off (httpx: ``RemoteProtocolError``), whatever it reads. Past the limit the unread
  body may make the close a reset instead (httpx: ``ReadError`` / ``WriteError``); every one is an
  ``httpx.TransportError``;
- ``throttle``: 429 with ``RateLimit-Limit``, ``RateLimit-Remaining: 0`` and ``RateLimit-Reset:
  throttle_reset``;
- ``expire``: the answer to an expired token: 401 on an API route, 400 ``invalid_grant`` on a
  delegated grant (a client-credentials grant carries no token: it passes);
- ``latency``: every matching request waits ``latency_ms`` first (less if the server stops meanwhile).

``error_rate``, ``drop_rate``, ``throttle_rate`` and ``expire_rate`` are each in 0..1 and add up to at
most 1 (a 400 otherwise): they are shares of one draw (below), and a request gets at most one kind,
plus the latency.

A faulted request never reaches the service: it spends no rate budget, writes nothing and is left
out of the stats' ``requests`` / ``responses``, counted in ``faults_injected`` instead. The control
plane (``/_sandbox/*``, in any case) is never faulted.

Reproducible schedules: the plan's ``random.Random(seed)`` is drawn once per matching request, the
kinds taking consecutive bands of that draw in a fixed order (error, drop, throttle, expire; an
error's status is where in its band the draw fell), so one seed gives one schedule for sequential
requests.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import random
import re
import threading
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Literal

from .exceptions import shown

__all__ = ["DRAWN", "ERROR_STATUSES", "KINDS", "Decision", "FaultKind", "FaultPlan", "FaultSettings", "InjectedDrop",
           "quiet_injected_drops"]

FaultKind = Literal["error", "drop", "throttle", "expire"]
#: The kinds drawn, in the order their bands are laid out (then ``latency``, which is not drawn).
DRAWN: tuple[FaultKind, ...] = ("error", "drop", "throttle", "expire")
KINDS = (*DRAWN, "latency")
ERROR_STATUSES = (500, 502, 503)

_RATES = tuple(f"{kind}_rate" for kind in DRAWN)
_SETTINGS = ("seed", *_RATES, "latency_ms", "throttle_reset", "paths")
_MAX_LATENCY_MS = 60_000
_MAX_THROTTLE_RESET = 3600
_PLACEHOLDER = re.compile(r"\{[^{}/]*\}")


def _template_key(template: str) -> str:
    """A path template compared as routing compares it: case-insensitive, placeholder names aside."""
    return _PLACEHOLDER.sub("{}", template).lower()


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class InjectedDrop(Exception):
    """Raised after a response has started, so that the server closes the connection mid-response."""


def _not_an_injected_drop(record: logging.LogRecord) -> bool:
    exc = record.exc_info[1] if record.exc_info else None
    return not isinstance(exc, InjectedDrop)


def quiet_injected_drops() -> None:
    """Keep uvicorn from logging a dropped connection we injected as an application error
    (it logs every exception that leaves the app, then closes the connection, which is the point)."""
    logger = logging.getLogger("uvicorn.error")
    if _not_an_injected_drop not in logger.filters:
        logger.addFilter(_not_an_injected_drop)


@dataclasses.dataclass(frozen=True)
class Decision:
    kind: FaultKind | None
    status: int = 0
    latency: float = 0.0  # seconds


@dataclasses.dataclass(frozen=True)
class FaultSettings:
    """One validated plan, and the settings as they were given (what ``GET /_sandbox/faults`` shows)."""

    given: dict[str, Any]
    seed: int = 0
    rates: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0)
    latency_ms: float = 0.0
    throttle_reset: float = 1.0
    paths: frozenset[str] | None = None  # template keys; None = every path

    @classmethod
    def parse(cls, data: object, known_paths: Collection[str]) -> FaultSettings:
        """Validate ``data`` (the JSON body); ValueError naming the first bad key."""
        if not isinstance(data, Mapping):
            raise ValueError('faults must be a JSON object such as {"seed": 1, "error_rate": 0.1} ({} clears them)')
        unknown = [key for key in data if key not in _SETTINGS]
        if unknown:
            raise ValueError(f"unknown fault setting {shown(unknown[0])}; the settings are {', '.join(_SETTINGS)}")
        given: dict[str, Any] = {}
        seed = data.get("seed", 0)
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise ValueError(f"seed must be an integer, got {shown(seed)}")
        if "seed" in data:
            given["seed"] = seed
        rates = []
        for key in _RATES:
            value = data.get(key, 0.0)
            if not _is_number(value) or not 0 <= value <= 1:
                raise ValueError(f"{key} must be a probability: a number in 0..1, got {shown(value)}")
            if key in data:
                given[key] = float(value)
            rates.append(float(value))
        if sum(rates) > 1 + 1e-9:
            raise ValueError(f"{' + '.join(_RATES)} must add up to at most 1, got {sum(rates):g}")
        latency = data.get("latency_ms", 0)
        if not _is_number(latency) or not 0 <= latency <= _MAX_LATENCY_MS:
            raise ValueError(f"latency_ms must be milliseconds in 0..{_MAX_LATENCY_MS}, got {shown(latency)}")
        reset = data.get("throttle_reset", 1)
        if not _is_number(reset) or not 0 <= reset <= _MAX_THROTTLE_RESET:
            raise ValueError(f"throttle_reset must be seconds in 0..{_MAX_THROTTLE_RESET}, got {shown(reset)}")
        for key in ("latency_ms", "throttle_reset"):
            if key in data:
                given[key] = data[key]
        paths = cls._parse_paths(data.get("paths"), known_paths) if "paths" in data else None
        if paths is not None:
            given["paths"] = list(data["paths"])
        return cls(given, seed, tuple(rates), float(latency), float(reset), paths)

    @staticmethod
    def _parse_paths(paths: object, known_paths: Collection[str]) -> frozenset[str]:
        usage = "paths must be a non-empty list of path templates as GET /_sandbox/routes states them"
        if not isinstance(paths, list) or not paths:
            raise ValueError(f"{usage} (leave it out for every path), got {shown(paths)}")
        known = {_template_key(path) for path in known_paths}
        keys = []
        for path in paths:
            if not isinstance(path, str):
                raise ValueError(f"{usage}, got {shown(path)}")
            key = _template_key(path)
            if key not in known:
                raise ValueError(f"paths: {shown(path)} is no route of the sandbox; see GET /_sandbox/routes")
            keys.append(key)
        return frozenset(keys)


class FaultPlan:
    """The faults in force and their random stream; thread-safe. Empty (no faults) until ``set``."""

    def __init__(self, known_paths: Sequence[str]) -> None:
        self._known = tuple(known_paths)
        self._lock = threading.Lock()
        self._settings: FaultSettings | None = None
        self._random = random.Random(0)

    @property
    def active(self) -> bool:
        return self._settings is not None

    @property
    def throttle_reset(self) -> float:
        settings = self._settings
        return settings.throttle_reset if settings else 1.0

    def set(self, data: object) -> dict[str, Any]:
        """Replace the plan by ``data`` (``{}`` clears it); ValueError, the plan unchanged, if invalid.
        Returns the settings as given."""
        settings = FaultSettings.parse(data, self._known)
        with self._lock:
            self._settings = settings if settings.given else None
            self._random = random.Random(settings.seed)
        return dict(settings.given)

    def clear(self) -> None:
        self.set({})

    def current(self) -> dict[str, Any]:
        settings = self._settings
        return dict(settings.given) if settings else {}

    def draw(self, template: str | None) -> Decision | None:
        """The fault for a request whose route template is ``template`` (None: no route matched);
        None when the plan does not apply to it."""
        with self._lock:
            settings = self._settings
            if settings is None:
                return None
            if settings.paths is not None and (template is None or _template_key(template) not in settings.paths):
                return None
            u = self._random.random()
        latency = settings.latency_ms / 1000
        low = 0.0
        for kind, rate in zip(DRAWN, settings.rates, strict=True):
            if u < low + rate:
                status = ERROR_STATUSES[min(2, int((u - low) / rate * 3))] if kind == "error" else 0
                return Decision(kind, status, latency)
            low += rate
        return Decision(None, 0, latency)
