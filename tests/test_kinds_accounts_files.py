"""External accounts and providers, files, and the participant's own update — the session against
the sandbox over loopback: independent pagers, the wire's quirks through to_frame, empty frames,
scopes and arguments checked before any request, and every write read back."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mdh_notebook as mdh
from mdh_notebook.emulator import SandboxServer
from mdh_notebook.errors import BadRequestError, InvalidArgumentError, NotFoundError, ScopeError
from mdh_notebook.frames import DTYPES

MINE = ("external_accounts", "external_account_providers", "featured_external_account_providers", "files")
EVERY_SCOPE = ["ExternalAccounts:read", "ExternalAccounts:connect", "ExternalAccounts:write", "File:read",
               "File:write", "Participant:read", "api"]
CATEGORIES = ("Provider", "Health Plan", "Device Manufacturer")


@pytest.fixture
def pt1(client: mdh.Client) -> mdh.ParticipantSession:
    return client.connect("PT-0001", EVERY_SCOPE)


def _headers(session: mdh.ParticipantSession) -> dict[str, str]:
    assert session.token is not None
    return {"Authorization": f"Bearer {session.token.value}", "Accept": "application/json"}


def _requests(sandbox: SandboxServer) -> int:
    return sum(sandbox.stats()["requests"].values())


def _bare(sandbox: SandboxServer, session: mdh.ParticipantSession, path: str, **params: str) -> list[Any]:
    response = httpx.get(sandbox.url + path, headers=_headers(session), params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, list)
    return body


def _numbered(sandbox: SandboxServer, session: mdh.ParticipantSession, **params: str) -> tuple[list[Any], int]:
    """Providers page by page (pageSize 100, pageNumber from 0) until the total: (records, pages)."""
    records: list[Any] = []
    pages = 0
    with httpx.Client(base_url=sandbox.url, headers=_headers(session)) as http:
        while True:
            body = http.get("api/v1/delegated/externalaccountproviders",
                            params={**params, "pageSize": "100", "pageNumber": str(pages)}).json()
            pages += 1
            assert "nextPageID" not in body
            records += body["externalAccountProviders"]
            if not body["externalAccountProviders"] or len(records) >= body["totalExternalAccountProviders"]:
                assert len(records) == body["totalExternalAccountProviders"]
                return records, pages


def _cursor(sandbox: SandboxServer, session: mdh.ParticipantSession, **params: str) -> tuple[list[Any], int]:
    records: list[Any] = []
    pages = 0
    query = {**params, "limit": "100"}
    with httpx.Client(base_url=sandbox.url, headers=_headers(session)) as http:
        while True:
            body = http.get("api/v1/delegated/files", params=query).json()
            pages += 1
            records += body["files"]
            if not body["nextPageID"]:
                return records, pages
            query["pageID"] = body["nextPageID"]


# -- round trips ---------------------------------------------------------------------------------

def test_external_accounts_of_every_participant(sandbox: SandboxServer, client: mdh.Client) -> None:
    counts = {}
    for number in range(1, 13):
        session = client.connect(f"PT-{number:04d}", ["ExternalAccounts:read"])
        raw = _bare(sandbox, session, "api/v1/delegated/externalaccounts")
        frame = session.external_accounts()
        pd.testing.assert_frame_equal(frame, mdh.to_frame("external_accounts", raw))
        assert frame.attrs["pages"] == 1 and list(frame.columns) == mdh.KINDS["external_accounts"].column_names
        counts[number] = len(frame)
        if len(frame):
            assert frame["id"].is_unique and frame["provider_id"].is_unique
            assert frame["status"].isin(["unauthorized", "fetchingData", "error", "fetchComplete"]).all()
            assert (frame["connection_date"].dropna() <= frame.loc[frame["connection_date"].notna(),
                                                                    "last_refresh_date"]).all()
    assert counts[1] >= 5 and 0 in counts.values(), counts


def test_pt0001_accounts_have_every_status_and_category(pt1: mdh.ParticipantSession) -> None:
    frame = pt1.external_accounts()
    assert set(frame["status"]) == {"unauthorized", "fetchingData", "error", "fetchComplete"}
    assert set(frame["provider_category"]) == set(CATEGORIES)
    enrolled = pd.Timestamp(pt1.participant["enrollmentDate"])
    assert (frame["last_refresh_date"] >= enrolled).all() and (frame["connection_date"].dropna() >= enrolled).all()


@pytest.mark.parametrize("filters", [{}, {"search": "medical"}, {"search": "BLUE"}, {"category": "Provider"},
                                     {"category": "health plan"}, {"category": "Device Manufacturer"},
                                     {"search": "boston", "category": "Provider"}, {"search": "no such provider"}],
                         ids=repr)
def test_an_independent_pager_counts_the_providers(sandbox: SandboxServer, pt1: mdh.ParticipantSession,
                                                   filters: dict[str, str]) -> None:
    records, pages = _numbered(sandbox, pt1, **filters)
    frame = pt1.external_account_providers(**filters)
    assert len(frame) == len(records) and frame.attrs["pages"] == pages
    pd.testing.assert_frame_equal(frame, mdh.to_frame("external_account_providers", records))
    if not filters:
        assert pages > 1 and len(frame) >= 250 and frame["id"].is_unique
        assert set(frame["category"]) == set(CATEGORIES)
    if "search" in filters:
        assert frame["name"].str.lower().str.contains(filters["search"].lower(), regex=False).all()
    if "category" in filters:
        assert (frame["category"].str.lower() == filters["category"].lower()).all()


def test_the_provider_directory_is_the_same_for_everyone(pt1: mdh.ParticipantSession, client: mdh.Client) -> None:
    other = client.connect("PT-0007", ["ExternalAccounts:connect"]).external_account_providers()
    pd.testing.assert_frame_equal(pt1.external_account_providers(), other)


def test_no_page_number_is_the_first_page(sandbox: SandboxServer, pt1: mdh.ParticipantSession) -> None:
    """The JS SDK leaves pageNumber out when it is 0 (``!!pageNumber``)."""
    path = sandbox.url + "api/v1/delegated/externalaccountproviders"
    absent = httpx.get(path, headers=_headers(pt1), params={"pageSize": "10"}).json()
    zero = httpx.get(path, headers=_headers(pt1), params={"pageSize": "10", "pageNumber": "0"}).json()
    one = httpx.get(path, headers=_headers(pt1), params={"pageSize": "10", "pageNumber": "1"}).json()
    assert absent == zero and absent != one
    assert mdh.KINDS["external_account_providers"].paging.first_page == 0


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(search=st.text(alphabet="abeilnorstuy &'.", min_size=1, max_size=4))
def test_search_is_a_case_insensitive_substring_of_the_name(pt1: mdh.ParticipantSession, search: str) -> None:
    everything = pt1.external_account_providers()
    expected = everything[everything["name"].str.casefold().str.contains(search.strip().casefold(), regex=False)]
    found = pt1.external_account_providers(search.upper())
    assert found["id"].tolist() == expected["id"].tolist()


@pytest.mark.parametrize("context", [None, "Devices", "healthplans", "PROVIDERS", "no-such-context"])
def test_featured_providers_by_context(sandbox: SandboxServer, pt1: mdh.ParticipantSession,
                                       context: str | None) -> None:
    params = {"featuredProvidersContext": context} if context else {}
    raw = _bare(sandbox, pt1, "api/v1/delegated/featuredexternalaccountproviders", **params)
    frame = pt1.featured_external_account_providers(context)
    pd.testing.assert_frame_equal(frame, mdh.to_frame("featured_external_account_providers", raw))
    directory = pt1.external_account_providers()
    assert set(frame["id"]) <= set(directory["id"])
    if context == "no-such-context":
        assert frame.empty and list(frame.columns) == mdh.KINDS["featured_external_account_providers"].column_names
    else:
        assert len(frame) >= 5 and frame["enabled"].fillna(True).all()
    if context == "Devices":
        assert (frame["category"] == "Device Manufacturer").all()


@pytest.mark.parametrize("category", [None, "Lab Results", "meal photos", "DOCUMENTS", "Insurance Card", "Nope"])
def test_an_independent_pager_counts_the_files(sandbox: SandboxServer, pt1: mdh.ParticipantSession,
                                               category: str | None) -> None:
    params = {"category": category} if category else {}
    records, pages = _cursor(sandbox, pt1, **params)
    frame = pt1.files(category)
    assert len(frame) == len(records) and frame.attrs["pages"] == pages
    pd.testing.assert_frame_equal(frame, mdh.to_frame("files", records))
    if category is None:
        assert pages > 1 and frame["key"].is_unique
        assert frame["last_modified"].is_monotonic_decreasing
        assert (frame["participant_identifier"] == "PT-0001").all()
        assert (frame["last_modified"] >= pd.Timestamp(pt1.participant["enrollmentDate"])).all()
    elif category == "Nope":
        assert frame.empty
    else:
        assert (frame["category"].str.lower() == category.lower()).all() and len(frame) > 0


def test_files_vary_across_the_cohort(client: mdh.Client) -> None:
    counts = [len(client.connect(f"PT-{n:04d}", ["File:read"]).files()) for n in range(1, 13)]
    assert counts[0] > 100 and 0 in counts and len(set(counts)) > 3


# -- the wire's quirks through to_frame ------------------------------------------------------------

PROVIDER = {"id": 12, "name": "Boston Medical Center", "category": "Provider", "logoUrl": "https://x.example/12.png",
            "enabled": True}


def test_external_account_records_with_the_real_apis_quirks() -> None:
    records = [
        {"id": 4711, "provider": PROVIDER, "status": "fetchComplete", "lastRefreshDate": "2023-07-26T18:22:42.93",
         "providerUserID": "MRN1", "connectionDate": "2023-07-01T10:00:00Z", "dataScopes": "patient/*.read"},
        {"id": 4712, "provider": {"id": 13, "name": "Aetna Medicare", "category": "Health Plan", "logoUrl": None},
         "status": "unauthorized", "lastRefreshDate": "2023-07-26T14:22:42.930-04:00", "providerUserID": None},
        {"id": 4713, "provider": {"id": 14, "name": "Nokia Health", "category": "Device Manufacturer",
                                  "logoUrl": "u", "enabled": False, "message": "Unavailable", "successorID": 99,
                                  "relatedProvider": "Withings", "managingOrganization": None},
         "status": "error", "lastRefreshDate": "2023-07-26T18:22:42.930+00:00", "dataScopes": None},
        {"id": 4714, "provider": PROVIDER, "status": "fetchingData", "lastRefreshDate": None},
        {"id": 4715, "provider": PROVIDER, "status": "fetchComplete"},
    ]
    frame = mdh.to_frame("external_accounts", records)
    assert frame["id"].tolist() == [4711, 4712, 4713, 4714, 4715] and str(frame["id"].dtype) == "Int64"
    same = pd.Timestamp("2023-07-26T18:22:42.930Z")
    assert frame["last_refresh_date"][:3].tolist() == [same] * 3  # no offset = UTC, local offset, +00:00
    assert frame["last_refresh_date"][3:].isna().all()  # null, missing
    assert frame["provider_id"].tolist() == [12, 13, 14, 12, 12]
    assert frame["provider_enabled"].tolist() == [True, pd.NA, False, True, True]
    assert frame["provider_logo_url"].isna().tolist() == [False, True, False, False, False]
    assert frame["provider_successor_id"].tolist()[2] == 99 and frame["provider_message"][2] == "Unavailable"
    assert frame["provider_user_id"].tolist() == ["MRN1", pd.NA, pd.NA, pd.NA, pd.NA]
    assert frame["connection_date"][0] == pd.Timestamp("2023-07-01T10:00:00Z")
    assert str(frame["status"].dtype) == "category" and str(frame["provider_category"].dtype) == "category"


def test_provider_records_with_the_real_apis_quirks() -> None:
    records = [PROVIDER, {"id": 13, "name": "Aetna", "category": "Health Plan"},
               {"id": 14, "name": "Jawbone UP", "category": "Device Manufacturer", "logoUrl": None, "enabled": False,
                "message": "Unavailable", "successorID": None}]
    for kind in ("external_account_providers", "featured_external_account_providers"):
        frame = mdh.to_frame(kind, records)
        assert frame["enabled"].tolist() == [True, pd.NA, False]
        assert frame["logo_url"].isna().tolist() == [False, True, True]
        assert frame["successor_id"].isna().all() and frame["message"].tolist() == [pd.NA, pd.NA, "Unavailable"]


def test_file_records_with_the_real_apis_quirks() -> None:
    base = {"participantID": "0d93a100-03b3-4af8-98c8-d1b2195c0e2b", "participantIdentifier": "PT-0001",
            "category": "Lab Results", "fileName": "CBC (1).pdf"}
    stamps = ["2026-10-30T04:44:21.729Z", "2026-10-30T04:44:21.729+00:00", "2026-10-30T00:44:21.729-04:00",
              "2026-10-30T04:44:21.729", "2026-10-30T04:44:21.72Z", None]
    records = [{**base, "key": f"k/{i}", "lastModified": s} for i, s in enumerate(stamps)] + [{**base, "key": "k/x"}]
    frame = mdh.to_frame("files", records)
    same = pd.Timestamp("2026-10-30T04:44:21.729Z")
    assert frame["last_modified"][:4].tolist() == [same] * 4
    assert frame["last_modified"][4] == pd.Timestamp("2026-10-30T04:44:21.72Z")
    assert frame["last_modified"][5:].isna().all()
    assert str(frame["category"].dtype) == "category" and frame["file_name"][0] == "CBC (1).pdf"


@pytest.mark.parametrize("name", MINE)
def test_no_records_is_an_empty_frame_with_the_declared_columns(name: str) -> None:
    frame = mdh.to_frame(name, [])
    kind = mdh.KINDS[name]
    assert list(frame.columns) == kind.column_names and frame.empty
    assert {c.name: str(frame[c.name].dtype) for c in kind.columns} == {c.name: DTYPES[c.dtype] for c in kind.columns}


# -- refused before any request ----------------------------------------------------------------

def test_a_missing_scope_is_refused_before_any_request(sandbox: SandboxServer, client: mdh.Client,
                                                       tmp_path: Path) -> None:
    session = client.connect("PT-0001", ["SurveyAnswers:read"])
    upload = tmp_path / "a.txt"
    upload.write_text("x")
    before = _requests(sandbox)
    calls = [lambda: session.external_accounts(), lambda: session.external_account_providers(),
             lambda: session.featured_external_account_providers(), lambda: session.files(),
             lambda: session.refresh_external_account(1), lambda: session.delete_external_account(1),
             lambda: session.connect_external_account(1, "https://app.example/done"),
             lambda: session.upload_file(upload, "Documents"), lambda: session.download_file("k", tmp_path),
             lambda: session.delete_file("k"), lambda: session.update_participant({"firstName": "A"})]
    for call in calls:
        with pytest.raises(ScopeError, match="needs the scope"):
            call()
    assert _requests(sandbox) == before
    reader = client.connect("PT-0001", ["Participant:read", "ExternalAccounts:read"])
    with pytest.raises(ScopeError, match="'api'"):
        reader.update_participant({"firstName": "A"})
    with pytest.raises(ScopeError, match="ExternalAccounts:connect"):
        reader.external_account_providers()


def test_bad_arguments_are_refused_before_any_request(sandbox: SandboxServer, pt1: mdh.ParticipantSession,
                                                      tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    with big.open("wb") as sparse:
        sparse.truncate(200 * 1024 * 1024 + 1)
    small = tmp_path / "small.txt"
    small.write_text("x")
    before = _requests(sandbox)
    with pytest.raises(InvalidArgumentError, match="one of"):
        pt1.external_account_providers(category="Hospital")
    with pytest.raises(InvalidArgumentError, match="200 MB"):
        pt1.upload_file(big, "Documents")
    with pytest.raises(InvalidArgumentError, match="path of a file"):
        pt1.upload_file(tmp_path / "missing.pdf", "Documents")
    with pytest.raises(InvalidArgumentError, match="category"):
        pt1.upload_file(small, "")
    with pytest.raises(InvalidArgumentError, match="final_redirect"):
        pt1.connect_external_account(12, "not a url")
    with pytest.raises(InvalidArgumentError, match="final_redirect"):
        pt1.call("connect_external_account", path={"provider_id": 12})
    with pytest.raises(InvalidArgumentError, match="key"):
        pt1.delete_file("")
    with pytest.raises(InvalidArgumentError, match="needs demographics"):
        pt1.update_participant()
    with pytest.raises(InvalidArgumentError, match="must be a string"):
        pt1.update_participant(custom_fields={"Site": 3})
    assert _requests(sandbox) == before


# -- writes ------------------------------------------------------------------------------------------

def test_refresh_and_delete_an_external_account(pt1: mdh.ParticipantSession, restored: Any) -> None:
    accounts = pt1.external_accounts()
    done = accounts[accounts["status"] == "fetchComplete"].iloc[0]
    assert pt1.refresh_external_account(int(done["id"])) is None
    after = pt1.external_accounts().set_index("id").loc[done["id"]]
    assert after["status"] == "fetchingData" and after["last_refresh_date"] > done["last_refresh_date"]
    assert pt1.delete_external_account(int(done["id"])) is None
    assert done["id"] not in set(pt1.external_accounts()["id"])
    for write in (pt1.delete_external_account, pt1.refresh_external_account):
        with pytest.raises(NotFoundError, match="not found"):
            write(int(done["id"]))
    with pytest.raises(NotFoundError):
        pt1.refresh_external_account("not-a-number")


def _authorize(sandbox: SandboxServer, url: str, decision: str = "allow", verifier: str | None = None) -> str:
    """What a browser does on the provider's page: the page, then the chosen button. The Location."""
    page = httpx.get(url.split("#")[0])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    state = parse_qs(urlsplit(url).query)["state"][0]
    fragment = parse_qs(urlsplit(url).fragment)
    answer = httpx.get(sandbox.url + "_sandbox/provider-auth/complete", params={
        "state": state, "decision": decision, "verifier": verifier or fragment["verifier"][0]})
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def test_connect_an_external_account_round_trip(sandbox: SandboxServer, pt1: mdh.ParticipantSession,
                                                restored: Any) -> None:
    connected = set(pt1.external_accounts()["provider_id"])
    directory = pt1.external_account_providers(category="Health Plan")
    provider = directory[~directory["id"].isin(connected) & directory["enabled"].fillna(True)].iloc[0]
    url = pt1.connect_external_account(int(provider["id"]), "https://app.example/done?success=%SUCCESSVALUE%")
    assert url.startswith(sandbox.url + "_sandbox/provider-auth?state=") and "#verifier=" in url
    assert provider["name"] in httpx.get(url).text
    assert _authorize(sandbox, url) == "https://app.example/done?success=true"
    accounts = pt1.external_accounts()
    new = accounts[accounts["provider_id"] == provider["id"]]
    assert len(new) == 1 and new["status"].iloc[0] == "fetchingData"
    assert new["provider_name"].iloc[0] == provider["name"] and new["id"].iloc[0] > accounts["id"].iloc[:-1].max()
    pt1.delete_external_account(int(new["id"].iloc[0]))
    with pytest.raises(NotFoundError):
        pt1.delete_external_account(int(new["id"].iloc[0]))


