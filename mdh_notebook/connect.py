"""``connect()`` and ``open_client()``: configuration, an authenticator, or else the embedded sandbox.

Which one a session uses, first match wins:

1. arguments: ``authenticator=URL`` (with ``api_key=``, or ``MDH_API_KEY``) → participant tokens
   from that authenticator; service-account arguments (``config=``, ``base_url=``,
   ``service_account=``, ``project_id=``, ``private_key=``, ``private_key_file=``) → that service
   account. Both kinds at once is a :class:`ConfigurationError` asking to choose.
2. a service account in the environment or ``./.env`` (``MDH_BASE_URL``, ``RKS_*``, see
   :mod:`mdh_notebook.config`) → that service account;
3. ``MDH_AUTHENTICATOR_URL`` and ``MDH_API_KEY`` in the environment (or else ``./.env``) → the
   authenticator;
4. nothing → the embedded sandbox.

Through an authenticator the process never holds the service key: the authenticator's first answer
says which API the token is for (``base_url``) and whose it is, so the session's client is
:meth:`Client.for_api` (no service account) and its renewals go to the authenticator again (after a
401 with ``rejected_token``, so the refused token is replaced). :func:`open_client` makes
service-account clients only; with nothing but an authenticator configured it says to use
``connect()``.

This is the one place the client side reaches the sandbox: when nothing is configured
(no arguments, no environment variables, no ``.env``), :func:`embedded_sandbox` starts
the emulator in a background thread — once per process — and says so in one line.
:func:`sandbox` starts another one with chosen options (short token lifetimes, a seed, fewer days)
and returns its :class:`Config`, so a tutorial can show renewal happening.

The announcement is a plain information line: on stderr in a terminal (stdout stays clean for
data), and in a Jupyter kernel as ordinary output (stderr would be drawn as a red error box).
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

import httpx

from .auth import AuthenticatorTokenSource, RenewalEvent, authenticator_url
from .cache import Cache
from .client import Client
from .config import Config, cache_dir_setting, read_dotenv, shown
from .errors import ConfigurationError, TransportError
from .retry import Flow, RetryPolicy
from .scopes import validate_scopes
from .session import ParticipantSession

if TYPE_CHECKING:
    from .emulator import SandboxServer

__all__ = ["API_KEY_ENV", "AUTHENTICATOR_ENV", "connect", "embedded_sandbox", "locate_authenticator", "open_client",
           "resolve_config", "sandbox", "stop_sandbox"]

log = logging.getLogger(__name__)

T = TypeVar("T")

AUTHENTICATOR_ENV = "MDH_AUTHENTICATOR_URL"
API_KEY_ENV = "MDH_API_KEY"

_embedded_lock = threading.Lock()
_embedded: list[SandboxServer] = []  # at most one per process, started on first need
_started: list[SandboxServer] = []  # started by sandbox(...): kept alive until the process exits

# what sandbox(...) accepts: the emulator's settings a user has reason to change
SANDBOX_OPTIONS = ("seed", "participants", "days", "end_date", "participant_token_lifetime",
                   "service_token_lifetime", "rate_limit", "admin_rate_limit", "port", "host")


def _in_jupyter_kernel() -> bool:
    shell = sys.modules.get("IPython")
    get_ipython = getattr(shell, "get_ipython", None)
    if get_ipython is None:
        return False
    ip = get_ipython()
    return ip is not None and getattr(ip, "kernel", None) is not None


def announce(message: str) -> None:
    """One information line: stdout in a Jupyter kernel (not an error box), stderr elsewhere."""
    line = f"mdh_notebook: {message}"
    if _in_jupyter_kernel():
        print(line, flush=True)
    else:
        print(line, file=sys.stderr, flush=True)


def embedded_sandbox() -> SandboxServer:
    """The process's embedded sandbox, started (and announced) on first call."""
    with _embedded_lock:
        if not _embedded:
            from .emulator import SandboxServer  # lazy: only when nothing is configured

            server = SandboxServer().start()
            atexit.register(server.stop)
            _embedded.append(server)
            announce(f"no MyDataHelps credentials configured; using the embedded sandbox at {server.url} "
                     f"(synthetic participants PT-0001…)")
        return _embedded[0]


