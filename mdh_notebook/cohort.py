"""Cohorts: the session's read methods over many participants, fetched concurrently, one frame back.

::

    with mdh.cohort(["PT-0001", "PT-0002", "PT-0003"], scopes=["SurveyAnswers:read"]) as group:
        answers = group.survey_answers(survey_name="PHQ-9")   # participant_identifier first
        group.failures                                        # {} when every participant answered

How it is built, and why:

- **One client, one service token** for everyone (credentials resolved exactly as :func:`connect`
  resolves them: arguments > environment > ``.env`` > the embedded sandbox), and **one**
  :class:`ParticipantSession` per participant — its own participant token and its own rate-limit
  budget, as the server keeps one bucket per participant. Sessions are made at :func:`cohort` time
  without a request; each one's first token is fetched by its first read, inside the worker pool,
  so the token requests run concurrently too.
- **One admin listing** finds everyone (the ``participants`` kind, every page of it), whatever
  the cohort's size: not one lookup per participant. Identifiers are participantIdentifiers or
  internal ids (a GUID in any case, braced or not). Every identifier the listing lacks is named in
  one :class:`ParticipantNotFound` before any participant token is requested, with the identifier
  meant when one differs only in case. The same participant given twice (twice by identifier, or
  once by identifier and once by id) is read once, in its first place, with a :class:`CohortWarning`.
- **At most ``workers`` requests in flight** for the whole cohort (token requests included): each
  participant's pull has up to ``client.parallel`` in flight, and the pool has
  ``min(participants, workers // client.parallel)`` threads (at least 1). By default the client is
  made with ``parallel=workers // participants`` (at least 1: page after page), so a cohort of fewer
  participants than workers spends the rest on time slices of each one's pull, and a larger one
  reads participants side by side, each page after page. An explicit ``parallel=`` (at most
  ``workers``) gives each pull that many and the cohort fewer threads: ``workers=8, parallel=4``
  reads two participants at once. A :class:`Cohort` made on a client of your own follows the same
  rule (a client whose ``parallel`` exceeds ``workers`` gets one thread).
- **Ctrl-C stops it**: a ``KeyboardInterrupt`` (or any other exception that is not a participant's
  :class:`MDHError`, from an ``on_page`` hook, say) cancels the participants not yet started, and
  those under way stop at their next page; :meth:`Cohort.fetch` raises it once they have.
- **One thread at a time per cohort**: ``cohort.failures`` is the last call's, replaced by each
  call. The frame carries its own call's too, as text: ``frame.attrs["failures"]`` (identifier →
  ``"ErrorType: message"``; empty when everyone answered).
- **A participant's failure is theirs**: a 403, a 5xx that outlasts the retries, a spent rate
  budget — the others' rows are kept, ``cohort.failures`` maps that participant to the error (with
  its ``pager_state``, to resume their pull on ``cohort.sessions[id]``), and a
  :class:`CohortWarning` names who failed and why. No data is not a failure. When every participant
  fails, :class:`CohortError` is raised: an empty frame would read as "no data". A mistake in the
  call itself (a misspelled filter, a scope the cohort lacks) is raised as it is, once.
- ``tz="local"`` is refused: a frame's column holds one zone, and participants live in several.

An authenticator setup (no service key in this process) cannot list a project's participants, so
:func:`cohort` refuses it with a :class:`ConfigurationError` naming the fix (a service account, or
``connect()`` per participant); it never falls back to the embedded sandbox behind one's back.
"""

from __future__ import annotations

import difflib
import os
import re
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import Any

import httpx
import numpy as np
import pandas as pd

from ._cohort_methods import _CohortMethods, read_kinds
from .auth import RenewalEvent
from .cache import Cache
from .client import Client
from .config import Config, cache_dir_setting
from .connect import locate_authenticator, paging_keywords, resolve_config
from .errors import (
    ClosedError,
    ConfigurationError,
    InvalidArgumentError,
    MDHError,
    ParticipantNotFound,
    ScopeError,
)
from .filters import as_guid
from .frames import concat_frames
from .kinds import Kind
from .kinds import kind as lookup_kind
from .retry import RetryPolicy
from .scopes import validate_scopes
from .session import ParticipantSession

