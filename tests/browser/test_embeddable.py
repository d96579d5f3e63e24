"""The embeddable end to end in headless Chromium: a static page (one loopback port) runs the official JS
SDK with a participant token from the authenticator (another port) against the sandbox (a third port),
cross-origin all the way, and renews the token on the SDK's tokenWillExpire.

Participant tokens live 125 s here: the SDK fires tokenWillExpire at expires_in − 120 s, so about five
seconds after each token; the authenticator hands out a new one then (one with 120 s or less left would
make the SDK fire again at once). Every wait is on the page's status line, never a sleep.

The page's config.js (written by the test, as a deployment edits it) says where the key and the tokens
go; a crafted link that tries to say otherwise is refused before any request. A revoked token is
replaced on the page even when the SDK's error carries no status text (as over HTTP/2).
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
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

    def page_url(self, *, api_key: str = API_KEY, participant: str = "PT-0001", query: dict[str, str] | None = None,
                 fragment: dict[str, str] | None = None) -> str:
        asked = urlencode({"participant": participant, **(query or {})})
        return f"{self.static.url}index.html?{asked}#{urlencode({'api_key': api_key, **(fragment or {})})}"


def _stack(root: Path, **sandbox_options: Any) -> Iterator[Stack]:
    with ExitStack() as exits:
        sandbox = exits.enter_context(SandboxServer(participants=4, days=30, **sandbox_options).start())
        env = sandbox.credentials.write_env_file(root / "sandbox.env")
        config = mdh.Config.resolve(dotenv_path=env, environ={})
        assert config is not None
        service = TokenService(mdh.Client(config), Grants.parse(GRANTS), owns_client=True)
        exits.callback(service.close)
        authenticator = exits.enter_context(AuthenticatorServer(service).start())
        static = exits.enter_context(StaticServer(stage_page(root / "site", {"authenticator": authenticator.url})))
        yield Stack(sandbox, authenticator, static, config)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Tokens of 125 s: the SDK asks for a new one about every five seconds."""
    yield from _stack(tmp_path_factory.mktemp("embeddable"), participant_token_lifetime=125)


@pytest.fixture(scope="module")
def steady(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Tokens of an hour: no renewal comes between what a test does and what it checks."""
    yield from _stack(tmp_path_factory.mktemp("embeddable-steady"))


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
    assert shown["failed"] == 0 and shown["replacements"] == 0, page.locator("#errors").inner_text()
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



#: Over HTTP/2 a response has no status text, and the SDK throws just that: "" for a 401. HTTP/1.1
#: servers (these) send "Unauthorized"; this makes every response of the page's look like HTTP/2's.
NO_STATUS_TEXT = """
const realFetch = window.fetch;
window.fetch = async (...args) => {
  const response = await realFetch(...args);
  return new Response(response.body, { status: response.status, statusText: "", headers: response.headers });
};
"""


def test_a_revoked_token_is_replaced_without_the_status_text(steady: Stack, page: Page,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mdh_notebook.authenticator")
    page.add_init_script(NO_STATUS_TEXT)
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if r.url.startswith(steady.sandbox.url) else None)
    page.goto(steady.page_url())
    line = page.locator(STATUS)
    expect(line).to_have_attribute("data-queries", "1")
    expect(line).to_have_attribute("data-state", "ready")
    steady.sandbox.revoke()  # every token so far is refused now, the one on the page too
    page.locator("#reload").click()
    expect(line).to_have_attribute("data-queries", "2")
    expect(line).to_have_attribute("data-state", "ready")
    shown = status(page)
    assert shown["replacements"] == 1 and shown["failed"] == 0, page.locator("#errors").inner_text()
    assert shown["renewals"] == 0 and shown["rows"] > 0
    assert 401 in statuses and statuses[-1] == 200, statuses  # refused, then answered with the replacement
    issued = [r.getMessage() for r in caplog.records if "got a token for 'PT-0001'" in r.getMessage()]
    assert len(issued) == 2 and "(cached)" not in issued[1], issued  # the replacement is a new token
    screenshot(page, "embeddable-replaced")


@pytest.mark.parametrize(("where", "name"), [("query", "authenticator"), ("fragment", "authenticator"),
                                             ("query", "api"), ("query", "sdk"), ("fragment", "sdk")])
def test_a_link_cannot_choose_where_the_key_and_tokens_go(steady: Stack, page: Page, where: str, name: str) -> None:
    elsewhere = "http://127.0.0.1:9/" + ("evil.js" if name == "sdk" else "")
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    crafted = {name: elsewhere}
    page.goto(steady.page_url(query=crafted) if where == "query" else steady.page_url(fragment=crafted))
    expect(page.locator(STATUS)).to_have_attribute("data-state", "error")
    expect(page.locator("#errors")).to_contain_text(f"{name} cannot be set from the address")
    assert not [url for url in asked if not url.startswith(steady.static.url)], asked  # not even a token asked
    assert API_KEY not in page.url


def test_a_key_in_the_query_string_is_refused_and_removed(steady: Stack, page: Page) -> None:
    page.goto(f"{steady.static.url}index.html?{urlencode({'participant': 'PT-0001', 'api_key': API_KEY})}")
    expect(page.locator(STATUS)).to_have_attribute("data-state", "error")
    expect(page.locator("#errors")).to_contain_text("put it after the #")
    assert API_KEY not in page.url and "participant=PT-0001" in page.url


def test_the_sdk_must_be_on_the_page_s_origin(steady: Stack, page: Page, tmp_path: Path) -> None:
    other = stage_page(tmp_path / "site", {"authenticator": steady.authenticator.url,
                                           "sdk": steady.static.url + "MyDataHelps.js"})  # another port: origin
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    with StaticServer(other) as site:
        page.goto(f"{site.url}index.html?participant=PT-0001#{urlencode({'api_key': API_KEY})}")
        expect(page.locator(STATUS)).to_have_attribute("data-state", "error")
        expect(page.locator("#errors")).to_contain_text("sdk must be on this page's origin")
    assert not [url for url in asked if not url.startswith(site.url)], asked