def _sandbox_config(server: SandboxServer, source: str) -> Config:
    creds = server.credentials
    return Config.from_values(base_url=creds.base_url, service_account=creds.service_account,
                              project_id=creds.project_id, private_key=creds.private_key_pem, source=source)


def sandbox(**options: Any) -> Config:
    """Start a sandbox of your own and return its :class:`Config` for ``connect(..., config=...)``.

    Options (all optional): ``seed``, ``participants``, ``days``, ``end_date``,
    ``participant_token_lifetime`` and ``service_token_lifetime`` (seconds), ``rate_limit`` and
    ``admin_rate_limit`` (requests per hour), ``port`` (0 = any free one), ``host``::

        config = mdh.sandbox(participant_token_lifetime=20)   # tokens that last 20 s
        session = mdh.connect("PT-0001", ["SurveyAnswers:read"], config=config)

    Each call starts a new one (the same seed gives the same data); it runs until the process exits
    or :func:`stop_sandbox` stops it.
    """
    unknown = sorted(set(options) - set(SANDBOX_OPTIONS))
    if unknown:
        raise ConfigurationError(f"unknown sandbox option(s) {', '.join(map(repr, unknown))}; "
                                 f"choose from {', '.join(SANDBOX_OPTIONS)}")
    from .emulator import SandboxConfig, SandboxServer, SandboxStartError  # lazy: only when asked for

    try:
        server = SandboxServer(SandboxConfig().replace(**options))
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"bad sandbox option: {str(exc).removeprefix('SandboxConfig.')}") from None
    try:
        server.start()
    except SandboxStartError as exc:
        raise ConfigurationError(f"the sandbox could not start: {exc}") from None
    atexit.register(server.stop)
    with _embedded_lock:
        _started.append(server)
    chosen = ", ".join(f"{name}={options[name]!r}" for name in SANDBOX_OPTIONS if name in options)
    announce(f"sandbox started at {server.url}" + (f" ({chosen})" if chosen else ""))
    return _sandbox_config(server, f"sandbox at {server.url}")


def _check_config_type(config: object) -> None:
    """``config=`` takes a :class:`Config`; the things people pass instead get the way to make one."""
    if isinstance(config, Config):
        return
    if hasattr(config, "private_key_pem") and hasattr(config, "base_url"):  # a SandboxCredentials
        raise ConfigurationError(
            f"config= takes a Config, not a sandbox's {type(config).__name__}: use config = mdh.sandbox(...) "
            "(it starts a sandbox and returns its Config), or mdh.Config.from_values(base_url=creds.base_url, "
            "service_account=creds.service_account, project_id=creds.project_id, "
            "private_key=creds.private_key_pem)")
    if isinstance(config, (str, os.PathLike)):
        raise ConfigurationError(
            f"config= takes a Config, not a {type(config).__name__} path: for a .env file use "
            f"config=mdh.Config.resolve(dotenv_path={shown(os.fspath(config))}), or run in the folder that holds .env "
            "and leave config= out")
    raise ConfigurationError(
        f"config= takes a Config (from mdh.sandbox(), mdh.Config.resolve() or mdh.Config.from_values(...)), "
        f"got a {type(config).__name__}")


def resolve_config(config: Config | None = None, **settings: Any) -> Config:
    """``config`` if given, else arguments > environment > ``.env``, else the embedded sandbox."""
    if config is not None:
        _check_config_type(config)
        given = sorted(name for name, value in settings.items() if value is not None)
        if given:
            raise ConfigurationError(f"pass either config= or {', '.join(given)}, not both")
        return config
    resolved = Config.resolve(**settings)
    if resolved is not None:
        return resolved
    return _sandbox_config(embedded_sandbox(), "embedded sandbox")


@dataclass(frozen=True)
class LocatedAuthenticator:
    """An authenticator's URL and the API key for it, and where each came from (the key never shown)."""

    url: str
    api_key: str = field(repr=False)
    origin: str  # "authenticator=", "MDH_AUTHENTICATOR_URL (from environment)", "… (from /path/.env)"