__all__ = ["COLUMN", "Cohort", "CohortError", "CohortWarning", "cohort", "find_participants"]

#: The column naming whose row it is, first in every cohort frame.
COLUMN = "participant_identifier"

#: Errors that are the call's mistake, the same for every participant: raised as they are, once.
_CALL_ERRORS = (InvalidArgumentError, ScopeError, ConfigurationError, ClosedError)

_NEEDS_SERVICE_ACCOUNT = (
    "a cohort lists the project's participants with a service account, and {what}: an authenticator hands out "
    "one participant's tokens, not the project's list — configure a service account (MDH_BASE_URL, RKS_* in the "
    "environment or .env, or config=/private_key=…), or use mdh.connect(participant, scopes, authenticator=URL) "
    "for each participant")


class CohortWarning(UserWarning):
    """Some participants of a cohort read failed (their rows are missing, the others' kept), or the
    cohort was given the same participant twice."""


class CohortError(MDHError):
    """Every participant of a cohort read failed; ``failures`` maps each to its error."""

    def __init__(self, message: str, failures: Mapping[str, MDHError]) -> None:
        self.failures = dict(failures)
        super().__init__(message)


class _Stopped(BaseException):
    """Raised inside a worker at its next page once the cohort's call is stopping (a Ctrl-C, or
    another participant's unexpected exception): not an :class:`Exception`, so nothing on the way
    out mistakes it for a failed request."""


def _checked_workers(workers: object) -> int:
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InvalidArgumentError(f"workers must be a whole number of threads, at least 1, got {workers!r}")
    return workers


def _why(error: BaseException) -> str:
    """The error's whole message on one line: never cut, so the fix it names is always there."""
    return f"{type(error).__name__}: {' '.join(str(error).split())}"


_SHOWN_REASONS = 4  # distinct reasons a summary spells out; the rest are counted (all in cohort.failures)


def _listed(failures: Mapping[str, MDHError]) -> str:
    """Who failed and why, participants failing alike named together with their one reason, each
    reason whole; past a few distinct reasons the rest are counted, not cut mid-sentence."""
    alike: dict[str, list[str]] = {}
    for who, error in failures.items():
        alike.setdefault(_why(error), []).append(who)
    parts = [f"{', '.join(whom)}: {why}" for why, whom in list(alike.items())[:_SHOWN_REASONS]]
    rest = sum(len(whom) for whom in list(alike.values())[_SHOWN_REASONS:])
    if rest:
        parts.append(f"and {rest} more participant{'s' if rest != 1 else ''} failing for other reasons "
                     "(see cohort.failures)")
    return "; ".join(parts)


# -- the lookup -------------------------------------------------------------------------------


def _as_list(identifiers: object) -> list[str]:
    if isinstance(identifiers, (str, uuid.UUID)):
        identifiers = [identifiers]  # one participant: a cohort of one
    if isinstance(identifiers, Mapping) or not isinstance(identifiers, Iterable):
        raise InvalidArgumentError(f"identifiers must be a list of participantIdentifiers or internal ids, such as "
                                   f"['PT-0001', 'PT-0002'], got a {type(identifiers).__name__}")
    given: list[str] = []
    for value in identifiers:
        if isinstance(value, uuid.UUID):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise InvalidArgumentError(f"each identifier must be a participantIdentifier like 'PT-0001' or an "
                                       f"internal id (a GUID), got {value!r}")
        given.append(value.strip())
    if not given:
        raise InvalidArgumentError("a cohort needs at least one participant: cohort(['PT-0001', 'PT-0002'], scopes)")
    return given


def _padless(name: str) -> str:
    """``name`` without case or zero padding: ``'pt-001'``, ``'PT-0001'`` and ``'PT-1'`` are alike."""
    return re.sub(r"\d+", lambda digits: str(int(digits.group())), name.casefold())


