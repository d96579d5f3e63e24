"""The JavaScript clients: the official MyDataHelps JS SDK and the official Node
quickstart's libraries, installed from the npm registry into tests/js/node_modules (ignored by
git) the first time, then reused while package.json is unchanged.

Node >= 18 and npm are required (they are on every machine this project runs on); without them
these tests fail with a message saying so — they are never skipped.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
STAMP = HERE / "node_modules" / ".mdh-installed"


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is not installed: the JS SDK tests need Node >= 18 and npm (apt install nodejs npm)")
    return path


def _install() -> None:
    npm = _require("npm")
    wanted = hashlib.sha256((HERE / "package.json").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    done = subprocess.run([npm, "install", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error"],
                          cwd=HERE, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.fail(f"npm install in {HERE} failed (is the npm registry reachable?):\n{done.stderr[-3000:]}")
    STAMP.write_text(wanted)


class Node:
    """Runs our scripts in tests/js with the installed packages."""

    def __init__(self) -> None:
        self.node = _require("node")
        version = subprocess.run([self.node, "--version"], capture_output=True, text=True).stdout.strip()
        if int(version.lstrip("v").split(".")[0]) < 18:
            pytest.fail(f"Node {version} is too old: the MyDataHelps JS SDK needs the global fetch of Node >= 18")
        _install()

    def run(self, script: str, *, stdin: str = "", env: dict[str, str] | None = None,
            timeout: float = 300) -> Any:
        import os

        done = subprocess.run([self.node, str(HERE / script)], input=stdin, capture_output=True, text=True,
                              cwd=HERE, env={**os.environ, **(env or {})}, timeout=timeout)
        assert done.returncode == 0, f"node {script} failed:\n{done.stderr[-3000:]}"
        return json.loads(done.stdout)

    def sdk(self, base_url: str, token: dict[str, Any], calls: list[dict[str, Any]]) -> dict[str, Any]:
        """Run ``calls`` of the official JS SDK (see sdk_runner.mjs); returns results and requests."""
        out: dict[str, Any] = self.run("sdk_runner.mjs", stdin=json.dumps(
            {"baseUrl": base_url, "token": token, "calls": calls}))
        return out
