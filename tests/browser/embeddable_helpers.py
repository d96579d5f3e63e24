"""What the embeddable test stands on: the page staged with the official JS SDK next to it and its
config.js written for the test's authenticator, served by a plain static file server on its own
loopback port.

The SDK is the npm package tests/js installs (js_clients' installer, reused: the same pinned version as
the Node SDK tests); the page is examples/embeddable/ as a user would copy it.
"""

from __future__ import annotations

import json
import shutil
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "examples" / "embeddable"
JS_TESTS = REPO / "tests" / "js"
SDK = JS_TESTS / "node_modules" / "@careevolution" / "mydatahelps-js" / "MyDataHelps.js"


def sdk_file() -> Path:
    """MyDataHelps.js from npm (installed by tests/js's installer the first time)."""
    if str(JS_TESTS) not in sys.path:
        sys.path.insert(0, str(JS_TESTS))
    from js_clients import Node

    Node()  # installs tests/js/node_modules when package.json changed (or fails saying what is missing)
    assert SDK.is_file(), f"{SDK} is missing after npm install"
    return SDK


def stage_page(dest: Path, settings: dict[str, Any]) -> Path:
    """examples/embeddable/ with MyDataHelps.js beside it (the page's default sdk path), in ``dest``,
    its config.js setting ``window.MDH_EMBEDDABLE`` to ``settings`` (as a deployment edits it)."""
    shutil.copytree(PAGE, dest, dirs_exist_ok=True)
    shutil.copy2(sdk_file(), dest / "MyDataHelps.js")
    (dest / "config.js").write_text(f"window.MDH_EMBEDDABLE = {json.dumps(settings)};\n")
    return dest


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class StaticServer:
    """Any static file server will do; this is Python's, on a free loopback port, on a thread."""

    def __init__(self, root: Path) -> None:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="static-files", daemon=True)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/"

    def __enter__(self) -> StaticServer:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(10)

    @property
    def origin(self) -> str:
        return self.url.rstrip("/")
