"""The store's writes: refused writes change nothing, a write is published once, ids stay unique,
and an update's change() may use the store."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import Any

import pytest

from mdh_notebook.emulator import SandboxConfig
from mdh_notebook.emulator.declarations import BareArray, Collection
from mdh_notebook.emulator.models import SandboxBackend
from mdh_notebook.emulator.storage import Store

TINY = SandboxBackend(SandboxConfig(participants=1, days=1))
SOMEONE = TINY.participants[0]


@dataclasses.dataclass(frozen=True)
class Row:
    id: str
    at: int


ROWS = [Row("a", 10), Row("b", 20), Row("c", 30)]
ROWS_BY_TIME: Collection[Row] = Collection(
    name="rows", path="api/v1/delegated/rows", scope="x", shape=BareArray(),
    generate=lambda ctx, participant: ROWS, sort_key=lambda row: (row.at,), render=dataclasses.asdict,
    row_id=lambda row: row.id,
)


def _store() -> Store:
    return Store(TINY.generate)


def _ids(store: Store) -> list[str]:
    return [row.id for row in store.rows(SOMEONE, ROWS_BY_TIME)]


def test_an_update_onto_another_rows_sort_key_is_refused_and_keeps_the_row() -> None:
    store = _store()
    before = store.snapshot(SOMEONE, ROWS_BY_TIME)
    with pytest.raises(ValueError, match=r"sort key \(30,\) is already stored"):
        store.update(SOMEONE, ROWS_BY_TIME, "a", lambda row: dataclasses.replace(row, at=30))
    assert store.snapshot(SOMEONE, ROWS_BY_TIME) == before  # same rows, same stamp: nothing was published
    assert store.get(SOMEONE, ROWS_BY_TIME, "a") == Row("a", 10) and _ids(store) == ["a", "b", "c"]
    assert store.delete(SOMEONE, ROWS_BY_TIME, "a") == Row("a", 10)


def test_an_update_is_published_once() -> None:
    """A reader never sees the row missing: the rows go from one version to the next in one step."""
    store = _store()
    rows, stamp = store.snapshot(SOMEONE, ROWS_BY_TIME)
    assert store.update(SOMEONE, ROWS_BY_TIME, "a", lambda row: dataclasses.replace(row, at=25)) == Row("a", 25)
    moved, moved_stamp = store.snapshot(SOMEONE, ROWS_BY_TIME)
    assert moved_stamp == stamp + 1, "one write, one new version"
    assert [r.id for r in moved] == ["b", "a", "c"] and [r.id for r in rows] == ["a", "b", "c"]
    assert store.get(SOMEONE, ROWS_BY_TIME, "a") == Row("a", 25)


def test_a_duplicate_id_is_refused_on_insert() -> None:
    store = _store()
    before = store.snapshot(SOMEONE, ROWS_BY_TIME)
    with pytest.raises(ValueError, match="id 'b' is already stored"):
        store.insert(SOMEONE, ROWS_BY_TIME, [Row("d", 40), Row("b", 50)])
    with pytest.raises(ValueError, match="id 'e' is already stored"):
        store.insert(SOMEONE, ROWS_BY_TIME, [Row("e", 40), Row("e", 50)])
    assert store.snapshot(SOMEONE, ROWS_BY_TIME) == before
    # so what is listed can always be found and deleted by its id
    store.insert(SOMEONE, ROWS_BY_TIME, [Row("d", 40)])
    for ident in _ids(store):
        assert store.get(SOMEONE, ROWS_BY_TIME, ident) is not None
        assert store.delete(SOMEONE, ROWS_BY_TIME, ident) is not None
    assert _ids(store) == []


def test_an_update_may_not_take_another_rows_id_but_may_keep_or_change_its_own() -> None:
    store = _store()
    with pytest.raises(ValueError, match="id 'b' is already stored"):
        store.update(SOMEONE, ROWS_BY_TIME, "a", lambda row: Row("b", 15))
    assert _ids(store) == ["a", "b", "c"]
    store.update(SOMEONE, ROWS_BY_TIME, "a", lambda row: Row("z", 15))
    assert store.get(SOMEONE, ROWS_BY_TIME, "a") is None and store.get(SOMEONE, ROWS_BY_TIME, "z") == Row("z", 15)
    assert _ids(store) == ["z", "b", "c"]


def test_put_replaces_by_id_or_adds() -> None:
    store = _store()
    assert store.put(SOMEONE, ROWS_BY_TIME, Row("b", 35)) == Row("b", 20)
    assert store.put(SOMEONE, ROWS_BY_TIME, Row("d", 5)) is None
    assert _ids(store) == ["d", "a", "c", "b"]


def _without_deadlock(work: Callable[[], Any]) -> Any:
    """``work()`` on another thread; a thread still blocked after a minute is a deadlock (a guard
    against hanging the run, not a timing: the work takes microseconds)."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(work())
        except Exception as exc:  # raised here, on the test's thread
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "deadlock: change() could not use the store while update() held its lock"
    if isinstance(outcome[0], Exception):
        raise outcome[0]
    return outcome[0]


def test_an_updates_change_may_read_and_write_the_store() -> None:
    store = _store()

    def change(row: Row) -> Row:
        assert store.get(SOMEONE, ROWS_BY_TIME, "b") == Row("b", 20)
        store.insert(SOMEONE, ROWS_BY_TIME, [Row("d", 40)])
        return dataclasses.replace(row, at=45)

    assert _without_deadlock(lambda: store.update(SOMEONE, ROWS_BY_TIME, "a", change)) == Row("a", 45)
    assert _ids(store) == ["b", "c", "d", "a"]

    def remove_itself(row: Row) -> Row:
        store.delete(SOMEONE, ROWS_BY_TIME, row.id)
        return row

    with pytest.raises(LookupError, match="not stored"):
        _without_deadlock(lambda: store.update(SOMEONE, ROWS_BY_TIME, "b", remove_itself))
