"""A pull's pages read for its frame while the next page is on its way (:class:`PageReader`).

Paging spends most of its time waiting for the server; :class:`~mdh_notebook.frames.FrameBuilder`
can read a page's text columns as soon as the page arrives. :meth:`Client.frame` gives each page to a
:class:`PageReader`, which reads it on one worker thread of its own while the caller's thread sends
the request for the next page (the socket wait releases the GIL), so that what is left for the end is
the part of the conversion that needs every record at once. A reader given one page only, as the last
(a pull of one page), reads it in the caller's thread: no thread is started for it.

Pages are read in the order given, one at a time, each as it was when given (the reader keeps its own
copy of the page's list). Nothing on the worker thread warns or reports: every
:class:`~mdh_notebook.frames.DataWarning` is raised by :meth:`PageReader.frame`, in the caller's thread,
as :func:`~mdh_notebook.frames.to_frame` raises it — and so is any error: a page the worker could not
read leaves every record to be read in the caller's thread, where the same error, if it is one, is
raised in its place. A pull that stops (an error, a Ctrl-C) leaves the reader to be closed: pages not
read yet are dropped, and the rows kept on the error (``exc.pager_state.rows``) are the records, never
the reader's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
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

    def __enter__(self) -> PageReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, page: Sequence[Mapping[str, Any]], *, last: bool = False) -> None:
        """One page of the pull, in order; ``last``: no page follows it (a pull of one page is read in
        the caller's thread, at once)."""
        page = tuple(page)  # as it is now: the caller's list may grow (a resumed pull's rows)
        if self._pool is None:
            if last:
                self._read(page)
                return
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mdh-frame")
        self._pool.submit(self._read, page)

    def _read(self, page: Sequence[Mapping[str, Any]]) -> None:
        try:
            self.builder.add(page)
        except Exception:  # not arrow's refusals (those are taken): the caller's thread reads it all again
            self.builder.read_whole()  # and raises or reports what it must, as to_frame does

    def frame(self, rows: Sequence[Mapping[str, Any]], *, tz: str | None = None) -> pd.DataFrame:
        """The frame of ``rows``, every page given to :meth:`add` (in order): what ``to_frame`` returns."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        return self.builder.frame(rows, tz=tz)

    def close(self) -> None:
        """Stop reading: pages not read yet are dropped (the pull is over without its frame); the page
        being read, if any, is let finish (a page's read takes well under a millisecond), so that the
        worker has ended when this returns."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
