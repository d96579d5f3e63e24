"""Thin request handlers: parse the HTTP request, call the backend or the declared handler, render
the result.

Every API route (each collection, each operation) shares one wrapper (``api_endpoint``) that
authenticates, spends the rate budget, checks token kind and scope (``read_only`` = the method is
GET), and puts the RateLimit headers on every outcome. A route whose method may carry a body
(anything but GET) is authorized first, then its body is read (on the event loop, at most the
operation's ``max_body`` bytes, else 413), then it is handled.

CPU work (token checks, data generation, filtering, handlers) runs on Starlette's thread pool, so
it never holds up the event loop; so do the 404 / 405 handlers, which authenticate too. The token
and clock endpoints read their body on the loop, with a size limit, then work on the pool.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from .declarations import Call, Collection, Empty, Json, Method, Operation, Public, PublicCall, Raw, Result
from .exceptions import (
    BadRequest,
    InvalidRequest,
    JsonResponse,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    SandboxError,
    TokenRequestTooLarge,
    clipped,
    error_response,
)
from .models import Family, SandboxBackend, family_of
from .paging import Params
from .tokens import AccessClaims, TokenKind
from .urlpaths import path_value

__all__ = [
    "MAX_CONTROL_BODY",
    "MAX_TOKEN_BODY",
    "ApiRoute",
    "api_endpoint",
    "faults",
    "method_not_allowed",
    "not_found",
    "public_endpoint",
    "render",
    "revoke",
    "server_error",
    "token_endpoint",
]

Endpoint = Callable[[Request], Awaitable[Response]]

#: Larger token requests are refused with 413 (a real one is about 1 KB).
MAX_TOKEN_BODY = 64 * 1024
#: Larger control-plane bodies are refused with 413.
MAX_CONTROL_BODY = 4 * 1024


def backend_of(request: Request) -> SandboxBackend:
    backend: SandboxBackend = request.app.state.backend
    return backend


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def params_of(request: Request) -> Params:
    return Params(request.query_params.multi_items())


def _read(collection: Collection[Any]) -> Callable[[Call], Result]:
    def handler(call: Call) -> Result:
        return call.backend.read(collection, call.claims, call.params)

    return handler


@dataclasses.dataclass(frozen=True)
class ApiRoute:
    """One API endpoint: the sandbox's own table of what it serves (see ``/_sandbox/routes``)."""

    name: str
    method: Method
    path: str  # the route template, with a leading slash
    family: Family
    token: TokenKind
    scope: str
    handler: Callable[[Call], Result]
    max_body: int = 0

    @classmethod
    def of_collection(cls, collection: Collection[Any]) -> ApiRoute:
        path = "/" + collection.path
        return cls(collection.name, "GET", path, family_of(path), collection.token, collection.scope,
                   _read(collection))

    @classmethod
    def of_operation(cls, operation: Operation) -> ApiRoute:
        path = "/" + operation.path
        return cls(operation.name, operation.method, path, family_of(path), operation.token, operation.scope,
                   operation.handler, 0 if operation.method == "GET" else operation.max_body)

    def describe(self) -> dict[str, str]:
        return {"method": self.method, "path": self.path, "token": self.token, "scope": self.scope,
                "name": self.name}


def render(result: Result, headers: dict[str, str]) -> Response:
    """A handler's result as a response (JSON unless it says otherwise)."""
    if isinstance(result, Empty):
        return Response(status_code=result.status, headers=headers)
    if isinstance(result, Raw):
        return Response(result.body, status_code=result.status, media_type=result.media_type,
                        headers={**headers, **result.headers})
    if isinstance(result, Json):
        return JsonResponse(result.value, status_code=result.status, headers=headers)
    return JsonResponse(result, headers=headers)


def api_endpoint(route: ApiRoute) -> Endpoint:
    label = f"{route.method} {route.path}"

    def authorize(request: Request) -> tuple[AccessClaims, dict[str, str]]:
        claims, headers = backend_of(request).authorize(
            request.headers.get("authorization"),
            family=route.family,
            client=_client(request),
            need=route.token,
            scope=route.scope,
            read_only=route.method == "GET",
            label=label,
        )
        assert claims is not None  # with ``need``, no usable token is a 401
        return claims, headers

    def call(request: Request, claims: AccessClaims, body: bytes) -> Call:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        path = {name: path_value(str(value)) for name, value in request.path_params.items()}
        return Call(backend_of(request), claims, path, params_of(request), body, media, label)

    def answer(request: Request) -> tuple[Result, dict[str, str]]:
        claims, headers = authorize(request)
        try:
            return route.handler(call(request, claims, b"")), headers
        except SandboxError as exc:
            exc.headers = {**headers, **exc.headers}
            raise

    async def endpoint(request: Request) -> Response:
        headers: dict[str, str] = {}
        try:
            if route.max_body == 0:
                result, headers = await run_in_threadpool(answer, request)
            else:
                claims, headers = await run_in_threadpool(authorize, request)
                body = await _read_body(request, route.max_body, PayloadTooLarge)
                result = await run_in_threadpool(route.handler, call(request, claims, body))
        except SandboxError as exc:
            return error_response(exc, headers)
        return render(result, headers)

    endpoint.__name__ = f"api_{route.method.lower()}_{route.name}"
    return endpoint


