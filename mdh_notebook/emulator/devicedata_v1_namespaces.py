"""The generators of device data v1, one per namespace, driven day by day.

A participant has points in a namespace only when ``Participant.sources`` has it. What every
namespace shares (its own RNG, the observation window, engagement, the delay to the server) is
``devicedata_v1_base.Namespace``; the namespaces themselves (types in ``V1_TYPES``; names and
properties as MyDataHelps' own UI reads them where it shows them, else plausible) are the
wearables (``devicedata_v1_wearables``: Fitbit, AppleHealth, GoogleFit, Garmin) and the
environment and readings (``devicedata_v1_readings``: AirNowApi, WeatherBit, Omron, Project).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from .cohort import Participant
from .declarations import GenContext
from .devicedata_v1 import PointRow
from .devicedata_v1_base import Namespace
from .devicedata_v1_readings import AirNow, Omron, Project, WeatherBit
from .devicedata_v1_wearables import AppleHealth, Fitbit, Garmin, GoogleFit
from .isotime import to_ms

__all__ = ["NAMESPACES", "generate_device_data"]

NAMESPACES: tuple[type[Namespace], ...] = (Project, Fitbit, AppleHealth, GoogleFit, AirNow, WeatherBit, Garmin, Omron)
"""One generator class per v1 namespace, in the reference's order."""

_Day = Callable[[dt.date, int, int], None]


def generate_device_data(ctx: GenContext, participant: Participant) -> list[PointRow]:
    """Every v1 point of one participant, in the namespaces their ``sources`` include (any order).
    ``ctx.pace`` is called once per generated day."""
    sources = [cls(ctx, participant) for cls in NAMESPACES if cls.name in participant.sources]
    if not sources:
        return []
    days: list[_Day] = [source.day for source in sources]
    tz = participant.tz
    for day in ctx.days():
        ctx.pace()
        midnight = to_ms(dt.datetime.combine(day, dt.time(), tz))
        next_midnight = to_ms(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz))
        for generate_day in days:
            generate_day(day, midnight, next_midnight)
    return [row for source in sources for row in source.rows]
