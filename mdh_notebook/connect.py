"""``connect()`` and ``open_client()``: configuration, or else the embedded sandbox.

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
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import httpx

from .auth import RenewalEvent
from .client import Client
from .config import Config, shown
from .errors import ConfigurationError
from .scopes import validate_scopes
from .session import ParticipantSession

if TYPE_CHECKING:
    from .emulator import SandboxServer

__all__ = ["connect", "embedded_sandbox", "open_client", "resolve_config", "sandbox", "stop_sandbox"]

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


def open_client(config: Config | None = None, *, base_url: str | None = None, service_account: str | None = None,
                project_id: str | None = None, private_key: str | None = None,
                private_key_file: str | os.PathLike[str] | None = None,
                transport: httpx.BaseTransport | None = None, timeout: float = 30.0,
                rate_limit_wait: float | None = None) -> Client:
    """A service-account :class:`Client` from the same configuration :func:`connect` uses."""
    cfg = resolve_config(config, base_url=base_url, service_account=service_account, project_id=project_id,
                         private_key=private_key, private_key_file=private_key_file)
    return Client(cfg, transport=transport, timeout=timeout, rate_limit_wait=rate_limit_wait)


def connect(participant: str, scopes: Sequence[str] | str, *, config: Config | None = None,
            base_url: str | None = None, service_account: str | None = None, project_id: str | None = None,
            private_key: str | None = None, private_key_file: str | os.PathLike[str] | None = None,
            on_renew: Callable[[RenewalEvent], Any] | None = None, transport: httpx.BaseTransport | None = None,
            timeout: float = 30.0, rate_limit_wait: float | None = None) -> ParticipantSession:
    """Open a :class:`ParticipantSession` for ``participant`` with exactly ``scopes``.

    ``participant`` is a participantIdentifier (``"PT-0001"``) or the internal id (a GUID).
    ``scopes`` is a list such as ``["SurveyAnswers:read", "FitbitSleepLogs:read"]``.
    Credentials come from the arguments, then ``MDH_BASE_URL`` / ``RKS_SERVICE_ACCOUNT`` /
    ``RKS_PROJECT_ID`` / ``RKS_PRIVATE_KEY`` (or ``MDH_PRIVATE_KEY_FILE``), then ``./.env``;
    with none of them, the embedded sandbox is used. ``rate_limit_wait``: how many seconds a spent
    rate-limit budget may be waited out, saying so (None: the client's retry policy's default, 300 s;
    0: raise at once).
    """
    checked = validate_scopes(scopes)  # cheap errors before any network or sandbox start
    client = open_client(config, base_url=base_url, service_account=service_account, project_id=project_id,
                         private_key=private_key, private_key_file=private_key_file, transport=transport,
                         timeout=timeout, rate_limit_wait=rate_limit_wait)
    try:
        return ParticipantSession.open(client, participant, checked, owns_client=True, on_renew=on_renew)
    except BaseException:
        client.close()
        raise


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
