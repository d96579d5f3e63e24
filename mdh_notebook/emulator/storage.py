"""Rows of every (participant, collection), generated on first use and kept, sorted by the
collection's sort key; writes change them.

Each (participant, collection) is one ``Table``, generated under its own lock (so a long
generation holds up nobody else, and two requests never generate the same rows twice). Rows are
copy-on-write: a reader takes the current sorted sequence and its ``stamp`` (a version, unique
across the store's life) without locking, and keeps a consistent view however long it pages; a
write builds the new sequence under the table's lock, checks it (sort keys and, where the
collection has a ``row_id``, ids stay unique), then publishes it once with a new stamp — a write
that is refused changes nothing. So a write costs O(N) and a read nothing extra. The lock is
reentrant: ``update``'s ``change`` may itself read or write the store.

``reset`` forgets every table a write has touched: generation is deterministic, so the next use
regenerates exactly the seeded rows (untouched tables stay, already generated).
"""

from __future__ import annotations

import itertools
import threading
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

from .cohort import Participant
from .declarations import Collection
from .paging import SortKey

__all__ = ["Generate", "Store", "Table"]

Row = TypeVar("Row")
Generate = Callable[[Collection[Any], Participant], Sequence[Any]]


#: Inserting up to this many rows at once places each by bisection; more are merged by a sort.
_FEW = 1000


def _check_key(key: SortKey, name: str) -> None:
    if type(key) is not tuple or not all(isinstance(v, (int, float, str)) for v in key):
        raise TypeError(f"{name}: a sort key must be a flat tuple of ints, floats and strings, got {key!r}")


def _sorted_unique(rows: Sequence[Row], sort_key: Callable[[Row], SortKey], name: str) -> list[Row]:
    """``rows`` sorted by ``sort_key`` (O(N) when they already are); a repeated key is a ValueError."""
    keys = [sort_key(row) for row in rows]
    if keys:
        _check_key(keys[0], name)
    if all(a < b for a, b in itertools.pairwise(keys)):
        return list(rows)
    order = sorted(range(len(rows)), key=keys.__getitem__)
    for a, b in itertools.pairwise(order):
        if keys[a] == keys[b]:
            raise ValueError(f"{name}: two rows share the sort key {keys[a]!r}; tie-break with an id or ordinal")
    return [rows[i] for i in order]


class Table(Generic[Row]):
    """The rows of one (participant, collection). Readers use ``snapshot`` / ``rows``; writers
    hold ``lock``."""

    def __init__(self, collection: Collection[Row], stamps: Iterator[int]) -> None:
        self.collection = collection
        self.lock = threading.RLock()  # reentrant: an update's change() may use the store
        self._stamps = stamps
        self._state: tuple[Sequence[Row], int] = ((), 0)  # replaced whole: readers see rows and stamp together
        self.ready = False
        self.written = False
        self._ids: dict[str, Row] | None = None

    @property
    def rows(self) -> Sequence[Row]:
        return self._state[0]

    def snapshot(self) -> tuple[Sequence[Row], int]:
        return self._state

    def _publish(self, rows: Sequence[Row]) -> None:
        self._state = (rows, next(self._stamps))
        self.ready = True

    def fill(self, rows: Sequence[Row]) -> None:
        self._publish(_sorted_unique(rows, self.collection.sort_key, self.collection.name))

    # -- writes (callers hold ``lock``) --------------------------------------------------------
    def ids(self) -> dict[str, Row]:
        if self._ids is None:
            row_id = self.collection.row_id
            if row_id is None:
                raise TypeError(f"{self.collection.name}: finding rows by id needs the collection's row_id")
            self._ids = {row_id(row): row for row in self.rows}
        return self._ids

    def _check_new_ids(self, added: Sequence[Row], leaving: Row | None = None) -> None:
        """Refuse rows whose id is stored already (except ``leaving``'s, being replaced) or repeats."""
        row_id = self.collection.row_id
        if row_id is None:
            return
        ids, seen = self.ids(), set()
        for row in added:
            ident = row_id(row)
            stored = ids.get(ident)
            if ident in seen or (stored is not None and stored is not leaving):
                raise ValueError(f"{self.collection.name}: a row with the id {ident!r} is already stored")
            seen.add(ident)

    def insert(self, new: Sequence[Row]) -> None:
        name, sort_key = self.collection.name, self.collection.sort_key
        added = _sorted_unique(new, sort_key, name)
        self._check_new_ids(added)
        rows = list(self.rows)
        for row in added:
            key = sort_key(row)
            index = bisect_left(rows, key, key=sort_key)
            if index < len(rows) and sort_key(rows[index]) == key:
                raise ValueError(f"{name}: a row with the sort key {key!r} is already stored")
            if len(added) <= _FEW:
                rows.insert(index, row)
        if len(added) > _FEW:
            rows = sorted([*rows, *added], key=sort_key)  # two sorted runs: O(N + M log M)
        row_id = self.collection.row_id
        if self._ids is not None and row_id is not None:
            self._ids.update((row_id(row), row) for row in added)
        self.written = True
        self._publish(rows)

    def remove(self, row: Row) -> None:
        sort_key = self.collection.sort_key
        rows = self.rows
        index = bisect_left(rows, sort_key(row), key=sort_key)
        if index == len(rows) or rows[index] is not row:
            raise LookupError(f"{self.collection.name}: that row is not stored")
        row_id = self.collection.row_id
        if self._ids is not None and row_id is not None:
            self._ids.pop(row_id(row), None)
        self.written = True
        self._publish([*rows[:index], *rows[index + 1 :]])

    def replace(self, old: Row, new: Row) -> None:
        """``new`` in place of ``old`` (it may sort elsewhere), checked first, published once."""
        name, sort_key = self.collection.name, self.collection.sort_key
        rows = self.rows
        index = bisect_left(rows, sort_key(old), key=sort_key)
        if index == len(rows) or rows[index] is not old:
            raise LookupError(f"{name}: that row is not stored")
        key = sort_key(new)
        _check_key(key, name)
        rest = [*rows[:index], *rows[index + 1 :]]
        at = bisect_left(rest, key, key=sort_key)
        if at < len(rest) and sort_key(rest[at]) == key:
            raise ValueError(f"{name}: a row with the sort key {key!r} is already stored")
        self._check_new_ids([new], leaving=old)
        rest.insert(at, new)
        row_id = self.collection.row_id
        if self._ids is not None and row_id is not None:
            self._ids.pop(row_id(old), None)
            self._ids[row_id(new)] = new
        self.written = True
        self._publish(rest)


