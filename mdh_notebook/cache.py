"""An incremental on-disk cache of a participant's kinds: ask the server only for what changed.

``connect(..., cache_dir=PATH)`` (or ``MDH_CACHE_DIR``, in the environment or ``.env``) gives the
session a :class:`Cache`; every kind method and ``session.fetch`` then go through
:meth:`Cache.fetch`, and the frame says how in ``frame.attrs["cache"]``:

- ``"cold"``: nothing usable was stored; everything was fetched and stored;
- ``"warm"``: the stored rows, plus what the server has changed since: one request (one page)
  when little changed; the frame is the one a full pull returns (rows, order, dtypes);
- ``"refresh"``: ``refresh=True``: everything fetched again and the file rewritten;
- ``"bypass"``: a kind the cache cannot keep incrementally (below): fetched as without a cache,
  nothing stored.

**How a warm pull works.** A kind the cache keeps declares ``Kind.incremental``, an
:class:`~mdh_notebook.kinds.order.Incremental` (its ``after`` filter — ``insertedAfter`` or
``modifiedAfter`` — the ``stamp`` column the server compares it with, the ``key`` column); new rows
go by the kind's ``Kind.order`` (the API's row order, which slicing reads too). The watermark is the largest
``stamp`` in the stored rows (a server date, never this machine's clock). A warm pull asks for
``stamp > watermark - overlap`` (default five minutes) with the caller's other filters: the
overlap re-fetches the rows sharing the last stamp (an exclusive bound would skip those that
arrived in the same instant after the last pull) and rows committed late. What comes back
replaces the stored rows of the same ``key`` (an upsert) and the rest go where the API's order
puts them; when nothing differs, the stored frame is returned as it is, and not rewritten.

**The files** (:mod:`mdh_notebook.cache_files`): ``<cache_dir>/<site>/<participant id>/<kind>/<filters>.parquet``;
``<site>`` is a hash of the base URL and project id (a sandbox's cache is never served for the
real service), ``<filters>`` a hash of the caller's filters as sent (the user's own ``after``
bound included: it narrows what is kept). Each file holds the data, its watermark, the cache
format version and a hash of the kind's declared columns: a file of another version or catalogue,
or an unreadable, partial one, is rebuilt with a :class:`CacheWarning` naming it. Nothing in a file
is a token. One writer at a time per participant and kind: a file lock
(``<participant>/<kind>.lock``, :mod:`filelock`) is held from reading the file to replacing it,
across threads and processes; a reader without the lock still never sees a partial file.

**What the cache cannot see** (``refresh=True`` refetches everything and rewrites the file):

==========================  ================  ===================================================================
kind                        asks with         cannot see
==========================  ================  ===================================================================
survey_answers              insertedAfter     deleted answers (``delete_survey_result``); an answer changed in
                                              place (it keeps its insertedDate)
survey_results              insertedAfter     deleted results; a result changed in place
device_data (v1)            modifiedAfter     deleted points (``delete_device_data``); a change that leaves
                                              modifiedDate where it was
device_data_v2              modifiedAfter     deleted points; a change that leaves modifiedDate where it was
device_data_aggregate,      (bypass)          — not cached: their modifiedAfter / insertedAfter pick the points
daily_sleep                                   summarised, not the summary rows (``Kind.uncached``)
every other kind            (bypass)          — not cached: no insertedAfter / modifiedAfter filter (tasks,
                                              notifications, inbox, Fitbit, Apple Health, files, device data
                                              types, accounts) or a single object (participant_info,
                                              project_info, data_collection_settings, data_availability)
==========================  ================  ===================================================================

And for every cached kind: a record whose stamp the server sets more than ``overlap`` before the
newest stamp already seen (one committed late with an earlier date) is missed until ``refresh=True``.

Bypass rather than "store whole and refetch": a kind the server cannot filter by change costs
the same requests either way, and a stored copy would only risk serving something stale.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import filelock
import pandas as pd

from .cache_files import FileProblem, read_frame, schema_hash, write_frame
from .errors import ConfigurationError, MDHError
from .filters import _warn_from_caller, encode_params, encode_path
from .frames import concat_frames
from .kinds import Kind
from .kinds.order import Incremental

__all__ = ["Cache", "CacheLockTimeout", "CacheState", "CacheWarning", "Site", "plan_for"]

CacheState = Literal["cold", "warm", "refresh", "bypass"]

#: How far before the watermark a warm pull starts.
OVERLAP = timedelta(minutes=5)


class CacheLockTimeout(MDHError):
    """Another session (thread or process) has held the lock of one participant's kind in the cache
    for longer than ``Cache(lock_timeout=)``: the message names the lock file and the way out."""


class CacheWarning(UserWarning):
    """A cache file could not be used (unreadable, partial, another format or catalogue) and is rebuilt."""


def plan_for(kind: Kind) -> Incremental | None:
    """How the cache keeps ``kind`` (None: it passes it by): its catalogue entry's ``incremental``."""
    return kind.incremental