def public_endpoint(route: Public) -> Endpoint:
    """A public route: no authorization and no rate budget; the body read up to its limit."""
    label = f"{route.method} /{route.path}"

    async def endpoint(request: Request) -> Response:
        try:
            body = b"" if route.method == "GET" else await _read_body(request, route.max_body, PayloadTooLarge)
            media = request.headers.get("content-type", "").split(";")[0].strip().lower()
            path = {name: path_value(str(value)) for name, value in request.path_params.items()}
            call = PublicCall(backend_of(request), path, params_of(request), request.headers, body, media,
                              str(request.base_url), label)
            result = await run_in_threadpool(route.handler, call)
        except SandboxError as exc:
            return error_response(exc)
        return render(result, {})

    endpoint.__name__ = f"public_{route.method.lower()}_{route.name}"
    return endpoint


def _no_such_endpoint(request: Request) -> NotFound:
    return NotFound(f"no such endpoint: {request.method} {clipped(request.url.path)}")


# -- request bodies --------------------------------------------------------------------------
async def _read_body(request: Request, limit: int, too_large: Callable[[str], SandboxError]) -> bytes:
    """The request body, refused (``too_large``) past ``limit`` bytes without reading it all."""
    message = f"the request body is larger than {limit} bytes"
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(message)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(message)
        chunks.append(chunk)
    return b"".join(chunks)


# -- token endpoint --------------------------------------------------------------------------
def _grant(backend: SandboxBackend, body: bytes, request_base: str) -> dict[str, Any]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequest("the token request body is not UTF-8") from None
    form = backend.check_form_fields(parse_qsl(text, keep_blank_values=True))
    return backend.grant(form, request_base)


async def token_endpoint(request: Request) -> Response:
    backend = backend_of(request)
    try:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "application/x-www-form-urlencoded":
            raise InvalidRequest("the token request body must be application/x-www-form-urlencoded")
        body = await _read_body(request, MAX_TOKEN_BODY, TokenRequestTooLarge)
        payload = await run_in_threadpool(_grant, backend, body, str(request.base_url))
    except SandboxError as exc:
        return error_response(exc)
    return JsonResponse(payload, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


# -- 404 / 405 / 500 -------------------------------------------------------------------------
def _api_headers(request: Request) -> dict[str, str]:
    """Unknown paths under /api/ still report a rate budget, like any API response (and spend it
    when a usable token is sent)."""
    path = request.url.path
    if not path.lower().startswith("/api/"):
        return {}
    _, headers = backend_of(request).authorize(
        request.headers.get("authorization"), family=family_of(path), client=_client(request)
    )
    return headers


def not_found(request: Request, exc: Exception) -> Response:
    try:
        headers = _api_headers(request)
    except SandboxError as limited:
        return error_response(limited)
    return error_response(_no_such_endpoint(request), headers)


def method_not_allowed(request: Request, exc: Exception) -> Response:
    try:
        headers = _api_headers(request)
    except SandboxError as limited:
        return error_response(limited)
    if isinstance(exc, HTTPException) and exc.headers:
        headers.update(exc.headers)
    return error_response(
        MethodNotAllowed(f"method {clipped(request.method)} is not allowed on {clipped(request.url.path)}"),
        headers,
    )


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


async def revoke(request: Request) -> Response:
    backend_of(request).revoke()
    return JsonResponse({"status": "revoked"})


async def faults(request: Request) -> Response:
    """GET: the faults in force, as set. POST a JSON object of settings (``faults`` module) to replace
    them, ``{}`` to clear them; a bad setting is a 400 naming it and leaves the faults as they were."""
    backend = backend_of(request)
    if request.method == "GET":
        return JsonResponse(backend.faults.current())
    try:
        raw = await _read_body(request, MAX_CONTROL_BODY, PayloadTooLarge)
        try:
            body = json.loads(raw or b"{}")
        except (ValueError, RecursionError):
            raise BadRequest('faults must be a JSON object such as {"seed": 1, "error_rate": 0.1}') from None
        try:
            current = backend.faults.set(body)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
    except SandboxError as exc:
        return error_response(exc)
    return JsonResponse(current)


async def clock(request: Request) -> Response:
    """GET: the offset. POST ``{"advance": seconds}``: a finite number >= 0, the total offset
    staying within 100 years; anything else is a 400 and leaves the clock alone."""
    backend = backend_of(request)
    if request.method == "GET":
        return JsonResponse({"offset": backend.clock.offset})
    usage = 'body must be JSON like {"advance": 3600} (seconds, a number)'
    try:
        raw = await _read_body(request, MAX_CONTROL_BODY, PayloadTooLarge)
        try:
            body = json.loads(raw or b"{}")
        except (ValueError, RecursionError):
            raise BadRequest(usage) from None
        advance = body.get("advance") if isinstance(body, dict) else None
        if isinstance(advance, bool) or not isinstance(advance, (int, float)):
            raise BadRequest(usage)
        try:
            offset = backend.advance_clock(advance)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
    except SandboxError as exc:
        return error_response(exc)
    return JsonResponse({"offset": offset})
