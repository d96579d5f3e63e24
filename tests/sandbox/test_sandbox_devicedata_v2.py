"""The sandbox's device data v2 (points, aggregates, daily sleep) and both allDataTypes lists,
spoken to in raw HTTP, and its v2 data read straight from the generator."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sandbox_protocol import Proto

from mdh_notebook.emulator import SandboxConfig
from mdh_notebook.emulator.cohort import NO_FITBIT_INDEX, RECENT_ENROLLMENT_INDEX, WITHDRAWN_INDEX
from mdh_notebook.emulator.devicedata_v1 import V1_TYPES
from mdh_notebook.emulator.devicedata_v2_gen import generate_series
from mdh_notebook.emulator.devicedata_v2_types import DISABLED_V2_TYPES, V2_NAMESPACES, V2_TYPES
from mdh_notebook.emulator.models import SandboxBackend

POINTS = "api/v2/delegated/devicedata"
AGGREGATE = "api/v2/delegated/devicedata/aggregate"
DAILY_SLEEP = "api/v2/delegated/devicedata/aggregate/dailysleep"
POINT_KEYS = {"id", "participantID", "participantIdentifier", "namespace", "type", "identifier", "value", "units",
              "observationDate", "observationDateOffset", "insertedDate", "modifiedDate"}
OPTIONAL_KEYS = {"startDate", "startDateOffset", "properties", "dataSource"}
LOCAL = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?([+-]\d\d:\d\d)?$")
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6,7}Z$")
TIMESPAN = re.compile(r"-?\d\d:\d\d:00$")
SMALL = {"Fitbit": "sleep", "GoogleHealth": "steps", "Dexcom": "egv", "Oura": "daily-activity",
         "HealthConnect": "sleep", "AppleHealth": "Sleep Analysis", "Garmin": "sleep-levels"}


@pytest.fixture(scope="module")
def backend() -> SandboxBackend:
    return SandboxBackend(SandboxConfig(seed=0))


@pytest.fixture(scope="module")
def token(proto_session: Proto) -> str:
    return proto_session.participant_token("PT-0001", "DeviceData:read")


def _wall(text: str) -> dt.datetime:
    """The wall clock a date string shows (its offset, if any, left out)."""
    return dt.datetime.fromisoformat(re.sub(r"(Z|[+-]\d\d:\d\d)$", "", text))


def _instant(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _offset_minutes(span: str) -> int:
    sign = -1 if span.startswith("-") else 1
    hours, minutes, _ = span.lstrip("-").split(":")
    return sign * (int(hours) * 60 + int(minutes))


# -- shape and wire forms --------------------------------------------------------------------

@pytest.mark.parametrize("namespace", V2_NAMESPACES)
def test_points_are_as_the_reference_describes(proto: Proto, token: str, namespace: str) -> None:
    points, _ = proto.all_pages(POINTS, token, "deviceDataPoints", namespace=namespace, type=SMALL[namespace])
    assert len(points) > 100 or namespace == "Oura", "more than one page"
    assert len({p["id"] for p in points}) == len(points)
    for p in points:
        assert POINT_KEYS <= set(p) <= POINT_KEYS | OPTIONAL_KEYS, set(p) ^ POINT_KEYS
        assert (p["namespace"], p["participantIdentifier"]) == (namespace, "PT-0001")
        assert isinstance(p["value"], str) and p["value"]
        assert LOCAL.match(p["observationDate"]) and TIMESPAN.match(p["observationDateOffset"])
        assert STAMP.match(p["insertedDate"]) and STAMP.match(p["modifiedDate"])
        assert _instant(p["modifiedDate"]) >= _instant(p["insertedDate"]) >= _instant(p["observationDate"]) or \
            namespace == "Oura"
        for date, offset in (("startDate", "startDateOffset"), ("observationDate", "observationDateOffset")):
            if p.get(date) is not None:
                shown = re.search(r"([+-]\d\d:\d\d)$", p[date])
                if shown:  # the offset written on the date is the offset beside it
                    assert _offset_minutes(p[offset]) == _offset_minutes(shown.group(1) + ":00")
                else:
                    assert p[offset] == "00:00:00", "a bare day-level date has offset zero"
        if p.get("startDate") is not None:
            assert _instant(p["startDate"]) <= _instant(p["observationDate"])
    stamps = [_instant(p["observationDate"]) for p in points]
    assert stamps == sorted(stamps), "ordered by observationDate"


def test_missing_and_null_keys_vary_between_types(backend: SandboxBackend) -> None:
    pt = backend.participants[0]
    fitbit = generate_series(V2_TYPES["Fitbit"]["heart-rate"], backend.context, pt).render(0)
    google = generate_series(V2_TYPES["GoogleHealth"]["heartRate"], backend.context, pt).render(0)
    apple = generate_series(V2_TYPES["AppleHealth"]["Heart Rate"], backend.context, pt)
    oura = generate_series(V2_TYPES["Oura"]["sleep"], backend.context, pt).render(0)
    assert fitbit["startDate"] is None and fitbit["startDateOffset"] is None and fitbit["properties"] == {}
    assert "startDate" not in google and "startDateOffset" not in google
    rendered = [apple.render(i) for i in range(200)]
    assert any("properties" not in r for r in rendered) and any("properties" in r for r in rendered)
    assert oura["units"] is None and oura["dataSource"] == {} and oura["observationDateOffset"] == "00:00:00"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00", oura["observationDate"])
    assert isinstance(oura["properties"]["lowest_heart_rate"], int)
    assert isinstance(oura["properties"]["readiness"], dict)
    assert {len(STAMP.match(r["insertedDate"]).group(0)) for r in (fitbit, google)} == {27}  # type: ignore[union-attr]
    daily = generate_series(V2_TYPES["GoogleHealth"]["steps-daily"], backend.context, pt).render(0)
    assert re.search(r"\.\d{7}Z$", daily["insertedDate"]), ".NET's 7 digits in some series"


def test_offsets_follow_daylight_saving(backend: SandboxBackend) -> None:
    pt = backend.participants[0]  # America/New_York: EDT until 2026-11-01, so -04:00 throughout the window
    series = generate_series(V2_TYPES["Fitbit"]["heart-rate"], backend.context, pt)
    assert {series.render(i)["observationDateOffset"] for i in (0, len(series) // 2, len(series) - 1)} == {"-04:00:00"}
    europe = next(p for p in backend.participants if p.tz_name.startswith("Europe/") and p.withdraw_ms is None
                  and "Fitbit" in p.sources)  # summer time ends 2026-10-25 01:00 UTC
    s = generate_series(V2_TYPES["Fitbit"]["heart-rate"], backend.context, europe)
    switch = dt.datetime(2026, 10, 25, 1, tzinfo=dt.timezone.utc).timestamp() * 1000
    before = {int(o) for o, t in zip(s.obs_off.tolist(), s.obs_ms.tolist(), strict=True) if t < switch}
    after = {int(o) for o, t in zip(s.obs_off.tolist(), s.obs_ms.tolist(), strict=True) if t >= switch}
    assert len(before) == len(after) == 1 and before.pop() - after.pop() == 60


# -- filters and paging ----------------------------------------------------------------------

def test_namespace_and_type_are_required_and_checked(proto: Proto, token: str) -> None:
    for path in (POINTS, DAILY_SLEEP):
        for params, message in (({"type": "sleep"}, "namespace is required"), ({"namespace": "Fitbit"}, "type"),
                                ({"namespace": "Project", "type": "Steps"}, "not a v2 namespace")):
            response = proto.get(path, token, **params)
            assert response.status_code == 400 and message in response.json()["message"]
    lower = proto.get(POINTS, token, namespace="fitbit", type="SLEEP", limit=5).json()
    assert [p["type"] for p in lower["deviceDataPoints"]] == ["sleep"] * 5, "matched case-insensitively"
    unknown = proto.get(POINTS, token, namespace="Fitbit", type="no-such-type")
    assert unknown.status_code == 200 and unknown.json() == {"deviceDataPoints": [], "nextPageID": None}
    bad_date = proto.get(POINTS, token, namespace="Fitbit", type="sleep", observedAfter="yesterday")
    assert bad_date.status_code == 400 and "ISO-8601" in bad_date.json()["message"]


def test_a_participant_without_the_source_has_no_points(proto: Proto) -> None:
    token = proto.participant_token(f"PT-{NO_FITBIT_INDEX + 1:04d}", "DeviceData:read")
    for namespace, type_ in (("Fitbit", "heart-rate"), ("GoogleHealth", "steps-daily")):
        body = proto.get(POINTS, token, namespace=namespace, type=type_).json()
        assert body == {"deviceDataPoints": [], "nextPageID": None}


def test_time_filters_are_exclusive_and_compare_their_own_dates(proto: Proto, token: str) -> None:
    everything, _ = proto.all_pages(POINTS, token, "deviceDataPoints", namespace="GoogleHealth", type="steps-daily")
    middle = everything[len(everything) // 2]
    for name, key in (("observed", "observationDate"), ("inserted", "insertedDate"), ("modified", "modifiedDate")):
        at = middle[key]
        after, _ = proto.all_pages(POINTS, token, "deviceDataPoints", namespace="GoogleHealth", type="steps-daily",
                                   **{f"{name}After": at})
        before, _ = proto.all_pages(POINTS, token, "deviceDataPoints", namespace="GoogleHealth", type="steps-daily",
                                    **{f"{name}Before": at})
        assert {p["id"] for p in after} == {p["id"] for p in everything if _instant(p[key]) > _instant(at)}
        assert {p["id"] for p in before} == {p["id"] for p in everything if _instant(p[key]) < _instant(at)}


def test_source_and_property_filters(proto: Proto, token: str) -> None:
    window = {"observedAfter": "2026-10-25"}
    steps, _ = proto.all_pages(POINTS, token, "deviceDataPoints", namespace="AppleHealth", type="Steps", **window)
    models = Counter(p["dataSource"]["deviceModel"] for p in steps)
    assert set(models) == {"Watch", "iPhone"}
    for value, expected in (("iPhone", {"iPhone"}), ("iphone", set()), ("Watch,iPhone", {"Watch", "iPhone"}),
                            ("Watch\\,iPhone", set())):
        got, _ = proto.all_pages(POINTS, token, "deviceDataPoints", namespace="AppleHealth", type="Steps",
                                 **window, **{"DATASOURCE.devicemodel": value})
        assert {p["dataSource"]["deviceModel"] for p in got} == expected, value
        assert len(got) == sum(models[m] for m in expected)
    both, _ = proto.all_pages(POINTS, token, "deviceDataPoints", namespace="AppleHealth", type="Steps", **window,
                              **{"dataSource.deviceModel": "Watch", "dataSource.sourceName": "iPhone"})
    assert both == [], "several keys must all match"
    hr, _ = proto.all_pages(POINTS, token, "deviceDataPoints", namespace="Oura", type="heartrate", **window)
    asleep, _ = proto.all_pages(POINTS, token, "deviceDataPoints", namespace="Oura", type="heartrate", **window,
                                **{"properties.source": "sleep"})
    assert 0 < len(asleep) < len(hr) and {p["properties"]["source"] for p in asleep} == {"sleep"}
    egv, _ = proto.all_pages(POINTS, token, "deviceDataPoints", namespace="Dexcom", type="egv", **window)
    rate = str(egv[0]["properties"]["trendRate"])
    same, _ = proto.all_pages(POINTS, token, "deviceDataPoints", namespace="Dexcom", type="egv", **window,
                              **{"properties.trendRate": rate})
    assert same and all(str(p["properties"]["trendRate"]) == rate for p in same), "numbers match as JSON text"


def test_a_cursor_belongs_to_its_query(proto: Proto, token: str) -> None:
    first = proto.get(POINTS, token, namespace="Fitbit", type="sleep").json()
    other = proto.get(POINTS, token, namespace="Garmin", type="sleep-levels", pageID=first["nextPageID"])
    assert other.status_code == 400 and "different query" in other.json()["message"]
    changed = proto.get(POINTS, token, namespace="Fitbit", type="sleep", observedAfter="2026-09-01",
                        pageID=first["nextPageID"])
    assert changed.status_code == 400


@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=st.integers(1, 100))
def test_pages_of_any_size_cover_every_point_once(proto_session: Proto, token: str, limit: int) -> None:
    points, _ = proto_session.all_pages(POINTS, token, "deviceDataPoints", namespace="HealthConnect",
                                        type="blood-pressure-systolic", limit=str(limit))
    assert len(points) == len({p["id"] for p in points}) > 0
    whole = proto_session.get(POINTS, token, namespace="HealthConnect", type="blood-pressure-systolic").json()
    assert [p["id"] for p in points] == [p["id"] for p in whole["deviceDataPoints"]]


# -- the data: consistent, seeded, bounded -----------------------------------------------------

def test_every_v2_namespace_has_more_than_a_page_for_pt_0001(backend: SandboxBackend) -> None:
    pt = backend.participants[0]
    largest = {ns: max(len(generate_series(spec, backend.context, pt)) for spec in V2_TYPES[ns].values()
                       if len(V2_TYPES[ns]) < 10 or spec.type in ("heartRate", "steps"))
               for ns in V2_NAMESPACES}
    assert all(count > 100 for count in largest.values()), largest
    minute = generate_series(V2_TYPES["Fitbit"]["heart-rate"], backend.context, pt)
    assert 0.8 * 90 * 1440 < len(minute) < 90 * 1440, "minute-level heart rate while worn"


def test_nothing_before_enrollment_or_after_withdrawal(backend: SandboxBackend) -> None:
    for index in (RECENT_ENROLLMENT_INDEX, WITHDRAWN_INDEX):
        p = backend.participants[index]
        for namespace in p.sources & set(V2_NAMESPACES):
            for spec in V2_TYPES[namespace].values():
                series = generate_series(spec, backend.context, p)
                first = series.obs_ms if series.start_ms is None else series.start_ms
                assert (first >= p.enrollment_ms).all(), spec.key
                if p.withdraw_ms is not None:
                    assert (series.obs_ms < p.withdraw_ms).all(), spec.key


def test_the_same_seed_gives_the_same_points(backend: SandboxBackend) -> None:
    again = SandboxBackend(SandboxConfig(seed=0))
    other = SandboxBackend(SandboxConfig(seed=1))
    spec = V2_TYPES["Dexcom"]["egv"]
    a = generate_series(spec, backend.context, backend.participants[0])
    b = generate_series(spec, again.context, again.participants[0])
    c = generate_series(spec, other.context, other.participants[0])
    assert [a.render(i) for i in range(0, len(a), 97)] == [b.render(i) for i in range(0, len(b), 97)]
    assert a.render(0)["value"] != c.render(0)["value"] or a.render(0)["id"] != c.render(0)["id"]


def test_values_are_realistic(backend: SandboxBackend) -> None:
    pt = backend.participants[0]

    def numbers(ns: str, type_: str) -> list[float]:
        s = generate_series(V2_TYPES[ns][type_], backend.context, pt)
        return [float(s.value(i)) for i in range(len(s))]

    hr = numbers("Fitbit", "heart-rate")
    assert min(hr) >= 38 and max(hr) <= 200 and 55 < sum(hr) / len(hr) < 95
    glucose = numbers("Dexcom", "egv")
    assert min(glucose) >= 40 and max(glucose) <= 400 and 80 < sum(glucose) / len(glucose) < 160
    steps = numbers("GoogleHealth", "steps-daily")
    assert 1500 < sum(steps) / len(steps) < 20000
    spo2 = numbers("GoogleHealth", "dailyOxygenSaturation-list-avg")
    assert min(spo2) >= 90 and max(spo2) <= 100
    egv = generate_series(V2_TYPES["Dexcom"]["egv"], backend.context, pt)
    gaps = Counter(int(g) for g in (egv.obs_ms[1:] - egv.obs_ms[:-1]) // 60_000)
    assert gaps.most_common(1)[0][0] == 5, "every 5 minutes"


def test_google_health_daily_types_agree_with_its_minute_points(proto: Proto, token: str) -> None:
    days = {"intervalAmount": "1", "intervalType": "Days", "aggregateFunctions": "avg,min,max,count,sum"}
    heart, _ = proto.all_pages(AGGREGATE, token, "intervals", namespace="GoogleHealth", type="heartRate", **days)
    steps, _ = proto.all_pages(AGGREGATE, token, "intervals", namespace="GoogleHealth", type="steps", **days)
    by_day = {i["date"][:10]: i["statistics"] for i in heart}
    steps_by_day = {i["date"][:10]: i["statistics"]["sum"] for i in steps}

    def daily(type_: str) -> dict[str, float]:
        points, _ = proto.all_pages(POINTS, token, "deviceDataPoints", namespace="GoogleHealth", type=type_)
        return {p["startDate"][:10]: float(p["value"]) for p in points}

    checked = 0
    for day, value in daily("heartRate-daily-avg").items():
        assert value == pytest.approx(by_day[day]["avg"], abs=1e-4)
        checked += 1
    assert checked > 80
    assert all(v == by_day[d]["min"] for d, v in daily("heartRate-daily-min").items())
    assert all(v == by_day[d]["max"] for d, v in daily("heartRate-daily-max").items())
    assert all(v == by_day[d]["count"] for d, v in daily("wearTime-daily").items()), "worn minutes = minute points"
    assert all(v == steps_by_day.get(d, 0) for d, v in daily("steps-daily").items())


def test_a_google_health_sleep_point_is_dated_at_the_session_end(proto: Proto, token: str) -> None:
    stages, _ = proto.all_pages(POINTS, token, "deviceDataPoints", namespace="Fitbit", type="sleep")
    sessions, _ = proto.all_pages(POINTS, token, "deviceDataPoints", namespace="GoogleHealth",
                                  type="sleep-list-session-asleep")
    deep, _ = proto.all_pages(POINTS, token, "deviceDataPoints", namespace="GoogleHealth",
                              type="sleep-list-stages-summary-deep-minutes")
    ends = {_instant(p["observationDate"]) for p in stages}
    asleep: dict[dt.datetime, float] = defaultdict(float)
    night_of: dict[dt.datetime, dt.datetime] = {}
    current: dt.datetime | None = None
    for p in stages:  # segments of one night follow each other without gaps
        start, end = _instant(p["startDate"]), _instant(p["observationDate"])
        if current is None or start != current:
            night_start = start
        current = end
        night_of[end] = night_start
        if p["value"] != "wake":
            asleep[night_start] += (end - start).total_seconds() / 60
    assert len(sessions) == len(set(night_of.values())) > 60 and len(deep) == len(sessions), "one per night"
    for s in sessions:
        end = _instant(s["observationDate"])
        assert end in ends, "the session point is dated at the night's end"
        assert _instant(s["startDate"]) == night_of[end]
        assert float(s["value"]) == asleep[night_of[end]]


def test_aggregates_are_computed_from_the_same_points(proto: Proto, token: str) -> None:
    window = {"observedAfter": "2026-10-10T00:00:00Z", "observedBefore": "2026-10-13T00:00:00Z"}
    points, _ = proto.all_pages(POINTS, token, "deviceDataPoints", namespace="HealthConnect", type="heart-rate",
                                **window)
    for amount, kind, floor in ((15, "Minutes", lambda w: w.replace(minute=w.minute // 15 * 15, second=0)),
                                (3, "Hours", lambda w: w.replace(hour=w.hour // 3 * 3, minute=0, second=0)),
                                (1, "Days", lambda w: w.replace(hour=0, minute=0, second=0))):
        groups: dict[str, list[float]] = defaultdict(list)
        for p in points:
            groups[floor(_wall(p["observationDate"])).isoformat()].append(float(p["value"]))
        intervals, _ = proto.all_pages(AGGREGATE, token, "intervals", namespace="HealthConnect", type="heart-rate",
                                       intervalAmount=str(amount), intervalType=kind.upper(),
                                       aggregateFunctions="SUM,avg,count,min,max,avg", **window)
        assert [i["date"] for i in intervals] == sorted(groups), kind
        for i in intervals:
            values = groups[i["date"]]
            assert set(i) == {"participantID", "participantIdentifier", "namespace", "type", "date", "statistics"}
            assert list(i["statistics"]) == ["sum", "avg", "count", "min", "max"]
            assert i["statistics"]["count"] == len(values) and i["statistics"]["sum"] == sum(values)
            assert i["statistics"]["avg"] == pytest.approx(sum(values) / len(values))
            assert (i["statistics"]["min"], i["statistics"]["max"]) == (min(values), max(values))


def test_weeks_and_months_are_local_calendar_intervals(proto: Proto, token: str) -> None:
    daily, _ = proto.all_pages(POINTS, token, "deviceDataPoints", namespace="GoogleHealth", type="steps-daily")
    assert len(daily) > 80
    for kind, check in (("Weeks", lambda d: d.weekday() == 0), ("Months", lambda d: d.day == 1)):
        intervals, _ = proto.all_pages(AGGREGATE, token, "intervals", namespace="GoogleHealth", type="steps-daily",
                                       intervalAmount="1", intervalType=kind, aggregateFunctions="sum,count")
        dates = [dt.datetime.fromisoformat(i["date"]) for i in intervals]
        assert dates and all(check(d) and d.time() == dt.time() for d in dates), kind
        assert sum(i["statistics"]["count"] for i in intervals) == len(daily)  # every daily point once
    two, _ = proto.all_pages(AGGREGATE, token, "intervals", namespace="GoogleHealth", type="steps-daily",
                             intervalAmount="2", intervalType="Days", aggregateFunctions="count")
    assert {i["statistics"]["count"] for i in two} <= {1, 2} and 2 in {i["statistics"]["count"] for i in two}


def test_aggregate_parameters_are_required_and_checked(proto: Proto, token: str) -> None:
    base = {"namespace": "Fitbit", "type": "heart-rate", "intervalAmount": "1", "intervalType": "Days",
            "aggregateFunctions": "avg"}
    for change, message in (({"intervalAmount": None}, "intervalAmount is required"),
                            ({"intervalAmount": "0"}, "at least 1"), ({"intervalAmount": "x"}, "integer"),
                            ({"intervalType": None}, "intervalType is required"),
                            ({"intervalType": "Years"}, "not valid"),
                            ({"aggregateFunctions": None}, "aggregateFunctions is required"),
                            ({"aggregateFunctions": "avg,median"}, "median")):
        params = {k: v for k, v in {**base, **change}.items() if v is not None}
        response = proto.get(AGGREGATE, token, **params)
        assert response.status_code == 400 and message in response.json()["message"], change
    stages = proto.get(AGGREGATE, token, **{**base, "type": "sleep", "aggregateFunctions": "avg,count"}).json()
    assert all(set(i["statistics"]) == {"count"} for i in stages["intervals"]), "stage names are no numbers"


def test_daily_sleep_sums_each_stage_per_sleep_day(proto: Proto, token: str) -> None:
    stages, _ = proto.all_pages(POINTS, token, "deviceDataPoints", namespace="Garmin", type="sleep-levels")
    expected: dict[tuple[str, str], float] = defaultdict(float)
    for p in stages:
        day = (_wall(p["startDate"]) + dt.timedelta(hours=6)).date().isoformat() + "T00:00:00"
        expected[(day, p["value"])] += (_instant(p["observationDate"]) - _instant(p["startDate"])).total_seconds()
    summaries, _ = proto.all_pages(DAILY_SLEEP, token, "sleepStageSummaries", namespace="Garmin", type="sleep-levels")
    assert len(summaries) == len(expected)
    for s in summaries:
        hours, minutes, seconds = (int(x) for x in s["duration"].split(":"))
        assert hours * 3600 + minutes * 60 + seconds == expected[(s["date"], s["value"])]
    assert {s["value"] for s in summaries} == {"light", "deep", "rem", "awake"}
    none = proto.get(DAILY_SLEEP, token, namespace="Dexcom", type="egv").json()
    assert none == {"sleepStageSummaries": [], "nextPageID": None}


# -- allDataTypes -----------------------------------------------------------------------------

def test_v1_all_data_types_match_what_v1_serves(proto: Proto, token: str) -> None:
    rows = proto.get("api/v1/delegated/devicedata/allDataTypes", token).json()
    assert all(set(r) == {"namespace", "type", "enabled"} for r in rows)
    enabled = {(r["namespace"], r["type"]) for r in rows if r["enabled"]}
    assert enabled == {(ns, t) for ns, types in V1_TYPES.items() for t in types}
    full = proto.participant_token("PT-0001", "api")
    for r in rows:
        body = proto.get("api/v1/delegated/devicedata", full, namespace=r["namespace"], type=r["type"], limit="1")
        if body.status_code == 200:  # the v1 family's endpoint
            assert bool(body.json()["deviceDataPoints"]) == r["enabled"], r
    only = proto.get("api/v1/delegated/devicedata/allDataTypes", token, enabled="FALSE", namespace="applehealth")
    assert only.json() and all(r["namespace"] == "AppleHealth" and not r["enabled"] for r in only.json())


def test_v2_all_data_types_match_what_v2_serves(proto: Proto, token: str) -> None:
    rows = proto.get("api/v2/delegated/devicedata/allDataTypes", token).json()
    assert all({"namespace", "type", "enabled"} <= set(r) <= {"namespace", "type", "enabled", "retentionDays"}
               for r in rows)
    assert any("retentionDays" in r for r in rows) and any("retentionDays" not in r for r in rows)
    enabled = {(r["namespace"], r["type"]) for r in rows if r["enabled"]}
    assert enabled == {(ns, t) for ns, types in V2_TYPES.items() for t in types}
    assert {(r["namespace"], r["type"]) for r in rows if not r["enabled"]} == set(DISABLED_V2_TYPES)
    for r in rows:
        body = proto.get(POINTS, token, namespace=r["namespace"], type=r["type"], limit="1").json()
        assert bool(body["deviceDataPoints"]) == r["enabled"], r
    dexcom = proto.get("api/v2/delegated/devicedata/allDataTypes", token, namespace="Dexcom", enabled="true").json()
    assert dexcom == [{"namespace": "Dexcom", "type": "egv", "enabled": True, "retentionDays": 730}]
    bad = proto.get("api/v2/delegated/devicedata/allDataTypes", token, enabled="maybe")
    assert bad.status_code == 400


def test_all_data_types_need_the_device_data_scope(proto: Proto) -> None:
    token = proto.participant_token("PT-0001", "SurveyAnswers:read")
    for version in (1, 2):
        assert proto.get(f"api/v{version}/delegated/devicedata/allDataTypes", token).status_code == 403
    assert proto.get(POINTS, token, namespace="Fitbit", type="sleep").status_code == 403
