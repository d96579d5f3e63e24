"""Friendly write methods of the files family (see :mod:`mdh_notebook.writes`).

Upload and download take two steps, as the API has it: the API answers a pre-signed storage URL,
then the bytes go to (or come from) that URL directly. That second request carries no token of
ours (the URL's signature is its credential; storage refuses a request carrying both), so it is
sent through :meth:`Client.request` without ``auth``.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InvalidArgumentError, TransportError
from ..kinds.files import MAX_UPLOAD_BYTES
from ._base import SessionLike

if TYPE_CHECKING:
    from ..client import Client

__all__ = ["FileWrites"]


def _presigned(answer: Any, what: str) -> str:
    url = answer.get("preSignedUrl") if isinstance(answer, dict) else None
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise TransportError(f"{what}: the server answered no preSignedUrl")
    return url


def _key(key: object, what: str) -> str:
    if not isinstance(key, str) or not key.strip():
        raise InvalidArgumentError(f"{what} needs a file key (the key column of files()), got {key!r}")
    return key


class FileWrites(SessionLike):
    """Upload, download and delete the participant's files."""

    if TYPE_CHECKING:
        client: Client

    def upload_file(self, path: str | os.PathLike[str], category: str, *, file_name: str | None = None,
                    content_type: str | None = None) -> None:
        """Upload the file at ``path`` under ``category`` (e.g. ``"Lab Results"``); it is then
        listed by ``files()`` (its key there). Needs scope ``File:write``.

        ``file_name`` defaults to the file's own name, ``content_type`` to one guessed from it
        (else ``application/octet-stream``). Files over 200 MB are refused before any request,
        as the JS SDK does.
        """
        source = Path(path)
        if not source.is_file():
            raise InvalidArgumentError(f"upload_file() needs the path of a file, got {str(path)!r}")
        size = source.stat().st_size
        if size > MAX_UPLOAD_BYTES:
            raise InvalidArgumentError(f"upload_file(): {source.name} is {size / 1024 / 1024:.1f} MB; "
                                       "the largest file MyDataHelps takes is 200 MB")
        if not isinstance(category, str) or not category.strip():
            raise InvalidArgumentError(f"upload_file() needs a category (e.g. 'Lab Results'), got {category!r}")
        name = file_name if file_name is not None else source.name
        media = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        answer = self.call("upload_file", params={"category": category, "file_name": name})
        url = _presigned(answer, "upload_file()")
        self.client.request("PUT", url, content=source.read_bytes(),
                            headers={"Content-Type": media, "x-amz-server-side-encryption": "AES256"})

    def download_file(self, key: str, path: str | os.PathLike[str]) -> Path:
        """Download the file ``key`` (from ``files()``) to ``path`` (a file; or a directory, to
        keep the key's last part as the name); returns where it was written. Needs ``File:read``."""
        key = _key(key, "download_file()")
        target = Path(path)
        if target.is_dir():
            target = target / key.rsplit("/", 1)[-1]
        answer = self.call("file_download_url", params={"key": key})
        response = self.client.request("GET", _presigned(answer, "download_file()"))
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(response.content)
        partial.replace(target)
        return target

    def delete_file(self, key: str) -> None:
        """Delete the file ``key`` (from ``files()``); a NotFoundError when there is none. Needs ``File:write``."""
        self.call("delete_file", params={"key": _key(key, "delete_file()")})