def locate_authenticator(authenticator: str | None = None, api_key: str | None = None, *,
                         environ: Mapping[str, str] | None = None,
                         dotenv_path: str | os.PathLike[str] | None = None,
                         require_key: bool = True) -> LocatedAuthenticator | None:
    """The authenticator to use: ``authenticator``, else ``MDH_AUTHENTICATOR_URL`` from the
    environment, else from ``./.env`` (``dotenv_path``); its API key likewise (``api_key``, then
    ``MDH_API_KEY``). None when no URL is configured; a URL without a key (unless not
    ``require_key``: then its ``api_key`` is ``""``, for ``mdh-notebook doctor`` to check the URL
    first), or a key without a URL, is a :class:`ConfigurationError` saying what to add."""
    env = os.environ if environ is None else environ
    dot = read_dotenv(dotenv_path)
    levels: tuple[tuple[str, Callable[[str], Any]], ...] = (
        ("environment", env.get), (".env", dot.get))
    url, origin = authenticator, "authenticator="
    if url in (None, ""):
        url, origin = next(((v, f"{AUTHENTICATOR_ENV} (from {where})") for where, get in levels
                            if (v := get(AUTHENTICATOR_ENV)) not in (None, "")), (None, ""))
    key = api_key if api_key not in (None, "") else next(
        (v for _, get in levels if (v := get(API_KEY_ENV)) not in (None, "")), None)
    if url is None:
        if api_key not in (None, ""):
            raise ConfigurationError(f"api_key= is an authenticator's key: also pass authenticator=URL (or set "
                                     f"{AUTHENTICATOR_ENV}), the URL `mdh-notebook authenticator` printed",
                                     setting="authenticator")
        return None
    checked = authenticator_url(url, origin)
    if key is None and require_key:
        raise ConfigurationError(f"{origin} names an authenticator but no API key is given: pass api_key= or set "
                                 f"{API_KEY_ENV} (environment or .env) to the key its operator gave you",
                                 setting="api_key")
    return LocatedAuthenticator(checked, "" if key is None else str(key), origin)


_SERVICE_SETTINGS = ("config", "base_url", "service_account", "project_id", "private_key", "private_key_file")


def _use_connect(located: LocatedAuthenticator) -> ConfigurationError:
    return ConfigurationError(
        f"open_client() makes a service-account client, and only an authenticator is configured ({located.origin}): "
        "an authenticator hands out participant tokens — use mdh.connect(participant, scopes) (it reads "
        f"{AUTHENTICATOR_ENV} and {API_KEY_ENV}), or configure a service account for admin calls",
        setting="authenticator")


def open_client(config: Config | None = None, *, base_url: str | None = None, service_account: str | None = None,
                project_id: str | None = None, private_key: str | None = None,
                private_key_file: str | os.PathLike[str] | None = None,
                transport: httpx.BaseTransport | None = None, timeout: float = 30.0,
                rate_limit_wait: float | None = None, clock: Callable[[], float] = time.time,
                authenticator: str | None = None, api_key: str | None = None,
                retry: RetryPolicy | None = None, parallel: int | None = None,
                slice_above: float | None = None) -> Client:
    """A service-account :class:`Client` from the same configuration :func:`connect` uses
    (``retry``: its :class:`RetryPolicy`, default ``RetryPolicy()``; ``rate_limit_wait`` overrides
    the policy's own; ``parallel`` and ``slice_above``: the client's paging settings, its defaults
    when left out).

    ``authenticator=`` is refused naming :func:`connect` (an authenticator gives participant tokens,
    not a service account); so is an authenticator configured in the environment or ``.env`` with
    no service account (rather than silently opening the embedded sandbox)."""
    if authenticator is not None or api_key is not None:
        raise ConfigurationError("open_client() makes a service-account client; authenticator=/api_key= are for "
                                 "participant sessions: use mdh.connect(participant, scopes, authenticator=URL, "
                                 "api_key=...)", setting="authenticator")
    settings = {"base_url": base_url, "service_account": service_account, "project_id": project_id,
                "private_key": private_key, "private_key_file": private_key_file}
    if config is None and all(v is None for v in settings.values()) and Config.locate() is None:
        located = locate_authenticator()
        if located is not None:
            raise _use_connect(located)
    cfg = resolve_config(config, **settings)
    return Client(cfg, transport=transport, timeout=timeout, rate_limit_wait=rate_limit_wait, clock=clock,
                  retry=retry, **paging_keywords(parallel, slice_above))


def paging_keywords(parallel: int | None, slice_above: float | None) -> dict[str, Any]:
    """The paging settings given, as :class:`Client` keywords (``parallel=``, ``slice_above=``); one
    left at None is left out, so the client's own default holds."""
    given = {"parallel": parallel, "slice_above": slice_above}
    return {name: value for name, value in given.items() if value is not None}


