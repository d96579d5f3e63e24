"""Thin request handlers: parse the HTTP request, call the backend, render JSON.

Every API handler shares one wrapper (``api_endpoint``) that authenticates, spends the rate
budget, checks token kind and scope, and puts the RateLimit headers on every outcome.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from .exceptions import (
    BadRequest,
    InvalidRequest,
    JsonResponse,
    MethodNotAllowed,
    NotFound,
    SandboxError,
    error_response,
)
from .models import Family, SandboxBackend
from .queries import Collection, Params
from .tokens import AccessClaims, TokenKind

__all__ = ["ApiRoute", "api_endpoint", "method_not_allowed", "not_found", "server_error", "token_endpoint"]

Handler = Callable[[SandboxBackend, AccessClaims, Request], dict[str, Any]]
Endpoint = Callable[[Request], Awaitable[Response]]


def backend_of(request: Request) -> SandboxBackend:
    backend: SandboxBackend = request.app.state.backend
    return backend


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def params_of(request: Request) -> Params:
    return Params(request.query_params.multi_items())


@dataclasses.dataclass(frozen=True)
class ApiRoute:
    """One API endpoint: the sandbox's own table of what it serves (see ``/_sandbox/routes``)."""

    method: str
    path: str
    family: Family
    token: TokenKind
    scope: str
    handler: Handler

    def describe(self) -> dict[str, str]:
        return {"method": self.method, "path": self.path, "token": self.token, "scope": self.scope}


def api_endpoint(route: ApiRoute) -> Endpoint:
    label = f"{route.method} {route.path}"

    async def endpoint(request: Request) -> Response:
        backend = backend_of(request)
        headers: dict[str, str] = {}
        try:
            claims, headers = backend.authorize(
                request.headers.get("authorization"),
                family=route.family,
                client=_client(request),
                need=route.token,
                scope=route.scope,
                read_only=route.method == "GET",
                label=label,
            )
            assert claims is not None
            payload = route.handler(backend, claims, request)
        except SandboxError as exc:
            return error_response(exc, headers)
        return JsonResponse(payload, headers=headers)

    endpoint.__name__ = f"api_{route.path.strip('/').replace('/', '_')}"
    return endpoint


# -- API handlers ----------------------------------------------------------------------------
def list_participants(backend: SandboxBackend, claims: AccessClaims, request: Request) -> dict[str, Any]:
    return backend.list_participants(request.path_params["projectId"], claims, params_of(request))


def get_participant(backend: SandboxBackend, claims: AccessClaims, request: Request) -> dict[str, Any]:
    return backend.get_participant(
        request.path_params["projectId"], claims, request.path_params["participantIdentifier"]
    )


def delegated_participant(backend: SandboxBackend, claims: AccessClaims, request: Request) -> dict[str, Any]:
    return backend.participant_info(claims)


def collection_handler(collection: Collection[Any]) -> Handler:
    def handler(backend: SandboxBackend, claims: AccessClaims, request: Request) -> dict[str, Any]:
        return backend.collection(collection, claims, params_of(request))

    return handler


# -- token endpoint --------------------------------------------------------------------------
async def token_endpoint(request: Request) -> Response:
    backend = backend_of(request)
    try:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "application/x-www-form-urlencoded":
            raise InvalidRequest("the token request body must be application/x-www-form-urlencoded")
        try:
            text = (await request.body()).decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidRequest("the token request body is not UTF-8") from None
        form = backend.check_form_fields(parse_qsl(text, keep_blank_values=True))
        payload = backend.grant(form, str(request.base_url))
    except SandboxError as exc:
        return error_response(exc)
    return JsonResponse(payload, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


# -- 404 / 405 / 500 -------------------------------------------------------------------------
def _api_headers(request: Request) -> dict[str, str]:
    """Unknown paths under /api/ still spend and report a rate budget, like any API response."""
    path = request.url.path
    if not path.lower().startswith("/api/"):
        return {}
    family: Family = "admin" if path.lower().startswith("/api/v1/administration/") else "delegated"
    _, headers = backend_of(request).authorize(
        request.headers.get("authorization"), family=family, client=_client(request)
    )
    return headers


async def not_found(request: Request, exc: Exception) -> Response:
    try:
        headers = _api_headers(request)
    except SandboxError as limited:
        return error_response(limited)
    return error_response(NotFound(f"no such endpoint: {request.method} {request.url.path}"), headers)


async def method_not_allowed(request: Request, exc: Exception) -> Response:
    try:
        headers = _api_headers(request)
    except SandboxError as limited:
        return error_response(limited)
    if isinstance(exc, HTTPException) and exc.headers:
        headers.update(exc.headers)
    return error_response(MethodNotAllowed(f"method {request.method} is not allowed on {request.url.path}"),
                          headers)


async def server_error(request: Request, exc: Exception) -> Response:
    return JsonResponse({"message": f"internal sandbox error ({type(exc).__name__})"}, status_code=500)


# -- control plane ---------------------------------------------------------------------------
async def health(request: Request) -> Response:
    return JsonResponse({"status": "ok"})


async def stats(request: Request) -> Response:
    return JsonResponse(backend_of(request).stats.snapshot())


async def reset(request: Request) -> Response:
    backend_of(request).reset()
    return JsonResponse({"status": "reset"})


async def clock(request: Request) -> Response:
    backend = backend_of(request)
    if request.method == "GET":
        return JsonResponse({"offset": backend.clock.offset})
    try:
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            raise BadRequest('body must be JSON like {"advance": 3600}') from None
        advance = body.get("advance") if isinstance(body, dict) else None
        if isinstance(advance, bool) or not isinstance(advance, (int, float)) or not math.isfinite(advance):
            raise BadRequest('body must be JSON like {"advance": 3600} (seconds, a number)')
        if advance < 0:
            raise BadRequest("advance must be >= 0: the sandbox clock only moves forward")
        offset = backend.advance_clock(float(advance))
    except SandboxError as exc:
        return error_response(exc)
    return JsonResponse({"offset": offset})
