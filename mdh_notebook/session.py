"""ParticipantSession: one participant, exactly the scopes asked for, a token kept fresh.

The data methods (``participant_info()``, ``survey_answers(**filters)``,
``fitbit_sleep_logs(start=None, end=None)``, …) are generated from the catalogue: each
checks its scope before any request, then goes through :meth:`Client.frame`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from .auth import BearerAuth, ParticipantTokenSource, RenewalEvent, Token, TokenCache
from .catalog import KINDS, Kind
from .catalog import kind as lookup_kind
from .client import Client, RateLimit
from .errors import InvalidArgumentError, MDHError
from .scopes import missing_scope, validate_scopes

__all__ = ["ParticipantSession"]


class ParticipantSession:
    """Data of one participant as DataFrames, through a self-renewing participant token.

    Made by :func:`mdh_notebook.connect` (or :meth:`Client.connect`). Use it as a context
    manager, or call :meth:`close`, to release the connection. ``on_renew(hook)`` registers
    a callback told of every renewal (a :class:`~mdh_notebook.auth.RenewalEvent`, never the
    token): the JS SDK's ``tokenWillExpire``, except that the renewal is already done.
    """

    def __init__(self, client: Client, participant: dict[str, Any], scopes: Sequence[str], *,
                 owns_client: bool = False, on_renew: Callable[[RenewalEvent], Any] | None = None) -> None:
        self.client = client
        self.participant = participant  # the admin record: id, participantIdentifier, demographics, …
        self.participant_id: str = str(participant["id"])
        self.participant_identifier: str | None = participant.get("participantIdentifier")
        demographics = participant.get("demographics") or {}
        self.time_zone: str | None = demographics.get("timeZone") or None
        self.scopes: tuple[str, ...] = validate_scopes(scopes)
        self._owns_client = owns_client
        self.tokens = TokenCache(
            ParticipantTokenSource(client.service_tokens, client.config.token_url, self.participant_id,
                                   self.scopes, clock=client.clock),
            clock=client.clock,
            on_renew=[on_renew] if on_renew else (),
        )
        self.auth = BearerAuth(self.tokens)

    @classmethod
    def open(cls, client: Client, participant: str, scopes: Sequence[str] | str, *, owns_client: bool = False,
             on_renew: Callable[[RenewalEvent], Any] | None = None) -> ParticipantSession:
        """Look the participant up, then get the first token now, so bad input fails here."""
        checked = validate_scopes(scopes)
        record = client.find_participant(participant)
        session = cls(client, record, checked, owns_client=owns_client, on_renew=on_renew)
        client.run_flow(session.tokens.fresh_flow())
        return session

    def __repr__(self) -> str:
        token = self.tokens.token
        state = "no token yet" if token is None else f"token renewals={self.tokens.renewals}"
        return (f"ParticipantSession(participant={self.participant_identifier!r}, scopes={list(self.scopes)}, "
                f"base_url={self.client.config.base_url!r}, {state})")

    def __enter__(self) -> ParticipantSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_client:
            self.client.close()

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
        """The budget the server reported on the last response (limit, remaining, reset seconds)."""
        return self.client.rate_limit

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

    def fetch(self, kind: str | Kind, *, tz: str | None = None, **filters: Any) -> pd.DataFrame:
        """All records of a data kind as a typed frame; ``tz="local"`` for the participant's zone."""
        entry = lookup_kind(kind) if isinstance(kind, str) else kind
        if entry.token != "participant":
            raise InvalidArgumentError(
                f"{entry.name} is read with the service account, not a participant token: use the Client"
            )
        error = missing_scope(self.scopes, entry.scope, f"{entry.name}()")
        if error is not None:
            raise error
        zone = self._zone(tz)
        return self.client.frame(entry, filters, auth=self.auth, tz=zone)


def _kind_method(entry: Kind) -> Callable[..., pd.DataFrame]:
    positional = list(entry.positional)

    def method(self: ParticipantSession, *args: Any, tz: str | None = None, **filters: Any) -> pd.DataFrame:
        if len(args) > len(positional):
            raise InvalidArgumentError(
                f"{entry.name}() takes filters as keywords ({', '.join(p.name for p in entry.params) or 'none'})"
            )
        for name, value in zip(positional, args, strict=False):
            if name in filters:
                raise InvalidArgumentError(f"{entry.name}() got {name!r} twice")
            filters[name] = value
        return self.fetch(entry, tz=tz, **filters)

    kind_of = (inspect.Parameter.POSITIONAL_OR_KEYWORD if positional else inspect.Parameter.KEYWORD_ONLY)
    params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    params += [inspect.Parameter(p.name, kind_of if p.name in positional else inspect.Parameter.KEYWORD_ONLY,
                                 default=None) for p in entry.params]
    params.append(inspect.Parameter("tz", inspect.Parameter.KEYWORD_ONLY, default=None))
    method.__signature__ = inspect.Signature(params, return_annotation="pandas.DataFrame")  # type: ignore[attr-defined]
    method.__name__ = method.__qualname__ = entry.name
    filters_doc = "\n".join(f"    {p.name}: {p.doc} (``{p.wire}``)" for p in entry.params) or "    (none)"
    method.__doc__ = (
        f"{entry.doc}\n\nNeeds scope ``{entry.scope}``. Every page is fetched; the result is one frame "
        f"with the columns of ``mdh_notebook.to_frame({entry.name!r}, [])``.\n\nFilters:\n{filters_doc}\n"
        "    tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)\n"
    )
    return method


for _entry in KINDS.values():
    if _entry.token == "participant":
        if hasattr(ParticipantSession, _entry.name):  # pragma: no cover - a catalogue bug
            raise MDHError(f"catalogue kind {_entry.name!r} clashes with a ParticipantSession attribute")
        setattr(ParticipantSession, _entry.name, _kind_method(_entry))
