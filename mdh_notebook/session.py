"""ParticipantSession: one participant, exactly the scopes asked for, a token kept fresh.

The data methods (``participant_info()``, ``survey_answers(**filters)``,
``fitbit_sleep_logs(start=None, end=None)``, …) are generated from the catalogue
(:mod:`mdh_notebook.methods`, inherited from ``_KindMethods``, typed by its generated ``.pyi``):
each read goes through :meth:`fetch`, each write through :meth:`call`, which check the token
kind and scope before any request, then use :meth:`Client.frame` / :meth:`Client.call`.

An empty frame of a kind whose source has a DataCollectionSettings flag (``Kind.setting``, or
per filter value with ``Kind.settings_by``, e.g. device data's ``namespace``) is
checked against the settings when the session may read them (fetched once per session): if the
project has that source switched off for the participant, a :class:`SourceDisabledWarning` says
so. Without the settings scope nothing extra is sent.

With a :class:`~mdh_notebook.cache.Cache` (``cache=``, or ``connect(..., cache_dir=)``) a read goes
through it: only what changed since the last pull is asked for, and ``frame.attrs["cache"]`` says
how (``cold``, ``warm``, ``refresh``, ``bypass``); ``refresh=True`` fetches everything again and
rewrites the stored copy.
"""

from __future__ import annotations

import difflib
import re
import warnings
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from ._kind_methods import _KindMethods
from .auth import BearerAuth, ParticipantTokenSource, RenewalEvent, Token, TokenCache, TokenSource
from .cache import Cache, Site
from .client import Client
from .errors import ConfigurationError, InvalidArgumentError, MDHError, SourceDisabledWarning, UnknownValueWarning
from .frames import check_tz, convert_tz
from .kinds import Kind, Operation
from .kinds import kind as lookup_kind
from .kinds import operation as lookup_operation
from .kinds.model import Vocabulary
from .methods import generated
from .paging import Pager, PagerState
from .retry import RateLimit
from .scopes import grants, missing_scope, validate_scopes
from .writes import Writes

__all__ = ["SETTINGS_KIND", "ParticipantSession"]

#: The kind whose flags ``Kind.setting`` names.
SETTINGS_KIND = "data_collection_settings"


