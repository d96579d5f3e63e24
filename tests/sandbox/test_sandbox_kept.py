"""The kept-results table the emulator's generators share (``emulator.kept.Kept``): a result is
made once while it is among the last ``size`` used, and made again after it dropped out."""

from __future__ import annotations

from collections import OrderedDict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdh_notebook.emulator.kept import Kept


@given(size=st.integers(1, 4), keys=st.lists(st.integers(0, 6), max_size=40))
def test_kept_makes_a_result_only_when_it_is_not_among_the_last_used(size: int, keys: list[int]) -> None:
    kept: Kept[tuple[int, int]] = Kept(size)
    model: OrderedDict[int, None] = OrderedDict()
    made: list[int] = []
    for n, key in enumerate(keys):
        def make(key: int = key, n: int = n) -> tuple[int, int]:
            made.append(key)
            return key, n

        before = len(made)
        value = kept.get(key, make)
        if key in model:  # a hit: the value made earlier, nothing made now
            assert value[0] == key and value[1] < n and len(made) == before
        else:
            assert value == (key, n) and made[before:] == [key]
        model[key] = None
        model.move_to_end(key)
        while len(model) > size:
            model.popitem(last=False)
        assert len(kept) == len(model)
    assert len(made) == _misses(size, keys)


def _misses(size: int, keys: list[int]) -> int:
    recent: list[int] = []
    misses = 0
    for key in keys:
        if key in recent:
            recent.remove(key)
        else:
            misses += 1
        recent.append(key)
        del recent[:-size]
    return misses


def test_kept_needs_room_for_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Kept(0)
