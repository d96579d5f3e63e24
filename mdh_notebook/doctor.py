"""``mdh-notebook doctor``: the configuration checked step by step, one line per step.

Each step prints ``✓ <step>: <what works>`` or ``✗ <step> — fix: <what to do>``; a failure stops
the steps that depend on it (named in one ``· not checked:`` line). The service account's steps,
in order: configuration found (and where), private key readable, token endpoint reachable,
service token obtained, participant lookup (``--participant``, default the first one listed),
a participant token with the scopes asked (``--scopes``, default ``Participant:read``) and one
read with it. With an authenticator (``--authenticator URL`` and ``--api-key``, or
``MDH_AUTHENTICATOR_URL`` / ``MDH_API_KEY`` in the environment or ``./.env``, found as
``connect()`` finds them): its ``/health``, the key's ``/grant`` and a token from it — these need
no service account here (the authenticator holds it). Every request goes through the client's
retry policy, so one dropped connection does not read as a wrong URL.

Exit status 0 when every step passed, 1 otherwise. Nothing secret is printed: the key never
leaves :class:`~mdh_notebook.config.Config`, token values are never formatted, the messages are
the package's own (which carry neither), and every line is scrubbed of the API key and the tokens
seen, then by :func:`~mdh_notebook.errors.redact`, as a last guard.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import httpx

from .client import Client
from .config import Config, Located
from .connect import LocatedAuthenticator, locate_authenticator
from .errors import ConfigurationError, MDHError, TransportError, error_for_authenticator, error_for_response, redact
from .kinds import KINDS, Kind
from .retry import Flow
from .scopes import grants, validate_scopes
from .session import ParticipantSession

__all__ = ["DEFAULT_SCOPES", "run_doctor"]

DEFAULT_SCOPES = ("Participant:read",)
SERVICE_STEPS = ("configuration", "private key", "token endpoint", "service token", "participant lookup",
                 "participant token", "a read with it")
AUTHENTICATOR_STEPS = ("authenticator", "authenticator grant", "authenticator token")


@dataclass
class _Report:
    out: TextIO
    secrets: list[str] = field(default_factory=list)
    failed: bool = False

    def __post_init__(self) -> None:
        encoding = getattr(self.out, "encoding", None) or "utf-8"
        try:
            "✓✗·—".encode(encoding)
            self.marks = ("✓", "✗", "·", "—")
        except (UnicodeEncodeError, LookupError):
            self.marks = ("+", "x", "-", "-")

    def _print(self, line: str) -> None:
        for secret in self.secrets:
            if secret:
                line = line.replace(secret, "<hidden>")
        print(redact(line), file=self.out, flush=True)

    def ok(self, step: str, detail: str) -> None:
        self._print(f"{self.marks[0]} {step}: {detail}")

    def note(self, text: str) -> None:
        self._print(f"{self.marks[2]} {text}")

    def fail(self, step: str, fix: str, *, then: Sequence[str] = ()) -> None:
        """Say what failed and its fix, and which later steps are not checked (the caller returns)."""
        self.failed = True
        self._print(f"{self.marks[1]} {step} {self.marks[3]} fix: {fix}")
        rest = [name for name in then if name != step]
        if rest:
            self.note(f"not checked: {', '.join(rest)} (they need this step)")


def _after(step: str, chain: Sequence[str]) -> list[str]:
    return list(chain[chain.index(step) + 1:])


def _read_kind(scopes: Sequence[str]) -> Kind | None:
    """A participant kind the scopes can read with no required filter: the first scope's own first."""
    readable = [k for k in KINDS.values() if k.token == "participant" and not any(p.required for p in k.params)]
    for scope in scopes:
        for kind in readable:
            if kind.scope == scope:
                return kind
    return next((k for k in readable if grants(scopes, k.scope)), None)


def _answer_flow(request: httpx.Request, *, failed: Callable[[httpx.Response], MDHError]) -> Flow[httpx.Response]:
    """A one-request flow for :meth:`Client.run_flow`: the client's retry policy tries it again after a
    dropped connection or a 5xx (``failed`` maps that answer to the error a :class:`ServerError` is);
    any other answer is the doctor's to judge."""
    response = yield request
    if response.status_code >= 500:
        raise failed(response)
    return response


def _probe_token_endpoint(client: Client, config: Config) -> str:
    """POST an empty client_credentials request: an OAuth error in JSON means the endpoint is there."""
    request = httpx.Request("POST", config.token_url, data={"grant_type": "client_credentials"},
                            headers={"Accept": "application/json"})
    try:
        response = client.run_flow(lambda: _answer_flow(
            request, failed=lambda answer: error_for_response(answer, token_request=True)))
    except TransportError as exc:
        raise MDHError(f"{exc} — for a local sandbox, is `mdh-notebook sandbox` still running?") from None
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code in (400, 401) and isinstance(body, dict) and "error" in body:
        return f"{config.token_url} answers (HTTP {response.status_code} {body['error']} to an empty request)"
    if response.is_success:
        raise MDHError(f"{config.token_url} answered {response.status_code} to an empty token request, which a "
                       "MyDataHelps token endpoint refuses: is MDH_BASE_URL the MyDataHelps site root?")
    raise MDHError(str(error_for_response(response, token_request=True)))