class ParticipantSession(Writes, _KindMethods):
    """Data of one participant as DataFrames, through a self-renewing participant token.

    Made by :func:`mdh_notebook.connect` (or :meth:`Client.connect`). Use it as a context
    manager, or call :meth:`close`, to release the connection. ``on_renew(hook)`` registers
    a callback told of every renewal (a :class:`~mdh_notebook.auth.RenewalEvent`, never the
    token): the JS SDK's ``tokenWillExpire``, except that the renewal is already done.

    ``token_source``: where the participant's tokens come from (a
    :class:`~mdh_notebook.auth.TokenSource`, e.g. an authenticator's); by default the client's
    service account exchanges its own token for them (``delegated_participant``). ``participant``
    is the admin record (``id``, ``participantIdentifier``, ``demographics.timeZone``), or as much of
    it as the token source knows. ``cache``: a :class:`~mdh_notebook.cache.Cache` the reads go
    through (``session.cache``; None: none).
    """

    def __init__(self, client: Client, participant: Mapping[str, Any], scopes: Sequence[str], *,
                 owns_client: bool = False, on_renew: Callable[[RenewalEvent], Any] | None = None,
                 token_source: TokenSource | None = None, cache: Cache | None = None) -> None:
        self.client = client
        self.cache = cache
        self.participant = dict(participant)  # the admin record: id, participantIdentifier, demographics, …
        self.participant_id: str = str(participant["id"])
        self.participant_identifier: str | None = participant.get("participantIdentifier")
        demographics = participant.get("demographics") or {}
        self.time_zone: str | None = demographics.get("timeZone") or None
        self.scopes: tuple[str, ...] = validate_scopes(scopes)
        self._owns_client = owns_client
        # a session rebound in a notebook (s = connect(...) run twice) still closes its connection
        self._release = weakref.finalize(self, client.close) if owns_client else None
        self._listings: dict[tuple[str, Any], pd.DataFrame] = {}  # vocabularies read for a warning
        self._collection_settings: dict[str, Any] | None = None  # fetched on the first empty frame that needs it
        source = token_source if token_source is not None else ParticipantTokenSource(
            client.service_tokens, client.token_url, self.participant_id, self.scopes, clock=client.clock)
        self.tokens = TokenCache(source, clock=client.clock, on_renew=[on_renew] if on_renew else (),
                                 lock_timeout=client.lock_timeout)
        # the participant's rate-limit bucket, shared with the client's other sessions for them: what
        # session.rate_limit reports, and what a wait waits for
        budget = client.participant_budget(self.participant_id, self.participant_identifier or self.participant_id)
        self.auth = BearerAuth(self.tokens, budget)

    @classmethod
    def open(cls, client: Client, participant: str | Mapping[str, Any], scopes: Sequence[str] | str, *,
             owns_client: bool = False, on_renew: Callable[[RenewalEvent], Any] | None = None,
             token_source: TokenSource | None = None, cache: Cache | None = None) -> ParticipantSession:
        """Look the participant up (a record given as a mapping is used as it is), then get the
        first token now, so bad input fails here."""
        checked = validate_scopes(scopes)
        record = participant if isinstance(participant, Mapping) else client.find_participant(participant)
        session = cls(client, record, checked, owns_client=owns_client, on_renew=on_renew, token_source=token_source,
                      cache=cache)
        client.run_flow(session.tokens.fresh_flow)
        return session

    def __repr__(self) -> str:
        token = self.tokens.token
        state = "no token yet" if token is None else f"token renewals={self.tokens.renewals}"
        return (f"ParticipantSession(participant={self.participant_identifier!r}, scopes={list(self.scopes)}, "
                f"base_url={self.client.base_url!r}, {state})")

    def __enter__(self) -> ParticipantSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._release is not None:
            self._release()

    # -- tokens ---------------------------------------------------------------------------

    def on_renew(self, hook: Callable[[RenewalEvent], Any]) -> Callable[[RenewalEvent], Any]:
        """Register ``hook(event)`` for every renewal; usable as a decorator."""
        self.tokens.hooks.append(hook)
        return hook

    @property
    def renewals(self) -> int:
        return self.tokens.renewals

    @property
    def rate_limit(self) -> RateLimit | None:
        """This participant's budget as the server reported it on the last answer to any of this
        client's sessions for them (limit, remaining, reset seconds); the service account's is
        ``client.rate_limit``."""
        return self.auth.budget.last

    @property
    def token(self) -> Token | None:
        """The current participant token (its repr hides the value)."""
        return self.tokens.token

    # -- data -----------------------------------------------------------------------------

    def _zone(self, tz: str | None) -> str | None:
        if tz != "local":
            return tz
        if not self.time_zone:
            raise InvalidArgumentError(
                f"participant {self.participant_identifier!r} has no timeZone in their demographics; "
                "pass an IANA zone instead, e.g. tz='America/New_York'"
            )
        return self.time_zone

    def _check_access(self, entry: Kind | Operation) -> None:
        if entry.token != "participant":
            raise InvalidArgumentError(
                f"{entry.name} is called with the service account, not a participant token: use the Client"
            )
        error = missing_scope(self.scopes, entry.scope, f"{entry.name}()")
        if error is not None:
            raise error

    def fetch(self, kind: str | Kind, *, tz: str | None = None, progress: bool | None = None,
              on_page: Callable[[PagerState], Any] | None = None, resume: PagerState | None = None,
              refresh: bool = False, **filters: Any) -> pd.DataFrame:
        """All records of a data kind as a typed frame; ``tz="local"`` for the participant's zone;
        ``progress=False`` for no progress bar on a long pull; ``on_page(state)`` after every page;
        ``resume=exc.pager_state`` (with the same kind and filters) goes on from where a failed
        fetch stopped, keeping the rows it had: the whole frame, as one fault-free fetch.
        ``refresh=True``: with a cache, fetch everything again and rewrite the stored copy (without
        one it changes nothing)."""
        entry = lookup_kind(kind) if isinstance(kind, str) else kind
        if not isinstance(refresh, bool):
            raise InvalidArgumentError(f"{entry.name}(refresh={refresh!r}): refresh is True (fetch everything "
                                       "again and rewrite the cached copy) or False (the default)")
        self._check_access(entry)
        zone = self._zone(tz)
        if self.cache is None:
            frame = self.client.frame(entry, filters, auth=self.auth, tz=zone, progress=progress, on_page=on_page,
                                      resume=resume)
        else:
            if zone:
                check_tz(zone)  # before any request, as without a cache

            def load(given: Mapping[str, Any]) -> pd.DataFrame:
                return self.client.frame(entry, given, auth=self.auth, progress=progress, on_page=on_page,
                                         resume=resume)

            frame = self.cache.fetch(self._site(), entry, filters, load, refresh=refresh)
            frame = convert_tz(frame, zone) if zone else frame
        flag = entry.setting_for(filters)
        if flag and frame.empty:
            self._warn_if_switched_off(entry, flag)
        if entry.vocabulary is not None and frame.empty:
            self._warn_if_unlisted(entry, entry.vocabulary, filters)
        return frame

    def _site(self) -> Site:
        """Whose data this session reads, as the cache keys it (API, project, participant)."""
        try:
            project = self.client.config.project_id
        except ConfigurationError:
            project = ""  # tokens from an authenticator: the base URL and participant id say whose
        return Site(self.client.base_url, project, self.participant_id)

    def _warn_if_unlisted(self, entry: Kind, vocabulary: Vocabulary, filters: Mapping[str, Any]) -> None:
        """Warn when an empty frame asked for a value its vocabulary does not list (a typo, most
        likely), naming the closest listed one. The listing is read once per session."""
        given = filters.get(vocabulary.param)
        values = [given] if isinstance(given, str) else list(given) if isinstance(given, (list, tuple)) else []
        if not values:
            return
        try:
            known = self.listed_values(vocabulary, filters)
        except MDHError:
            return  # a courtesy check: its failure never fails the read it follows
        columns = self._listings[(vocabulary.kind, vocabulary.filters)].columns
        unknown = [v for v in values if isinstance(v, str) and v not in known]
        for value in unknown:
            close = difflib.get_close_matches(value, known, n=1, cutoff=0.4)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            narrowed = ", ".join(f"{n}={v!r}" for n, v in filters.items()
                                 if n != vocabulary.param and isinstance(v, str) and n in columns)
            where = f" for {narrowed}" if narrowed else ""
            warnings.warn(f"{entry.name}() is empty, and {vocabulary.kind}() lists no {vocabulary.param} {value!r}"
                          f"{where}{hint}", UnknownValueWarning, stacklevel=4)

    def listed_values(self, vocabulary: Vocabulary, filters: Mapping[str, Any] | None = None) -> list[str]:
        """The values ``vocabulary.kind`` lists for ``vocabulary.param`` (e.g. the device data types),
        narrowed by the other non-empty string ``filters`` it has columns for (case-insensitively).
        The listing is read once per session (it comes from this participant's own token)."""
        key = (vocabulary.kind, vocabulary.filters)
        listing = self._listings.get(key)
        if listing is None:
            listed: dict[str, Any] = dict(vocabulary.filters)
            listing = self.fetch(vocabulary.kind, progress=False, **listed)
            self._listings[key] = listing
        rows = listing
        for name, value in (filters or {}).items():
            if name != vocabulary.param and isinstance(value, str) and value and name in rows.columns:
                rows = rows[rows[name].astype("string").str.casefold() == value.casefold()]
        return [str(v) for v in rows[vocabulary.param].dropna().unique()]

    def pager(self, kind: str | Kind, resume: PagerState | None = None, **filters: Any) -> Pager:
        """The pages of a data kind as raw records (``.pages``, or iterate for records; ``.state``
        after each page), checked like :meth:`fetch`; ``resume``: go on from a state — a pager's
        ``.state``, or the ``pager_state`` of the error that stopped a :meth:`fetch` part-way (the
        pager yields only the pages after it; ``fetch(..., resume=)`` keeps the rows before too)."""
        entry = lookup_kind(kind) if isinstance(kind, str) else kind
        self._check_access(entry)
        return self.client.pager(entry, filters, auth=self.auth, resume=resume)

    def _warn_if_switched_off(self, entry: Kind, flag: str) -> None:
        """Warn when ``entry``'s source is switched off in the data collection settings — read once
        per session, and only when the session holds a scope for them."""
        settings = lookup_kind(SETTINGS_KIND)
        if not grants(self.scopes, settings.scope):
            return
        if self._collection_settings is None:
            try:
                body = self.client.get_json(self.client.kind_path(settings), auth=self.auth)
            except MDHError:
                body = None  # a courtesy check: its failure never fails the read it follows
            self._collection_settings = body if isinstance(body, dict) else {}
        if self._collection_settings.get(flag) is False:
            words = re.split(r"(?=[A-Z])", flag.removesuffix("Enabled"))  # appleHealth -> Apple Health
            source = " ".join(w[:1].upper() + w[1:] for w in words)
            warnings.warn(f"{entry.name}() is empty because the project has {source} data collection switched off "
                          f"for participant {self.participant_identifier!r} (data_collection_settings: "
                          f"{flag} is false)", SourceDisabledWarning, stacklevel=4)

    def call(self, operation: str | Operation, *, path: Mapping[str, Any] | None = None,
             params: Mapping[str, Any] | None = None, json: Any = None, content: bytes | None = None,
             headers: Mapping[str, str] | None = None) -> Any:
        """Run one catalogue operation (a write) with this participant's token; scope checked first.

        ``path`` fills its ``{placeholders}``, ``params`` are its query filters, ``json`` or
        ``content`` its body. Returns the decoded JSON answer, or None for an empty one.
        """
        op = lookup_operation(operation) if isinstance(operation, str) else operation
        self._check_access(op)
        return self.client.call(op, path=path, params=params, json=json, content=content, headers=headers,
                                auth=self.auth)


for _entry in generated():
    if _entry.name in vars(ParticipantSession):  # pragma: no cover - a catalogue bug
        raise MDHError(f"catalogue name {_entry.name!r} clashes with a ParticipantSession attribute")
