"""How one v2 type becomes one participant's series: ``TypeSpec`` (a namespace, a type, its
builder, units and wire style), what a builder reads (``Source``: the participant's signals from
``devicedata_v2_signals`` and an RNG of the type's own) and returns (``Parts``), and
``generate_series``, which clips the parts to enrollment and withdrawal, sorts them, and draws
when each point reached the server and its ids. The builders are in ``devicedata_v2_builders``,
the table of every (namespace, type) in ``devicedata_v2_types``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import cached_property
from typing import Any

import numpy as np

from .cohort import Participant
from .declarations import GenContext
from .devicedata_v2_series import Floats, Ints, Objects, Series, Style
from .devicedata_v2_signals import MINUTE_MS, Grid, Wearable, numpy_rng, wearable
from .kept import Kept

__all__ = ["Builder", "Parts", "Source", "TypeSpec", "generate_series"]


_BODIES: Kept[Wearable] = Kept(4)


def _body(ctx: GenContext, participant: Participant) -> Wearable:
    """The participant's signals, remembered for the last few participants: every type of every
    namespace reads them, and they are a pure function of this key (so a miss only costs time)."""
    key = (ctx.seed, ctx.start, ctx.end, participant.id, participant.index, participant.tz_name,
           participant.enrollment_ms, participant.withdraw_ms)
    return _BODIES.get(key, lambda: wearable(ctx, participant))


class Source:
    """What a builder reads for one participant: the signals (made on first use) and its RNGs."""

    def __init__(self, ctx: GenContext, participant: Participant, key: str) -> None:
        self.ctx, self.participant, self.key = ctx, participant, key
        self.rng = numpy_rng(ctx.seed, "v2-type", key, participant.index)

    @cached_property
    def body(self) -> Wearable:
        return _body(self.ctx, self.participant)

    @property
    def grid(self) -> Grid:
        return self.body.grid

    def ms(self, minute: Ints | int) -> Any:
        return self.grid.t0_ms + np.asarray(minute, dtype=np.int64) * MINUTE_MS


@dataclasses.dataclass
class Parts:
    """What a builder returns (arrays in any order; ``generate_series`` sorts them)."""

    obs_ms: Ints
    number: Floats | None = None
    text: Objects | None = None
    start_ms: Ints | None = None
    props: dict[str, Objects] = dataclasses.field(default_factory=dict)
    props_of: Callable[[int, Ints], dict[str, Any]] | None = None  # (i, order) -> properties
    source_codes: Ints | None = None
    naive_day: bool = False  # day-level instants at UTC midnight of the day, offset 0
    synced_ms: Ints | None = None  # when each point could first be synced (default: its observation)
    late_update: float = 0.0  # share of points modified again after insertion


Builder = Callable[[Source], Parts]


@dataclasses.dataclass(frozen=True)
class TypeSpec:
    namespace: str
    type: str
    build: Builder
    units: str | None
    decimals: int = 0
    sources: tuple[dict[str, str], ...] = ()
    style: Style = dataclasses.field(default_factory=Style)
    retention_days: int | None = None

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.type}"



def generate_series(spec: TypeSpec, ctx: GenContext, participant: Participant) -> Series:
    """The participant's points of ``spec`` (the caller checks the participant has the source)."""
    src = Source(ctx, participant, spec.key)
    parts = spec.build(src)
    number = parts.number if parts.number is not None else np.full(parts.obs_ms.size, np.nan)
    number = np.asarray(np.round(number.astype(np.float64), spec.decimals), dtype=np.float64)
    order = np.lexsort((np.arange(parts.obs_ms.size), parts.obs_ms)).astype(np.int64)
    p = participant
    first = parts.obs_ms if parts.start_ms is None else np.minimum(parts.start_ms, parts.obs_ms)
    inside = first[order] >= p.enrollment_ms
    if p.withdraw_ms is not None:
        inside &= parts.obs_ms[order] < p.withdraw_ms
    order = order[inside]  # nothing before enrollment or after withdrawal
    n = int(order.size)
    obs = parts.obs_ms[order]
    start = parts.start_ms[order] if parts.start_ms is not None else None
    if parts.naive_day:
        obs_off = np.zeros(n, dtype=np.int64)
    else:
        obs_off = src.grid.offset_at(obs - 1) if start is not None else src.grid.offset_at(obs)
    start_off = src.grid.offset_at(start) if start is not None else None
    rng = src.rng
    gaps = rng.integers(15 * MINUTE_MS, 90 * MINUTE_MS, (src.grid.minutes // 15) + 200)
    syncs = src.grid.t0_ms + np.cumsum(gaps)
    ready = parts.synced_ms[order] if parts.synced_ms is not None else obs
    inserted_ms = syncs[np.minimum(np.searchsorted(syncs, ready), syncs.size - 1)]
    inserted_us = np.maximum(inserted_ms, ready) * 1000 + rng.integers(0, 1_000_000, n)
    late = rng.random(n) < parts.late_update
    modified_us = inserted_us + np.where(late, rng.integers(60 * 1_000_000, 6 * 3600 * 1_000_000, n), 0)
    props_of = None
    if parts.props_of is not None:
        build_props = parts.props_of
        props_of = lambda i: build_props(i, order)  # noqa: E731
    codes = parts.source_codes[order] if parts.source_codes is not None else (
        np.zeros(n, dtype=np.int64) if spec.sources else None)
    return Series(
        namespace=spec.namespace, type=spec.type, participant_id=participant.id,
        participant_identifier=participant.identifier, units=spec.units, obs_ms=obs, obs_off=obs_off,
        start_ms=start, start_off=start_off, number=number[order],
        text=parts.text[order] if parts.text is not None else None, decimals=spec.decimals,
        inserted_us=inserted_us, modified_us=modified_us, ids=rng.bytes(16 * n), identifier_bytes=rng.bytes(16 * n),
        uuid_identifiers=spec.namespace == "AppleHealth",
        props={key: column[order] for key, column in parts.props.items()}, props_of=props_of,
        source_codes=codes, sources=spec.sources, style=spec.style,
    )