def _service_steps(report: _Report, located: Located, participant: str | None, scopes: Sequence[str],
                   timeout: float) -> None:
    chain = SERVICE_STEPS
    try:
        config = located.config()
    except ConfigurationError as exc:
        if exc.setting == "private_key":
            report.ok("configuration", f"found in {located.source}")
            return report.fail("private key", str(exc), then=_after("private key", chain))
        return report.fail("configuration", str(exc), then=_after("configuration", chain))
    report.ok("configuration", repr(config))
    report.ok("private key", f"RSA {config.private_key.key_size}-bit, from {located.key_origin}")
    with Client(config, timeout=timeout) as client:
        try:
            report.ok("token endpoint", _probe_token_endpoint(client, config))
        except MDHError as exc:
            return report.fail("token endpoint", str(exc), then=_after("token endpoint", chain))
        try:
            token = client.run_flow(client.service_tokens.fresh_flow)
        except MDHError as exc:
            return report.fail("service token", str(exc), then=_after("service token", chain))
        report.secrets.append(token.value)
        report.ok("service token", f"obtained for {config.service_account} (expires in {token.lifetime:.0f} s)")
        try:
            if participant:
                record = client.find_participant(participant)
                counted = ""
            else:
                pager = client.pager("participants")
                page = next(iter(pager.pages), [])
                if not page:
                    raise MDHError(f"project {config.project_id} has no participants yet: add one, or name one "
                                   "with --participant")
                record = page[0]
                total = pager.state.total if pager.state.total is not None else len(page)
                counted = f"; participants: {total} in project {config.project_id}"
        except MDHError as exc:
            return report.fail("participant lookup", str(exc), then=_after("participant lookup", chain))
        who = str(record.get("participantIdentifier") or record.get("id"))
        report.ok("participant lookup", f"{who} found{counted}")
        try:
            checked = validate_scopes(scopes)
            session = ParticipantSession.open(client, record, checked)
        except MDHError as exc:
            return report.fail("participant token", str(exc), then=_after("participant token", chain))
        held = session.tokens.token
        if held is not None:
            report.secrets.append(held.value)
        lifetime = f" (expires in {held.lifetime:.0f} s)" if held is not None else ""
        report.ok("participant token", f"for {who} with {' '.join(checked)}{lifetime}")
        kind = _read_kind(checked)
        if kind is None:
            report.note(f"a read with it: no data kind is read with {' '.join(checked)} alone; not tried")
            return
        try:
            pager = session.pager(kind)
            page = next(iter(pager.pages), [])
        except MDHError as exc:
            return report.fail("a read with it", str(exc))
        report.ok("a read with it", f"{kind.name}() answered ({len(page)} record{'' if len(page) == 1 else 's'} "
                                    "on its first page)")
        if client.rate_limit is not None:
            limit = client.rate_limit
            report.note(f"rate limit (service account): {limit.remaining}/{limit.limit} left, resets in "
                        f"{limit.reset} s")


