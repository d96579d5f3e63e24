"""The sandbox's external accounts, provider directory, files (with its storage emulation) and
participant updates, spoken to in raw HTTP by the hand-written protocol client."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import re
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import httpx
import pytest
from sandbox_protocol import Proto, instant

ACCOUNTS = "api/v1/delegated/externalaccounts"
PROVIDERS = "api/v1/delegated/externalaccountproviders"
FEATURED = "api/v1/delegated/featuredexternalaccountproviders"
FILES = "api/v1/delegated/files"
PARTICIPANT = "api/v1/delegated/participant"
SCOPES = "ExternalAccounts:read ExternalAccounts:connect ExternalAccounts:write File:read File:write"


def _send(proto: Proto, method: str, path: str, token: str | None, **kwargs: Any) -> httpx.Response:
    headers = {"Accept": "application/json", **kwargs.pop("headers", {})}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return proto.http.request(method, path, headers=headers, **kwargs)


def _enrollment(proto: Proto, identifier: str) -> tuple[dt.datetime, dt.datetime | None]:
    record = proto.get(f"{proto.admin}/participants/{identifier}", proto.service_token()).json()
    withdrawn = record.get("withdrawDate")
    return instant(record["enrollmentDate"]), instant(withdrawn) if withdrawn else None


# -- the provider directory ------------------------------------------------------------------------

def test_providers_page_by_number_from_zero_with_a_total(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "ExternalAccounts:connect")
    first = proto.get(PROVIDERS, token).json()
    assert set(first) == {"externalAccountProviders", "totalExternalAccountProviders"}
    total = first["totalExternalAccountProviders"]
    assert total >= 250 and len(first["externalAccountProviders"]) == 25, "pageSize defaults to 25"
    pages = [proto.get(PROVIDERS, token, pageSize=100, pageNumber=n).json() for n in range(4)]
    names = [p["name"] for page in pages for p in page["externalAccountProviders"]]
    assert len(names) == total and pages[3]["externalAccountProviders"] == [], "past the end: empty, with the total"
    assert {page["totalExternalAccountProviders"] for page in pages} == {total}
    assert names == sorted(names, key=lambda n: n.casefold()), "ordered by name"
    assert proto.get(PROVIDERS, token, pageSize=500).json()["externalAccountProviders"] == \
        pages[0]["externalAccountProviders"], "pageSize is clamped to 100"
    assert proto.get(PROVIDERS, token, PAGESIZE=100, PageNumber=1).json() == pages[1], "names in any case"
    for bad in ({"pageSize": "0"}, {"pageNumber": "-1"}, {"pageNumber": "x"}, {"category": "Hospital"}):
        refused = proto.get(PROVIDERS, token, **bad)
        assert refused.status_code == 400 and refused.json()["message"], bad


def test_the_directory_has_the_real_apis_quirks(proto: Proto) -> None:
    token = proto.participant_token("PT-0002", "ExternalAccounts:connect")
    directory = [p for n in range(3) for p in proto.get(PROVIDERS, token, pageSize=100, pageNumber=n).json()[
        "externalAccountProviders"]]
    assert len({p["id"] for p in directory}) == len(directory) and all(type(p["id"]) is int for p in directory)
    assert {p["category"] for p in directory} == {"Provider", "Health Plan", "Device Manufacturer"}
    assert any("enabled" not in p for p in directory) and any(p.get("enabled") is False for p in directory)
    assert any("logoUrl" in p and p["logoUrl"] is None for p in directory)
    assert any("logoUrl" not in p for p in directory)
    assert any(p.get("message") == "Unavailable" for p in directory)
    assert any(p.get("managingOrganization") for p in directory)
    by_name = {p["name"]: p for p in directory}
    assert by_name["Nokia Health"]["successorID"] == by_name["Withings"]["id"]
    boston = proto.get(PROVIDERS, token, search="BOSTON", category="provider", pageSize=100).json()
    assert boston["totalExternalAccountProviders"] == len(boston["externalAccountProviders"]) > 0
    assert all("boston" in p["name"].lower() and p["category"] == "Provider"
               for p in boston["externalAccountProviders"])


def test_featured_providers(proto: Proto) -> None:
    token = proto.participant_token("PT-0003", "ExternalAccounts:connect")
    default = proto.get(FEATURED, token).json()
    assert isinstance(default, list) and len(default) == 10
    devices = proto.get(FEATURED, token, featuredProvidersContext="devices").json()
    assert len(devices) == 6 and {p["category"] for p in devices} == {"Device Manufacturer"}
    assert proto.get(FEATURED, token, featuredProvidersContext="Unknown").json() == []
    assert proto.get(FEATURED, proto.participant_token("PT-0003", "ExternalAccounts:read")).status_code == 403


# -- the participant's accounts ------------------------------------------------------------------

def test_accounts_are_a_bare_array_inside_enrollment(proto: Proto) -> None:
    seen_forms: set[str] = set()
    for number in range(1, 13):
        identifier = f"PT-{number:04d}"
        token = proto.participant_token(identifier, "ExternalAccounts:read")
        accounts = proto.get(ACCOUNTS, token).json()
        assert isinstance(accounts, list)
        enrolled, withdrawn = _enrollment(proto, identifier)
        for account in accounts:
            assert type(account["id"]) is int and type(account["provider"]["id"]) is int
            assert account["status"] in ("unauthorized", "fetchingData", "error", "fetchComplete")
            refreshed = instant(account["lastRefreshDate"])
            assert refreshed >= enrolled and (withdrawn is None or refreshed <= withdrawn)
            if account.get("connectionDate"):
                assert enrolled <= instant(account["connectionDate"]) <= refreshed
            seen_forms.add("naive" if re.search(r"T[\d:.]+$", account["lastRefreshDate"]) else "offset")
        if number == 4:
            assert accounts == [], "PT-0004 connected nothing"
    assert seen_forms == {"naive", "offset"}


def test_device_accounts_only_for_devices_the_participant_has(proto: Proto) -> None:
    """A device manufacturer account only where the participant's data collection has that device."""
    flags = {"Fitbit": "fitbitEnabled", "Garmin": "garminEnabled", "Omron": "omronEnabled", "Dexcom": "dexcomEnabled",
             "Oura": "ouraEnabled", "Google Fit": "googleFitEnabled"}
    seen = set()
    for number in range(1, 13):
        token = proto.participant_token(f"PT-{number:04d}", "ExternalAccounts:read DataCollectionSettings:read")
        settings = proto.get("api/v1/delegated/datacollectionsettings", token).json()
        names = {a["provider"]["name"] for a in proto.get(ACCOUNTS, token).json()
                 if a["provider"]["category"] == "Device Manufacturer"}
        assert names <= set(flags), names
        assert all(settings[flags[name]] is True for name in names), (number, names)
        seen |= names
    assert len(seen) >= 2


