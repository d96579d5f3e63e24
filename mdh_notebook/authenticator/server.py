"""The authenticator on a background thread: uvicorn, port 0 bound by uvicorn itself, a ready event.

The same shape as the sandbox's server (``start()`` returns once listening, the real port read back
from the socket, ``stop()`` joins) but its own code: the authenticator imports nothing from the
emulator. The listening socket is bound here, before uvicorn runs, so a taken port or a host that
is not this machine's is an :class:`AuthenticatorStartError` saying so (the system's words:
"Address already in use"), not uvicorn's ``sys.exit`` on its thread.
"""

from __future__ import annotations

import errno
import socket
import threading
from collections.abc import Sequence
from types import TracebackType

import uvicorn

from ..errors import MDHError
from .app import create_app
from .service import TokenService

__all__ = ["AuthenticatorServer", "AuthenticatorStartError"]


class AuthenticatorStartError(MDHError):
    """The server could not start (the port is taken, the host cannot be bound)."""


class _ReadyServer(uvicorn.Server):
    """Sets ``settled`` once listening (then ``started`` is True) — or once it gave up."""

    def __init__(self, config: uvicorn.Config, settled: threading.Event) -> None:
        super().__init__(config)
        self._settled = settled

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self._settled.set()


def _bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (not yet listening: uvicorn's server does that)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise AuthenticatorStartError(f"cannot listen on {host}:{port}: {exc.strerror or exc} — is --host a name "
                                      "or address of this machine? (default 127.0.0.1)") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: a port in TIME_WAIT is free
        sock.bind(address)
    except OSError as exc:
        sock.close()
        hint = ("another program (another authenticator?) is listening there: choose another --port, or 0 for any "
                "free port") if exc.errno == errno.EADDRINUSE else (
                "choose another --port (0 = any free port), or a --host of this machine")
        raise AuthenticatorStartError(f"cannot listen on {host}:{port}: {exc.strerror or exc}; {hint}") from None
    return sock


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


class AuthenticatorServer:
    """Serve a :class:`TokenService` over HTTP on a background thread::

        with AuthenticatorServer(service) as server:
            httpx.post(server.url + "token", headers={"Authorization": f"Bearer {key}"}, json={...})
    """

    def __init__(self, service: TokenService, *, host: str = "127.0.0.1", port: int = 0,
                 cors_origins: Sequence[str] | None = None) -> None:
        self.service = service
        self.host = host
        self.requested_port = port
        self.app = create_app(service, cors_origins=cors_origins)
        self._server: _ReadyServer | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._port: int | None = None

    def start(self, timeout: float = 30.0) -> AuthenticatorServer:
        """Start listening; block until ready; return self. Raises :class:`AuthenticatorStartError`."""
        if self._thread is not None:
            raise RuntimeError("this AuthenticatorServer was already started")
        sock = _bind(self.host, self.requested_port)
        settled = threading.Event()
        config = uvicorn.Config(self.app, log_config=None, log_level="warning", access_log=False, lifespan="off",
                                ws="none", timeout_graceful_shutdown=5)
        server = _ReadyServer(config, settled)
        self._server = server

        def serve() -> None:
            try:
                server.run(sockets=[sock])
            except BaseException as exc:  # reported by start() below
                self._error = exc
            finally:
                settled.set()

        self._thread = threading.Thread(target=serve, name="mdh-authenticator", daemon=True)
        self._thread.start()
        if not settled.wait(timeout):
            self.stop()
            sock.close()
            raise AuthenticatorStartError(f"the authenticator did not start within {timeout:.0f} s")
        if not server.started or not server.servers:
            self._thread.join()
            sock.close()
            error = self._error
            what = f": {error}" if error is not None and not isinstance(error, SystemExit) and str(error) else ""
            raise AuthenticatorStartError(f"the authenticator's server stopped while starting on {self.host}:"
                                          f"{self.requested_port}{what}; its log says why")
        self._port = int(sock.getsockname()[1])
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop gracefully and join the thread (idempotent)."""
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

    def __enter__(self) -> AuthenticatorServer:
        return self.start() if self._thread is None else self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._port is not None else "not started"
        return f"AuthenticatorServer({where}, {self.service!r})"

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the authenticator is not started; call start() first")
        return self._port

    @property
    def url(self) -> str:
        return f"http://{_url_host(self.host)}:{self.port}/"
