"""``connect()`` and ``open_client()``: configuration, or else the embedded sandbox.

This is the one place the client side reaches the sandbox: when nothing is configured
(no arguments, no environment variables, no ``.env``), :func:`embedded_sandbox` starts
the emulator in a background thread — once per process — and says so in one line.
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
from .config import Config
from .errors import ConfigurationError
from .scopes import validate_scopes
from .session import ParticipantSession

if TYPE_CHECKING:
    from .emulator import SandboxServer

__all__ = ["connect", "embedded_sandbox", "open_client", "resolve_config"]

_embedded_lock = threading.Lock()
_embedded: list[SandboxServer] = []  # at most one per process, started on first need


def embedded_sandbox() -> SandboxServer:
    """The process's embedded sandbox, started (and announced) on first call."""
    with _embedded_lock:
        if not _embedded:
            from .emulator import SandboxServer  # lazy: only when nothing is configured

            server = SandboxServer().start()
            atexit.register(server.stop)
            _embedded.append(server)
            print(f"mdh_notebook: no MyDataHelps credentials configured; using the embedded sandbox at "
                  f"{server.url} (synthetic participants PT-0001…)", file=sys.stderr, flush=True)
        return _embedded[0]


def resolve_config(config: Config | None = None, **settings: Any) -> Config:
    """``config`` if given, else arguments > environment > ``.env``, else the embedded sandbox."""
    if config is not None:
        given = sorted(name for name, value in settings.items() if value is not None)
        if given:
            raise ConfigurationError(f"pass either config= or {', '.join(given)}, not both")
        return config
    resolved = Config.resolve(**settings)
    if resolved is not None:
        return resolved
    creds = embedded_sandbox().credentials
    return Config.from_values(base_url=creds.base_url, service_account=creds.service_account,
                              project_id=creds.project_id, private_key=creds.private_key_pem,
                              source="embedded sandbox")


def open_client(config: Config | None = None, *, base_url: str | None = None, service_account: str | None = None,
                project_id: str | None = None, private_key: str | None = None,
                private_key_file: str | os.PathLike[str] | None = None,
                transport: httpx.BaseTransport | None = None, timeout: float = 30.0,
                rate_limit_wait: float = 0.0) -> Client:
    """A service-account :class:`Client` from the same configuration :func:`connect` uses."""
    cfg = resolve_config(config, base_url=base_url, service_account=service_account, project_id=project_id,
                         private_key=private_key, private_key_file=private_key_file)
    return Client(cfg, transport=transport, timeout=timeout, rate_limit_wait=rate_limit_wait)


def connect(participant: str, scopes: Sequence[str] | str, *, config: Config | None = None,
            base_url: str | None = None, service_account: str | None = None, project_id: str | None = None,
            private_key: str | None = None, private_key_file: str | os.PathLike[str] | None = None,
            on_renew: Callable[[RenewalEvent], Any] | None = None, transport: httpx.BaseTransport | None = None,
            timeout: float = 30.0, rate_limit_wait: float = 0.0) -> ParticipantSession:
    """Open a :class:`ParticipantSession` for ``participant`` with exactly ``scopes``.

    ``participant`` is a participantIdentifier (``"PT-0001"``) or the internal id (a GUID).
    ``scopes`` is a list such as ``["SurveyAnswers:read", "FitbitSleepLogs:read"]``.
    Credentials come from the arguments, then ``MDH_BASE_URL`` / ``RKS_SERVICE_ACCOUNT`` /
    ``RKS_PROJECT_ID`` / ``RKS_PRIVATE_KEY`` (or ``MDH_PRIVATE_KEY_FILE``), then ``./.env``;
    with none of them, the embedded sandbox is used.
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