def connect(participant: str, scopes: Sequence[str] | str, *, config: Config | None = None,
            base_url: str | None = None, service_account: str | None = None, project_id: str | None = None,
            private_key: str | None = None, private_key_file: str | os.PathLike[str] | None = None,
            authenticator: str | None = None, api_key: str | None = None,
            on_renew: Callable[[RenewalEvent], Any] | None = None, transport: httpx.BaseTransport | None = None,
            timeout: float = 30.0, rate_limit_wait: float | None = None,
            clock: Callable[[], float] = time.time, retry: RetryPolicy | None = None,
            cache_dir: str | os.PathLike[str] | None = None, parallel: int | None = None,
            slice_above: float | None = None) -> ParticipantSession:
    """Open a :class:`ParticipantSession` for ``participant`` with exactly ``scopes``.

    ``participant`` is a participantIdentifier (``"PT-0001"``) or the internal id (a GUID).
    ``scopes`` is a list such as ``["SurveyAnswers:read", "FitbitSleepLogs:read"]``.
    Credentials come from the arguments, then ``MDH_BASE_URL`` / ``RKS_SERVICE_ACCOUNT`` /
    ``RKS_PROJECT_ID`` / ``RKS_PRIVATE_KEY`` (or ``MDH_PRIVATE_KEY_FILE``), then ``./.env``;
    with none of them, the embedded sandbox is used.

    ``authenticator=URL`` and ``api_key=`` (or ``MDH_AUTHENTICATOR_URL`` and ``MDH_API_KEY``, in the
    environment or ``.env``, when no service account is configured): tokens come from that
    authenticator (``mdh-notebook authenticator``) and this process never holds the service key —
    see :mod:`mdh_notebook.connect` for the order. ``rate_limit_wait``: how many seconds a spent
    rate-limit budget may be waited out, saying so (None: the client's retry policy's default, 300 s;
    0: raise at once). ``retry``: the :class:`RetryPolicy` every request of the session follows
    (through an authenticator, its token requests too), e.g. ``RetryPolicy(attempts=8)``.
    ``clock``: the time source for token expiry (a test passes one that moves with the sandbox's clock).
    ``cache_dir``: keep the participant's kinds on disk there and ask only for what changed since
    (see :mod:`mdh_notebook.cache`; default ``MDH_CACHE_DIR`` from the environment or ``.env``, else no
    cache). ``parallel``: at most this many requests at once for one long pull; ``slice_above``: cut a
    pull into time slices only when the rest of it should take longer than this many seconds (both the
    :class:`Client`'s settings; left out, the client's defaults).
    """
    checked = validate_scopes(scopes)  # cheap errors before any network or sandbox start
    where = cache_dir_setting(cache_dir)
    cache = Cache(where) if where is not None else None  # an unusable directory fails here, naming cache_dir
    service: dict[str, Any] = {"config": config, "base_url": base_url, "service_account": service_account,
                               "project_id": project_id, "private_key": private_key,
                               "private_key_file": private_key_file}
    given = [f"{name}=" for name in _SERVICE_SETTINGS if service[name] is not None]
    located: LocatedAuthenticator | None = None
    if authenticator is not None:
        if given:
            raise ConfigurationError(
                f"connect() got authenticator= and the service account's {', '.join(given)}: choose one — "
                "authenticator= for tokens from an authenticator (no service key in this process), or the service "
                "account's settings to get tokens with its key", setting="authenticator")
        located = locate_authenticator(authenticator, api_key)
    elif not given:
        found = Config.locate()  # a service account in the environment or .env comes first
        if found is None:
            located = locate_authenticator(None, api_key)
        elif api_key is not None:
            raise ConfigurationError(f"api_key= is an authenticator's key, and a service account is configured "
                                     f"({found.source}): pass authenticator=URL too, or leave api_key= out",
                                     setting="api_key")
        else:
            if _authenticator_url_set():
                log.info("a service account is configured (%s): it is used, and %s is not", found.source,
                         AUTHENTICATOR_ENV)
            config = found.config()
    elif api_key is not None:
        raise ConfigurationError(f"api_key= is an authenticator's key: with {', '.join(given)} leave it out, or pass "
                                 "authenticator=URL instead of the service account's settings", setting="api_key")
    if located is not None:
        return _through_authenticator(located, participant, checked, on_renew=on_renew, transport=transport,
                                      timeout=timeout, rate_limit_wait=rate_limit_wait, clock=clock, retry=retry,
                                      cache=cache, parallel=parallel, slice_above=slice_above)
    client = open_client(config, base_url=base_url, service_account=service_account,
                         project_id=project_id, private_key=private_key, private_key_file=private_key_file,
                         transport=transport, timeout=timeout, rate_limit_wait=rate_limit_wait, clock=clock,
                         retry=retry, parallel=parallel, slice_above=slice_above)
    try:
        return ParticipantSession.open(client, participant, checked, owns_client=True, on_renew=on_renew,
                                       cache=cache)
    except BaseException:
        client.close()
        raise


