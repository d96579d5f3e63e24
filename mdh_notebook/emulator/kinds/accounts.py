"""External accounts and providers: the accounts (a bare array), the provider directory (numbered
pages with a total), featured providers; connect, refresh, delete; and a provider authorization
page of the sandbox's own, so that a connection can be completed (data from ``..accounts``).

Connecting: ``POST externalaccountproviders/{providerID}/connect?finalRedirectPath=...&verifierHash=...``
answers a JSON string, the provider's authorization URL: here
``{base}_sandbox/provider-auth?state=<signed>``, a page naming the provider with Allow / Deny.
Its form sends ``GET _sandbox/provider-auth/complete?state=...&decision=allow|deny&verifier=...``
(the page copies the verifier from its URL's ``#verifier=`` fragment, where the JS SDK puts it);
on Allow the participant gets an account with that provider (status ``fetchingData``; an existing
account with it is re-authorized), then either way a 302 goes to ``finalRedirectPath`` with its
``%SUCCESSVALUE%`` (the JS SDK's placeholder) replaced by ``true`` or ``false``.

Decisions where the reference is silent:
- providers are ordered by name (case-insensitively), then id; ``search`` is a case-insensitive
  substring of the name; ``category`` one of Provider | Health Plan | Device Manufacturer (any
  case; another value is a 400); ``pageNumber`` counts from 0 (what iOS sends and the official UI
  pages from; the JS SDK leaves out a 0, so no ``pageNumber`` is the first page); ``pageSize``
  defaults to 25 and is clamped to 100; a page past the end is empty, with the total.
- the provider directory and featured providers need ``ExternalAccounts:connect`` (what they are
  for: choosing a provider to connect), the accounts ``ExternalAccounts:read``, refresh and delete
  ``ExternalAccounts:write``.
- ``featuredProvidersContext`` (any case): none = the project's default list (10 providers),
  ``HealthPlans`` / ``Providers`` / ``Devices`` lists of their own; any other context has no
  featured providers (an empty array).
- accounts are ordered by id (connection order); an id that is not an integer names no account
  (404, like an unknown one). Refresh sets ``status`` to ``fetchingData`` and ``lastRefreshDate``
  to now (the sandbox clock) for any account, and it stays so (no fetch runs afterwards).
- connect: an unknown provider is a 404; a disabled one (``enabled: false``) a 400;
  ``finalRedirectPath`` is required and must be an absolute http(s) URL; ``verifierHash``, when
  sent, must be an unpadded base64url SHA-256 (43 characters) and the completion must then bring
  the matching verifier. The authorization URL stays valid for 10 minutes. Completing finds the
  participant's account with the provider and writes under the accounts table's lock, so racing
  completions (of one link or several) leave one account per provider, and none fails.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import html
import random
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

from ..accounts import (
    CATEGORIES,
    AccountRow,
    FeaturedRow,
    ProviderRow,
    account_id_base,
    account_record,
    featured_providers,
    generate_external_accounts,
    provider_directory,
)
from ..declarations import (
    BareArray,
    Call,
    Collection,
    Empty,
    GenContext,
    NumberedPages,
    Operation,
    Params,
    Public,
    PublicCall,
    Raw,
    Result,
    not_found,
)
from ..exceptions import BadRequest, NotFound, shown
from ..isotime import format_instant
from ..presign import Signer, b64url

__all__ = ["COLLECTIONS", "EXTERNAL_ACCOUNTS", "FEATURED_PROVIDERS", "OPERATIONS", "PROVIDERS", "PUBLIC"]

_AUTH_PATH = "_sandbox/provider-auth"
_AUTH_LIFETIME_S = 600
_ID = re.compile(r"[0-9]{1,9}")
_HASH = re.compile(r"[A-Za-z0-9_-]{43}")


# -- the provider directory --------------------------------------------------------------------
def _providers(ctx: GenContext, participant: object) -> tuple[ProviderRow, ...]:
    return provider_directory(ctx.seed)


def _category(params: Params) -> str | None:
    raw = params.get("category")
    if raw is None or raw.strip() == "":
        return None
    folded = {c.casefold(): c for c in CATEGORIES}
    category = folded.get(raw.strip().casefold())
    if category is None:
        raise BadRequest(f"category must be one of {', '.join(CATEGORIES)}, got {shown(raw)}")
    return category


def _provider_filters(params: Params) -> tuple[Any, list[Callable[[ProviderRow], bool]]]:
    search = (params.get("search") or "").strip().casefold()
    category = _category(params)
    preds: list[Callable[[ProviderRow], bool]] = []
    if search:
        preds.append(lambda row: search in row.name)
    if category:
        preds.append(lambda row: row.category == category)
    return (search, category), preds


PROVIDERS: Collection[ProviderRow] = Collection(
    name="external_account_providers",
    path="api/v1/delegated/externalaccountproviders",
    scope="ExternalAccounts:connect",
    shape=NumberedPages(items_key="externalAccountProviders", total_key="totalExternalAccountProviders",
                        first_page=0, default_size=25, max_size=100),
    generate=_providers,
    sort_key=lambda row: row.sort_key,
    render=lambda row: row.record,
    filters=_provider_filters,
    row_id=lambda row: str(row.id),
)


def _featured(ctx: GenContext, participant: object) -> tuple[FeaturedRow, ...]:
    return featured_providers(ctx.seed)


def _featured_filters(params: Params) -> tuple[Any, list[Callable[[FeaturedRow], bool]]]:
    context = (params.get("featuredProvidersContext") or "").strip().casefold()
    return (context,), [lambda row: row.context == context]


FEATURED_PROVIDERS: Collection[FeaturedRow] = Collection(
    name="featured_external_account_providers",
    path="api/v1/delegated/featuredexternalaccountproviders",
    scope="ExternalAccounts:connect",
    shape=BareArray(),
    generate=_featured,
    sort_key=lambda row: (row.context, row.rank),
    render=lambda row: row.record,
    filters=_featured_filters,
)


# -- the participant's accounts --------------------------------------------------------------
EXTERNAL_ACCOUNTS: Collection[AccountRow] = Collection(
    name="external_accounts",
    path="api/v1/delegated/externalaccounts",
    scope="ExternalAccounts:read",
    shape=BareArray(),
    generate=generate_external_accounts,
    sort_key=lambda row: (row.id,),
    render=lambda row: row.record,
    row_id=lambda row: str(row.id),
)


def _now_ms(call: Call | PublicCall) -> int:
    return int(call.backend.clock.now() * 1000)


def _account_id(call: Call) -> str:
    raw = call.path["accountID"].strip()
    if not _ID.fullmatch(raw):
        raise not_found("external account", raw)
    return str(int(raw))


def _refresh(call: Call) -> Result:
    now = format_instant(_now_ms(call), "Z3")

    def change(row: AccountRow) -> AccountRow:
        return dataclasses.replace(row, record={**row.record, "status": "fetchingData", "lastRefreshDate": now})

    ident = _account_id(call)
    if call.backend.store.update(call.participant, EXTERNAL_ACCOUNTS, ident, change) is None:
        raise not_found("external account", ident)
    return Empty()


def _delete(call: Call) -> Result:
    call.delete(EXTERNAL_ACCOUNTS, _account_id(call), "external account")
    return Empty()


# -- connecting ----------------------------------------------------------------------------------
@functools.lru_cache(maxsize=8)
def _by_id(seed: int) -> dict[int, ProviderRow]:
    return {row.id: row for row in provider_directory(seed)}


def _signer(call: Call | PublicCall) -> Signer:
    return Signer(call.backend.config.seed, "provider-auth")


def _provider_of(call: Call | PublicCall, raw: str) -> ProviderRow:
    provider = _by_id(call.backend.config.seed).get(int(raw)) if _ID.fullmatch(raw.strip()) else None
    if provider is None:
        raise not_found("external account provider", raw)
    return provider


def _absolute_url(name: str, raw: str | None) -> str:
    if raw is None or not raw.strip():
        raise BadRequest(f"{name} is required: the URL to return to once the provider has answered")
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadRequest(f"{name} must be an absolute http(s) URL, got {shown(raw)}")
    return raw.strip()


def _connect(call: Call) -> Result:
    provider = _provider_of(call, call.path["providerID"])
    if not provider.enabled:
        raise BadRequest(f"external account provider {provider.id} ({provider.record['name']}) is not available "
                         "for new connections")
    redirect = _absolute_url("finalRedirectPath", call.params.get("finalRedirectPath"))
    verifier_hash = (call.params.get("verifierHash") or "").strip()
    if verifier_hash and not _HASH.fullmatch(verifier_hash):
        raise BadRequest("verifierHash must be the unpadded base64url SHA-256 of the verifier (43 characters)")
    state = _signer(call).seal({"p": call.participant.id, "v": provider.id, "r": redirect, "h": verifier_hash,
                                "e": _now_ms(call) + _AUTH_LIFETIME_S * 1000})
    base = call.backend.base_url or "http://127.0.0.1/"
    return f"{base}{_AUTH_PATH}?state={quote(state, safe='')}"


def _state(call: PublicCall) -> dict[str, Any]:
    state = _signer(call).open(call.params.get("state") or "")
    if state is None:
        raise BadRequest("state is missing or was not issued by this sandbox; connect again")
    if not isinstance(state.get("e"), int) or state["e"] < _now_ms(call):
        raise BadRequest("this authorization link has expired; connect again")
    return state


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Connect {name}</title></head>
<body style="font-family: sans-serif; max-width: 32em; margin: 3em auto">
<h1>{name}</h1>
<p>{category} &middot; MyDataHelps sandbox authorization page</p>
<p>Allow the study to read the records of <strong>{participant}</strong> from {name}?</p>
<form method="get" action="{action}">
<input type="hidden" name="state" value="{state}">
<input type="hidden" name="verifier" id="verifier" value="">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
<script>
var fragment = new URLSearchParams(window.location.hash.slice(1));
document.getElementById("verifier").value = fragment.get("verifier") || "";
</script>
</body></html>
"""


