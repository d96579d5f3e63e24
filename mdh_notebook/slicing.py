"""Time-sliced parallel paging: one long pull of a kind that filters by time, fetched as several
slices at once over the client's one ``httpx.Client``, joined in API order (issue 8).

How a pull is sliced (:meth:`mdh_notebook.client.Client.frame` with ``parallel`` > 1):

1. Page 1 of the whole range comes first, alone: a pull that fits in one page costs one request,
   as it does paged one after another.
2. Only when page 1 has a next page is the rest of the range cut into slices, on the filter whose
   field orders the pages (the catalogue's ``Kind.slicing`` and ``Kind.order``, read by
   :func:`spec_of`; survey answers are ordered by when they were stored, so they are sliced on
   ``insertedAfter/Before``, not on their ``date``). The rest starts at page 1's last record;
   the split points come from the bound the caller gave, or the client's clock for an open one,
   and a density guess from page 1 — which only affects balance, never correctness. An open
   bound stays open in the last slice. The split points are not moved once set: an open upper
   bound is split up to the client's clock, so for data that stopped long before now (a
   participant who stopped syncing months ago) nearly every row falls in the first slice, paged
   one after another, and each empty slice costs one request — nothing lost, only the speed-up;
   give the upper bound (``observed_before=``, ``inserted_before=``: the last day with data) and
   the slices share the rows.
3. Each slice is paged to its end by its own :class:`~mdh_notebook.paging.Pager`, at most
   ``parallel`` at once (a ``concurrent.futures`` pool); pages reach the caller's thread through a
   queue, so ``on_page`` and the progress bar are told from the thread that called ``frame``.
4. The filters are strict (after/before exclusive), and rows share instants (to the millisecond,
   many at one): each slice asks from :data:`OVERLAP` before its edge, and the join cuts from its
   head the rows ordered before the edge (the slice before it had them, by the same strict
   bound); at page 1's edge, of the rows at exactly that instant, those page 1 already had (by id
   when the records have one, else by count: the server's order within one instant does not
   depend on the filters). No row is lost or doubled; the joined rows are the sequential pull's,
   in its order. The join rests on the API's order, so page 1 and every slice are checked to come
   in it on the sliced field (:func:`in_order`): a page 1 out of order goes on page after page; a
   slice out of order throws the slices away and goes on page after page from page 1's cursor
   (a resumed sliced state, which has none to go on from, raises, naming ``Client(parallel=1)``).

Requests stay at the minimum: records ÷ page size, plus at most one per slice (each slice's last,
partly filled page; the overlap adds a row or two at an edge, not pages).

What is sliced and why (declared in the catalogue, mdh_notebook/kinds; the API's order per kind —
the reference says "most recent first" for v1 device data only; the rest is the sandbox's
documented choice where the reference is silent): v1 device data is most recent first by
``observationDate`` (sliced downwards, only when the caller bounds ``observed_after``: a point
without an observation date is left out by any observed filter, so an unbounded pull is not cut by
one); v2 device data ascending by ``observationDate``; survey answers and results by
``insertedDate``; notifications by ``sentDate``. Not sliced: Fitbit and Apple Health (their
``startDate``/``endDate`` may be calendar dates, or inclusive, on the real API — the reference does
not say — so a cut at a time of day could double or lose rows at an edge), the aggregates and
daily sleep (an interval cut in two would be two partial aggregates), kinds ordered by something
their filters do not bound (tasks, inbox, files, participants), and anything not paged by cursor.
"""

from __future__ import annotations

import math
import queue
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from .errors import MDHError
from .filters import format_instant
from .kinds import Kind
from .paging import Pager, PagerState, SliceState
from .retry import reworded
from .stopping import stop_on

__all__ = ["OVERLAP", "WORTH", "Slicing", "in_order", "join", "out_of_order", "plan", "run",
           "slice_params", "slicing_for", "spec_of", "stopped_slice"]

OVERLAP = 1_000_000
"""How far (microseconds: one second) before its edge a slice asks from: the strict filters would
otherwise leave out the rows at the edge, and a server reading bounds to the second loses none."""