class Store:
    """Every table, created and generated on first use (``generate(collection, participant)``)."""

    def __init__(self, generate: Generate) -> None:
        self._generate = generate
        self._tables: dict[tuple[str, str], Table[Any]] = {}
        self._guard = threading.Lock()
        self._stamps = itertools.count(1)

    def table(self, participant: Participant, collection: Collection[Row]) -> Table[Row]:
        """The table, generated now (under its own lock) if this is its first use."""
        key = (participant.id, collection.name)
        table = self._tables.get(key)
        if table is None:
            with self._guard:
                table = self._tables.get(key)
                if table is None:
                    table = Table(collection, self._stamps)
                    self._tables[key] = table
        if not table.ready:
            with table.lock:
                if not table.ready:
                    table.fill(self._generate(collection, participant))
        return table

    def rows(self, participant: Participant, collection: Collection[Row]) -> Sequence[Row]:
        """The rows as they stand, sorted by the collection's sort key (never changed in place)."""
        return self.table(participant, collection).rows

    def snapshot(self, participant: Participant, collection: Collection[Row]) -> tuple[Sequence[Row], int]:
        """The rows and their stamp (changes with every write; cursors remember it)."""
        return self.table(participant, collection).snapshot()

    def get(self, participant: Participant, collection: Collection[Row], row_id: str) -> Row | None:
        table = self.table(participant, collection)
        with table.lock:
            return table.ids().get(row_id)

    def insert(self, participant: Participant, collection: Collection[Row], rows: Iterable[Row]) -> None:
        """Add rows (their sort keys, and ids where the collection has a ``row_id``, must be new:
        else a ValueError, and nothing is added); they land in sort order."""
        table = self.table(participant, collection)
        new = list(rows)
        with table.lock:
            table.insert(new)

    def delete(self, participant: Participant, collection: Collection[Row], row_id: str) -> Row | None:
        """Remove the row with this id; returns it, or None if there is none."""
        table = self.table(participant, collection)
        with table.lock:
            row = table.ids().get(row_id)
            if row is not None:
                table.remove(row)
            return row

    def update(self, participant: Participant, collection: Collection[Row], row_id: str,
               change: Callable[[Row], Row]) -> Row | None:
        """Replace the row with this id by ``change(row)`` (which may move it in the sort order, and
        may use the store); returns the new row, or None if there is none. A new row whose sort key
        or id another row has is a ValueError, and the old row stays."""
        table = self.table(participant, collection)
        with table.lock:
            old = table.ids().get(row_id)
            if old is None:
                return None
            new = change(old)
            table.replace(old, new)  # a LookupError if change() itself removed it
            return new

    def put(self, participant: Participant, collection: Collection[Row], row: Row) -> Row | None:
        """Store ``row`` in place of the row with its id, or add it: one write under the lock (two
        concurrent puts of one id never both add). Returns the row replaced, or None."""
        row_id = collection.row_id
        if row_id is None:
            raise TypeError(f"{collection.name}: put finds the row by id and needs the collection's row_id")
        table = self.table(participant, collection)
        with table.lock:
            old = table.ids().get(row_id(row))
            if old is None:
                table.insert([row])
            else:
                table.replace(old, row)
            return old

    def generated(self, participant: Participant, collection: Collection[Any]) -> bool:
        table = self._tables.get((participant.id, collection.name))
        return table is not None and table.ready

    def reset(self) -> None:
        """Forget every table a write touched (the next use regenerates its seeded rows)."""
        with self._guard:
            for key in [k for k, t in self._tables.items() if t.written]:
                del self._tables[key]
