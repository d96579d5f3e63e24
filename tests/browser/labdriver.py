"""A JupyterLab server on loopback and the few things a user does in it, driven through headless Chromium.

The server runs on a free loopback port with a generated token, in an isolated Jupyter config/data/runtime
dir (no user settings, kernels or extensions leak in), on a temporary copy of notebooks/ (the stored
notebooks are never written), with no MDH_*/RKS_* credentials (the embedded sandbox is used) and
TQDM_DISABLE=1. The browser is Debian's chromium (/usr/bin/chromium) under Playwright's Python package;
Playwright never downloads a browser here.

Every wait is on a condition (the server's /api/status, the kernel's execution_state, the cells' execution
counts, an element appearing), never a fixed sleep.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
ARTIFACTS = REPO / "artifacts" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
# the flags the machine's closed network needs (env doc): no background connections, no first-run UI
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

SERVER_START_TIMEOUT = 120.0
# JupyterLab settings for the test's own user: every cell attached to the DOM (the default windowing mode
# may skip off-screen cells, whose prompts a locator would then miss), and no news/update toasts that
# would ask for the network and cover the notebook
USER_SETTINGS = {"@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"}}
PAGE_CONFIG = {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}

_PROMPT_DONE = re.compile(r"^\[\d+\]:$")
# the notebook in front (another tab's panel stays in the DOM, hidden)
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MDH_", "RKS_", "JUPYTER", "IPYTHON"))}
    env.update(TQDM_DISABLE="1", JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), IPYTHONDIR=str(home / "ipython"),
               JUPYTERLAB_SETTINGS_DIR=str(home / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
               JUPYTER_PLATFORM_DIRS="1", PYTHONUNBUFFERED="1")
    return env


class Lab:
    """A running JupyterLab: its URL, token, notebook dir and log."""

    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.home = home
        self.port = _free_port()
        self.token = secrets.token_hex(24)
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = home / "jupyterlab.log"
        self._proc: subprocess.Popen[bytes] | None = None

    # --- lifecycle ---------------------------------------------------------------------------------------
    def start(self) -> Lab:
        for name, value in USER_SETTINGS.items():
            path = self.home / "settings" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value))
        labconfig = self.home / "config" / "labconfig"
        labconfig.mkdir(parents=True, exist_ok=True)
        (labconfig / "page_config.json").write_text(json.dumps(PAGE_CONFIG))
        args = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.open_browser=False",
                "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
                "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        if os.geteuid() == 0:
            args.append("--allow-root")
        log = self.log_path.open("wb")
        # a session of its own, so the kernels it starts can be ended with it (by its process group id)
        self._proc = subprocess.Popen(args, cwd=self.root, env=_clean_env(self.home), stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            assert self._proc is not None
            if self._proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with {self._proc.returncode} before it was ready:\n{self.log_tail()}")
            with suppress(httpx.HTTPError):
                if self.api("GET", "api/status", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        pytest.fail(f"JupyterLab did not answer /api/status within {SERVER_START_TIMEOUT:.0f}s:\n{self.log_tail()}")

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        with suppress(httpx.HTTPError):  # the server's own shutdown also shuts its kernels down
            self.api("POST", "api/shutdown", timeout=10)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        with suppress(ProcessLookupError):  # any kernel left behind in the server's process group
            os.killpg(proc.pid, signal.SIGKILL)

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else "(no log)"

    # --- the REST API ------------------------------------------------------------------------------------
    def api(self, method: str, path: str, timeout: float = 10) -> httpx.Response:
        return httpx.request(method, self.url + path, headers={"Authorization": f"token {self.token}"},
                             timeout=timeout)

    def kernel_state(self, notebook: str) -> str:
        """The execution_state of the kernel the notebook's session runs ("" while it has none)."""
        for session in self.api("GET", "api/sessions").json():
            if session.get("path") == notebook and session.get("kernel"):
                return str(session["kernel"]["execution_state"])
        return ""

    def wait_kernel_idle(self, notebook: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        state = ""
        while time.monotonic() < deadline:
            state = self.kernel_state(notebook)
            if state == "idle":
                return
            time.sleep(0.2)
        pytest.fail(f"{notebook}'s kernel was not idle within {timeout:.0f}s (state {state!r}):\n{self.log_tail()}")

    def shutdown_kernels(self) -> None:
        for session in self.api("GET", "api/sessions").json():
            self.api("DELETE", f"api/sessions/{session['id']}")

    def notebook_url(self, name: str) -> str:
        # ?reset: a fresh workspace, so no tab restored from an earlier test hides or races this one
        return f"{self.url}lab/tree/{name}?reset&token={self.token}"


@contextmanager
def running_lab(root: Path, home: Path) -> Iterator[Lab]:
    lab = Lab(root, home)
    try:
        yield lab.start()
    finally:
        lab.stop()


def copy_notebooks(dest: Path) -> Path:
    shutil.copytree(NOTEBOOKS, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return dest


@contextmanager
def chromium() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (it installs Debian's chromium with apt-get), "
                    "or `apt-get install chromium` yourself")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# --- what a user does in the notebook page -------------------------------------------------------------------
def open_notebook(page: Page, lab: Lab, name: str) -> None:
    """Opens a notebook and waits until its kernel is started and idle."""
    page.goto(lab.notebook_url(name))
    page.locator(f"{NOTEBOOK} .jp-Notebook .jp-Cell").first.wait_for(timeout=90_000)
    indicator = page.locator(f"{NOTEBOOK} .jp-Notebook-ExecutionIndicator")
    indicator.and_(page.locator("[data-status='idle']")).wait_for(timeout=120_000)
    lab.wait_kernel_idle(name)


def menu(page: Page, menu: str, item: str) -> None:
    """Clicks a menu bar entry, then one of its items (by the start of its label)."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(f"^{re.escape(menu)}$")).click()
    page.locator(".lm-Menu-item", has_text=re.compile(f"^{re.escape(item)}")).click()


def _prompts(page: Page) -> list[str]:
    """The input prompts of the code cells that have code ("[3]:", "[*]:", "[ ]:"); an empty cell never runs."""
    return page.locator(f"{NOTEBOOK} .jp-CodeCell").evaluate_all(
        """cells => cells
            .filter(c => (c.querySelector('.cm-content')?.textContent ?? '').trim() !== '')
            .map(c => (c.querySelector('.jp-InputArea-prompt')?.textContent ?? '').trim())""")


def _wait_prompts(page: Page, lab: Lab, name: str, done: Callable[[list[str]], bool], what: str,
                  timeout: float) -> list[str]:
    deadline = time.monotonic() + timeout
    texts: list[str] = []
    # an error renders as stderr text holding the traceback
    traceback = page.locator(f"{NOTEBOOK} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
                             has_text="Traceback")
    while time.monotonic() < deadline:
        texts = _prompts(page)
        if traceback.count():
            pytest.fail(f"a cell raised during Run All:\n{traceback.first.inner_text()[-3000:]}")
        if texts and done(texts) and lab.kernel_state(name) == "idle":
            return texts
        time.sleep(0.25)
    pytest.fail(f"{what} within {timeout:.0f}s; prompts: {texts}\n{lab.log_tail()}")


def run_all_cells(page: Page, lab: Lab, name: str, timeout: float = 240) -> list[str]:
    """Edit → Clear Outputs of All Cells, then Run → Run All Cells; waits until every code cell shows an execution
    count and the kernel is idle again, and returns the prompts. Clearing first means a stored notebook's counts
    cannot pass for a finished run. A cell that raised stops the run: its traceback is in the failure message."""
    menu(page, "Edit", "Clear Outputs of All Cells")
    _wait_prompts(page, lab, name, lambda ps: all(p in ("[ ]:", "") for p in ps), "the outputs were not cleared",
                  timeout=30)
    menu(page, "Run", "Run All Cells")
    return _wait_prompts(page, lab, name, lambda ps: all(_PROMPT_DONE.match(p) for p in ps),
                         "Run All did not finish", timeout)


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def cell_with(page: Page, selector: str) -> Any:
    """The first notebook cell whose output holds `selector` (the first displayed widget of that kind)."""
    return page.locator(f"{NOTEBOOK} .jp-Cell").filter(has=page.locator(selector)).first
