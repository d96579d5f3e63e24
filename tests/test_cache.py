"""The incremental cache against the sandbox: a warm re-run costs one data request per kind and
returns the cold frame; new and modified records show up; the watermark comes from the data;
refresh, bypass, the cache key, and no token on disk."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import resource
import signal
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from suite import SUITE_BUDGETS, config_for

import mdh_notebook as mdh
from mdh_notebook.cache import OVERLAP, Cache, CacheLockTimeout, CacheWarning, Site
from mdh_notebook.cache_files import read_frame
from mdh_notebook.emulator import SandboxServer
from mdh_notebook.emulator.kinds.surveys import SURVEY_ANSWERS
from mdh_notebook.frames import to_frame
from mdh_notebook.kinds import kind as lookup_kind

SCOPES = ["SurveyAnswers:read", "SurveyTasks:read", "DeviceData:read", "DeviceData:write", "Participant:read"]
# one call per cached kind: (kind, filters, the request path it pages)
CALLS: list[tuple[str, dict[str, Any], str]] = [
    ("survey_answers", {}, "GET /api/v1/delegated/surveyanswers"),
    ("survey_results", {}, "GET /api/v1/delegated/surveyresults"),
    ("device_data", {"namespace": "Fitbit"}, "GET /api/v1/delegated/devicedata"),
    ("device_data_v2", {"namespace": "Fitbit", "type": "heart-rate", "observed_after": "2026-10-20",
                        "observed_before": "2026-10-21"}, "GET /api/v2/delegated/devicedata"),
]


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    """A small sandbox of this module's own (the tests write to it): 2 participants, 90 days."""
    with SandboxServer(participants=2, **SUITE_BUDGETS).start() as running:
        yield running


def requests(server: SandboxServer) -> dict[str, int]:
    return dict(httpx.get(server.url + "_sandbox/stats").json()["requests"])


def spent(server: SandboxServer, before: dict[str, int], path: str) -> int:
    return requests(server).get(path, 0) - before.get(path, 0)


def session(server: SandboxServer, cache_dir: Path | None, **options: Any) -> mdh.ParticipantSession:
    return mdh.connect("PT-0001", SCOPES, config=config_for(server), cache_dir=cache_dir, **options)


@pytest.mark.parametrize(("name", "filters", "path"), CALLS, ids=[c[0] for c in CALLS])
def test_a_warm_rerun_costs_one_request_and_returns_the_cold_frame(server: SandboxServer, tmp_path: Path, name: str,
                                                                   filters: dict[str, Any], path: str) -> None:
    with session(server, None) as plain:
        uncached = plain.fetch(name, progress=False, **filters)
    assert len(uncached) > 100  # more than one page, so one request is a saving
    with session(server, tmp_path) as cached:
        before = requests(server)
        cold = cached.fetch(name, progress=False, **filters)
        cold_requests = spent(server, before, path)
        before = requests(server)
        warm = cached.fetch(name, progress=False, **filters)
        assert spent(server, before, path) == 1
    assert cold_requests == cold.attrs["pages"] > 1
    assert (cold.attrs["cache"], warm.attrs["cache"]) == ("cold", "warm")
    pd.testing.assert_frame_equal(cold, uncached)
    pd.testing.assert_frame_equal(warm, uncached)
    with session(server, tmp_path) as later:  # another session (a new kernel): the file is what it reads
        before = requests(server)
        again = later.fetch(name, progress=False, **filters)
        assert spent(server, before, path) == 1
    pd.testing.assert_frame_equal(again, uncached)


def test_a_warm_frame_in_the_participants_zone_is_the_cold_one(server: SandboxServer, tmp_path: Path) -> None:
    with session(server, None) as plain, session(server, tmp_path) as cached:
        expected = plain.survey_answers(tz="local", progress=False)
        cached.survey_answers(progress=False)  # stored in UTC
        warm = cached.survey_answers(tz="local", progress=False)
    assert warm.attrs["cache"] == "warm" and str(warm["date"].dtype) == str(expected["date"].dtype)
    pd.testing.assert_frame_equal(warm, expected)