def test_a_denied_or_forged_authorization_connects_nothing(sandbox: SandboxServer, pt1: mdh.ParticipantSession,
                                                           restored: Any) -> None:
    before = pt1.external_accounts()
    provider = int(pt1.external_account_providers("garmin")["id"].iloc[0])
    url = pt1.connect_external_account(provider, "https://app.example/done?ok=%SUCCESSVALUE%")
    assert _authorize(sandbox, url, "deny") == "https://app.example/done?ok=false"
    state = parse_qs(urlsplit(url).query)["state"][0]
    wrong = httpx.get(sandbox.url + "_sandbox/provider-auth/complete",
                      params={"state": state, "decision": "allow", "verifier": "0" * 32})
    assert wrong.status_code == 400 and "verifier" in wrong.json()["message"]
    forged = httpx.get(sandbox.url + "_sandbox/provider-auth/complete",
                       params={"state": state[:-2] + "00", "decision": "allow"})
    assert forged.status_code == 400
    pd.testing.assert_frame_equal(pt1.external_accounts(), before)
    disabled = pt1.external_account_providers("jawbone")
    assert disabled["enabled"].tolist() == [False]
    with pytest.raises(BadRequestError, match="not available"):
        pt1.connect_external_account(int(disabled["id"].iloc[0]), "https://app.example/")
    with pytest.raises(NotFoundError):
        pt1.connect_external_account(1_000_000, "https://app.example/")


