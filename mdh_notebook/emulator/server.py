"""A threaded uvicorn server around the sandbox app, plus the credentials a client needs.

``start()`` returns once uvicorn is listening (a ready event set from ``startup``), with port 0
bound by uvicorn itself; the real port is read back from the listening socket. A small cohort's
data is generated before ``start()`` returns; a large one's on a background thread that works
while no request is being served (requests generate what they need themselves, participant by
participant).
"""

from __future__ import annotations

import dataclasses
import errno
import os
import socket
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from .app import create_app
from .config import SandboxConfig
from .faults import quiet_injected_drops
from .models import TOKEN_PATH, SandboxBackend

__all__ = ["WARM_LIMIT", "SandboxCredentials", "SandboxServer", "SandboxStartError"]


#: Cohorts up to this many participant-days (200 participants over 90 days, about 10 ms per
#: participant) get all their data generated at start; larger ones on a background thread.
WARM_LIMIT = 200 * 90


class SandboxStartError(RuntimeError):
    """The server could not start (e.g. the port is taken)."""


@dataclasses.dataclass(frozen=True)
class SandboxCredentials:
    """What a client needs to talk to a sandbox. The key never appears in the repr."""

    base_url: str
    service_account: str
    project_id: str
    private_key_pem: str = dataclasses.field(repr=False)

    @property
    def token_url(self) -> str:
        return self.base_url + TOKEN_PATH

    def write_env_file(self, path: str | os.PathLike[str]) -> Path:
        """Write a dotenv file (mode 0600) with ``MDH_BASE_URL``, ``RKS_SERVICE_ACCOUNT``,
        ``RKS_PROJECT_ID`` and ``RKS_PRIVATE_KEY`` (the multi-line PEM in double quotes, which
        python-dotenv reads back exactly)."""
        target = Path(path)
        pem = self.private_key_pem if self.private_key_pem.endswith("\n") else self.private_key_pem + "\n"
        if any(ch in pem for ch in '"\\$'):
            raise ValueError("private key PEM contains characters that cannot be quoted safely")
        lines = [
            "# MyDataHelps sandbox credentials (local emulator; regenerated at every start)",
            f"MDH_BASE_URL={self.base_url}",
            f"RKS_SERVICE_ACCOUNT={self.service_account}",
            f"RKS_PROJECT_ID={self.project_id}",
            f'RKS_PRIVATE_KEY="{pem}"',
            "",
        ]
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                fd = -1
                handle.write("\n".join(lines))
        finally:
            if fd != -1:
                os.close(fd)
        return target


