"""``mdh-notebook doctor``: the configuration checked step by step, one line per step.

Each step prints ``✓ <step>: <what works>`` or ``✗ <step> — fix: <what to do>``; a failure stops
the steps that depend on it (named in one ``· not checked:`` line). The service account's steps,
in order: configuration found (and where), private key readable, token endpoint reachable,
service token obtained, participant lookup (``--participant``, default the first one listed),
a participant token with the scopes asked (``--scopes``, default ``Participant:read``) and one
read with it. With an authenticator (``--authenticator URL`` and ``--api-key``, or
``MDH_AUTHENTICATOR_URL`` / ``MDH_API_KEY``): its ``/health``, the key's ``/grant`` and a token
from it — these need no service account here (the authenticator holds it).

Exit status 0 when every step passed, 1 otherwise. Nothing secret is printed: the key never
leaves :class:`~mdh_notebook.config.Config`, token values are never formatted, the messages are
the package's own (which carry neither), and every line is scrubbed of the API key and the tokens
seen, as a last guard.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import httpx

from .client import Client
from .config import Config, Located
from .errors import ConfigurationError, MDHError, error_for_response, redact
from .kinds import KINDS, Kind
from .retry import transport_label
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


def _network(exc: httpx.TransportError) -> str:
    """A network failure in words, not httpx's class names."""
    return transport_label(exc) or "the connection failed"


def _probe_token_endpoint(config: Config, timeout: float) -> str:
    """POST an empty client_credentials request: an OAuth error in JSON means the endpoint is there."""
    with httpx.Client(timeout=timeout, headers={"Accept": "application/json"}) as http:
        try:
            response = http.post(config.token_url, data={"grant_type": "client_credentials"})
        except httpx.TimeoutException:
            raise MDHError(f"no answer from {config.token_url} within {timeout:g} s: check MDH_BASE_URL and the "
                           "network (a proxy? a firewall?)") from None
        except httpx.TransportError as exc:
            raise MDHError(f"cannot reach {config.base_url} ({_network(exc)}): check MDH_BASE_URL and the "
                           "network; for a local sandbox, is `mdh-notebook sandbox` still running?") from None
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
    try:
        report.ok("token endpoint", _probe_token_endpoint(config, timeout))
    except MDHError as exc:
        return report.fail("token endpoint", str(exc), then=_after("token endpoint", chain))
    with Client(config, timeout=timeout) as client:
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


def _authenticator_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return str(error_for_response(response))
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        code = f"{body.get('error')}: " if body.get("error") else ""
        return f"HTTP {response.status_code} {code}{body['message']}"
    return f"HTTP {response.status_code}"


def _authenticator_steps(report: _Report, url: str, api_key: str | None, participant: str | None,
                         scopes: Sequence[str] | None, timeout: float) -> None:
    chain = AUTHENTICATOR_STEPS
    base = url if url.endswith("/") else url + "/"
    with httpx.Client(base_url=base, timeout=timeout, headers={"Accept": "application/json"}) as http:
        def call(method: str, path: str, **kwargs: Any) -> httpx.Response:
            try:
                return http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                raise MDHError(f"cannot reach {base} ({_network(exc)}): is `mdh-notebook authenticator` "
                               "running, and is this the URL it printed ('MDH authenticator listening on …')?"
                               ) from None

        try:
            health = call("GET", "health")
            if health.status_code != 200:
                raise MDHError(f"{base}health answered {_authenticator_message(health)}: is --authenticator the URL "
                               "`mdh-notebook authenticator` printed?")
        except MDHError as exc:
            return report.fail("authenticator", str(exc), then=chain)
        report.ok("authenticator", f"{base} is up")
        if not api_key:
            return report.fail("authenticator grant", "no API key: pass --api-key KEY or set MDH_API_KEY (the key "
                              "the authenticator's grants file was written for)", then=_after("authenticator grant",
                                                                                            chain))
        report.secrets.append(api_key)
        auth = {"Authorization": f"Bearer {api_key}"}
        try:
            answer = call("GET", "grant", headers=auth)
            if answer.status_code != 200:
                hint = " — check --api-key / MDH_API_KEY" if answer.status_code == 401 else ""
                raise MDHError(_authenticator_message(answer) + hint)
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
            issued = call("POST", "token", headers=auth, json={"participant": who, "scopes": asked})
            if issued.status_code != 200:
                raise MDHError(_authenticator_message(issued))
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

    ``environ`` (default ``os.environ``) is where ``MDH_AUTHENTICATOR_URL`` / ``MDH_API_KEY`` are
    looked up when not given; ``locate`` finds the service configuration (default
    :meth:`Config.locate`: arguments > environment > ``./.env``).
    """
    env = os.environ if environ is None else environ
    report = _Report(out if out is not None else sys.stdout)
    authenticator = authenticator or env.get("MDH_AUTHENTICATOR_URL") or None
    api_key = api_key or env.get("MDH_API_KEY") or None
    if api_key:
        report.secrets.append(api_key)
    chain = SERVICE_STEPS
    try:
        located = (locate or Config.locate)()
    except ConfigurationError as exc:
        located = None
        report.fail("configuration", str(exc), then=_after("configuration", chain))
    else:
        if located is None and authenticator:
            report.note("configuration: no service account here (arguments, environment, ./.env) — the "
                        "authenticator holds it")
        elif located is None:
            report.fail("configuration", "none found (arguments, environment variables, ./.env): set MDH_BASE_URL, "
                        "RKS_SERVICE_ACCOUNT, RKS_PROJECT_ID and RKS_PRIVATE_KEY (or MDH_PRIVATE_KEY_FILE), e.g. in "
                        ".env; `mdh-notebook sandbox --env-file .env` writes one for a local sandbox (with nothing "
                        "configured, connect() uses an embedded sandbox)", then=_after("configuration", chain))
        else:
            _service_steps(report, located, participant, scopes or DEFAULT_SCOPES, timeout)
    if authenticator:
        _authenticator_steps(report, authenticator, api_key, participant, scopes, timeout)
    return 1 if report.failed else 0
