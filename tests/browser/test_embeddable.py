"""The embeddable end to end in headless Chromium: a static page (one loopback port) runs the official JS
SDK with a participant token from the authenticator (another port) against the sandbox (a third port),
cross-origin all the way, and renews the token on the SDK's tokenWillExpire.

Participant tokens live 125 s here: the SDK fires tokenWillExpire at expires_in − 120 s, so about five
seconds after each token; the authenticator hands out a new one then (one with 120 s or less left would
make the SDK fire again at once). Every wait is on the page's status line, never a sleep.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from embeddable_helpers import StaticServer, stage_page
from labdriver import screenshot
from playwright.sync_api import Browser, Page, expect

import mdh_notebook as mdh
from mdh_notebook.authenticator import AuthenticatorServer, Grants, TokenService
from mdh_notebook.emulator import SandboxServer

API_KEY = "embeddable-" + secrets.token_urlsafe(24)
GRANTS = f"""
[[grant]]
name = "embeddable"
api_key = "{API_KEY}"
participants = ["PT-0001"]
scopes = ["SurveyAnswers:read"]
"""
SURVEY_ANSWERS = "GET /api/v1/delegated/surveyanswers"
STATUS = "#status"


@dataclass
class Stack:
    sandbox: SandboxServer
    authenticator: AuthenticatorServer
    static: StaticServer
    config: mdh.Config

    def page_url(self, *, api_key: str = API_KEY, participant: str = "PT-0001") -> str:
        query = urlencode({"authenticator": self.authenticator.url, "participant": participant})
        return f"{self.static.url}index.html?{query}#{urlencode({'api_key': api_key})}"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("embeddable")
    with ExitStack() as exits:
        sandbox = exits.enter_context(SandboxServer(participant_token_lifetime=125, participants=4, days=30).start())
        env = sandbox.credentials.write_env_file(root / "sandbox.env")
        config = mdh.Config.resolve(dotenv_path=env, environ={})
        assert config is not None
        service = TokenService(mdh.Client(config), Grants.parse(GRANTS), owns_client=True)
        exits.callback(service.close)
        authenticator = exits.enter_context(AuthenticatorServer(service).start())
        static = exits.enter_context(StaticServer(stage_page(root / "site")))
        yield Stack(sandbox, authenticator, static, config)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


def status(page: Page) -> dict[str, Any]:
    return page.locator(STATUS).evaluate(
        "el => Object.fromEntries(Object.entries(el.dataset).map(([k, v]) => [k, k === 'state' ? v : Number(v)]))")


def test_the_embeddable_shows_the_participant_s_answers_and_renews_its_token(
        stack: Stack, page: Page, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mdh_notebook.authenticator")
    with mdh.Client(stack.config) as client:
        expected = client.connect("PT-0001", ["SurveyAnswers:read"]).survey_answers()
    sandbox_origin = stack.sandbox.url.rstrip("/")
    seen: list[tuple[str, int, str | None]] = []  # the sandbox's answers as the browser got them
    page.on("response", lambda r: seen.append((r.url, r.status, r.headers.get("access-control-allow-origin")))
            if r.url.startswith(sandbox_origin) else None)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    before = stack.sandbox.stats()["requests"].get(SURVEY_ANSWERS, 0)

    page.goto(stack.page_url())
    line = page.locator(STATUS)
    expect(line).to_have_attribute("data-queries", re.compile(r"^[1-9]"))
    expect(line).to_have_attribute("data-renewals", re.compile(r"^[1-9]"))  # tokenWillExpire → a new token
    expect(line).to_have_attribute("data-queries", re.compile(r"^([2-9]|\d\d+)$"))  # queried with the new one
    expect(line).to_have_attribute("data-state", "ready")
    screenshot(page, "embeddable")

    shown = status(page)
    assert shown["failed"] == 0, page.locator("#errors").inner_text()
    assert not errors
    assert shown["rows"] == len(expected) > 0
    rows = page.locator("#answers tbody tr.answer")
    assert rows.count() == len(expected)
    assert set(rows.evaluate_all("rs => rs.map(r => r.dataset.participant)")) == {"PT-0001"}
    assert sorted(rows.evaluate_all("rs => rs.map(r => r.dataset.id)")) == sorted(expected["id"])

    # cross-origin: every answer the page read came from the sandbox's port with CORS for the page's origin
    assert len(seen) >= shown["queries"] and all(status_ == 200 for _, status_, _ in seen), seen
    assert {allowed for _, _, allowed in seen} == {stack.static.origin}
    served = stack.sandbox.stats()["requests"].get(SURVEY_ANSWERS, 0) - before
    assert served >= len(seen)  # the sandbox counts them as served (the page may have more in flight)

    issued = [r.getMessage() for r in caplog.records if "got a token for 'PT-0001'" in r.getMessage()]
    assert len(issued) >= 1 + shown["renewals"]
    assert not [m for m in issued if "(cached)" in m]  # each renewal was a new token, not the old one again
    # the key left the address bar; neither it nor a token is on the page
    assert API_KEY not in page.url
    html = page.content()
    assert API_KEY not in html and "eyJ" not in html


def test_a_wrong_key_is_a_failed_call_the_page_shows(stack: Stack, page: Page) -> None:
    page.goto(stack.page_url(api_key="not-" + API_KEY))
    line = page.locator(STATUS)
    expect(line).to_have_attribute("data-state", "error")
    assert status(page)["failed"] == 1 and status(page)["rows"] == 0
    expect(page.locator("#errors")).to_contain_text("401 invalid_api_key")
    screenshot(page, "embeddable-wrong-key")


def test_a_participant_outside_the_grant_is_refused_on_the_page(stack: Stack, page: Page) -> None:
    page.goto(stack.page_url(participant="PT-0002"))
    expect(page.locator(STATUS)).to_have_attribute("data-state", "error")
    expect(page.locator("#errors")).to_contain_text("403 not_granted")
    expect(page.locator("#errors")).to_contain_text("'PT-0002'")