WORTH = 0.3
"""Seconds the rest of a pull must be expected to take (page 1's round trip × the pages it predicts)
before it is cut (``Client(slice_above=)``). Slices hide waiting — network latency, a server that
serves requests side by side; a pull whose pages come back in a few milliseconds has little to
hide, and each slice costs a request more (its part-filled last page). Measured against the sandbox
in its own process (benchmarks/, one Python server): 25 pages of survey answers at ~3.5 ms a page
took ~80 ms in sequence and ~105 ms as four bare-httpx slices at once (the round trip grew from 3 to
13 ms), while heart-rate pages of ~20 ms, or any page behind 30 ms of latency, gain from slicing."""

SLICES_PER_WORKER = 2  # more slices balance uneven data better; each may cost one part-filled page
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_US = timedelta(microseconds=1)


@dataclass(frozen=True)
class Slicing:
    """How one kind is sliced: its lower and upper time filters (catalogue names), the record
    fields (wire keys, the first present one) holding the instant its pages are ordered by, and
    the direction. ``needs_after``: slice only when the caller gave the lower bound (v1 device data,
    and any descending kind: the lower end is where the split points start)."""

    after: str
    before: str
    fields: tuple[str, ...]
    descending: bool = False
    needs_after: bool = False


def spec_of(kind: Kind) -> Slicing | None:
    """How ``kind`` is sliced, from its catalogue declarations: ``Kind.slicing`` (the filters) and
    the first part of ``Kind.order`` (the instant its pages are ordered by, as wire keys, and the
    direction); None when it declares no slicing."""
    declared = kind.slicing
    if declared is None or not kind.order:
        return None
    part, wires = kind.order[0], {column.name: column.wire for column in kind.columns}
    return Slicing(declared.after, declared.before, tuple(wires[name] for name in part.columns),
                   descending=not part.ascending, needs_after=declared.needs_after)


def slicing_for(kind: Kind, params: Mapping[str, str]) -> Slicing | None:
    """How ``kind`` is sliced with these (wire) query parameters; None: paged one after another."""
    spec = spec_of(kind)
    if spec is None or kind.paging.style != "cursor":
        return None
    after, before = kind.param(spec.after), kind.param(spec.before)
    if after is None or before is None:
        return None
    if (spec.needs_after or spec.descending) and after.wire not in params:
        return None
    return spec


def instant(text: object) -> int | None:
    """An ISO-8601 date-time (or date) as microseconds since the epoch; without an offset it is UTC,
    as the API means it; None when it is not one."""
    if not isinstance(text, str):
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return (value - _EPOCH) // _US


def record_instant(record: Mapping[str, Any], spec: Slicing) -> int | None:
    for name in spec.fields:
        value = record.get(name)
        if value is not None:
            return instant(value)
    return None


def in_order(spec: Slicing, records: Sequence[Mapping[str, Any]]) -> bool:
    """Whether ``records`` come in the kind's order on the sliced field (ties allowed): the join
    rests on it, and the reference documents the order for v1 device data only. A record naming no
    instant counts as out of order (a time filter would leave it out of every slice)."""
    sign, last = (-1 if spec.descending else 1), None
    for record in records:
        at = record_instant(record, spec)
        if at is None or (last is not None and (at - last) * sign < 0):
            return False
        last = at
    return True


def out_of_order(kind: Kind, spec: Slicing) -> MDHError:
    """The error of a sliced pull whose slice came out of order, when it cannot go on page after page."""
    return MDHError(f"{kind.name}: the server sent a time slice's rows out of {'/'.join(spec.fields)} order, so the "
                    "slices cannot be joined in the API's order; fetch it page after page: Client(parallel=1)")


def _wire(us: int) -> str:
    return format_instant(_EPOCH + timedelta(microseconds=us))