def _meant(name: str, known: Sequence[str]) -> str:
    """The did-you-mean for ``name``: identifiers differing from it only in case or zero padding
    first, else the closest spellings (both, when two are as close), "" when none is close."""
    alike = [k for k in known if _padless(k) == _padless(name)]
    if not alike:
        close = difflib.get_close_matches(name, known, n=2, cutoff=0.8)
        score = [difflib.SequenceMatcher(None, name, c).ratio() for c in close]
        alike = sorted(close, key=known.index) if len(close) == 2 and score[0] == score[1] else close[:1]
    if not alike:
        return ""
    cased = any(k.casefold() == name.casefold() for k in alike)
    return (f" (did you mean {' or '.join(repr(k) for k in alike[:2])}?"
            f"{' identifiers are case-sensitive' if cased else ''})")


def _unknown(missing: Sequence[str], known: Sequence[str]) -> ParticipantNotFound:
    """One error naming every identifier the listing lacks, each with the one meant when it is close."""
    parts = [f"{name!r}{_meant(name, known)}" for name in missing]
    noun = "participant" if len(missing) == 1 else f"{len(missing)} participants"
    return ParticipantNotFound(
        missing[0],
        f"no {noun} {', '.join(parts)} in this project; pass participantIdentifiers (e.g. 'PT-0001') or internal "
        "ids (GUIDs) — client.participants() or `mdh-notebook participants` lists them")


def find_participants(client: Client, identifiers: object) -> list[dict[str, Any]]:
    """The admin records of ``identifiers`` (participantIdentifiers or internal ids), in their order,
    from ONE listing of the project's participants (every page of it); each participant once — a
    repeat is dropped with a :class:`CohortWarning`. Every unknown identifier is named in one
    :class:`ParticipantNotFound`."""
    given = _as_list(identifiers)
    records = list(client.pager("participants", auth=client.service_auth))
    by_identifier = {str(r["participantIdentifier"]): r for r in records if r.get("participantIdentifier")}
    by_id = {guid: r for r in records if (guid := as_guid(str(r.get("id", "")))) is not None}
    found: list[dict[str, Any]] = []
    seen: dict[str, str] = {}  # internal id → the identifier it was first given as
    missing: list[str] = []
    repeats: list[str] = []
    for name in given:
        guid = as_guid(name)
        record = by_identifier.get(name) or (by_id.get(guid) if guid is not None else None)
        if record is None:
            if name not in missing:
                missing.append(name)
            continue
        key = str(as_guid(str(record["id"])) or record["id"])
        if key in seen:
            repeats.append(name if name == seen[key] else f"{name} (= {seen[key]})")
            continue
        seen[key] = name
        found.append(dict(record))
    if missing:
        raise _unknown(missing, sorted(by_identifier)) from None
    if repeats:
        warnings.warn(f"the cohort was given {len(repeats)} participant(s) more than once: {', '.join(repeats)}; "
                      "each is read once, in the place first given", CohortWarning, stacklevel=3)
    return found


# -- the cohort -------------------------------------------------------------------------------


def _label(record: Mapping[str, Any]) -> str:
    return str(record.get("participantIdentifier") or record["id"])