def test_refresh_and_delete(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", SCOPES)
    accounts = proto.get(ACCOUNTS, token).json()
    target = accounts[0]["id"]
    reader = proto.participant_token("PT-0001", "ExternalAccounts:read ExternalAccounts:connect")
    assert _send(proto, "POST", f"{ACCOUNTS}/refresh/{target}", reader).status_code == 403
    refreshed = _send(proto, "POST", f"{ACCOUNTS}/refresh/{target}", token)
    assert refreshed.status_code == 200 and refreshed.content == b""
    after = {a["id"]: a for a in proto.get(ACCOUNTS, token).json()}[target]
    assert after["status"] == "fetchingData" and instant(after["lastRefreshDate"]) > instant(
        accounts[0]["lastRefreshDate"])
    for bad in ("999999", "abc", "1.5"):
        missing = _send(proto, "POST", f"{ACCOUNTS}/refresh/{bad}", token)
        assert missing.status_code == 404 and "not found" in missing.json()["message"]
    assert _send(proto, "DELETE", f"{ACCOUNTS}/delete/{target}", token).status_code == 200
    assert target not in {a["id"] for a in proto.get(ACCOUNTS, token).json()}
    assert _send(proto, "DELETE", f"{ACCOUNTS}/delete/{target}", token).status_code == 404
    proto.server.reset()
    assert proto.get(ACCOUNTS, token).json() == accounts, "reset restores the seeded accounts"


def _connect(proto: Proto, token: str, provider: int, **params: str) -> httpx.Response:
    return _send(proto, "POST", f"{PROVIDERS}/{provider}/connect", token, params=params)


def test_connect_answers_a_json_string_and_the_page_completes_it(proto: Proto) -> None:
    token = proto.participant_token("PT-0002", SCOPES)
    before = proto.get(ACCOUNTS, token).json()
    taken = {a["provider"]["id"] for a in before}
    provider = next(p for p in proto.get(PROVIDERS, token, category="Health Plan", pageSize=100).json()[
        "externalAccountProviders"] if p.get("enabled", True) and p["id"] not in taken)
    verifier = os.urandom(16).hex()
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    answer = _connect(proto, token, provider["id"], finalRedirectPath="http://localhost/app?x=%SUCCESSVALUE%",
                      verifierHash=digest)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/json")
    assert answer.text.startswith('"') and "ratelimit-limit" in answer.headers
    url = answer.json()
    page = httpx.get(url)
    assert page.status_code == 200 and provider["name"].replace("&", "&amp;") in page.text
    assert "RateLimit-Limit" not in page.headers, "the provider's page is not the API"
    state = parse_qs(urlsplit(url).query)["state"][0]
    complete = proto.server.url + "_sandbox/provider-auth/complete"
    without = httpx.get(complete, params={"state": state, "decision": "allow"})
    assert without.status_code == 400, "a connection started with a verifierHash needs its verifier"
    done = httpx.get(complete, params={"state": state, "decision": "allow", "verifier": verifier})
    assert done.status_code == 302 and done.headers["location"] == "http://localhost/app?x=true"
    accounts = proto.get(ACCOUNTS, token).json()
    assert len(accounts) == len(before) + 1
    new = accounts[-1]
    assert new["provider"]["id"] == provider["id"] and new["status"] == "fetchingData"
    again = httpx.get(complete, params={"state": state, "decision": "allow", "verifier": verifier})
    assert again.status_code == 302 and len(proto.get(ACCOUNTS, token).json()) == len(accounts), \
        "completing twice re-authorizes the same account"
    proto.server.advance_clock(601)
    assert httpx.get(url).status_code == 400, "the authorization link expires"


def test_racing_completions_leave_one_account_per_provider_and_none_fails(proto: Proto) -> None:
    token = proto.participant_token("PT-0002", SCOPES)
    before = proto.get(ACCOUNTS, token).json()
    taken = {a["provider"]["id"] for a in before}
    free = [p["id"] for p in proto.get(PROVIDERS, token, category="Provider", pageSize=100).json()[
        "externalAccountProviders"] if p.get("enabled", True) and p["id"] not in taken][:3]
    states = []
    for provider in free:
        url = _connect(proto, token, provider, finalRedirectPath="https://app.example/done").json()
        states.append(parse_qs(urlsplit(url).query)["state"][0])
    racers = 12  # each link completed by four at once: one new account per provider, new ids all distinct

    def complete(start: threading.Barrier, n: int) -> int:
        with httpx.Client(timeout=30) as http:
            start.wait(timeout=30)
            return http.get(proto.server.url + "_sandbox/provider-auth/complete",
                            params={"state": states[n % len(states)], "decision": "allow"}).status_code

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns often: a check-then-write race would show
    try:
        for _ in range(4):
            assert _send(proto, "POST", f"{ACCOUNTS}/refresh/{before[0]['id']}", token).status_code == 200
            proto.server.reset()  # forgets the written accounts: the racers queue on their generation, then go
            start = threading.Barrier(racers)
            with ThreadPoolExecutor(racers) as pool:
                statuses = list(pool.map(lambda n, start=start: complete(start, n), range(racers)))
            assert statuses == [302] * racers
            accounts = proto.get(ACCOUNTS, token).json()
            added = sorted(a["provider"]["id"] for a in accounts if a["provider"]["id"] in free)
            assert len(accounts) == len(before) + len(free) and added == sorted(free)
            assert len({a["id"] for a in accounts}) == len(accounts)
    finally:
        sys.setswitchinterval(interval)
    proto.server.reset()


def test_connect_refuses_what_it_cannot_start(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", SCOPES)
    ok = "https://app.example/done"
    assert _connect(proto, token, 1_000_000, finalRedirectPath=ok).status_code == 404
    provider = proto.get(PROVIDERS, token, search="garmin").json()["externalAccountProviders"][0]["id"]
    for params in ({}, {"finalRedirectPath": "/relative"}, {"finalRedirectPath": "ftp://x/"},
                   {"finalRedirectPath": ok, "verifierHash": "short"}):
        refused = _connect(proto, token, provider, **params)
        assert refused.status_code == 400 and refused.json()["message"], params
    jawbone = proto.get(PROVIDERS, token, search="jawbone").json()["externalAccountProviders"][0]
    assert _connect(proto, token, jawbone["id"], finalRedirectPath=ok).status_code == 400
    reader = proto.participant_token("PT-0001", "ExternalAccounts:read")
    assert _connect(proto, reader, provider, finalRedirectPath=ok).status_code == 403
    assert httpx.get(proto.server.url + "_sandbox/provider-auth", params={"state": "forged.0"}).status_code == 400


# -- files and the storage emulation -----------------------------------------------------------------

def test_files_page_and_filter(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "File:read")
    files, cursors = proto.all_pages(FILES, token, "files", limit=100)
    assert len(files) == 130 and len(cursors) == 1
    assert set(files[0]) == {"participantID", "participantIdentifier", "key", "category", "fileName", "lastModified"}
    assert all(re.fullmatch(r"[A-Za-z0-9/._-]+", f["key"]) for f in files), "keys need no escaping"
    stamps = [instant(f["lastModified"]) for f in files]
    assert stamps == sorted(stamps, reverse=True)
    enrolled, _ = _enrollment(proto, "PT-0001")
    assert min(stamps) >= enrolled
    labs, _ = proto.all_pages(FILES, token, "files", category="LAB RESULTS")
    assert labs == [f for f in files if f["category"] == "Lab Results"] and labs
    withdrawn_token = proto.participant_token("PT-0005", "File:read")
    _, withdrawn = _enrollment(proto, "PT-0005")
    assert withdrawn is not None
    late = [f for f in proto.all_pages(FILES, withdrawn_token, "files")[0] if instant(f["lastModified"]) > withdrawn]
    assert late == []


def _upload_url(proto: Proto, token: str, **params: str) -> str:
    answer = _send(proto, "POST", FILES, token, params=params)
    assert answer.status_code == 200, answer.text
    assert set(answer.json()) == {"preSignedUrl"}
    return str(answer.json()["preSignedUrl"])


def _s3_code(response: httpx.Response) -> str:
    match = re.search(r"<Code>(\w+)</Code>", response.text)
    assert match and response.headers["content-type"].startswith("application/xml"), response.text
    return match.group(1)


SSE = {"x-amz-server-side-encryption": "AES256"}


def test_the_two_step_upload_and_download(proto: Proto) -> None:
    token = proto.participant_token("PT-0002", "File:read File:write")
    before, _ = proto.all_pages(FILES, token, "files")
    url = _upload_url(proto, token, category="Insurance Card", fileName="card & back (2).jpg")
    assert "/_sandbox/s3/mdh-sandbox-files/" in url and "X-Amz-Signature=" in url
    data = os.urandom(2 * 1024 * 1024) + bytes(range(256))
    stored = httpx.put(url, content=data, headers={"Content-Type": "image/jpeg", **SSE})
    assert stored.status_code == 200 and stored.headers["etag"] == f'"{hashlib.md5(data).hexdigest()}"'
    files, _ = proto.all_pages(FILES, token, "files")
    assert len(files) == len(before) + 1
    new = files[0]
    assert new["fileName"] == "card & back (2).jpg" and new["category"] == "Insurance Card"
    assert new["key"].endswith("-card_back_2_.jpg")
    download = proto.get(f"{FILES}/download", token, key=new["key"]).json()["preSignedUrl"]
    fetched = httpx.get(download)
    assert fetched.content == data and fetched.headers["content-type"] == "image/jpeg"
    replaced = httpx.put(url, content=b"second", headers=SSE)
    assert replaced.status_code == 200
    assert len(proto.all_pages(FILES, token, "files")[0]) == len(files), "the same URL replaces the bytes"
    assert httpx.get(download).content == b"second"
    assert _send(proto, "DELETE", FILES, token, params={"key": new["key"]}).status_code == 200
    assert _s3_code(httpx.get(download)) == "NoSuchKey"
    assert _send(proto, "DELETE", FILES, token, params={"key": new["key"]}).status_code == 404
    assert proto.get(f"{FILES}/download", token, key=new["key"]).status_code == 404


def test_the_storage_keeps_s3s_rules(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "File:read File:write")
    url = _upload_url(proto, token, category="Documents", fileName="a.txt")
    with_token = httpx.put(url, content=b"x", headers={"Authorization": f"Bearer {token}", **SSE})
    assert with_token.status_code == 400 and _s3_code(with_token) == "InvalidArgument"
    no_sse = httpx.put(url, content=b"x")
    assert no_sse.status_code == 403 and _s3_code(no_sse) == "SignatureDoesNotMatch"
    assert _s3_code(httpx.put(url, content=b"x", headers={"x-amz-server-side-encryption": "aws:kms"})) == \
        "InvalidArgument"
    tampered = url.replace("X-Amz-Signature=", "X-Amz-Signature=0")
    assert _s3_code(httpx.put(tampered, content=b"x", headers=SSE)) == "SignatureDoesNotMatch"
    parts = urlsplit(url)
    other_key = urlunsplit(parts._replace(path=parts.path.replace("a.txt", "b.txt")))
    assert _s3_code(httpx.put(other_key, content=b"x", headers=SSE)) == "SignatureDoesNotMatch"
    assert _s3_code(httpx.get(url)) == "SignatureDoesNotMatch", "a PUT URL does not read"
    files = proto.all_pages(FILES, token, "files")[0]
    assert "a.txt" not in {f["fileName"] for f in files}, "nothing refused was stored"
    download = proto.get(f"{FILES}/download", token, key=files[0]["key"]).json()["preSignedUrl"]
    seeded = httpx.get(download)
    assert seeded.status_code == 200 and seeded.content == httpx.get(download).content
    proto.server.advance_clock(901)
    assert _s3_code(httpx.put(url, content=b"x", headers=SSE)) == "AccessDenied"
    assert _s3_code(httpx.get(download)) == "AccessDenied"


def test_file_endpoints_refuse_bad_requests(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "File:read File:write")
    for params in ({}, {"category": "Documents"}, {"fileName": "a.pdf"}, {"category": " ", "fileName": "a.pdf"},
                   {"category": "x" * 101, "fileName": "a.pdf"}):
        refused = _send(proto, "POST", FILES, token, params=params)
        assert refused.status_code == 400 and refused.json()["message"], params
    assert proto.get(f"{FILES}/download", token).status_code == 400
    assert proto.get(f"{FILES}/download", token, key="no/such/key").status_code == 404
    assert _send(proto, "DELETE", FILES, token).status_code == 400
    assert _send(proto, "DELETE", FILES, token, params={"key": "no/such/key"}).status_code == 404
    reader = proto.participant_token("PT-0001", "File:read")
    assert _send(proto, "POST", FILES, reader, params={"category": "a", "fileName": "b"}).status_code == 403
    other = proto.participant_token("PT-0002", "File:read")
    key = proto.get(FILES, token, limit=1).json()["files"][0]["key"]
    assert proto.get(f"{FILES}/download", other, key=key).status_code == 404, "one participant's files only"


# -- the participant's update --------------------------------------------------------------------

def test_put_participant_updates_both_views(proto: Proto) -> None:
    token = proto.participant_token("PT-0003", "Participant:read api")
    seeded = proto.get(PARTICIPANT, token).json()
    body = {"demographics": {"FirstName": "Robin", "middleName": None, "timeZone": "Asia/Tokyo",
                             "utcOffset": "ignored", "unsubscribedFromSms": "TRUE", "dateOfBirth": "1970-01-02"},
            "customFields": {"Site": "Tokyo", "Pager": "1234"}}
    answer = _send(proto, "PUT", PARTICIPANT, token, json=body)
    assert answer.status_code == 200, answer.text
    updated = answer.json()
    assert updated == proto.get(PARTICIPANT, token).json()
    demographics = updated["demographics"]
    assert demographics["firstName"] == "Robin" and "FirstName" not in demographics
    assert "middleName" not in demographics and demographics["utcOffset"] == "09:00:00"
    assert demographics["unsubscribedFromSms"] == "true" and demographics["dateOfBirth"] == "1970-01-02"
    assert demographics["lastName"] == seeded["demographics"]["lastName"]
    assert updated["customFields"] == {**seeded["customFields"], "Site": "Tokyo", "Pager": "1234"}
    service = proto.service_token()
    admin = proto.get(f"{proto.admin}/participants/PT-0003", service).json()
    assert admin["demographics"]["firstName"] == "Robin" and "unsubscribedFromSms" not in admin["demographics"]
    assert admin["customFields"]["Pager"] == "1234"
    listed = {p["participantIdentifier"]: p for p in proto.get(f"{proto.admin}/participants", service).json()[
        "participants"]}
    assert listed["PT-0003"]["demographics"] == admin["demographics"]
    assert listed["PT-0002"] == proto.get(f"{proto.admin}/participants/PT-0002", service).json()
    proto.server.reset()
    assert proto.get(PARTICIPANT, token).json() == seeded


def test_a_participant_without_demographics_can_add_some(proto: Proto) -> None:
    token = proto.participant_token("PT-0004", "Participant:read api")
    service = proto.service_token()
    assert proto.get(f"{proto.admin}/participants/PT-0004", service).json()["demographics"] is None
    answer = _send(proto, "PUT", PARTICIPANT, token, json={"demographics": {"email": "new@example.org"}})
    assert answer.json()["demographics"] == {"email": "new@example.org"}
    assert proto.get(f"{proto.admin}/participants/PT-0004", service).json()["demographics"] == {
        "email": "new@example.org"}


@pytest.mark.parametrize("body", [
    {"demographics": {"dateOfBirth": "1990-02-30"}}, {"demographics": {"dateOfBirth": "04/27/1980"}},
    {"demographics": {"dateOfBirth": "2999-01-01"}}, {"demographics": {"shoeSize": "9"}},
    {"demographics": {"gender": "X"}}, {"demographics": {"email": "not-an-email"}},
    {"demographics": {"timeZone": "Mars/Olympus"}}, {"demographics": {"preferredLanguage": "english!"}},
    {"demographics": {"unsubscribedFromEmails": "maybe"}}, {"demographics": {"firstName": 3}},
    {"demographics": ["firstName"]}, {"customFields": {"Site": 3}}, {"customFields": {"Site": {"a": "b"}}},
    {"customFields": {"": "x"}}, {"customField": {"Site": "x"}}, [], "text",
], ids=repr)
def test_put_participant_refuses_a_bad_update(proto: Proto, body: Any) -> None:
    token = proto.participant_token("PT-0001", "api")
    seeded = proto.get(PARTICIPANT, token).json()
    refused = _send(proto, "PUT", PARTICIPANT, token, json=body)
    assert refused.status_code == 400 and refused.json()["message"]
    assert proto.get(PARTICIPANT, token).json() == seeded, "a refused update changes nothing"


def test_put_participant_needs_api_and_json(proto: Proto) -> None:
    reader = proto.participant_token("PT-0001", "Participant:read")
    refused = _send(proto, "PUT", PARTICIPANT, reader, json={"demographics": {}})
    assert refused.status_code == 403 and "api" in refused.json()["message"]
    token = proto.participant_token("PT-0001", "api")
    assert _send(proto, "PUT", PARTICIPANT, token, content=b"{nope", headers={
        "Content-Type": "application/json"}).status_code == 400
    unchanged = _send(proto, "PUT", PARTICIPANT, token, json={})
    assert unchanged.status_code == 200 and unchanged.json() == proto.get(PARTICIPANT, token).json()


def test_public_routes_are_declared_apart_from_the_api(proto: Proto) -> None:
    from mdh_notebook.emulator.declarations import Public
    from mdh_notebook.emulator.kinds import REGISTRY

    routes = proto.http.get("_sandbox/routes").json()
    public = {(r["method"], r["path"]) for r in routes["public"]}
    assert {("PUT", "/_sandbox/s3/{bucket}/{key:path}"), ("GET", "/_sandbox/s3/{bucket}/{key:path}"),
            ("GET", "/_sandbox/provider-auth"), ("GET", "/_sandbox/provider-auth/complete")} <= public
    assert not public & {(r["method"], r["path"]) for r in routes["api"]}
    with pytest.raises(ValueError, match="_sandbox/"):
        Public("outside", "GET", "api/v1/delegated/x", lambda call: {})
    with pytest.raises(ValueError, match="two declarations"):
        REGISTRY.extended(public=[Public("storage_put_object", "GET", "_sandbox/elsewhere", lambda call: {})])
    before = proto.server.stats()["requests"]
    httpx.get(proto.server.url + "_sandbox/provider-auth", params={"state": "x.y"})
    assert proto.server.stats()["requests"] == before, "public routes are not API traffic"