def _answer_like(row: Any, **changes: Any) -> Any:
    record = {**row.record, **changes}
    inserted = pd.Timestamp(record["insertedDate"])
    return dataclasses.replace(row, record=record, inserted_us=int(inserted.value // 1000))


def test_new_answers_show_up_even_those_sharing_the_last_stamp(server: SandboxServer, tmp_path: Path,
                                                               restored_server: None) -> None:
    """An answer stored in the same instant as the newest one seen (after it was read) is found: a
    bound at the watermark itself (exclusive) would skip it; the overlap window does not."""
    with session(server, tmp_path) as cached, session(server, None) as plain:
        cold = cached.survey_answers(progress=False)
        participant = server.backend.find_by_identifier("PT-0001")
        assert participant is not None
        rows = list(server.backend.store.rows(participant, SURVEY_ANSWERS))
        last = rows[-1]
        same_instant = _answer_like(last, id="ffffffff-ffff-4fff-8fff-ffffffffff01")
        later = _answer_like(rows[0], id="ffffffff-ffff-4fff-8fff-ffffffffff02",
                             insertedDate=(pd.Timestamp(last.record["insertedDate"]) + pd.Timedelta(hours=1))
                             .strftime("%Y-%m-%dT%H:%M:%S.%f")[:-4] + "Z")
        server.backend.store.insert(participant, SURVEY_ANSWERS, [same_instant, later])
        warm = cached.survey_answers(progress=False)
        expected = plain.survey_answers(progress=False)
    assert warm.attrs["cache"] == "warm" and len(warm) == len(cold) + 2
    assert {"ffffffff-ffff-4fff-8fff-ffffffffff01", "ffffffff-ffff-4fff-8fff-ffffffffff02"} <= set(warm["id"])
    pd.testing.assert_frame_equal(warm, expected)


@pytest.fixture
def restored_server(server: SandboxServer) -> Iterator[None]:
    yield
    server.reset()


def test_new_and_modified_points_show_up(server: SandboxServer, tmp_path: Path, restored_server: None) -> None:
    observed = pd.Timestamp("2026-11-02 08:00:00", tz="UTC")
    with session(server, tmp_path) as cached, session(server, None) as plain:
        cached.persist_device_data([{"type": "Weight", "value": "70.5", "identifier": "w-1",
                                     "observation_date": observed}])
        cold = cached.device_data("Project", progress=False)
        server.advance_clock(60)
        cached.persist_device_data([
            {"type": "Weight", "value": "70.1", "identifier": "w-1", "observation_date": observed},  # modified
            {"type": "Steps", "value": "8123", "observation_date": observed + pd.Timedelta(days=1)},  # new
            {"type": "Steps", "value": "9000", "start_date": observed - pd.Timedelta(days=3)},  # ordered by its start
            {"type": "Mood", "value": ""},  # no dates: ordered by when it was stored
        ])
        before = requests(server)
        warm = cached.device_data("Project", progress=False)
        assert spent(server, before, "GET /api/v1/delegated/devicedata") == 1
        expected = plain.device_data("Project", progress=False)
    assert warm.attrs["cache"] == "warm" and len(warm) == len(cold) + 3
    assert warm.loc[warm["identifier"] == "w-1", "value"].tolist() == ["70.1"]
    pd.testing.assert_frame_equal(warm, expected)


def test_the_watermark_is_the_newest_server_date_and_the_warm_request_starts_before_it(
        server: SandboxServer, tmp_path: Path) -> None:
    sent: list[httpx.URL] = []

    class Recording(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            sent.append(request.url)
            return super().handle_request(request)

    server.advance_clock(3 * 86_400)  # the sandbox's "now" far from the data: the local clock is no watermark
    with session(server, tmp_path, transport=Recording()) as cached:
        cold = cached.survey_answers(progress=False)
        path = next(tmp_path.rglob("*.parquet"))
        found = read_frame(path, {})
        assert found is not None
        assert pd.Timestamp(found[1]["watermark"]) == cold["inserted_date"].max()
        sent.clear()
        cached.survey_answers(progress=False)
    (url,) = [u for u in sent if u.path.endswith("surveyanswers")]
    assert pd.Timestamp(url.params["insertedAfter"]) == cold["inserted_date"].max() - OVERLAP


def test_refresh_refetches_everything_and_rewrites_the_file(server: SandboxServer, tmp_path: Path) -> None:
    with session(server, tmp_path) as cached:
        cold = cached.survey_answers(progress=False)
        (path,) = tmp_path.rglob("*.parquet")
        os.utime(path, ns=(0, 0))  # a rewrite gives it a new modification time
        before = requests(server)
        fresh = cached.survey_answers(refresh=True, progress=False)
        assert spent(server, before, "GET /api/v1/delegated/surveyanswers") == cold.attrs["pages"]
        again = cached.fetch("survey_answers", refresh=True, progress=False)
    assert (fresh.attrs["cache"], again.attrs["cache"]) == ("refresh", "refresh")
    assert path.stat().st_mtime_ns != 0
    pd.testing.assert_frame_equal(fresh, cold)


def test_a_kind_without_a_change_filter_is_passed_by(server: SandboxServer, tmp_path: Path) -> None:
    with session(server, tmp_path) as cached, session(server, None) as plain:
        tasks = cached.survey_tasks(progress=False)
        info = cached.participant_info()
        expected = plain.survey_tasks(progress=False)
    assert tasks.attrs["cache"] == info.attrs["cache"] == "bypass"
    pd.testing.assert_frame_equal(tasks, expected)
    assert not list(tmp_path.rglob("*.parquet"))


def test_no_cache_means_no_cache_attribute(server: SandboxServer) -> None:
    with session(server, None) as plain:
        assert plain.cache is None
        assert "cache" not in plain.survey_answers(progress=False, refresh=True).attrs


def test_filters_and_sites_are_kept_apart(server: SandboxServer, tmp_path: Path) -> None:
    with session(server, tmp_path) as cached:
        cached.survey_answers(survey_name="PHQ-9", progress=False)
        other = cached.survey_answers(survey_name="DailyMood", progress=False)
        assert other.attrs["cache"] == "cold" and set(other["survey_name"]) == {"DailyMood"}
        assert cached.survey_answers(survey_name="PHQ-9", progress=False).attrs["cache"] == "warm"
    assert len(list(tmp_path.rglob("*.parquet"))) == 2
    # a second sandbox with the same seed has the same participant ids: its base URL keeps it apart
    with SandboxServer(participants=2, **SUITE_BUDGETS).start() as twin, session(twin, tmp_path) as there:
        assert there.participant_id == mdh.connect("PT-0001", SCOPES, config=config_for(server)).participant_id
        assert there.survey_answers(survey_name="PHQ-9", progress=False).attrs["cache"] == "cold"


def test_the_cache_holds_no_token(server: SandboxServer, tmp_path: Path) -> None:
    with session(server, tmp_path) as cached:
        for name, filters, _ in CALLS:
            cached.fetch(name, progress=False, **filters)
        cached.fetch("survey_answers", progress=False)
        tokens = [cached.token, cached.client.service_tokens.token]
    secrets = [t.value.encode() for t in tokens if t is not None]
    assert len(secrets) == 2
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) >= len(CALLS)
    for file in files:
        data = file.read_bytes()
        for secret in secrets:
            assert secret not in data and secret[-24:] not in data, file


def test_a_damaged_file_is_rebuilt_with_a_warning_naming_it(server: SandboxServer, tmp_path: Path) -> None:
    with session(server, tmp_path) as cached:
        cold = cached.survey_answers(progress=False)
        (path,) = tmp_path.rglob("*.parquet")
        left = path.with_name(f".{path.name}.crashed.tmp")  # what a writer that died part-way leaves
        left.write_bytes(b"PAR1")
        for damage in (lambda b: b[: len(b) // 2], lambda b: b"not parquet at all", lambda b: b""):
            path.write_bytes(damage(path.read_bytes()))
            with pytest.warns(CacheWarning, match=str(path)) as caught:
                again = cached.survey_answers(progress=False)
            assert [w.filename for w in caught if w.category is CacheWarning] == [__file__]  # the user's line
            assert again.attrs["cache"] == "cold" and not left.exists()
            pd.testing.assert_frame_equal(again, cold)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert cached.survey_answers(progress=False).attrs["cache"] == "warm"


def test_connect_reads_mdh_cache_dir_from_the_environment_and_dotenv(server: SandboxServer, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MDH_CACHE_DIR", raising=False)
    (tmp_path / ".env").write_text(f"MDH_CACHE_DIR={tmp_path / 'from-dotenv'}\n")
    with session(server, None) as from_dotenv:
        assert from_dotenv.cache is not None and from_dotenv.cache.directory == tmp_path / "from-dotenv"
    monkeypatch.setenv("MDH_CACHE_DIR", str(tmp_path / "from-env"))
    with session(server, None) as from_env:
        assert from_env.cache is not None and from_env.cache.directory == tmp_path / "from-env"
    with session(server, tmp_path / "given") as given:
        assert given.cache is not None and given.cache.directory == tmp_path / "given"


def test_an_unusable_cache_dir_is_an_error_naming_the_option(server: SandboxServer, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(mdh.ConfigurationError, match="cache_dir=") as caught:
        session(server, blocker / "cache")
    assert caught.value.setting == "cache_dir"
    with pytest.raises(mdh.ConfigurationError, match="MDH_CACHE_DIR"):
        Cache(blocker)


def test_the_key_names_the_site_and_a_cache_from_elsewhere_is_refused(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    kind = lookup_kind("survey_answers")
    here = Site("http://127.0.0.1:1/", "p", "PT")
    there = Site("https://mydatahelps.org/", "p", "PT")
    assert cache.path(here, kind, {}) != cache.path(there, kind, {})
    assert cache.path(here, kind, {"survey_name": "a"}) != cache.path(here, kind, {"survey_name": "b"})
    assert cache.path(here, kind, {"survey_name": "a"}) == cache.path(here, kind, {"survey_name": ["a"]})


def test_connect_passes_parallel_to_the_client(server: SandboxServer) -> None:
    with session(server, None, parallel=2) as s:
        assert s.client.parallel == 2


def test_a_writer_holding_the_kinds_lock_keeps_others_out_with_a_clear_error(server: SandboxServer,
                                                                             tmp_path: Path) -> None:
    import filelock

    cache = Cache(tmp_path, lock_timeout=0.2)
    with mdh.Client(config_for(server)) as client:
        s = mdh.ParticipantSession.open(client, "PT-0001", SCOPES, cache=cache)
        assert s.cache is cache
        s.survey_answers(progress=False)
        (path,) = tmp_path.rglob("*.parquet")
        lock_file = path.parent.parent / "survey_answers.lock"
        assert lock_file.exists()
        with filelock.FileLock(str(lock_file)), pytest.raises(CacheLockTimeout, match="lock file") as caught:
            s.survey_answers(progress=False)  # another process's writer, as far as the lock can tell
        assert str(lock_file) in str(caught.value) and "lock_timeout=" in str(caught.value)
        assert isinstance(caught.value, mdh.MDHError)
        assert s.survey_answers(progress=False).attrs["cache"] == "warm"


def test_the_callers_own_lower_bound_is_kept_when_it_is_the_later_one(server: SandboxServer, tmp_path: Path) -> None:
    sent: list[httpx.URL] = []

    class Recording(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            sent.append(request.url)
            return super().handle_request(request)

    with session(server, None) as plain:
        newest = plain.survey_answers(progress=False)["inserted_date"].max()
        own = newest - pd.Timedelta(minutes=1)  # later than the watermark less the overlap
        expected = plain.survey_answers(inserted_after=own, progress=False)
    with session(server, tmp_path, transport=Recording()) as cached:
        cold = cached.survey_answers(inserted_after=own, progress=False)
        sent.clear()
        warm = cached.survey_answers(inserted_after=own, progress=False)
    (url,) = [u for u in sent if u.path.endswith("surveyanswers")]
    assert pd.Timestamp(url.params["insertedAfter"]) == own
    assert len(expected) >= 1 and cold.attrs["cache"] == "cold" and warm.attrs["cache"] == "warm"
    pd.testing.assert_frame_equal(warm, expected)


def test_credentials_in_the_base_url_never_reach_a_cache_file() -> None:
    site = Site("https://alice:s3cret-pass@api.example.test:8443/base/", "P1", "X")
    assert site.shown_url == "https://api.example.test:8443/base/"
    assert Site("https://api.example.test/", "P1", "X").shown_url == "https://api.example.test/"
    assert site.folder == Site(site.shown_url, "P1", "X").folder  # the same data, whoever's password


def test_the_metadata_records_the_base_url_without_user_info(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    site = Site("http://someone:hunter2@sandbox.test:8080/", "", "participant-1")
    frame = cache.fetch(site, lookup_kind("survey_answers"), {}, lambda filters: to_frame("survey_answers", []))
    assert frame.attrs["cache"] == "cold"
    (path,) = tmp_path.rglob("*.parquet")
    data = path.read_bytes()
    assert b"hunter2" not in data and b"someone" not in data
    assert b"sandbox.test:8080" in data


@contextlib.contextmanager
def files_cut_at(size: int) -> Iterator[None]:
    """Writes past ``size`` bytes fail (EFBIG), as on a full disk — effective as root, unlike chmod."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def test_a_refresh_that_cannot_be_kept_leaves_no_old_file_to_serve(server: SandboxServer, tmp_path: Path) -> None:
    with session(server, tmp_path) as cached:
        cached.survey_answers(progress=False)
        (path,) = tmp_path.rglob("*.parquet")
        with files_cut_at(path.stat().st_size // 2), pytest.warns(CacheWarning, match="fetches it whole again"):
            fresh = cached.survey_answers(refresh=True, progress=False)
        assert fresh.attrs["cache"] == "refresh" and not path.exists()
        again = cached.survey_answers(progress=False)
    assert again.attrs["cache"] == "cold"  # what the warning said: not the file kept before the refresh
    pd.testing.assert_frame_equal(again, fresh)


def test_a_warm_pull_that_cannot_be_kept_says_the_next_starts_from_the_old_file(
        server: SandboxServer, tmp_path: Path, restored_server: None) -> None:
    with session(server, tmp_path) as cached:
        cached.persist_device_data([{"type": "Weight", "value": "70.5", "observation_date": "2026-11-02T08:00:00Z"}])
        cached.device_data("Project", progress=False)
        (path,) = tmp_path.rglob("*.parquet")
        server.advance_clock(60)
        cached.persist_device_data([{"type": "Steps", "value": "8123", "observation_date": "2026-11-03T08:00:00Z"}])
        with files_cut_at(path.stat().st_size // 2), pytest.warns(CacheWarning, match="starts from the file kept"):
            warm = cached.device_data("Project", progress=False)
        again = cached.device_data("Project", progress=False)
    assert again.attrs["cache"] == "warm"
    pd.testing.assert_frame_equal(again, warm)
