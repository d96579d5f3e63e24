"""A stop event per thread, for requests that should give up once the work they are part of has
stopped: a time-sliced pull (:mod:`mdh_notebook.slicing`) runs its workers under its event, and the
:class:`~mdh_notebook.retry.Sender` checks it before each try and wakes from a rate-limit wait on it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import MDHError

__all__ = ["stop_event", "stop_on", "stopped"]

_stopping = threading.local()  # this thread's stop event (stop_on): a sliced pull's workers have one each


@contextmanager
def stop_on(event: threading.Event) -> Iterator[None]:
    """Inside the block, a request sent from this thread gives up once ``event`` is set: before
    each try (so a retry's backoff, at most ``wait_max``, is the longest it goes on) and during a
    rate-limit wait (woken at once, when the client waits in real time). A time-sliced pull's
    workers run under its stop event, so one failed slice or a Ctrl-C does not wait out the rest."""
    previous = getattr(_stopping, "event", None)
    _stopping.event = event
    try:
        yield
    finally:
        _stopping.event = previous


def stop_event() -> threading.Event | None:
    """This thread's stop event (:func:`stop_on`), if any."""
    event: threading.Event | None = getattr(_stopping, "event", None)
    return event


def stopped(method: str, path: str) -> MDHError | None:
    """The error of a request not sent because this thread's stop event is set; None when it is not."""
    event = stop_event()
    if event is None or not event.is_set():
        return None
    return MDHError(f"{method} /{path.lstrip('/')}: stopped, not sent (the pull it was part of stopped)")