def _authenticator_steps(report: _Report, url: str, api_key: str, participant: str | None,
                         scopes: Sequence[str] | None, timeout: float) -> None:
    chain = AUTHENTICATOR_STEPS
    root = str(httpx.URL(url).copy_with(path="/"))  # the client's own base URL: every request names its URL
    with Client.for_api(root, timeout=timeout) as client:
        def call(method: str, route: str, *, who: str = "", **kwargs: Any) -> httpx.Response:
            request = httpx.Request(method, httpx.URL(url).join(route), headers={
                "Accept": "application/json", **({"Authorization": f"Bearer {api_key}"} if api_key else {})},
                **kwargs)
            try:
                return client.run_flow(lambda: _answer_flow(request, failed=lambda answer: error_for_authenticator(
                    answer, url=url, participant=who, hide=(api_key,))))
            except TransportError as exc:
                raise MDHError(f"{exc} — is `mdh-notebook authenticator` running, and is this the URL it printed "
                               "('MDH authenticator listening on …')?") from None

        try:
            health = call("GET", "health")
            if health.status_code != 200:
                raise MDHError(f"{url}health answered HTTP {health.status_code}: is --authenticator the URL "
                               "`mdh-notebook authenticator` printed?")
        except MDHError as exc:
            return report.fail("authenticator", str(exc), then=chain)
        report.ok("authenticator", f"{url} is up")
        if not api_key:
            return report.fail("authenticator grant", "no API key: pass --api-key KEY or set MDH_API_KEY (the key "
                               "the authenticator's grants file was written for)",
                               then=_after("authenticator grant", chain))
        try:
            answer = call("GET", "grant")
            if answer.status_code != 200:
                raise error_for_authenticator(answer, url=url, participant="", hide=(api_key,))
            grant = answer.json()
            granted_participants = [str(p) for p in grant.get("participants", [])]
            granted_scopes = [str(s) for s in grant.get("scopes", [])]
        except (MDHError, ValueError, AttributeError) as exc:
            message = str(exc) if isinstance(exc, MDHError) else "the /grant answer is not the authenticator's JSON"
            return report.fail("authenticator grant", message, then=_after("authenticator grant", chain))
        report.ok("authenticator grant", f"the API key is accepted: participants {', '.join(granted_participants)}; "
                                         f"scopes {' '.join(granted_scopes)}")
        who = participant or next((p for p in granted_participants if p != "*"), None)
        if who is None:
            return report.fail("authenticator token", "the grant covers every participant: name one with "
                               "--participant to ask for a token")
        asked = list(scopes) if scopes else granted_scopes
        try:
            issued = call("POST", "token", who=who, json={"participant": who, "scopes": asked})
            if issued.status_code != 200:
                raise error_for_authenticator(issued, url=url, participant=who, hide=(api_key,))
            body = issued.json()
            report.secrets.append(str(body.get("access_token", "")))
        except (MDHError, ValueError) as exc:
            message = str(exc) if isinstance(exc, MDHError) else "the /token answer is not the authenticator's JSON"
            return report.fail("authenticator token", message)
        report.ok("authenticator token", f"for {who} with {body.get('scope', ' '.join(asked))} (expires in "
                                         f"{body.get('expires_in', '?')} s, for {body.get('base_url', '?')})")


def run_doctor(*, participant: str | None = None, scopes: Sequence[str] | None = None,
               authenticator: str | None = None, api_key: str | None = None, out: TextIO | None = None,
               environ: Mapping[str, str] | None = None, timeout: float = 15.0,
               locate: Callable[[], Located | None] | None = None) -> int:
    """Run every step, print one line each to ``out`` (stdout); 0 when all passed, else 1.

    The authenticator is found as :func:`~mdh_notebook.connect.connect` finds it (``authenticator``
    and ``api_key``, else ``MDH_AUTHENTICATOR_URL`` / ``MDH_API_KEY`` from ``environ`` — default
    ``os.environ`` — else from ``./.env``); ``locate`` finds the service configuration (default
    :meth:`Config.locate`: arguments > environment > ``./.env``).
    """
    report = _Report(out if out is not None else sys.stdout)
    if api_key:
        report.secrets.append(api_key)
    found: LocatedAuthenticator | None = None
    refused: ConfigurationError | None = None
    try:
        found = locate_authenticator(authenticator, None, environ=environ, require_key=False)
    except ConfigurationError as exc:
        refused = exc
    if found is not None:
        api_key = api_key or found.api_key
        report.secrets.append(found.api_key)
    chain = SERVICE_STEPS
    try:
        located = (locate or Config.locate)()
    except ConfigurationError as exc:
        located = None
        report.fail("configuration", str(exc), then=_after("configuration", chain))
    else:
        if located is None and (found is not None or refused is not None):
            report.note("configuration: no service account here (arguments, environment, ./.env) — the "
                        "authenticator holds it")
        elif located is None:
            report.fail("configuration", "none found (arguments, environment variables, ./.env): set MDH_BASE_URL, "
                        "RKS_SERVICE_ACCOUNT, RKS_PROJECT_ID and RKS_PRIVATE_KEY (or MDH_PRIVATE_KEY_FILE), e.g. in "
                        ".env — or, through an authenticator, MDH_AUTHENTICATOR_URL and MDH_API_KEY; "
                        "`mdh-notebook sandbox --env-file .env` writes one for a local sandbox (with nothing "
                        "configured, connect() uses an embedded sandbox)", then=_after("configuration", chain))
        else:
            _service_steps(report, located, participant, scopes or DEFAULT_SCOPES, timeout)
    if refused is not None:
        report.fail("authenticator", str(refused), then=AUTHENTICATOR_STEPS)
    elif found is not None:
        _authenticator_steps(report, found.url, api_key or "", participant, scopes, timeout)
    elif api_key and authenticator is None:
        report.fail("authenticator", "--api-key is an authenticator's key: also give --authenticator URL (or set "
                    "MDH_AUTHENTICATOR_URL), the URL `mdh-notebook authenticator` printed", then=AUTHENTICATOR_STEPS)
    return 1 if report.failed else 0
