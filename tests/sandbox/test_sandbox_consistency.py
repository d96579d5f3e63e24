"""One participant, one truth: the endpoints that in the real service read the same Fitbit tracker
agree, over HTTP, day by day (the participant's local calendar day).

- steps: v1 ``Fitbit``/``Steps`` == the daily summary's ``steps`` (the day's total, a manually logged
  activity included); the summary's ``tracker.steps`` == v2 ``Fitbit``/``steps`` summed over the local
  day (raw points and the ``Days`` aggregate alike) == GoogleHealth ``steps-daily``;
- resting heart rate: v1 ``RestingHeartRate`` == the summary's ``restingHeartRate`` == v2
  ``resting-heart-rate`` (and all three missing together);
- minutes worn: v1 ``HeartRateIntradayCount``'s ``MinuteCount`` == the summary's heart-rate zone
  minutes added up == v2 ``heart-rate`` minutes of the local day;
- floors, calories, BMR, activity minutes, heart-rate zone minutes: v1 == the summary; GoogleHealth
  floors / distance / calories == the summary;
- sleep: a stages sleep log's levels == v1 ``SleepLevel*`` == v2 ``sleep`` segments in the log ==
  v2 ``dailysleep`` of its sleep day; a classic main sleep (no heart-rate data) has neither stages
  nor heart-rate minutes in v2.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sandbox_protocol import Proto, instant

V1 = "api/v1/delegated/devicedata"
POINTS = "api/v2/delegated/devicedata"
AGGREGATE = "api/v2/delegated/devicedata/aggregate"
DAILY_SLEEP = "api/v2/delegated/devicedata/aggregate/dailysleep"
SUMMARIES = "api/v1/delegated/fitbit/dailySummaries"
SLEEP_LOGS = "api/v1/delegated/fitbit/sleepLogs"
SCOPES = "DeviceData:read FitbitDailySummaries:read FitbitSleepLogs:read"
#: the reliable one (New York), Chicago, withdrawn (London), enrolled inside the window (Berlin,
#: across the end of summer time on 25 Oct), London across it too
PARTICIPANTS = ("PT-0001", "PT-0002", "PT-0005", "PT-0007", "PT-0011")
RAW_DAYS = (dt.date(2026, 10, 19), dt.date(2026, 10, 28))  # v2 raw points fetched for these days (inclusive)
V1_DAILY = ("Steps", "RestingHeartRate", "Floors", "Calories", "CaloriesBMR", "MinutesSedentary",
            "MinutesLightlyActive", "MinutesFairlyActive", "MinutesVeryActive")
ZONE_NAMES = {"Out of Range": "outOfRange", "Fat Burn": "fatBurn", "Cardio": "cardio", "Peak": "peak"}


def _local_date(text: str, tz: ZoneInfo) -> dt.date:
    return instant(text).astimezone(tz).date()


def _v2_days(proto: Proto, token: str, namespace: str, type_: str, how: str = "sum") -> dict[dt.date, float]:
    intervals, _ = proto.all_pages(AGGREGATE, token, "intervals", namespace=namespace, type=type_,
                                   intervalAmount="1", intervalType="Days", aggregateFunctions=how)
    return {dt.date.fromisoformat(i["date"][:10]): i["statistics"][how] for i in intervals}


@pytest.fixture(scope="module")
def fetched(proto_session: Proto) -> dict[str, dict[str, Any]]:
    """identifier -> everything the tests compare, fetched once over HTTP."""
    proto = proto_session
    proto.server.reset()
    cohort = {p.identifier: p for p in proto.server.backend.participants}
    out: dict[str, dict[str, Any]] = {}
    for identifier in PARTICIPANTS:
        tz = ZoneInfo(cohort[identifier].tz_name)
        token = proto.participant_token(identifier, SCOPES)
        summaries, _ = proto.all_pages(SUMMARIES, token, "results")
        v1_points, _ = proto.all_pages(V1, token, "deviceDataPoints", namespace="Fitbit")
        v1: dict[tuple[str, dt.date], dict[str, Any]] = {}
        zones: dict[tuple[str, dt.date], dict[str, Any]] = {}
        levels: dict[tuple[dt.datetime, str], int] = {}
        minute_count: dict[dt.date, int] = {}
        for p in v1_points:
            if p["type"] in V1_DAILY:
                v1[(p["type"], _local_date(p["observationDate"], tz))] = p
            elif p["type"] == "HeartRateIntradayCount":
                minute_count[_local_date(p["observationDate"], tz)] = int(p["properties"]["MinuteCount"])
            elif p["type"] == "HeartRateZone":
                zones[(ZONE_NAMES[p["value"]], _local_date(p["observationDate"], tz))] = p["properties"]
            elif p["type"].startswith("SleepLevel"):
                levels[(instant(p["startDate"]), p["type"])] = int(p["value"])
        after = dt.datetime.combine(RAW_DAYS[0], dt.time(), tz) - dt.timedelta(minutes=1)
        before = dt.datetime.combine(RAW_DAYS[1] + dt.timedelta(days=1), dt.time(), tz) + dt.timedelta(minutes=16)
        raw, _ = proto.all_pages(POINTS, token, "deviceDataPoints", namespace="Fitbit", type="steps",
                                 observedAfter=after.isoformat(), observedBefore=before.isoformat())
        raw_steps: dict[dt.date, float] = defaultdict(float)
        for p in raw:
            raw_steps[dt.date.fromisoformat(p["startDate"][:10])] += float(p["value"])
        resting, _ = proto.all_pages(POINTS, token, "deviceDataPoints", namespace="Fitbit", type="resting-heart-rate")
        sleep_points, _ = proto.all_pages(POINTS, token, "deviceDataPoints", namespace="Fitbit", type="sleep")
        daily_sleep, _ = proto.all_pages(DAILY_SLEEP, token, "sleepStageSummaries", namespace="Fitbit", type="sleep")
        logs, _ = proto.all_pages(SLEEP_LOGS, token, "results")
        classic_hr: dict[str, int] = {}  # a classic main sleep's start -> v2 heart-rate points inside it
        for log in logs:
            if log["infoCode"] == "1":
                start = instant(log["startTimestamp"])
                end = start + dt.timedelta(milliseconds=log["duration"])
                hr, _ = proto.all_pages(POINTS, token, "deviceDataPoints", namespace="Fitbit", type="heart-rate",
                                        observedAfter=start.isoformat(), observedBefore=end.isoformat())
                classic_hr[log["startTimestamp"]] = len(hr)
        google = {}
        if "GoogleHealth" in cohort[identifier].sources:
            google = {t: _v2_days(proto, token, "GoogleHealth", t) for t in
                      ("steps-daily", "floors-daily", "distance-daily", "totalCalories-daily")}
        out[identifier] = {
            "tz": tz,
            "summaries": {dt.date.fromisoformat(s["date"][:10]): s for s in summaries},
            "v1": v1, "zones": zones, "levels": levels,
            "v2_steps": _v2_days(proto, token, "Fitbit", "steps"),
            "raw_steps": dict(raw_steps),
            "v2_resting": {dt.date.fromisoformat(p["startDate"][:10]): float(p["value"]) for p in resting},
            "sleep_points": sleep_points, "daily_sleep": daily_sleep, "logs": logs, "google": google,
            "classic_hr": classic_hr, "minute_count": minute_count,
            "v2_hr_minutes": _v2_days(proto, token, "Fitbit", "heart-rate", "count"),
        }
    return out


@pytest.mark.parametrize("identifier", PARTICIPANTS)
def test_steps_are_one_number_per_local_day(fetched: dict[str, dict[str, Any]], identifier: str) -> None:
    """The day's total (v1, the summary) includes a manually logged activity; the minutes (v2) are
    only what the tracker counted (the summary's ``tracker.steps``)."""
    data = fetched[identifier]
    summaries, v1, v2 = data["summaries"], data["v1"], data["v2_steps"]
    assert len(summaries) > 20
    walked = 0
    for day, summary in summaries.items():
        steps, tracked = summary["steps"], summary["tracker"]["steps"]
        assert tracked <= steps, (identifier, day)
        point = v1.get(("Steps", day))
        assert (int(point["value"]) if point else 0) == steps, (identifier, day, "v1")
        assert v2.get(day, 0) == tracked, (identifier, day, "v2 aggregate")
        walked += steps > 0
    assert walked > 0.7 * len(summaries)
    for day, total in data["raw_steps"].items():
        if RAW_DAYS[0] <= day <= RAW_DAYS[1] and day in summaries:
            assert total == summaries[day]["tracker"]["steps"] == v2[day], (identifier, day, "v2 raw points")
    google = data["google"].get("steps-daily", {})
    assert all(google[d] == s["tracker"]["steps"] for d, s in summaries.items() if d in google)


def test_logged_activities_are_in_the_totals_only(fetched: dict[str, dict[str, Any]]) -> None:
    """Some days have a logged activity (total above the tracker's count): there v1 and v2 differ."""
    logged = [(identifier, day) for identifier in PARTICIPANTS
              for day, s in fetched[identifier]["summaries"].items() if s["steps"] > s["tracker"]["steps"]]
    assert len(logged) > 3
    for identifier, day in logged:
        data = fetched[identifier]
        assert int(data["v1"][("Steps", day)]["value"]) > data["v2_steps"].get(day, 0), (identifier, day)


def test_pt_0001_has_raw_points_on_every_compared_day(fetched: dict[str, dict[str, Any]]) -> None:
    data = fetched["PT-0001"]
    days = [RAW_DAYS[0] + dt.timedelta(days=i) for i in range((RAW_DAYS[1] - RAW_DAYS[0]).days + 1)]
    tracked = sum(data["summaries"][d]["tracker"]["steps"] for d in days)
    assert sum(data["raw_steps"].get(d, 0) for d in days) == tracked > 0


@pytest.mark.parametrize("identifier", PARTICIPANTS)
def test_resting_heart_rate_agrees(fetched: dict[str, dict[str, Any]], identifier: str) -> None:
    data = fetched[identifier]
    known = 0
    for day, summary in data["summaries"].items():
        rate = summary.get("restingHeartRate")
        point = data["v1"].get(("RestingHeartRate", day))
        assert (float(point["value"]) if point else None) == rate, (identifier, day, "v1")
        assert data["v2_resting"].get(day) == rate, (identifier, day, "v2")
        known += rate is not None
    assert known > 0.7 * len(data["summaries"])


@pytest.mark.parametrize("identifier", PARTICIPANTS)
def test_minutes_worn_are_the_v2_heart_rate_minutes(fetched: dict[str, dict[str, Any]], identifier: str) -> None:
    data = fetched[identifier]
    worn = 0
    for day, summary in data["summaries"].items():
        v2 = int(data["v2_hr_minutes"].get(day, 0))
        zones = sum(z["minutes"] for z in (summary.get("heartRateZones") or {}).values())
        assert zones == v2, (identifier, day, "summary zones", zones, v2)
        assert data["minute_count"].get(day, 0) == v2, (identifier, day, "v1 MinuteCount")
        worn += v2 > 0
    assert worn > 0.7 * len(data["summaries"])


@pytest.mark.parametrize("identifier", PARTICIPANTS)
def test_daily_figures_agree(fetched: dict[str, dict[str, Any]], identifier: str) -> None:
    data = fetched[identifier]
    keys = {"Floors": "floors", "Calories": "calories", "CaloriesBMR": "caloriesBMR",
            "MinutesSedentary": "minutesSedentary", "MinutesLightlyActive": "minutesLightlyActive",
            "MinutesFairlyActive": "minutesFairlyActive", "MinutesVeryActive": "minutesVeryActive"}
    google = data["google"]
    for day, summary in data["summaries"].items():
        if summary["steps"] == 0:  # not worn: v1 has nothing that day
            assert all((t, day) not in data["v1"] for t in keys)
            continue
        for v1_type, key in keys.items():
            assert float(data["v1"][(v1_type, day)]["value"]) == summary[key], (identifier, day, v1_type)
        for zone, figures in summary["heartRateZones"].items():
            assert int(data["zones"][(zone, day)]["Minutes"]) == figures["minutes"], (identifier, day, zone)
        if google:
            assert google["floors-daily"][day] == summary["floors"]
            assert google["distance-daily"][day] == round(summary["distance"] * 1000)
            assert google["totalCalories-daily"][day] == summary["calories"]


@pytest.mark.parametrize("identifier", PARTICIPANTS)
def test_a_stages_sleep_log_is_the_v2_night(fetched: dict[str, dict[str, Any]], identifier: str) -> None:
    data = fetched[identifier]
    tz = data["tz"]
    segments = [(instant(p["startDate"]), instant(p["observationDate"]), p["value"]) for p in data["sleep_points"]]
    daily = {(s["date"][:10], s["value"]): s["duration"] for s in data["daily_sleep"]}
    checked = 0
    for log in data["logs"]:
        if log["type"] != "stages":
            continue
        start = instant(log["startTimestamp"])
        end = start + dt.timedelta(milliseconds=log["duration"])
        minutes: dict[str, int] = defaultdict(int)
        for s, e, stage in segments:
            if start <= s and e <= end:
                minutes[stage] += (e - s) // dt.timedelta(minutes=1)
        wanted = {"deep": log["sleepLevelDeep"], "light": log["sleepLevelLight"], "rem": log["sleepLevelRem"],
                  "wake": log["sleepLevelWake"]}
        assert dict(minutes) == wanted, (identifier, log["startTimestamp"])
        assert sum(wanted.values()) == log["timeInBed"]
        for stage in ("Deep", "Light", "Rem", "Wake"):
            assert data["levels"][(start, "SleepLevel" + stage)] == log["sleepLevel" + stage]
        sleep_day = (start.astimezone(tz) + dt.timedelta(hours=6)).date().isoformat()
        for stage, value in wanted.items():
            if value:
                assert daily[(sleep_day, stage)] == f"{value // 60:02d}:{value % 60:02d}:00", (sleep_day, stage)
        checked += 1
    assert checked > 10


def test_a_classic_night_has_no_stages_and_no_heart_rate_in_v2(fetched: dict[str, dict[str, Any]]) -> None:
    """A main sleep logged classic for lack of heart-rate data (infoCode "1") is, in v2, no stage
    segments, no ``dailysleep`` and no heart-rate minutes (v2 has no classic sleep levels)."""
    checked = 0
    for identifier in PARTICIPANTS:
        data = fetched[identifier]
        tz = data["tz"]
        segments = [(instant(p["startDate"]), instant(p["observationDate"])) for p in data["sleep_points"]]
        sleep_days = {s["date"][:10] for s in data["daily_sleep"]}
        for log in data["logs"]:
            if log["infoCode"] != "1":
                continue
            assert log["type"] == "classic" and log["sleepLevelAsleep"] == log["minutesAsleep"]
            start = instant(log["startTimestamp"])
            end = start + dt.timedelta(milliseconds=log["duration"])
            assert not [s for s, e in segments if s < end and e > start], (identifier, log["startTimestamp"])
            sleep_day = (start.astimezone(tz) + dt.timedelta(hours=6)).date().isoformat()
            assert sleep_day not in sleep_days, (identifier, sleep_day)
            assert data["classic_hr"][log["startTimestamp"]] == 0, (identifier, log["startTimestamp"])
            checked += 1
    assert checked > 3