def _auth_page(call: PublicCall) -> Result:
    state = _state(call)
    provider = _provider_of(call, str(state["v"]))
    participant = call.backend.find_by_id(str(state["p"]))
    page = _PAGE.format(name=html.escape(provider.record["name"]), category=html.escape(provider.category),
                        participant=html.escape(participant.identifier if participant else "?"),
                        action=html.escape(f"{call.base_url}{_AUTH_PATH}/complete"),
                        state=html.escape(call.params.get("state") or ""))
    return Raw(page.encode(), "text/html; charset=utf-8")


def _connected(call: PublicCall, state: dict[str, Any]) -> None:
    participant = call.backend.find_by_id(str(state["p"]))
    if participant is None:
        raise NotFound("the participant of this authorization is unknown to this sandbox")
    provider = _provider_of(call, str(state["v"]))
    store = call.backend.store
    with store.table(participant, EXTERNAL_ACCOUNTS).lock:  # find and write as one: a racing completion waits
        now = _now_ms(call)
        rows = store.rows(participant, EXTERNAL_ACCOUNTS)
        existing = next((row for row in rows if row.provider_id == provider.id), None)
        if existing is not None:
            stamp = format_instant(now, "Z3")
            store.update(participant, EXTERNAL_ACCOUNTS, str(existing.id), lambda row: dataclasses.replace(
                row, record={**row.record, "status": "fetchingData", "lastRefreshDate": stamp,
                             "connectionDate": stamp}))
            return
        ident = max([account_id_base(participant) - 1, *(row.id for row in rows)]) + 1
        rng = random.Random(f"{participant.id}/{provider.id}/{now}")
        record = account_record(rng, participant, ident, provider.record, "fetchingData", now, now)
        record["connectionDate"] = format_instant(now, "Z3")
        store.insert(participant, EXTERNAL_ACCOUNTS, [AccountRow(record, ident, provider.id)])


