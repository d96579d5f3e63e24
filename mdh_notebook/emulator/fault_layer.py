"""The fault layer: an ASGI middleware answering in the service's place as the backend's
``faults.FaultPlan`` draws (what each kind answers: the ``faults`` module docstring).

It sits inside the path middleware (it matches routing paths) and outside the stats middleware (a
faulted request never reaches the service). A latency wait ends early once the server is stopping
(``stopping``, set by ``SandboxServer`` as uvicorn shuts down), so that a stop neither waits out the
delay nor has uvicorn cancel the request after its grace period, with a traceback: the request then
goes on as drawn.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Sequence
from typing import NoReturn
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .declarations import MAX_BODY
from .exceptions import InvalidGrant, JsonResponse, SandboxError, TooManyRequests, Unauthorized, error_response
from .faults import FaultKind, InjectedDrop
from .models import TOKEN_PATH, SandboxBackend, family_of
from .responses import MAX_TOKEN_BODY
from .tokens import EXPIRED
from .urlpaths import is_control

__all__ = ["DROP_DRAIN_LIMIT", "FaultMiddleware"]

_TOKEN_TEMPLATE = "/" + TOKEN_PATH
_BAD_GATEWAY = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)
_DROP_CLAIMED_LENGTH = 4096  # the body a dropped response announces; a few bytes of it are sent
#: A dropped request's body is read up to this many bytes first (the largest body a route takes by default).
DROP_DRAIN_LIMIT = MAX_BODY
_STOP_POLL = 0.05  # seconds between looks at ``stopping`` during a latency wait


class FaultMiddleware:
    """Answers in the service's place as the backend's ``FaultPlan`` draws (see the module docstring).

    ``routes``: the app's routes in matching order, to tell which template a request is for;
    ``stopping``: set when the server stops, which ends latency waits.
    """

    def __init__(self, app: ASGIApp, backend: SandboxBackend, routes: Sequence[BaseRoute],
                 stopping: threading.Event) -> None:
        self.app = app
        self.backend = backend
        self.routes = tuple(routes)
        self.stopping = stopping

    def _template(self, scope: Scope) -> str | None:
        for route in self.routes:
            match, _ = route.matches(scope)
            if match is not Match.NONE:
                path = getattr(route, "path", None)
                return path if isinstance(path, str) else None
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        plan = self.backend.faults
        if scope["type"] != "http" or not plan.active or is_control(scope["path"]):
            await self.app(scope, receive, send)
            return
        template = self._template(scope)
        decision = plan.draw(template)
        if decision is None:
            await self.app(scope, receive, send)
            return
        if decision.latency > 0:
            self.backend.stats.fault_injected("latency")
            await self._delay(decision.latency)
        kind = decision.kind
        if kind == "expire" and template == _TOKEN_TEMPLATE:
            receive, delegated = await _grant_type_is_delegated(receive)
            kind = kind if delegated else None
        elif kind == "expire" and template is None:
            kind = None  # no token is checked on an unknown path: a 404 is what comes back
        if kind is None:
            await self.app(scope, receive, send)
            return
        self.backend.stats.fault_injected(kind)
        if kind == "drop":
            await _drop(receive, send)
        response = self._response(kind, decision.status, template, Request(scope))
        await response(scope, receive, send)

    async def _delay(self, seconds: float) -> None:
        """Wait ``seconds``, or until the server is stopping (see the module docstring)."""
        deadline = time.monotonic() + seconds
        while not self.stopping.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            await asyncio.sleep(min(left, _STOP_POLL))

    def _response(self, kind: FaultKind, status: int, template: str | None, request: Request) -> Response:
        backend = self.backend
        is_token = template == _TOKEN_TEMPLATE
        family = "admin" if is_token else family_of(request.url.path)
        if kind == "error":
            if status == 502:
                return HTMLResponse(_BAD_GATEWAY, status_code=502)
            message = "internal server error" if status == 500 else "the service is unavailable; try again shortly"
            return JsonResponse({"message": f"{message} (an injected fault)"}, status_code=status)
        if kind == "throttle":
            limit = backend.rate_limit_of(family)
            reset = math.ceil(backend.faults.throttle_reset)
            headers = {"RateLimit-Limit": str(limit), "RateLimit-Remaining": "0", "RateLimit-Reset": str(reset)}
            return error_response(TooManyRequests(f"rate limit exceeded; retry in {reset} s", headers))
        failure: SandboxError
        if is_token:
            failure = InvalidGrant(backend.unusable_service_token(EXPIRED))
        else:
            client = request.client.host if request.client else "unknown"
            failure = Unauthorized(EXPIRED, backend.anonymous_rate_headers(family, client))
        return error_response(failure)


async def _drop(receive: Receive, send: Send) -> NoReturn:
    """Read the request body (up to ``DROP_DRAIN_LIMIT`` bytes), start a response, send a few bytes of
    it, then fail, so the server closes the connection.

    The body is read first because closing a socket with unread bytes in it makes the kernel reset
    the connection: the client would then see a reset (httpx: ``ReadError``) or a cut-off response
    (``RemoteProtocolError``) depending on timing. Read, it is always the cut-off response; past the
    limit it may be either (both a ``TransportError``).
    """
    await _drain(receive, DROP_DRAIN_LIMIT)
    await send({"type": "http.response.start", "status": 200, "headers": [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(_DROP_CLAIMED_LENGTH).encode("ascii")),
    ]})
    await send({"type": "http.response.body", "body": b'{"', "more_body": True})
    raise InjectedDrop("an injected dropped connection")


async def _drain(receive: Receive, limit: int) -> None:
    """Receive the request body and drop it, stopping once ``limit`` bytes have come (or the client left)."""
    size = 0
    while size <= limit:
        message = await receive()
        if message["type"] != "http.request":
            return
        size += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


async def _grant_type_is_delegated(receive: Receive) -> tuple[Receive, bool]:
    """Read a token request's body (up to the token endpoint's limit) to see its grant type; return a
    ``receive`` that replays it, and whether it is a delegated grant (which carries a token)."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if not message.get("more_body", False) or size > MAX_TOKEN_BODY:
            break
    delegated = False
    if size <= MAX_TOKEN_BODY:
        form = parse_qsl(b"".join(chunks).decode("utf-8", "replace"), keep_blank_values=True)
        delegated = ("grant_type", "delegated_participant") in form
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay, delegated
