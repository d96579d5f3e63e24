"""Each kind's declared row order (``Kind.order``, read by the cache and by slicing) is the order the
sandbox serves: a real pull's rows are sorted by it, checked here row by row, without our sorter."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from suite import config_for

import mdh_notebook as mdh
from mdh_notebook import cache
from mdh_notebook.kinds import KINDS, Kind

#: Narrow pulls (a day or a namespace) where a whole one would be long.
FILTERS: dict[str, dict[str, str]] = {
    "device_data": {"namespace": "Fitbit"},
    "device_data_v2": {"namespace": "Fitbit", "type": "heart-rate", "observed_after": "2026-10-20T00:00:00Z",
                       "observed_before": "2026-10-20T06:00:00Z"},
}
ORDERED = sorted(name for name, entry in KINDS.items() if entry.order)


def _key(row: pd.Series, columns: tuple[str, ...]) -> Any:
    return next((row[c] for c in columns if c in row.index and not pd.isna(row[c])), None)


def _out_of_order(kind: Kind, frame: pd.DataFrame) -> list[int]:
    """Positions of rows the declared order puts before the row above them (a missing value sorts last)."""
    wrong = []
    rows = [row for _, row in frame.iterrows()]
    for i in range(1, len(rows)):
        for part in kind.order:
            a, b = _key(rows[i - 1], part.columns), _key(rows[i], part.columns)
            if a is None or b is None:
                if a is None and b is not None:
                    wrong.append(i)
                if (a is None) != (b is None):
                    break
                continue
            if a == b:
                continue
            if (a < b) != part.ascending:
                wrong.append(i)
            break
    return wrong


def test_every_kind_the_cache_or_slicing_reads_declares_an_order() -> None:
    assert {n for n, k in KINDS.items() if k.incremental or k.slicing} <= set(ORDERED)
    assert ORDERED, "no kind declares an order: the test below proves nothing"


@pytest.mark.parametrize("name", ORDERED)
def test_a_pull_comes_back_in_the_declared_order(sandbox: Any, name: str) -> None:
    entry = KINDS[name]
    frames = []
    for participant in ("PT-0001", "PT-0002", "PT-0003"):
        with mdh.connect(participant, [entry.scope], config=config_for(sandbox)) as session:
            frames.append(session.fetch(name, progress=False, **FILTERS.get(name, {})))
    frame = max(frames, key=len)
    assert len(frame) >= 3, f"{name}: too few rows in the sandbox to check an order"
    assert _out_of_order(entry, frame) == []
    shuffled = frame.sample(frac=1, random_state=1).reset_index(drop=True)
    assert _out_of_order(entry, shuffled), "the check finds nothing out of order in shuffled rows"


def test_the_cache_docstring_table_is_the_catalogue_s() -> None:
    """The "cannot see" table lists the kinds declared incremental (asking with their ``after``
    filter's wire name) and those declared uncached, and no other kind by name."""
    doc = cache.__doc__ or ""
    table = doc[doc.index("**What the cache cannot see**"):]
    rows = {line.split()[0].rstrip(","): line.split()[1:] for line in table.splitlines()
            if line[:1].isalpha() and "_" in line.split()[0]}
    listed = {n: rest for n, rest in rows.items() if n in KINDS}
    cached = {n: k for n, k in KINDS.items() if k.incremental}
    assert sorted(n for n in listed if n in cached) == sorted(cached)
    for name, entry in cached.items():
        assert entry.incremental is not None
        param = entry.param(entry.incremental.after)
        assert param is not None and param.wire in listed[name], name
    assert sorted(n for n in listed if KINDS[n].uncached) == sorted(n for n, k in KINDS.items() if k.uncached)
    assert sorted(listed) == sorted([*cached, *(n for n, k in KINDS.items() if k.uncached)])
