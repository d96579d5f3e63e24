"""A pull's pages read for its frame while the request for the next page is on its way (:class:`PageReader`).

Paging spends most of its time waiting for the server; :class:`~mdh_notebook.frames.FrameBuilder`
can read a page's text columns as soon as the page has arrived. :meth:`Client.frame` gives each page
to a :class:`PageReader`, which keeps it until the next request has been sent: :meth:`read_waiting`
is called then (``Client.request(..., while_waiting=)``, through httpcore's ``trace`` extension, as
it starts to wait for the response), and reads the pages given since — in the caller's thread, while
the server works on the next page. What is left for the end is the last page and the part of the
conversion that needs every record at once. No thread is started: there is nothing to race, to
cancel, or to wait for, and the GIL is never fought over.

A page is read as it was when given (the reader keeps its own copy of the list), in the order given.
Nothing is reported while a request waits: every :class:`~mdh_notebook.frames.DataWarning` is raised
by :meth:`PageReader.frame`, as :func:`~mdh_notebook.frames.to_frame` raises it — and so is any error:
a page that could not be read leaves every record to be read by :meth:`frame`, where the same error,
if it is one, is raised in its place (never inside the request; only a ``BaseException``, a Ctrl-C,
goes through, and stops the request as it would anywhere). A pull that stops drops its reader with the
pages not read yet; the rows kept on the error (``exc.pager_state.rows``) are the records, never the
reader's. A transport that does not pass httpcore's ``trace`` extension on (a test's
``httpx.MockTransport``) never calls :meth:`read_waiting`: every page is then read by :meth:`frame`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from .frames import FrameBuilder
from .kinds import Kind

__all__ = ["PageReader"]


class PageReader:
    """Pages of one pull read for its frame while the next request waits (see the module)."""

    def __init__(self, kind: Kind | str) -> None:
        self.builder = FrameBuilder(kind)
        self._pending: deque[tuple[Mapping[str, Any], ...]] = deque()

    def add(self, page: Sequence[Mapping[str, Any]]) -> None:
        """One page of the pull, in order: read at the next :meth:`read_waiting` (or by :meth:`frame`)."""
        self._pending.append(tuple(page))  # as it is now: the caller's list may grow (a resumed pull's rows)

    def read_waiting(self) -> None:
        """Read the pages given so far (called while a request waits for its answer)."""
        while self._pending:
            page = self._pending.popleft()
            try:
                self.builder.add(page)
            except Exception:  # not arrow's refusals (those are taken): never fail the request it waits in;
                self.builder.read_whole()  # frame() reads every record, raising or reporting what it must

    def frame(self, rows: Sequence[Mapping[str, Any]], *, tz: str | None = None) -> pd.DataFrame:
        """The frame of ``rows``, every page given to :meth:`add` (in order): what ``to_frame`` returns."""
        self.read_waiting()
        return self.builder.frame(rows, tz=tz)
