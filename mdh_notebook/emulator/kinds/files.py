"""Files: the list, the two-step upload and download through pre-signed URLs, delete (data from
``..files``).

Upload: ``POST files?category=...&fileName=...`` answers ``{preSignedUrl}``, a URL of the
sandbox's own storage emulation, ``{base}_sandbox/s3/mdh-sandbox-files/<key>?X-Amz-...`` (SigV4
query parameters, the file's category and name as ``x-amz-meta-*``, an HMAC signature). The
client then ``PUT``s the raw bytes there with its ``Content-Type`` and ``x-amz-server-side-encryption:
AES256`` and no ``Authorization`` (the URL is the credential): as S3 does, a request carrying an
Authorization header too is a 400, a missing encryption header (signed into the URL) or a bad
signature a 403 ``SignatureDoesNotMatch``, an expired URL a 403 ``AccessDenied``, all as S3's XML
errors. Once the bytes are stored the file is listed (most recent first). Download: ``GET
files/download?key=...`` answers ``{preSignedUrl}`` for a GET of the same storage, which answers
the bytes exactly as uploaded (a seeded file's deterministic bytes) with their content type.

Decisions where the reference is silent: files are ordered by lastModified, most recent first
(then key); ``category`` matches case-insensitively; ``category`` and ``fileName`` are required
on upload (at most 100 and 255 characters); ``key`` is required on download and delete (a 400
without it, a 404 for a key the participant has no file under); pre-signed URLs stay valid for 15
minutes (the sandbox clock); storage takes at most 200 MB per file (the JS SDK's own limit; a
larger body is a 413); uploading again to the same URL replaces the bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from ..declarations import (
    Call,
    Collection,
    CursorPages,
    Empty,
    Operation,
    Params,
    Public,
    PublicCall,
    Raw,
    Result,
)
from ..exceptions import BadRequest
from ..files import FileRow, content_type_of, file_key, file_record, generate_files, seeded_content
from ..isotime import format_instant
from ..presign import Signer

__all__ = ["BUCKET", "COLLECTIONS", "FILES", "MAX_FILE_BYTES", "OPERATIONS", "PUBLIC"]

BUCKET = "mdh-sandbox-files"
MAX_FILE_BYTES = 200 * 1024 * 1024
_EXPIRES_S = 900
_STORAGE = f"_sandbox/s3/{BUCKET}"
_SSE = "x-amz-server-side-encryption"


def _file_filters(params: Params) -> tuple[Any, list[Callable[[FileRow], bool]]]:
    category = (params.get("category") or "").strip().casefold()
    return (category,), ([lambda row: row.category == category] if category else [])


FILES: Collection[FileRow] = Collection(
    name="files",
    path="api/v1/delegated/files",
    scope="File:read",
    shape=CursorPages(items_key="files", size_param="limit", default_size=100, max_size=100),
    generate=generate_files,
    sort_key=lambda row: row.sort_key,
    render=lambda row: row.record,
    filters=_file_filters,
    row_id=lambda row: row.key,
)


# -- pre-signed URLs -------------------------------------------------------------------------
def _signer(call: Call | PublicCall) -> Signer:
    return Signer(call.backend.config.seed, "storage")


def _signed_parts(method: str, key: str, query: dict[str, str]) -> list[str]:
    return [method, BUCKET, key, query.get("X-Amz-Date", ""), query.get("X-Amz-Expires", ""),
            query.get("X-Amz-SignedHeaders", ""), query.get("x-amz-meta-category", ""),
            query.get("x-amz-meta-file-name", "")]


def _presigned(call: Call, method: str, key: str, meta: dict[str, str] | None = None) -> str:
    now = dt.datetime.fromtimestamp(call.backend.clock.now(), dt.timezone.utc)
    query = {
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": f"SANDBOXACCESSKEY/{now:%Y%m%d}/us-east-1/s3/aws4_request",
        "X-Amz-Date": f"{now:%Y%m%dT%H%M%SZ}",
        "X-Amz-Expires": str(_EXPIRES_S),
        "X-Amz-SignedHeaders": "host;x-amz-server-side-encryption" if method == "PUT" else "host",
        **(meta or {}),
    }
    query["X-Amz-Signature"] = _signer(call).sign(*_signed_parts(method, key, query))
    base = call.backend.base_url or "http://127.0.0.1/"
    return f"{base}{_STORAGE}/{quote(key, safe='/')}?{urlencode(query, quote_via=quote)}"


def _required(params: Params, name: str, limit: int, what: str) -> str:
    value = (params.get(name) or "").strip()
    if not value:
        raise BadRequest(f"{name} is required: {what}")
    if len(value) > limit:
        raise BadRequest(f"{name} is longer than {limit} characters")
    return value


def _upload_url(call: Call) -> Result:
    category = _required(call.params, "category", 100, "the file's category, e.g. Lab Results")
    name = _required(call.params, "fileName", 255, "the file's name, e.g. report.pdf")
    token = hashlib.sha256(f"{call.participant.id}/{call.backend.clock.now()}/{name}".encode()).hexdigest()[:12]
    key = file_key(call.participant.id, category, token, name)
    url = _presigned(call, "PUT", key, {"x-amz-meta-category": category, "x-amz-meta-file-name": name})
    return {"preSignedUrl": url}


def _key(call: Call) -> str:
    key = (call.params.get("key") or "").strip()
    if not key:
        raise BadRequest("key is required: the key of one of the participant's files (see GET files)")
    return key


def _download_url(call: Call) -> Result:
    key = _key(call)
    call.find(FILES, key, "file")
    return {"preSignedUrl": _presigned(call, "GET", key)}


def _delete(call: Call) -> Result:
    call.delete(FILES, _key(call), "file")
    return Empty()


# -- the storage emulation (what the pre-signed URLs reach) ------------------------------------
def _s3_error(status: int, code: str, message: str) -> Raw:
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
            "</Error>").encode()
    return Raw(body, "application/xml", status=status)


def _refusal(call: PublicCall, method: str) -> Raw | None:
    """The S3 error for a request the pre-signed URL does not allow, or None."""
    if "authorization" in call.headers:
        return _s3_error(400, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query "
                                                 "parameter, Signature query string parameter or the Authorization "
                                                 "header should be specified")
    query = {name: call.params.get(name) or "" for name in (
        "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "x-amz-meta-category", "x-amz-meta-file-name")}
    if call.path["bucket"] != BUCKET:
        return _s3_error(404, "NoSuchBucket", "The specified bucket does not exist")
    signature = call.params.get("X-Amz-Signature") or ""
    if not _signer(call).verify(signature, *_signed_parts(method, call.path["key"], query)):
        return _s3_error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the "
                                                       "signature you provided")
    try:
        issued = dt.datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc)
        expires = int(query["X-Amz-Expires"])
    except ValueError:
        return _s3_error(400, "AuthorizationQueryParametersError", "X-Amz-Date or X-Amz-Expires is malformed")
    if call.backend.clock.now() > issued.timestamp() + expires:
        return _s3_error(403, "AccessDenied", "Request has expired")
    return None


def _owner(call: PublicCall) -> Any:
    return call.backend.find_by_id(call.path["key"].split("/", 1)[0])


def _store_object(call: PublicCall) -> Result:
    refused = _refusal(call, "PUT")
    if refused is not None:
        return refused
    sse = call.headers.get(_SSE)
    if sse is None:
        return _s3_error(403, "SignatureDoesNotMatch", f"The request is missing the signed header {_SSE}: send "
                                                       f"{_SSE}: AES256")
    if sse != "AES256":
        return _s3_error(400, "InvalidArgument", "The encryption method specified is not supported")
    participant = _owner(call)
    if participant is None:
        return _s3_error(403, "AccessDenied", "Access Denied")
    key = call.path["key"]
    category, name = call.params.get("x-amz-meta-category") or "", call.params.get("x-amz-meta-file-name") or ""
    now = int(call.backend.clock.now() * 1000)
    record = file_record(participant, key, category, name, format_instant(now, "Z3"))
    media = call.headers.get("content-type") or content_type_of(name)
    row = FileRow(record, key, category.casefold(), now, call.body, media)
    call.backend.store.put(participant, FILES, row)  # a new upload of the key replaces the file
    return Raw(b"", "application/xml", headers={"ETag": f'"{hashlib.md5(call.body).hexdigest()}"',
                                                _SSE: "AES256"})


def _fetch_object(call: PublicCall) -> Result:
    refused = _refusal(call, "GET")
    if refused is not None:
        return refused
    participant = _owner(call)
    row = None if participant is None else call.backend.store.get(participant, FILES, call.path["key"])
    if row is None:
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
    content = row.content if row.content is not None else seeded_content(
        call.backend.config.seed, row.key, row.record["fileName"])
    return Raw(content, row.content_type or "application/octet-stream",
               headers={"ETag": f'"{hashlib.md5(content).hexdigest()}"', _SSE: "AES256"})


COLLECTIONS: tuple[Collection[Any], ...] = (FILES,)
OPERATIONS: tuple[Operation, ...] = (
    Operation("upload_file", "POST", "api/v1/delegated/files", "File:write", _upload_url),
    Operation("file_download_url", "GET", "api/v1/delegated/files/download", "File:read", _download_url),
    Operation("delete_file", "DELETE", "api/v1/delegated/files", "File:write", _delete),
)
PUBLIC: tuple[Public, ...] = (
    Public("storage_put_object", "PUT", "_sandbox/s3/{bucket}/{key:path}", _store_object,
           max_body=MAX_FILE_BYTES),
    Public("storage_get_object", "GET", "_sandbox/s3/{bucket}/{key:path}", _fetch_object),
)
