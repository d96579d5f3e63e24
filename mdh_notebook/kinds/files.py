"""Files family: the participant's files; upload, download and delete (each a friendly method in
:mod:`mdh_notebook.writes.files`: upload and download go through a pre-signed storage URL)."""

from __future__ import annotations

from .model import CURSOR, Column, Kind, Operation, Param

#: how this family is named to a reader (the scope picker's group)
LABEL = "Files"

__all__ = ["DELETE_FILE", "FILES", "FILE_DOWNLOAD_URL", "KINDS", "LABEL", "MAX_UPLOAD_BYTES", "OPERATIONS",
           "UPLOAD_FILE"]

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
"""The largest file the API takes (the JS SDK refuses larger ones before any request)."""

_KEY = Param("key", "key", "str", "the file's key (the key column of files())", required=True)

FILES = Kind(
    name="files",
    path="api/v1/delegated/files",
    token="participant",
    scope="File:read",
    shape="keyed",
    items_key="files",
    paging=CURSOR,
    columns=(
        Column("participantID", "string"),
        Column("participantIdentifier", "string"),
        Column("key", "string"),
        Column("category", "category"),
        Column("fileName", "string"),
        Column("lastModified", "datetime"),
    ),
    params=(Param("category", "category", "str", "files of this category only"),),
    positional=("category",),
    count_by="category",
    doc="The participant's uploaded files, one row each, most recent first (GET files); the bytes: download_file().",
)

UPLOAD_FILE = Operation(
    name="upload_file",
    method="POST",
    path="api/v1/delegated/files",
    token="participant",
    scope="File:write",
    params=(Param("category", "category", "str", "the file's category", required=True),
            Param("file_name", "fileName", "str", "the file's name", required=True)),
    doc="A pre-signed URL to PUT one file's bytes to (step one of an upload).",
    expose=False,
)

FILE_DOWNLOAD_URL = Operation(
    name="file_download_url",
    method="GET",
    path="api/v1/delegated/files/download",
    token="participant",
    scope="File:read",
    params=(_KEY,),
    doc="A pre-signed URL to GET one file's bytes from (step one of a download).",
    expose=False,
)

DELETE_FILE = Operation(
    name="delete_file",
    method="DELETE",
    path="api/v1/delegated/files",
    token="participant",
    scope="File:write",
    params=(_KEY,),
    doc="Delete one of the participant's files.",
    expose=False,
)

KINDS: tuple[Kind, ...] = (FILES,)
OPERATIONS: tuple[Operation, ...] = (UPLOAD_FILE, FILE_DOWNLOAD_URL, DELETE_FILE)
