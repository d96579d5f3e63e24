"""Synthetic device data v1 (``api/v1/delegated/devicedata``): points in every v1 namespace.

``V1_TYPES`` names the types generated in each namespace (the v1 ``allDataTypes`` list reads it).
"""

from __future__ import annotations

__all__ = ["V1_NAMESPACES", "V1_TYPES"]

#: The v1 namespaces of the reference (§3.1 row 6), in its order.
V1_NAMESPACES: tuple[str, ...] = (
    "Project", "Fitbit", "AppleHealth", "GoogleFit", "AirNowApi", "WeatherBit", "Garmin", "Omron",
)

#: namespace -> the types generated there (PT-0001 has every one of them).
V1_TYPES: dict[str, tuple[str, ...]] = {
    "Project": ("Steps", "DaytimeRestingHeartRate", "NighttimeRestingHeartRate", "RespiratoryRate",
                "SleepDisturbances", "Asthma-LogEntry", "AlertTakeover"),
    "Fitbit": ("Steps", "RestingHeartRate", "Calories", "CaloriesBMR", "Floors", "MinutesSedentary",
               "MinutesLightlyActive", "MinutesFairlyActive", "MinutesVeryActive", "HeartRateIntradayCount",
               "HeartRateZone", "BreathingRate", "SpO2", "Weight", "SleepLevelDeep", "SleepLevelLight",
               "SleepLevelRem", "SleepLevelWake", "SleepLevelAsleep", "SleepLevelAwake", "SleepLevelRestless"),
    "AppleHealth": ("HeartRate", "Steps", "RestingHeartRate", "WalkingHeartRateAverage", "HeartRateVariability",
                    "ActiveEnergyBurned", "FlightsClimbed", "DistanceWalkingRunning", "SleepAnalysis"),
    "GoogleFit": ("Steps", "HeartRate", "ActivitySegment", "blood_pressure_systolic", "blood_pressure_diastolic"),
    "AirNowApi": ("AirQuality", "HomeAirQuality", "WorkAirQuality"),
    "WeatherBit": ("Temperature", "MaxTemperature", "MinTemperature", "RelativeHumidity", "WeatherDescription"),
    "Garmin": ("Daily", "Sleep"),
    "Omron": ("BloodPressureSystolic", "BloodPressureDiastolic", "Pulse"),
}