class Cohort(_CohortMethods):
    """Many participants' data as one frame per call, read concurrently over one client.

    Made by :func:`cohort` (or ``Cohort(client, records, scopes)`` with admin records you hold).
    ``identifiers``: the participants' identifiers in order (the keys of ``participants``,
    ``sessions`` and ``failures``); ``participants``: identifier → admin record; ``sessions``:
    identifier → :class:`ParticipantSession`; ``failures``: identifier → the :class:`MDHError` of the
    last read (empty when everyone answered). A context manager: leaving it closes the one client.
    """

    def __init__(self, client: Client, records: Sequence[Mapping[str, Any]], scopes: Sequence[str] | str, *,
                 workers: int = 8, owns_client: bool = False, cache: Cache | None = None,
                 on_renew: Callable[[RenewalEvent], Any] | None = None) -> None:
        self.workers = _checked_workers(workers)
        if not records:
            raise InvalidArgumentError("a cohort needs at least one participant")
        self.client = client
        self.scopes: tuple[str, ...] = validate_scopes(scopes)
        self._owns_client = owns_client
        self.participants: dict[str, dict[str, Any]] = {_label(r): dict(r) for r in records}
        self.identifiers: tuple[str, ...] = tuple(self.participants)
        self.sessions: dict[str, ParticipantSession] = {
            who: ParticipantSession(client, record, self.scopes, on_renew=on_renew, cache=cache)
            for who, record in self.participants.items()}
        self.failures: dict[str, MDHError] = {}

    def __repr__(self) -> str:
        shown = ", ".join(repr(i) for i in self.identifiers[:3]) + (", …" if len(self.identifiers) > 3 else "")
        failed = f", failures={len(self.failures)}" if self.failures else ""
        return (f"Cohort({len(self.identifiers)} participant{'s' if len(self.identifiers) != 1 else ''} [{shown}], "
                f"scopes={list(self.scopes)}, workers={self.workers}, base_url={self.client.base_url!r}{failed})")

    def __len__(self) -> int:
        return len(self.identifiers)

    def __enter__(self) -> Cohort:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the one client (every session of the cohort with it), if the cohort made it."""
        if self._owns_client:
            self.client.close()

    @property
    def threads(self) -> int:
        """How many participants are read at once: ``workers // client.parallel`` (at least 1, at most
        one per participant), so that with each pull's own ``parallel`` requests the cohort has at
        most ``workers`` in flight."""
        return max(1, min(len(self.identifiers), self.workers // self.client.parallel))

    def fetch(self, kind: str | Kind, *, tz: str | None = None, progress: bool | None = None,
              resume: Any = None, on_page: Callable[[Any], Any] | None = None, **options: Any) -> pd.DataFrame:
        """Every participant's records of ``kind`` as one frame: ``participant_identifier`` first,
        participants in the cohort's order, each one's rows in API order. ``options``: the kind's
        filters and whatever else :meth:`ParticipantSession.fetch` takes (passed to each session as
        given). ``on_page(state)`` is called from the cohort's **worker threads**, not the caller's
        (unlike :meth:`Client.frame`), several at once: a hook that keeps state must lock it.
        ``progress``: per-participant bars only when asked for (``True``); ``resume`` is one
        participant's: use ``cohort.sessions[id].fetch(kind, resume=cohort.failures[id].pager_state, ...)``.
        The frame's ``attrs["failures"]`` names this call's failures (identifier → ``"ErrorType:
        message"``); the errors themselves are in ``cohort.failures`` until the next call — use a
        cohort from one thread at a time. A Ctrl-C cancels the participants not yet started and
        stops the others at their next page."""
        entry = lookup_kind(kind) if isinstance(kind, str) else kind
        if resume is not None:
            raise InvalidArgumentError(
                f"{entry.name}(): resume= goes on with one participant's pull — use "
                f"cohort.sessions[identifier].{entry.name}(resume=cohort.failures[identifier].pager_state, ...)")
        if tz == "local":
            raise InvalidArgumentError(
                f"{entry.name}(): tz='local' would put several zones in one column; pass one IANA zone (e.g. "
                "tz='America/New_York'), or convert per participant with cohort.participants[identifier]"
                "['demographics']['timeZone']")
        self.client._check_open()
        next(iter(self.sessions.values()))._check_access(entry)  # the cohort's scopes: the same for everyone
        stopping = threading.Event()

        def paged(state: Any) -> None:
            if stopping.is_set():
                raise _Stopped
            if on_page is not None:
                on_page(state)

        settings: dict[str, Any] = {"tz": tz, "progress": bool(progress), "on_page": paged, **options}

        def read(who: str) -> pd.DataFrame | MDHError:
            if stopping.is_set():
                raise _Stopped
            try:
                return self.sessions[who].fetch(entry, **settings)
            except MDHError as error:
                return error
            except BaseException:
                stopping.set()  # here, at once: the others stop at their next page, not when this thread is seen
                raise

        outcomes = self._run(read, stopping)
        for outcome in outcomes.values():
            if isinstance(outcome, _CALL_ERRORS):
                raise outcome  # the call's own mistake, the same for everyone: once, as it is
        failures = {who: out for who, out in outcomes.items() if isinstance(out, MDHError)}
        self.failures = failures
        parts = {who: out for who, out in outcomes.items() if isinstance(out, pd.DataFrame)}
        if not parts:
            raise CohortError(f"{entry.name}(): every participant of the cohort failed — {_listed(failures)}",
                              failures)
        if failures:
            warnings.warn(f"{entry.name}(): {len(failures)} of {len(self.identifiers)} participants failed "
                          f"and their rows are missing (the others' are kept; details in cohort.failures) — "
                          f"{_listed(failures)}", CohortWarning, stacklevel=3)
        frame = self._joined(entry, parts)
        # text, not the errors: pandas deep-copies attrs on every derived frame, and an error need not copy
        frame.attrs["failures"] = {who: _why(error) for who, error in failures.items()}
        return frame

    def _run(self, read: Callable[[str], pd.DataFrame | MDHError],
             stopping: threading.Event) -> dict[str, pd.DataFrame | MDHError]:
        """``read`` for every participant, ``threads`` at once, outcomes in the cohort's order. The
        first exception that is not a participant's :class:`MDHError` (a Ctrl-C in this thread or a
        worker's, a bug) stops the call: queued participants are cancelled, those under way stop at
        their next page (``stopping``), and it is raised once they have."""
        pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="mdh-cohort")
        try:
            futures = [pool.submit(read, who) for who in self.identifiers]
            wait(futures, return_when=FIRST_EXCEPTION)
            if not any(future.done() and future.exception() is not None for future in futures):
                return {who: future.result() for who, future in zip(self.identifiers, futures, strict=True)}
        finally:  # done, or stopping: a Ctrl-C in the calling thread, or a worker's exception
            stopping.set()
            pool.shutdown(wait=True, cancel_futures=True)
        raised = [error for future in futures if not future.cancelled()
                  and (error := future.exception()) is not None and not isinstance(error, _Stopped)]
        raise raised[0]  # the first that stopped the call, in the cohort's order (the others only stopped)

    def _joined(self, entry: Kind, parts: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
        frame = concat_frames(entry, list(parts.values()))
        labels = np.repeat(np.array(list(parts), dtype=object), [len(part) for part in parts.values()])
        if COLUMN in frame.columns:  # a kind that states it: the cohort's own says the same, and goes first
            frame = frame.drop(columns=COLUMN)
        frame.insert(0, COLUMN, pd.array(labels, dtype="string"))
        pages = [part.attrs.get("pages") for part in parts.values()]
        if all(isinstance(p, int) for p in pages):
            frame.attrs["pages"] = sum(p for p in pages if isinstance(p, int))
        caches = {who: part.attrs["cache"] for who, part in parts.items() if "cache" in part.attrs}
        if caches:  # through a cache: how, when everyone agrees; "mixed" (each one's in "caches") when not
            states = set(caches.values())
            frame.attrs["cache"] = states.pop() if len(states) == 1 else "mixed"
            frame.attrs["caches"] = caches
        return frame


# -- cohort(): the connection, then the lookup ------------------------------------------------

def _per_pull(workers: int, participants: int, parallel: int | None) -> int:
    """Requests in flight for each participant's pull: ``parallel`` when given (at most ``workers``:
    the cohort's bound), else ``workers`` shared between the ``participants`` (at least 1, page after
    page); the cohort reads ``workers // per_pull`` participants at once (:attr:`Cohort.threads`)."""
    if parallel is None:
        return max(1, workers // max(1, participants))
    if isinstance(parallel, bool) or not isinstance(parallel, int) or parallel < 1:
        raise InvalidArgumentError(f"parallel is how many requests one participant's pull may have in flight at "
                                   f"once: a whole number of at least 1 (1 = page after page), got {parallel!r}")
    if parallel > workers:
        raise InvalidArgumentError(f"parallel={parallel} is more than workers={workers}, the cohort's bound on "
                                   f"requests in flight: raise workers to at least {parallel}, or lower parallel")
    return parallel


def _service_client(config: Config | None, settings: Mapping[str, Any], *, paging: Mapping[str, Any],
                    authenticator: str | None,
                    api_key: str | None, transport: httpx.BaseTransport | None, timeout: float,
                    rate_limit_wait: float | None, clock: Callable[[], float], retry: RetryPolicy | None) -> Client:
    """The cohort's one client, from the configuration :func:`connect` resolves (its own functions);
    an authenticator setup is refused, naming the fix."""
    if authenticator is not None or api_key is not None:
        raise ConfigurationError(_NEEDS_SERVICE_ACCOUNT.format(what="authenticator=/api_key= was given"),
                                 setting="authenticator")
    if config is None and all(v is None for v in settings.values()) and Config.locate() is None:
        located = locate_authenticator()
        if located is not None:
            raise ConfigurationError(_NEEDS_SERVICE_ACCOUNT.format(what=f"only an authenticator is configured "
                                                                        f"({located.origin})"),
                                     setting="authenticator")
    resolved = resolve_config(config, **settings)
    return Client(resolved, transport=transport, timeout=timeout, rate_limit_wait=rate_limit_wait, clock=clock,
                  retry=retry, **paging)


def cohort(identifiers: Iterable[str | uuid.UUID] | str, scopes: Sequence[str] | str, *, workers: int = 8,
           cache_dir: str | os.PathLike[str] | None = None, config: Config | None = None,
           base_url: str | None = None, service_account: str | None = None, project_id: str | None = None,
           private_key: str | None = None, private_key_file: str | os.PathLike[str] | None = None,
           authenticator: str | None = None, api_key: str | None = None,
           on_renew: Callable[[RenewalEvent], Any] | None = None, transport: httpx.BaseTransport | None = None,
           timeout: float = 30.0, rate_limit_wait: float | None = None, clock: Callable[[], float] = time.time,
           retry: RetryPolicy | None = None, parallel: int | None = None,
           slice_above: float | None = None) -> Cohort:
    """A :class:`Cohort` of ``identifiers`` (participantIdentifiers or internal ids, in the order their
    rows should come) with exactly ``scopes``: the session's read methods over all of them, fetched
    by at most ``workers`` threads over one client.

    The connection keywords are :func:`connect`'s (with nothing configured: the embedded sandbox);
    an authenticator is refused (it cannot list participants). ``cache_dir`` (default ``MDH_CACHE_DIR``
    from the environment or ``.env``, as :func:`connect`): each participant's kinds kept on disk and
    only what changed asked for (:mod:`mdh_notebook.cache`), one Cache shared by the sessions. The
    lookup is one admin listing; unknown identifiers are all named in one :class:`ParticipantNotFound`
    before any participant token is requested; a participant given twice is read once, with a
    :class:`CohortWarning`.

    ``parallel``: requests in flight for each participant's pull (default ``workers //
    participants``, at least 1); given, it must be at most ``workers``, and the cohort then reads
    ``workers // parallel`` participants at once, so ``workers`` still bounds the requests in flight.
    ``slice_above``: the client's (:class:`Client`), when to cut a pull into time slices.

    A participant whose read fails does not fail the call: its rows are missing, a
    :class:`CohortWarning` names who failed and why, ``frame.attrs["failures"]`` holds the call's
    failures as text (identifier → ``"ErrorType: message"``) and ``cohort.failures`` the errors
    themselves (until the next call; ``cohort.failures[id].pager_state`` resumes that one). When every
    participant fails, :class:`CohortError` is raised (its ``failures`` the same) rather than an empty frame.
    """
    checked = validate_scopes(scopes)  # cheap errors before any network or sandbox start
    wanted = _as_list(identifiers)
    where = cache_dir_setting(cache_dir)
    cache = Cache(where) if where is not None else None  # as connect(): an unusable directory fails here
    _checked_workers(workers)
    settings = {"base_url": base_url, "service_account": service_account, "project_id": project_id,
                "private_key": private_key, "private_key_file": private_key_file}
    # one given twice counts twice: a smaller share, never larger
    paging = paging_keywords(_per_pull(workers, len(set(wanted)), parallel), slice_above)
    client = _service_client(config, settings, paging=paging, authenticator=authenticator, api_key=api_key,
                             transport=transport, timeout=timeout, rate_limit_wait=rate_limit_wait, clock=clock,
                             retry=retry)
    try:
        records = find_participants(client, wanted)
        return Cohort(client, records, checked, workers=workers, owns_client=True, cache=cache,
                      on_renew=on_renew)
    except BaseException:
        client.close()
        raise


# the generated read methods must not shadow the cohort's own attributes
for _entry in read_kinds():
    if _entry.name in vars(Cohort):  # pragma: no cover - a catalogue bug
        raise MDHError(f"catalogue name {_entry.name!r} clashes with a Cohort attribute")