def _authenticator_url_set() -> bool:
    return bool(os.environ.get(AUTHENTICATOR_ENV) or read_dotenv().get(AUTHENTICATOR_ENV))


def _noting_answers(flow: Flow[T], answered: list[bool]) -> Flow[T]:
    """``flow`` as it is, noting in ``answered`` that a response came (a reply, then a failure, is not
    'cannot reach')."""
    request = next(flow)
    while True:
        response = yield request
        answered.append(True)
        try:
            request = flow.send(response)
        except StopIteration as done:
            return cast(T, done.value)


def _through_authenticator(located: LocatedAuthenticator, participant: str, scopes: Sequence[str], *,
                           on_renew: Callable[[RenewalEvent], Any] | None, transport: httpx.BaseTransport | None,
                           timeout: float, rate_limit_wait: float | None, clock: Callable[[], float],
                           retry: RetryPolicy | None, cache: Cache | None = None,
                           parallel: int | None = None, slice_above: float | None = None) -> ParticipantSession:
    """The first token from the authenticator (its answer names the API and the participant), then a
    session on :meth:`Client.for_api` for that API whose renewals go to the authenticator again."""
    source = AuthenticatorTokenSource(located.url, located.api_key, participant, scopes, clock=clock)
    root = str(httpx.URL(located.url).copy_with(path="/"))  # the first request's client: any path is the source's
    answered: list[bool] = []
    with Client.for_api(root, transport=transport, timeout=timeout, clock=clock, retry=retry,
                        rate_limit_wait=rate_limit_wait) as first_client:
        try:
            first = first_client.run_flow(lambda: _noting_answers(source.token_flow(), answered))
        except TransportError:
            attempts = first_client.retry.attempts
            tries = f"up to {attempts} tr{'y' if attempts == 1 else 'ies'}"
            if answered:
                raise TransportError(
                    f"no token from the authenticator at {located.url}: it answered, but its connection kept "
                    f"failing part-way ({tries}) — try again later; if it goes on, tell its operator") from None
            raise TransportError(
                f"no token from the authenticator at {located.url}: cannot reach it (no connection, or no answer "
                f"within timeout={timeout:g} s, in {tries}) — is `mdh-notebook authenticator` running there, and is "
                f"{located.origin} the URL it printed ('MDH authenticator listening on …')?") from None
    answer = source.answer
    assert answer is not None  # set by every token the flow returns
    try:
        client = Client.for_api(answer.base_url, transport=transport, timeout=timeout, clock=clock, retry=retry,
                                rate_limit_wait=rate_limit_wait, **paging_keywords(parallel, slice_above))
    except ConfigurationError:
        raise TransportError(f"the authenticator at {located.url} says its tokens are for {shown(answer.base_url)}, "
                             "which is not a MyDataHelps site root: tell its operator (its --base-url)") from None
    try:
        session = ParticipantSession(client, answer.record, scopes, owns_client=True, on_renew=on_renew,
                                     token_source=source, cache=cache)
        session.tokens.seed(first)
    except BaseException:
        client.close()
        raise
    return session


def stop_sandbox(config: Config) -> None:
    """Stop the sandbox that :func:`sandbox` started for ``config`` (its sessions fail from then on)."""
    with _embedded_lock:
        found = [server for server in _started if server.url == config.base_url]
        for server in found:
            _started.remove(server)
    if not found:
        raise ConfigurationError(f"no sandbox started by mdh.sandbox() serves {config.base_url}; "
                                 "stop_sandbox takes the Config that mdh.sandbox() returned")
    for server in found:
        server.stop()
