"""The Starlette application: the route table, the middleware (paths around everything, then CORS,
then Starlette's 500 handling, activity, faults, stats), and ``create_app``."""

from __future__ import annotations

import re
import threading
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import responses as r
from .config import SandboxConfig
from .cors import with_cors
from .declarations import Registry
from .exceptions import JsonResponse
from .fault_layer import FaultMiddleware
from .models import TOKEN_PATH, SandboxBackend
from .urlpaths import CONTROL_PREFIX, PathMiddleware, is_control

__all__ = ["SandboxApp", "api_routes", "create_app"]

_PLACEHOLDER = re.compile(r"^\{\w+\}$")


def api_routes(registry: Registry) -> list[r.ApiRoute]:
    """Every collection and operation of ``registry`` as a route, in declaration order."""
    return [*(r.ApiRoute.of_collection(c) for c in registry.collections),
            *(r.ApiRoute.of_operation(o) for o in registry.operations)]


def _matching_order(route: r.ApiRoute) -> tuple[int, ...]:
    """Literal segments before placeholders, so ``devicedata/allDataTypes`` wins over ``devicedata/{id}``."""
    return tuple(1 if _PLACEHOLDER.match(segment) else 0 for segment in route.path.split("/"))


_CONVERTOR = re.compile(r"\{(\w+):\w+\}")


def _route(path: str, endpoint: Any, methods: list[str]) -> Route:
    """A route whose literal segments match case-insensitively, like ASP.NET routing. Its
    placeholders match one segment of the ``routing_path`` (an encoded slash stays inside one)."""
    route = Route(path, endpoint, methods=methods)
    route.path_regex = re.compile(route.path_regex.pattern, re.IGNORECASE)
    return route


def _template(route: object) -> str | None:
    """A matched route's path template as the route table states it (convertors left out)."""
    path = getattr(route, "path", None)
    return _CONVERTOR.sub(r"{\1}", path) if isinstance(path, str) else None


class ActivityMiddleware:
    """Marks every HTTP request in flight (background data generation waits for a quiet moment)."""

    def __init__(self, app: ASGIApp, backend: SandboxBackend) -> None:
        self.app = app
        self.backend = backend

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.backend.activity.begin()
        try:
            await self.app(scope, receive, send)
        finally:
            self.backend.activity.end()


class StatsMiddleware:
    """Counts requests by "METHOD path-template" and responses by status; skips the control plane."""

    def __init__(self, app: ASGIApp, backend: SandboxBackend) -> None:
        self.app = app
        self.backend = backend

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_control(scope["path"]):
            await self.app(scope, receive, send)
            return
        recorded = False

        def record(status: int) -> None:
            nonlocal recorded
            recorded = True
            template = _template(scope.get("route"))
            key = f"{scope['method']} {template if template else '(unmatched)'}"
            self.backend.stats.record(key, status)

        async def capture(message: Message) -> None:
            # counted before the client can have the answer: a test reading the stats right after
            # a response must see that request (counting after the body raced with it)
            if message["type"] == "http.response.start" and not recorded:
                record(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            if not recorded:
                record(500)


async def _routes(request: Request) -> Response:
    backend: SandboxBackend = request.app.state.backend
    return JsonResponse(
        {
            "token": {"method": "POST", "path": "/" + TOKEN_PATH},
            "api": [route.describe() for route in api_routes(backend.registry)],
            "public": [{"method": p.method, "path": "/" + p.path, "name": p.name} for p in backend.registry.public],
        }
    )


class SandboxApp(Starlette):
    """The Starlette app behind CORS: the CORS middleware wraps Starlette's whole stack, its 500
    handling included, so every answer an allowed page gets is readable (``cors`` module). The path
    middleware wraps CORS, so that everything sees the routing path (CORS counts outside the control
    plane). ``stopping``: set as the server stops (it ends the fault layer's latency waits)."""

    def __init__(self, *, backend: SandboxBackend, stopping: threading.Event, **kwargs: Any) -> None:
        self.backend = backend
        self.stopping = stopping
        super().__init__(**kwargs)

    def build_middleware_stack(self) -> ASGIApp:
        cors = with_cors(super().build_middleware_stack(), self.backend.config.cors_origins,
                         self.backend.stats.cors_seen)
        return PathMiddleware(cors)


def create_app(config: SandboxConfig | None = None, *, backend: SandboxBackend | None = None) -> SandboxApp:
    """Build the ASGI app over ``backend`` (or a fresh one from ``config``), serving its registry."""
    backend = backend or SandboxBackend(config)
    api = sorted(api_routes(backend.registry), key=_matching_order)
    routes = [
        _route("/" + TOKEN_PATH, r.token_endpoint, ["POST"]),
        *(_route(route.path, r.api_endpoint(route), [route.method]) for route in api),
        *(_route("/" + p.path, r.public_endpoint(p), [p.method]) for p in backend.registry.public),
        _route(CONTROL_PREFIX + "health", r.health, ["GET"]),
        _route(CONTROL_PREFIX + "stats", r.stats, ["GET"]),
        _route(CONTROL_PREFIX + "reset", r.reset, ["POST"]),
        _route(CONTROL_PREFIX + "clock", r.clock, ["GET", "POST"]),
        _route(CONTROL_PREFIX + "faults", r.faults, ["GET", "POST"]),
        _route(CONTROL_PREFIX + "revoke", r.revoke, ["POST"]),
        _route(CONTROL_PREFIX + "routes", _routes, ["GET"]),
    ]
    stopping = threading.Event()
    app = SandboxApp(
        backend=backend,
        stopping=stopping,
        routes=routes,
        middleware=[  # inside PathMiddleware and CORS (SandboxApp.build_middleware_stack)
            Middleware(ActivityMiddleware, backend=backend),
            # a faulted request is no API request: the fault layer sits outside the stats
            Middleware(FaultMiddleware, backend=backend, routes=routes, stopping=stopping),
            Middleware(StatsMiddleware, backend=backend),
        ],
        exception_handlers={404: r.not_found, 405: r.method_not_allowed, Exception: r.server_error},
    )
    app.router.redirect_slashes = False  # a trailing slash is a 404, never a redirect elsewhere
    app.state.backend = backend
    return app
