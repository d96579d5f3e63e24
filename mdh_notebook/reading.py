"""A pull's pages read for its frame while the next page is on its way (:class:`PageReader`).

Paging spends most of its time waiting for the server; :class:`~mdh_notebook.frames.FrameBuilder`
can read a page's text columns as soon as the page arrives. :meth:`Client.frame` gives each page to a
:class:`PageReader`, which reads it on one worker thread of its own while the caller's thread sends
the request for the next page (the socket wait releases the GIL), so that what is left for the end is
the part of the conversion that needs every record at once. A pull of one page is read in the
caller's thread: no thread is started for it.

Pages are read in the order given, one at a time. Nothing on the worker thread warns or reports:
every :class:`~mdh_notebook.frames.DataWarning` is raised by :meth:`PageReader.frame`, in the caller's
thread, as :func:`~mdh_notebook.frames.to_frame` raises it. A pull that stops (an error, a Ctrl-C)
leaves the reader to be closed: pages not read yet are dropped, and the pages kept on the error
(``exc.pager_state.rows``) are the records, never the reader's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pandas as pd

from .frames import FrameBuilder
from .kinds import Kind

__all__ = ["PageReader"]


class PageReader:
    """Pages of one pull read for its frame on a worker thread, as they arrive (see the module)."""

    def __init__(self, kind: Kind | str) -> None:
        self.builder = FrameBuilder(kind)
        self._pool: ThreadPoolExecutor | None = None
        self._reads: list[Future[None]] = []

    def __enter__(self) -> PageReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, page: Sequence[Mapping[str, Any]], *, last: bool = False) -> None:
        """One page of the pull, in order; ``last``: no page follows it (a pull of one page is read in
        the caller's thread, at once)."""
        if self._pool is None:
            if last:
                self.builder.add(page)
                return
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mdh-frame")
        self._reads.append(self._pool.submit(self.builder.add, page))

    def frame(self, rows: Sequence[Mapping[str, Any]], *, tz: str | None = None) -> pd.DataFrame:
        """The frame of ``rows``, every page given to :meth:`add` (in order): what ``to_frame`` returns."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        for read in self._reads:
            read.result()  # a fault in a read (none is expected: arrow's refusals are taken) is raised here
        self._reads.clear()
        return self.builder.frame(rows, tz=tz)

    def close(self) -> None:
        """Stop reading: pages not read yet are dropped (the pull is over without its frame)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        self._reads.clear()