@pytest.mark.parametrize("content", [os.urandom(3 * 1024 * 1024 + 17), bytes(range(256)) * 64, b""],
                         ids=["3MB-random", "every-byte", "empty"])
def test_upload_download_delete_round_trip(pt1: mdh.ParticipantSession, tmp_path: Path, restored: Any,
                                           content: bytes) -> None:
    source = tmp_path / "scan (1) & notes é.bin"
    source.write_bytes(content)
    assert pt1.upload_file(source, "Lab Results") is None
    listed = pt1.files("Lab Results")
    mine = listed[listed["file_name"] == source.name]
    assert len(mine) == 1 and mine.index[0] == 0, "the newest file comes first"
    key = mine["key"].iloc[0]
    assert key.startswith(f"{pt1.participant_id}/Lab_Results/") and " " not in key
    assert mine["last_modified"].iloc[0] > pt1.files()["last_modified"].iloc[1]
    target = pt1.download_file(key, tmp_path / "back.bin")
    assert target.read_bytes() == content
    into_dir = pt1.download_file(key, tmp_path)
    assert into_dir.parent == tmp_path and into_dir.read_bytes() == content
    assert pt1.delete_file(key) is None
    assert key not in set(pt1.files()["key"])
    with pytest.raises(NotFoundError, match="not found"):
        pt1.delete_file(key)
    with pytest.raises(NotFoundError):
        pt1.download_file(key, tmp_path / "gone.bin")