@dataclass(frozen=True)
class Site:
    """Whose data a session reads: the API, the project (``""`` when the session's client has no
    service account) and the participant (internal id)."""

    base_url: str
    project_id: str
    participant_id: str

    @property
    def folder(self) -> str:
        return hashlib.sha256(f"{self.shown_url}\n{self.project_id}".encode()).hexdigest()[:16]

    @property
    def shown_url(self) -> str:
        """``base_url`` without any user-info (``https://user:secret@host/`` → ``https://host/``): what a
        cache file and its folder name record — a credential in the URL never reaches the disk."""
        parts = urlsplit(self.base_url)
        if "@" not in parts.netloc:
            return self.base_url
        return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _safe(name: str) -> str:
    """A path component for ``name``: itself when it is plain, else a hash of it."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,80}", name):
        return name
    return "x" + hashlib.sha256(name.encode()).hexdigest()[:24]


Fetch = Callable[[Mapping[str, Any]], pd.DataFrame]


class Cache:
    """Per-participant, per-kind Parquet files under ``directory``, kept up to date incrementally.

    ``overlap``: how far before the watermark a warm pull starts (see the module docstring);
    ``lock_timeout``: seconds to wait for another writer of the same participant and kind.
    A directory that cannot be created or written to is a :class:`ConfigurationError` naming
    ``cache_dir``.
    """

    def __init__(self, directory: str | Path, *, overlap: timedelta = OVERLAP, lock_timeout: float = 600.0) -> None:
        self.directory = Path(directory).expanduser()
        self.overlap = overlap
        self.lock_timeout = lock_timeout
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.directory):
                pass
        except OSError as exc:
            raise ConfigurationError(
                f"cache_dir={str(self.directory)!r} (or MDH_CACHE_DIR) cannot be used: "
                f"{exc.strerror or type(exc).__name__}; pass a directory you can create and write to",
                setting="cache_dir") from None

    def __repr__(self) -> str:
        return f"Cache({str(self.directory)!r})"

    def path(self, site: Site, kind: Kind, filters: Mapping[str, Any]) -> Path:
        """Where ``kind`` read with ``filters`` for ``site`` is kept."""
        return self._folder(site, kind) / f"{self._filters_hash(kind, filters)}.parquet"

    def _folder(self, site: Site, kind: Kind) -> Path:
        return self.directory / site.folder / _safe(site.participant_id) / kind.name

    @staticmethod
    def _wire(kind: Kind, filters: Mapping[str, Any]) -> dict[str, str]:
        """The filters as sent (checked; a bad one raises here, before any request), path ones too."""
        # warn=False: the fetch itself warns (a naive date-time) once. Never catch_warnings() here:
        # cohort workers call this at once, and it swaps the process-wide filters unsafely.
        params = encode_params(kind, filters, warn=False)
        params.update({f"{{{k}}}": str(v) for k, v in encode_path(kind, filters).items()})
        return dict(sorted(params.items()))

    def _filters_hash(self, kind: Kind, filters: Mapping[str, Any]) -> str:
        return hashlib.sha256(json.dumps(self._wire(kind, filters)).encode()).hexdigest()[:16]

    def fetch(self, site: Site, kind: Kind, filters: Mapping[str, Any], load: Fetch, *,
              refresh: bool = False) -> pd.DataFrame:
        """``kind`` read with ``filters`` (date-times in UTC), ``load(filters)`` asked only for what is new.

        ``load`` is the normal fetch path (:meth:`Client.frame` with the session's token); the frame
        returned has ``attrs["cache"]`` (see the module docstring)."""
        plan = plan_for(kind)
        if plan is None:
            frame = load(filters)
            frame.attrs["cache"] = "bypass"
            return frame
        wire = self._wire(kind, filters)
        path = self.path(site, kind, filters)
        folder = path.parent
        expect = {"schema": schema_hash(kind, (plan, kind.order)), "base_url": site.shown_url,
                  "project_id": site.project_id, "participant_id": site.participant_id, "kind": kind.name,
                  "filters": wire}
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigurationError(f"cache_dir={str(self.directory)!r}: cannot create {folder} "
                                     f"({exc.strerror or type(exc).__name__})", setting="cache_dir") from None
        lock = filelock.FileLock(str(folder.parent / f"{kind.name}.lock"), timeout=self.lock_timeout)
        try:
            with lock:
                return self._under_lock(path, kind, plan, filters, load, expect, refresh)
        except filelock.Timeout:
            raise CacheLockTimeout(
                f"another session has been writing the cache of {kind.name} for participant {site.participant_id!r} "
                f"for over {self.lock_timeout:g} s (lock file {lock.lock_file}); try again when it is done, or "
                "give it longer with Cache(directory, lock_timeout=SECONDS)") from None
        except PermissionError as exc:  # the lock file itself (a directory made read-only since)
            raise ConfigurationError(f"cache_dir={str(self.directory)!r}: cannot lock {lock.lock_file} "
                                     f"({exc.strerror or type(exc).__name__}); pass a directory you can write to",
                                     setting="cache_dir") from None

    def _under_lock(self, path: Path, kind: Kind, plan: Incremental, filters: Mapping[str, Any], load: Fetch,
                    expect: dict[str, Any], refresh: bool) -> pd.DataFrame:
        stored: pd.DataFrame | None = None
        watermark: pd.Timestamp | None = None
        if not refresh:
            try:
                found = read_frame(path, expect)
            except FileProblem as problem:
                _warn_from_caller(f"cache file {path} is not usable ({problem}); rebuilding it", CacheWarning)
                found = None
            if found is not None:
                stored, info = found
                watermark = pd.Timestamp(info["watermark"]) if info.get("watermark") else None
        if stored is None:
            frame = load(filters)
            state: CacheState = "refresh" if refresh else "cold"
            self._store(path, frame, plan, expect)
        else:
            since = dict(filters)
            if watermark is not None:
                bound = watermark - self.overlap
                param = kind.param(plan.after)
                own = expect["filters"].get(param.wire) if param is not None else None
                if own is not None:  # the caller's own lower bound, as sent (UTC): the later of the two
                    bound = max(bound, pd.Timestamp(own))
                since[plan.after] = bound
            fresh = load(since)
            frame = upsert(kind, plan, stored, fresh)
            state = "warm"
            if frame is not stored:
                self._store(path, frame, plan, expect, keep_old=True)
            frame = frame.copy()
            frame.attrs = {**fresh.attrs}
        frame.attrs["kind"] = kind.name
        frame.attrs["cache"] = state
        return frame

    @staticmethod
    def _store(path: Path, frame: pd.DataFrame, plan: Incremental, expect: dict[str, Any], *,
               keep_old: bool = False) -> None:
        """Keep ``frame`` at ``path``; when that fails, leave no file that would serve anything else
        (``keep_old``: the file there plus what is new since still gives ``frame``, so it may stay)."""
        stamps = frame[plan.stamp].dropna() if plan.stamp in frame.columns else pd.Series([], dtype=object)
        mark = stamps.max() if len(stamps) else None  # the largest server date seen
        for left in path.parent.glob(".*.tmp"):  # a writer that died part-way (we hold the kind's lock)
            left.unlink(missing_ok=True)
        try:
            write_frame(path, frame, {**expect, "watermark": None if mark is None else pd.Timestamp(mark).isoformat()})
        except OSError as exc:  # a full disk, say: the frame is good, only keeping it failed
            why = exc.strerror or type(exc).__name__
            if keep_old:  # a warm pull: the file kept before plus what is new since is still this frame
                _warn_from_caller(f"cache file {path} could not be written ({why}): the frame is returned but not "
                                  "kept; the next pull starts from the file kept before and asks again for what is "
                                  "new since it", CacheWarning)
                return
            try:  # the file kept before is not this frame (a refresh drops what the service no longer has)
                path.unlink(missing_ok=True)
            except OSError as gone:
                _warn_from_caller(f"cache file {path} could not be written ({why}) nor removed "
                                  f"({gone.strerror or type(gone).__name__}): the frame is returned but not kept, and "
                                  "the next pull starts from the file as it was before this pull (rows the service "
                                  "has since dropped come back); delete that file, or pass refresh=True again once "
                                  "the directory can be written", CacheWarning)
                return
            _warn_from_caller(f"cache file {path} could not be written ({why}): the frame is returned but not kept, "
                              "and the next pull fetches it whole again", CacheWarning)


def upsert(kind: Kind, plan: Incremental, stored: pd.DataFrame, fresh: pd.DataFrame) -> pd.DataFrame:
    """``stored`` with ``fresh`` rows in place of those of the same key, the others added where the
    API's order puts them; ``stored`` itself (the same object) when nothing differs."""
    if fresh.empty:
        return stored
    if plan.key not in fresh.columns or plan.key not in stored.columns:
        raise MDHError(f"{kind.name}: the cache needs the {plan.key!r} column to merge what is new; "
                       "pass refresh=True")
    keys = fresh[plan.key]
    if _unchanged(stored, fresh, plan.key):
        return stored
    kept = stored[~stored[plan.key].isin(keys)]
    merged = concat_frames(kind, [kept, fresh])
    merged = _in_order(merged, kind)
    for name in merged.columns:
        if isinstance(merged[name].dtype, pd.CategoricalDtype):
            merged[name] = merged[name].cat.remove_unused_categories()
    if _same(merged, stored):
        return stored
    return merged


def _in_order(frame: pd.DataFrame, kind: Kind) -> pd.DataFrame:
    """Rows in the API's order, ``kind.order`` (stable: rows the order does not tell apart keep their places)."""
    keys: dict[str, pd.Series] = {}
    ascending: list[bool] = []
    for i, part in enumerate(kind.order):
        up = part.ascending
        present = [c for c in part.columns if c in frame.columns]
        if not present:
            continue
        key = frame[present[0]]
        for other in present[1:]:
            key = key.where(key.notna(), frame[other])
        keys[f"_k{i}"] = key
        ascending.append(up)
    if not keys:
        return frame.reset_index(drop=True)
    order = pd.DataFrame(keys, index=frame.index).sort_values(list(keys), ascending=ascending, kind="stable",
                                                              na_position="last").index
    return frame.loc[order].reset_index(drop=True)


def _unchanged(stored: pd.DataFrame, fresh: pd.DataFrame, key: str) -> bool:
    """Whether every fresh row is a stored row as it is (the usual warm pull: only the overlap came
    back) — checked on those rows alone, not by merging the whole frame."""
    if list(fresh.columns) != list(stored.columns) or not fresh[key].is_unique:
        return False
    at = pd.Index(stored[key]).get_indexer(fresh[key])
    if (at < 0).any() or not pd.Index(stored[key]).is_unique:
        return False
    old = stored.iloc[at].reset_index(drop=True)
    for name in stored.columns:
        a, b = old[name].dtype, fresh[name].dtype
        if a != b and not (isinstance(a, pd.CategoricalDtype) and isinstance(b, pd.CategoricalDtype)):
            return False
    try:
        pd.testing.assert_frame_equal(old, fresh.reset_index(drop=True), check_exact=True, check_categorical=False,
                                      check_dtype=False)
    except AssertionError:
        return False
    return True


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    if list(a.columns) != list(b.columns) or len(a) != len(b) or not a.dtypes.equals(b.dtypes):
        return False
    try:
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    except AssertionError:
        return False
    return True