def plan(spec: Slicing, kind: Kind, params: Mapping[str, str], head: Sequence[Mapping[str, Any]], *,
         now: float, parallel: int, page_seconds: float = math.inf, worth: float = 0.0) -> tuple[SliceState, ...]:
    """The slices of the rest of a pull whose page 1 is ``head`` (not done); () when it is not worth
    cutting (a page or two left, by page 1's density, or the pages left × ``page_seconds``, page
    1's own HTTP round trip, within ``worth`` seconds: see :data:`WORTH`; ``worth`` 0 cuts whenever
    it can, infinity never) or cannot be (page 1's last record
    names no instant): then it goes on page after page, from page 1's cursor."""
    after_param, before_param = kind.param(spec.after), kind.param(spec.before)
    assert after_param is not None and before_param is not None  # slicing_for checked
    low = instant(params.get(after_param.wire))
    high = instant(params.get(before_param.wire))
    edge = record_instant(head[-1], spec) if head else None
    first = record_instant(head[0], spec) if head else None
    if edge is None or not in_order(spec, head):  # a page 1 out of order: page after page, as the API sends it
        return ()
    sign = -1 if spec.descending else 1
    # the far end of the rest: the caller's bound; else (ascending only) the client's clock
    far = (low if spec.descending else high)
    if far is None:
        far = int(now * 1_000_000)
    span = (far - edge) * sign
    covered = (edge - first) * sign if first is not None else 0
    pages_left = span / covered if covered > 0 else math.inf  # page 1 covered `covered` µs
    if math.isinf(worth) or (worth > 0 and pages_left * page_seconds <= worth):  # 0: cut whenever it can be
        return ()  # (inf × 0 is nan: not <=, so a crowded page 1 is cut)
    count = max(1, min(SLICES_PER_WORKER * parallel, int(pages_left // 2) if pages_left < math.inf else 10**9))
    points = [edge]
    for k in range(1, count):
        point = edge + sign * (span * k // count)
        point -= point % 1_000_000  # on a whole second: the bounds a server reads to the second are exact
        if (point - points[-1]) * sign > 0 and (far - point) * sign > 0:
            points.append(point)
    if len(points) < 2:  # one slice would be page after page, with a page more at its end
        return ()
    at_edge = 0
    for record in reversed(head):
        if record_instant(record, spec) != edge:
            break
        at_edge += 1
    slices = []
    bounds: tuple[str | None, str | None]
    for k, point in enumerate(points):
        near = point - sign * OVERLAP  # the strict bound a second before the edge
        nxt = points[k + 1] if k + 1 < len(points) else None
        if spec.descending:
            upper = min(near, high) if high is not None else near
            lower = nxt if nxt is not None else low
            bounds = (_wire(lower) if lower is not None else None, _wire(upper))
        else:
            lower_us = max(near, low) if low is not None else near
            upper_us = nxt if nxt is not None else high
            bounds = (_wire(lower_us), _wire(upper_us) if upper_us is not None else None)
        # the slice's own pager state: its kind; the query hash is set by the pager that runs it
        slices.append(SliceState(after=bounds[0], before=bounds[1], cut=point, skip=at_edge if k == 0 else 0,
                                 state=PagerState(kind=kind.name)))
    return tuple(slices)


def slice_params(spec: Slicing, kind: Kind, params: Mapping[str, str], piece: SliceState) -> dict[str, str]:
    """The query parameters of one slice: the pull's, with the slice's bounds."""
    after_param, before_param = kind.param(spec.after), kind.param(spec.before)
    assert after_param is not None and before_param is not None
    sent = dict(params)
    for wire, value in ((after_param.wire, piece.after), (before_param.wire, piece.before)):
        if value is None:
            sent.pop(wire, None)
        else:
            sent[wire] = value
    return sent


def join(spec: Slicing, head: Sequence[dict[str, Any]], slices: Sequence[SliceState]) -> list[dict[str, Any]]:
    """Page 1's records, then each slice's from where its rows are its own: the sequential order."""
    joined = list(head)
    sign = -1 if spec.descending else 1
    for piece in slices:
        rows = piece.state.rows
        start = 0
        while start < len(rows):  # the head before the edge: the slice before had these
            at = record_instant(rows[start], spec)
            if at is None or (at - piece.cut) * sign >= 0:
                break
            start += 1
        if piece.skip:  # the rows at page 1's edge that page 1 had
            had = head[len(head) - piece.skip:]
            ids = {r.get("id") for r in had}
            by_id = None not in ids
            end = start
            while end < len(rows) and record_instant(rows[end], spec) == piece.cut:
                end += 1
            at_edge = rows[start:end]
            if by_id:
                joined.extend(r for r in at_edge if r.get("id") not in ids)
            else:
                skipped = min(piece.skip, len(at_edge))
                joined.extend(at_edge[skipped:])
            start = end
        joined.extend(rows[start:] if start else rows)
    return joined


Page = Callable[[int, list[dict[str, Any]], tuple[SliceState, ...]], None]


def run(slices: tuple[SliceState, ...], pager_for: Callable[[SliceState], Pager], workers: int,
        on_page: Page) -> tuple[tuple[SliceState, ...], int, MDHError | None]:
    """Page every slice not yet done to its end, at most ``workers`` at once; ``on_page(index,
    records, slices)`` is called in this (the caller's) thread after each page. Returns the slices
    with their states and rows, and the index and error of the first slice that failed (the others
    stop after the page they are on, keeping what came: the state resumes each where it stopped).
    A failure or an interrupt (Ctrl-C) sets the workers' stop event (:func:`~mdh_notebook.stopping.stop_on`):
    slices not started are cancelled, a worker in a rate-limit wait wakes and one between retries
    sends no more, so the pull returns with its error once the requests in flight are answered."""
    states = list(slices)
    rows = [list(piece.state.rows) for piece in slices]
    inbox: queue.SimpleQueue[tuple[int, list[dict[str, Any]] | None, PagerState | None, BaseException | None]]
    inbox = queue.SimpleQueue()
    stop = threading.Event()

    def work(index: int) -> None:
        try:
            if stop.is_set():
                return
            pager = pager_for(states[index])
            with stop_on(stop):  # a stop wakes this worker's rate-limit wait and sends no try after it
                for page in pager.pages:
                    inbox.put((index, page, pager.state, None))
                    if stop.is_set():
                        return
        except BaseException as exc:  # handed to the caller's thread, raised there
            inbox.put((index, None, None, exc))
        finally:
            inbox.put((index, None, None, None))

    todo = [i for i, piece in enumerate(slices) if not piece.state.done]
    failed, error, bug = -1, None, None
    pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(todo) or 1)), thread_name_prefix="mdh-slice")
    try:
        for index in todo:
            pool.submit(work, index)
        running = len(todo)
        while running:
            index, page, state, exc = inbox.get()
            if exc is not None:
                if isinstance(exc, MDHError) and error is None and bug is None:
                    failed, error = index, exc
                elif bug is None and not isinstance(exc, MDHError):
                    bug = exc
                stop.set()
            elif page is None and state is None:
                running -= 1
            elif page is not None and state is not None:
                rows[index].extend(page)
                states[index] = replace(states[index], state=state)
                if error is None and bug is None:
                    on_page(index, page, tuple(states))
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
    if bug is not None:
        raise bug
    done = tuple(replace(piece, state=replace(piece.state, rows=tuple(rows[i]))) for i, piece in enumerate(states))
    return done, failed, error


def stopped_slice(error: MDHError, state: PagerState, index: int) -> MDHError:
    """``error`` of one slice, saying which and what the pull keeps, with the state to resume from."""
    piece = state.slices[index]
    bounds = f"{piece.after or 'open'} to {piece.before or 'open'}"
    rows = f"{state.records} row{'s' if state.records != 1 else ''} ({state.pages} pages)"
    text = (f"{error} [{state.kind}: slice {index + 1} of {len(state.slices)} ({bounds}) failed at its page "
            f"{piece.state.pages + 1}; {rows} had arrived and are kept — the same call with "
            "resume=exc.pager_state goes on from where each slice stopped]")
    stopped = reworded(error, text)
    stopped.pager_state = state
    return stopped
