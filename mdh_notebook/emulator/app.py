"""The Starlette application: the route table, the middleware (CORS around everything, then paths,
activity, faults, stats), and ``create_app``."""

from __future__ import annotations

import re
from collections.abc import Sequence
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
from .urlpaths import PathMiddleware

__all__ = ["CONTROL_PREFIX", "SandboxApp", "api_routes", "create_app"]

CONTROL_PREFIX = "/_sandbox/"
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
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            template = _template(scope.get("route"))
            key = f"{scope['method']} {template if template else '(unmatched)'}"
            self.backend.stats.record(key, status)


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
    handling included, so every answer an allowed page gets is readable (``cors`` module)."""

    def __init__(self, *, cors_origins: Sequence[str] | None, **kwargs: Any) -> None:
        self.cors_origins = cors_origins
        super().__init__(**kwargs)

    def build_middleware_stack(self) -> ASGIApp:
        return with_cors(super().build_middleware_stack(), self.cors_origins)


def create_app(config: SandboxConfig | None = None, *, backend: SandboxBackend | None = None) -> Starlette:
    """Build the ASGI app over ``backend`` (or a fresh one from ``config``), serving its registry."""
    backend = backend or SandboxBackend(config)
    api = sorted(api_routes(backend.registry), key=_matching_order)
    routes = [
        _route("/" + TOKEN_PATH, r.token_endpoint, ["POST"]),
        *(_route(route.path, r.api_endpoint(route), [route.method]) for route in api),
        *(_route("/" + p.path, r.public_endpoint(p), [p.method]) for p in backend.registry.public),
        Route(CONTROL_PREFIX + "health", r.health, methods=["GET"]),
        Route(CONTROL_PREFIX + "stats", r.stats, methods=["GET"]),
        Route(CONTROL_PREFIX + "reset", r.reset, methods=["POST"]),
        Route(CONTROL_PREFIX + "clock", r.clock, methods=["GET", "POST"]),
        Route(CONTROL_PREFIX + "faults", r.faults, methods=["GET", "POST"]),
        Route(CONTROL_PREFIX + "revoke", r.revoke, methods=["POST"]),
        Route(CONTROL_PREFIX + "routes", _routes, methods=["GET"]),
    ]
    app = SandboxApp(
        cors_origins=backend.config.cors_origins,
        routes=routes,
        middleware=[
            Middleware(PathMiddleware),  # outermost: everything below sees the routing path
            Middleware(ActivityMiddleware, backend=backend),
            Middleware(FaultMiddleware, backend=backend, routes=routes),  # a faulted request is no API request
            Middleware(StatsMiddleware, backend=backend),
        ],
        exception_handlers={404: r.not_found, 405: r.method_not_allowed, Exception: r.server_error},
    )
    app.router.redirect_slashes = False  # a trailing slash is a 404, never a redirect elsewhere
    app.state.backend = backend
    return app