def _auth_complete(call: PublicCall) -> Result:
    state = _state(call)
    decision = (call.params.get("decision") or "").strip().lower()
    if decision not in ("allow", "deny"):
        raise BadRequest("decision must be allow or deny")
    if decision == "allow":
        if state.get("h"):
            verifier = call.params.get("verifier") or ""
            if b64url(hashlib.sha256(verifier.encode()).digest()) != state["h"]:
                raise BadRequest("the verifier does not match the verifierHash this connection was started with")
        _connected(call, state)
    location = str(state["r"]).replace("%SUCCESSVALUE%", "true" if decision == "allow" else "false")
    return Raw(b"", "text/html", status=302, headers={"Location": location})


COLLECTIONS: tuple[Collection[Any], ...] = (EXTERNAL_ACCOUNTS, PROVIDERS, FEATURED_PROVIDERS)
OPERATIONS: tuple[Operation, ...] = (
    Operation("connect_external_account", "POST", "api/v1/delegated/externalaccountproviders/{providerID}/connect",
              "ExternalAccounts:connect", _connect),
    Operation("refresh_external_account", "POST", "api/v1/delegated/externalaccounts/refresh/{accountID}",
              "ExternalAccounts:write", _refresh),
    Operation("delete_external_account", "DELETE", "api/v1/delegated/externalaccounts/delete/{accountID}",
              "ExternalAccounts:write", _delete),
)
PUBLIC: tuple[Public, ...] = (
    Public("provider_authorization", "GET", _AUTH_PATH, _auth_page),
    Public("provider_authorization_complete", "GET", f"{_AUTH_PATH}/complete", _auth_complete),
)
