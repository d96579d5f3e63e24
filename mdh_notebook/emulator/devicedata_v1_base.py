"""What every device data v1 namespace shares: ``Namespace``, one namespace's points for one
participant, and the small helpers its generators use (``draw_int``, ``MINUTE`` / ``HOUR`` / ``DAY``).

Every namespace draws from an RNG of its own (``devicedata-v1/<namespace>/<participant>``). PT-0001
wears every source reliably from the first day of the window; other participants wear theirs on a
share of days of their own, and a few connected a source only partway through the window (not
Fitbit, whose data starts at enrollment on every endpoint). Nothing is
observed before enrollment (or before the source was connected) or at or after withdrawal; a point
reaches the server (``insertedDate``) after it is complete, by a delay typical of its source
(``Namespace.lag``), and a few are modified later.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Mapping
from typing import Any, ClassVar

from .cohort import Participant
from .declarations import GenContext
from .devicedata_v1 import EMPTY, PointRow, guid_key
from .isotime import to_ms

__all__ = ["DAY", "HOUR", "MINUTE", "Namespace", "draw_int"]

MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR
_MASK = (1 << 128) - 1


def draw_int(rng: random.Random, low: int, high: int) -> int:
    """``rng.randint(low, high)``, several times quicker (a float draw; the bias is immaterial here)."""
    return low + int(rng.random() * (high - low + 1))


class Namespace:
    """One namespace's points for one participant; ``day`` is called for every day of the window."""

    name: ClassVar[str]
    lag: ClassVar[tuple[int, int]] = (2 * MINUTE, 3 * HOUR)  # delay from completion to the server
    linked_late: ClassVar[bool] = True  # some participants connected the source partway through

    def __init__(self, ctx: GenContext, participant: Participant) -> None:
        self.rng = rng = ctx.rng("devicedata-v1", self.name, participant.index)
        self.participant = participant
        self.tz = participant.tz
        self.rows: list[PointRow] = []
        reliable = participant.index == 0
        self.engagement = 0.96 if reliable else rng.uniform(0.5, 0.95)
        start_ms = to_ms(dt.datetime.combine(ctx.start, dt.time(), self.tz))
        span = (ctx.end - ctx.start).days + 1
        connected = start_ms
        if self.linked_late and not reliable and span > 10 and rng.random() < 0.25:  # linked the source partway through
            connected += draw_int(rng, 5, span // 2) * DAY
        self.first_ms = max(participant.enrollment_ms, connected)
        self.last_ms = math.inf if participant.withdraw_ms is None else participant.withdraw_ms
        self.lag_low, self.lag_span = self.lag[0], self.lag[1] - self.lag[0]
        demographics = participant.demographics or {}
        self.city = demographics.get("city")
        self.zip = demographics.get("postalCode")
        self.setup(ctx)

    def setup(self, ctx: GenContext) -> None:
        """Per-participant baselines (called once, before the first day)."""

    def day(self, day: dt.date, midnight: int, next_midnight: int) -> None:
        raise NotImplementedError

    def worn(self) -> bool:
        return self.rng.random() < self.engagement

    def emit(self, type_: str, value: str, obs: int, *, start: int | None = None, complete: int | None = None,
             units: str | None = None, identifier: str | None = None, properties: Mapping[str, str] = EMPTY,
             source: Mapping[str, Any] | None = None, context: str | None = None) -> None:
        """Add one point observed at ``obs`` (epoch ms), complete at ``complete`` (default ``obs``)."""
        if (obs if start is None else start) < self.first_ms or obs >= self.last_ms:
            return
        # one draw: the id (128 bits), the rendering style (16), the delay to the server (24), whether
        # it was modified later (8, ~6 %) and when (24)
        bits = self.rng.getrandbits(200)
        inserted = (obs if complete is None else complete) + \
            (self.lag_low + ((bits >> 144 & 0xFFFFFF) * self.lag_span >> 24)) // 10 * 10
        modified = inserted
        if bits >> 168 & 0xFF < 15:
            modified += MINUTE + ((bits >> 176) * 2 * DAY >> 24) // 10 * 10
        self.rows.append(PointRow(self.name, type_, value, obs * 1000, None if start is None else start * 1000,
                                  inserted * 1000, modified * 1000, guid_key(bits & _MASK), identifier, units,
                                  properties or None, source, context, bits >> 128 & 0xFFFF, self.tz))

    def at(self, midnight: int, minutes: float) -> int:
        """The instant ``minutes`` after local midnight, to the second."""
        return midnight + int(minutes * 60) * 1000

