"""Results kept for reuse: a small thread-safe table of the most recently used results of a pure
function, keyed by everything the result depends on (so a miss only costs time, never truth)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["Kept"]

V = TypeVar("V")


class Kept(Generic[V]):
    """The last ``size`` results, by key; ``get`` makes a missing one outside the lock (two threads
    may both make it: the result is the same, the later one is kept)."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"Kept needs a size of at least 1, not {size}")
        self._size = size
        self._found: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        with self._lock:
            if key in self._found:
                self._found.move_to_end(key)
                return self._found[key]
        value = make()
        with self._lock:
            self._found[key] = value
            self._found.move_to_end(key)
            while len(self._found) > self._size:
                self._found.popitem(last=False)
        return value

    def __len__(self) -> int:
        with self._lock:
            return len(self._found)