def test_an_upload_keeps_the_name_and_type_given(sandbox: SandboxServer, pt1: mdh.ParticipantSession,
                                                 tmp_path: Path, restored: Any) -> None:
    source = tmp_path / "x"
    source.write_bytes(b"\x89PNG\r\n\x1a\nrest")
    pt1.upload_file(source, "Symptom Photos", file_name="rash, day 2.png", content_type="image/png")
    row = pt1.files("Symptom Photos").iloc[0]
    assert row["file_name"] == "rash, day 2.png" and row["category"] == "Symptom Photos"
    url = pt1.call("file_download_url", params={"key": row["key"]})["preSignedUrl"]
    fetched = httpx.get(url)
    assert fetched.headers["content-type"] == "image/png" and fetched.content == source.read_bytes()


def test_seeded_files_download_the_same_bytes_every_time(pt1: mdh.ParticipantSession, tmp_path: Path) -> None:
    files = pt1.files()
    pdf = files[files["file_name"].str.endswith(".pdf")].iloc[0]
    first = pt1.download_file(pdf["key"], tmp_path / "a.pdf").read_bytes()
    again = pt1.download_file(pdf["key"], tmp_path / "b.pdf").read_bytes()
    assert first == again and first.startswith(b"%PDF-") and len(first) > 2000


