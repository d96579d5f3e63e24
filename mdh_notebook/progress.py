"""A progress bar for long pulls: ``tqdm.auto`` (a widget in Jupyter, text in a terminal).

A pull shows a bar once more than :data:`SHOW_AFTER_PAGES` pages have come and more are to
come, counting records (with the total when the server sends one: page-number kinds, Apple
Health's ``totalResults``). ``progress=None`` (the default) means: in Jupyter, or when stderr
is a terminal; ``True`` always; ``False`` never. ``TQDM_DISABLE=1`` in the environment turns
every bar off, ``True`` included (the notebook tests set it so no bar reaches checked output). It
is read here, at each pull: ``tqdm.notebook`` passes ``disable=`` itself and so ignores the
variable, and tqdm reads it only once, at import.

:meth:`PageProgress.note` puts a line in the bar's postfix while one is shown (a rate-limit wait:
"waiting 42 s for participant 'PT-0001''s rate-limit budget …"); the next page clears it.

A bar is safe to tell from several threads (a time-sliced pull's workers note their rate-limit
waits while the caller's thread counts pages): one lock around the bar.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

from .paging import PagerState

__all__ = ["SHOW_AFTER_PAGES", "PageProgress", "interactive", "switched_off"]

SHOW_AFTER_PAGES = 2


def switched_off() -> bool:
    """Whether ``TQDM_DISABLE`` is set (to anything but an empty, ``0``, ``false`` or ``no`` value)."""
    return os.environ.get("TQDM_DISABLE", "").strip().lower() not in ("", "0", "false", "no")


def interactive() -> bool:
    """Whether someone watches: an IPython kernel (Jupyter) or a terminal on stderr."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    if shell is not None and getattr(shell, "kernel", None) is not None:
        return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stderr
        return False


class PageProgress:
    """Told of every page (:meth:`update`); shows a bar only for a long pull. A context manager."""

    def __init__(self, label: str, enabled: bool | None = None) -> None:
        self.label = label
        self.enabled = not switched_off() and (interactive() if enabled is None else bool(enabled))
        self.bar: Any = None
        self._noted = False
        self._lock = threading.Lock()

    def update(self, state: PagerState, page_records: int) -> None:
        if not self.enabled:
            return
        with self._lock:
            self._update(state, page_records)

    def _update(self, state: PagerState, page_records: int) -> None:
        if self.bar is None:
            if state.done or state.pages <= SHOW_AFTER_PAGES:
                return
            from tqdm.auto import tqdm  # lazy: only a long pull pays for it

            self.bar = tqdm(total=state.total, initial=state.records, desc=self.label, unit=" records",
                            leave=False)
            return
        if state.total is not None and self.bar.total != state.total:
            self.bar.total = state.total
        if self._noted:
            self.bar.set_postfix_str("", refresh=False)
            self._noted = False
        self.bar.update(page_records)

    def note(self, text: str) -> None:
        """Show ``text`` beside the bar (when one is shown) until the next page arrives."""
        with self._lock:
            if self.bar is not None:
                self.bar.set_postfix_str(text)
                self._noted = True

    def close(self) -> None:
        with self._lock:
            if self.bar is not None:
                self.bar.close()
                self.bar = None

    def __enter__(self) -> PageProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