class _ReadyServer(uvicorn.Server):
    """Signals ``settled`` once listening (``started`` is then True), and ``stopping`` as it shuts down
    (however it was asked to), before uvicorn waits for the requests in flight."""

    def __init__(self, config: uvicorn.Config, settled: threading.Event, stopping: threading.Event) -> None:
        super().__init__(config)
        self._settled = settled
        self._stopping = stopping

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self._settled.set()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._stopping.set()
        await super().shutdown(sockets=sockets)


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def _check_port_free(host: str, port: int) -> None:
    """Fail fast (and quietly) when a fixed port is taken, before uvicorn logs its own error."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise SandboxStartError(f"cannot resolve host {host!r}: {exc.strerror}") from None
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    raise SandboxStartError(
                        f"port {port} on {host} is already in use; "
                        "choose another --port (or --port 0 for any free port)"
                    ) from None
                if exc.errno == errno.EACCES:
                    raise SandboxStartError(
                        f"permission denied binding port {port} on {host}; choose a port above 1023 (or 0)"
                    ) from None
                if exc.errno == errno.EADDRNOTAVAIL:
                    raise SandboxStartError(f"address {host} is not available on this machine") from None
                raise SandboxStartError(f"cannot bind {host}:{port}: {exc.strerror}") from None


class SandboxServer:
    """Run the sandbox on a background thread::

        with SandboxServer(seed=1) as sandbox:
            creds = sandbox.credentials
    """

    def __init__(
        self, config: SandboxConfig | None = None, *, backend: SandboxBackend | None = None, **overrides: Any
    ) -> None:
        """``backend``: serve this state (its config wins) instead of a fresh one from ``config``."""
        if backend is not None:
            if config is not None or overrides:
                raise ValueError("pass either a backend or a config (and overrides), not both")
            self.config: SandboxConfig = backend.config
        else:
            base = config or SandboxConfig()
            self.config = base.replace(**overrides) if overrides else base
        self.backend = backend or SandboxBackend(self.config)
        self.app = create_app(backend=self.backend)
        self._server: _ReadyServer | None = None
        self._thread: threading.Thread | None = None
        self._warmer: threading.Thread | None = None
        self._stop_warming = threading.Event()
        self._error: BaseException | None = None
        self._port: int | None = None

    # -- lifecycle --------------------------------------------------------------------------
    def start(self, timeout: float = 30.0) -> SandboxServer:
        """Start listening; block until ready; return self. Raises SandboxStartError."""
        if self._thread is not None:
            raise RuntimeError("this SandboxServer was already started")
        if self.config.port:
            _check_port_free(self.config.host, self.config.port)
        settled = threading.Event()
        quiet_injected_drops()
        uv_config = uvicorn.Config(
            self.app,
            host=self.config.host,
            port=self.config.port,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            ws="none",
            http="httptools",
            loop="asyncio",
            timeout_graceful_shutdown=5,
        )
        server = _ReadyServer(uv_config, settled, self.app.stopping)
        self._server = server

        def serve() -> None:
            try:
                server.run()
            except BaseException as exc:
                self._error = exc
            finally:
                settled.set()

        self._thread = threading.Thread(target=serve, name="mdh-sandbox", daemon=True)
        self._thread.start()
        if not settled.wait(timeout):
            self.stop()
            raise SandboxStartError(f"sandbox did not start within {timeout} s")
        if not server.started or not server.servers:
            self._thread.join()
            reason = type(self._error).__name__ if self._error else "server exited"
            raise SandboxStartError(
                f"sandbox failed to start on {self.config.host}:{self.config.port} ({reason}); "
                "choose another --port (or 0)"
            )
        self._port = int(server.servers[0].sockets[0].getsockname()[1])
        self.backend.base_url = self.url
        if self.config.participants * self.config.days <= WARM_LIMIT:
            self.backend.warm()
        else:
            self._warmer = threading.Thread(
                target=self.backend.warm, args=(self._stop_warming,), kwargs={"background": True},
                name=f"mdh-sandbox-warm-{self._port}", daemon=True,
            )
            self._warmer.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop gracefully and join the thread (idempotent). Background data generation stops
        after the participant it is working on."""
        self._stop_warming.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout)
            if self._thread.is_alive() and self._server is not None:
                self._server.force_exit = True
                self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self._port is not None

    def __enter__(self) -> SandboxServer:
        return self.start() if self._thread is None else self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._port is not None else "not started"
        return f"SandboxServer({where}, seed={self.config.seed}, participants={self.config.participants})"

    # -- addresses and credentials ----------------------------------------------------------
    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the sandbox is not started; call start() first")
        return self._port

    @property
    def url(self) -> str:
        return f"http://{_url_host(self.config.host)}:{self.port}/"

    @property
    def token_url(self) -> str:
        return self.url + TOKEN_PATH

    @property
    def project_id(self) -> str:
        return self.backend.project.id

    @property
    def credentials(self) -> SandboxCredentials:
        return SandboxCredentials(
            base_url=self.url,
            service_account=self.config.service_account,
            project_id=self.backend.project.id,
            private_key_pem=self.backend.tokens.service_account_private_key_pem(),
        )

    # -- in-process control plane (same effects as /_sandbox/*) ------------------------------
    def advance_clock(self, seconds: float) -> float:
        return self.backend.advance_clock(seconds)

    def reset(self) -> None:
        self.backend.reset()

    def stats(self) -> dict[str, Any]:
        return self.backend.stats.snapshot()

    def revoke(self) -> None:
        """Invalidate every token issued so far, service and participant (as ``POST /_sandbox/revoke``)."""
        self.backend.revoke()

    def set_faults(self, **settings: Any) -> dict[str, Any]:
        """Replace the faults in force (the keys of ``POST /_sandbox/faults``: ``seed``, ``error_rate``,
        ``drop_rate``, ``throttle_rate``, ``expire_rate``, ``latency_ms``, ``throttle_reset``, ``paths``);
        none clears them. ValueError naming a bad setting. Returns the settings as set."""
        return self.backend.faults.set(settings)

    def clear_faults(self) -> None:
        self.backend.faults.clear()

    def faults(self) -> dict[str, Any]:
        """The faults in force, as set (``{}``: none)."""
        return self.backend.faults.current()