def test_update_participant_round_trip(client: mdh.Client, pt1: mdh.ParticipantSession, restored: Any) -> None:
    seeded = pt1.participant_info().iloc[0]
    frame = pt1.update_participant({"firstName": "Ann-Marie", "dateOfBirth": dt.date(1985, 4, 27),
                                    "timeZone": "Europe/Paris", "middleName": None, "gender": "f"},
                                   {"Site": "Paris", "Notes": None, "Shift": "nights"})
    pd.testing.assert_frame_equal(frame, pt1.participant_info())
    row = frame.iloc[0]
    assert row["demographics_first_name"] == "Ann-Marie" and row["demographics_gender"] == "F"
    assert row["demographics_date_of_birth"] == pd.Timestamp("1985-04-27")
    assert pd.isna(row["demographics_middle_name"])
    assert row["demographics_time_zone"] == "Europe/Paris" and row["demographics_utc_offset"] in ("01:00:00",
                                                                                               "02:00:00")
    assert row["demographics_last_name"] == seeded["demographics_last_name"], "what was not given stays"
    assert row["custom_fields"] == {**{k: v for k, v in seeded["custom_fields"].items() if k != "Notes"},
                                    "Site": "Paris", "Shift": "nights"}
    assert pt1.time_zone == "Europe/Paris"
    admin = client.participants().set_index("participant_identifier").loc["PT-0001"]
    assert admin["demographics_first_name"] == "Ann-Marie" and admin["custom_fields"]["Shift"] == "nights"
    assert client.find_participant("PT-0001")["demographics"]["timeZone"] == "Europe/Paris"
    with pytest.raises(BadRequestError, match="dateOfBirth"):
        pt1.update_participant({"dateOfBirth": "1990-02-30"})
    with pytest.raises(BadRequestError, match="unknown demographic 'shoeSize'"):
        pt1.update_participant({"shoeSize": "9"})
    with pytest.raises(BadRequestError, match="gender"):
        pt1.update_participant({"gender": "X"})
    assert pt1.participant_info().iloc[0]["demographics_first_name"] == "Ann-Marie", "a refused update changes nothing"


def test_reset_restores_the_seeded_participant(sandbox: SandboxServer, client: mdh.Client) -> None:
    session = client.connect("PT-0002", ["Participant:read", "api"])
    seeded = session.participant_info()
    session.update_participant(custom_fields={"Site": "Elsewhere"})
    sandbox.reset()
    pd.testing.assert_frame_equal(session.participant_info(), seeded)
    assert client.find_participant("PT-0002")["customFields"] == seeded["custom_fields"][0]


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=st.dictionaries(st.text(min_size=1, max_size=20).filter(lambda k: k.strip() == k and k),
                              st.text(min_size=1, max_size=40), max_size=4))
def test_custom_fields_of_any_text_round_trip(sandbox: SandboxServer, pt1: mdh.ParticipantSession,
                                              fields: dict[str, str]) -> None:
    try:
        seeded = pt1.participant_info()["custom_fields"][0]
        updated = pt1.update_participant(custom_fields=fields)["custom_fields"][0]
        assert updated == {**seeded, **fields}
        assert pt1.participant_info()["custom_fields"][0] == updated
    finally:
        sandbox.reset()
