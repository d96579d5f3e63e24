"""Generated from the catalogue (mdh_notebook/kinds/) by `python -m mdh_notebook._stubgen`.

Do not edit: run `make stubs`.
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

import pandas as pd

from mdh_notebook.paging import PagerState

class _KindMethods:
    def survey_answers(
        self,
        *,
        survey_result_id: str | UUID | None = None,
        survey_id: str | UUID | None = None,
        survey_name: str | Sequence[str] | None = None,
        after: datetime | date | str | None = None,
        before: datetime | date | str | None = None,
        inserted_after: datetime | date | str | None = None,
        inserted_before: datetime | date | str | None = None,
        step_identifier: str | Sequence[str] | None = None,
        result_identifier: str | Sequence[str] | None = None,
        answer: str | Sequence[str] | None = None,
        event: str | Sequence[str] | None = None,
        tz: str | None = None,
        progress: bool | None = None,
        on_page: Callable[[PagerState], Any] | None = None,
        resume: PagerState | None = None,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """Every answer to every survey step, one row per answer record (GET surveyanswers).

        Needs scope ``SurveyAnswers:read``. Every page is fetched; the result is one frame with the columns
        of ``mdh_notebook.to_frame('survey_answers', [])``. ``frame.attrs`` holds ``'pages'`` (the requests
        made), ``'slices'`` (only when the pull was cut into time slices fetched in parallel: how many) and,
        with a cache, ``'cache'`` ('cold', 'warm', 'refresh' or 'bypass').

        Filters:
            survey_result_id: one survey result's id (``surveyResultID``)
            survey_id: one survey's id (``surveyID``)
            survey_name: survey name(s) (``surveyName``)
            after: answers dated strictly after this instant (``after``)
            before: answers dated strictly before this instant (``before``)
            inserted_after: stored strictly after this instant (``insertedAfter``)
            inserted_before: stored strictly before this instant (``insertedBefore``)
            step_identifier: step identifier(s) (``stepIdentifier``)
            result_identifier: result identifier(s) (``resultIdentifier``)
            answer: answer value(s): any one matching (``answer``)
            event: survey event name(s) (``event``)
            tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)
            progress: a progress bar for a long pull (default: in Jupyter or a terminal)
            on_page: called with the pager's state after every page (your own progress display)
            resume: a failed pull's exc.pager_state: go on from the page that failed, keeping its rows
                (same filters)
            refresh: with a cache (connect(cache_dir=...)): fetch everything again and rewrite the
                stored copy
        """

    def survey_results(
        self,
        *,
        survey_id: str | UUID | None = None,
        survey_name: str | Sequence[str] | None = None,
        after: datetime | date | str | None = None,
        before: datetime | date | str | None = None,
        inserted_after: datetime | date | str | None = None,
        inserted_before: datetime | date | str | None = None,
        event: str | Sequence[str] | None = None,
        tz: str | None = None,
        progress: bool | None = None,
        on_page: Callable[[PagerState], Any] | None = None,
        resume: PagerState | None = None,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """One row per completed survey (GET surveyresults); ``id`` is its answers' ``survey_result_id``.
        ``user_type`` says who entered it (Participant, Coordinator, ServiceAccount); ``user`` names a
        coordinator.

        Needs scope ``SurveyAnswers:read``. Every page is fetched; the result is one frame with the columns
        of ``mdh_notebook.to_frame('survey_results', [])``. ``frame.attrs`` holds ``'pages'`` (the requests
        made), ``'slices'`` (only when the pull was cut into time slices fetched in parallel: how many) and,
        with a cache, ``'cache'`` ('cold', 'warm', 'refresh' or 'bypass').

        Filters:
            survey_id: one survey's id (``surveyID``)
            survey_name: survey name(s) (``surveyName``)
            after: results dated strictly after this instant (``after``)
            before: results dated strictly before this instant (``before``)
            inserted_after: stored strictly after this instant (``insertedAfter``)
            inserted_before: stored strictly before this instant (``insertedBefore``)
            event: survey event name(s) (``event``)
            tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)
            progress: a progress bar for a long pull (default: in Jupyter or a terminal)
            on_page: called with the pager's state after every page (your own progress display)
            resume: a failed pull's exc.pager_state: go on from the page that failed, keeping its rows
                (same filters)
            refresh: with a cache (connect(cache_dir=...)): fetch everything again and rewrite the
                stored copy
        """

    def survey_tasks(
        self,
        *,
        status: Literal['incomplete', 'complete', 'closed'] | Sequence[Literal['incomplete', 'complete', 'closed']] | None = None,
        survey_id: str | UUID | None = None,
        survey_name: str | Sequence[str] | None = None,
        survey_category: str | None = None,
        link_identifier: str | UUID | None = None,
        sort_order: Literal['ascending', 'descending'] | None = None,
        event: str | Sequence[str] | None = None,
        tz: str | None = None,
        progress: bool | None = None,
        on_page: Callable[[PagerState], Any] | None = None,
        resume: PagerState | None = None,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """The participant's survey tasks (GET surveytasks): incomplete, complete or closed; newest first
        unless ``sort_order='ascending'``. ``end_date`` is when a task was completed or closed.

        Needs scope ``SurveyTasks:read``. Every page is fetched; the result is one frame with the columns of
        ``mdh_notebook.to_frame('survey_tasks', [])``. ``frame.attrs`` holds ``'pages'`` (the requests
        made), ``'slices'`` (only when the pull was cut into time slices fetched in parallel: how many) and,
        with a cache, ``'cache'`` ('cold', 'warm', 'refresh' or 'bypass').

        Filters:
            status: task status(es) (``status``)
            survey_id: one survey's id (``surveyID``)
            survey_name: survey name(s) (``surveyName``)
            survey_category: the survey's category (``surveyCategory``)
            link_identifier: one task's link identifier (``linkIdentifier``)
            sort_order: by creation date; the API's default is descending (``sortOrder``)
            event: survey event name(s) (``event``)
            tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)
            progress: a progress bar for a long pull (default: in Jupyter or a terminal)
            on_page: called with the pager's state after every page (your own progress display)
            resume: a failed pull's exc.pager_state: go on from the page that failed, keeping its rows
                (same filters)
            refresh: with a cache (connect(cache_dir=...)): fetch everything again and rewrite the
                stored copy
        """

    def notifications(
        self,
        *,
        identifier: str | None = None,
        sent_after: datetime | date | str | None = None,
        sent_before: datetime | date | str | None = None,
        type: Literal['Sms', 'Push', 'Email'] | None = None,
        status_code: Literal['Succeeded', 'Unsubscribed', 'MissingContactInfo', 'NoRegisteredMobileDevice', 'NoAssociatedUser', 'ServiceError'] | None = None,
        tz: str | None = None,
        progress: bool | None = None,
        on_page: Callable[[PagerState], Any] | None = None,
        resume: PagerState | None = None,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """Notifications sent (or not) to the participant (GET notifications): Sms, Push, Email. The content is
        flattened: Sms ``content_body``, Push ``content_title`` and ``content_body``, Email
        ``content_subject``; missing when the notification was not sent.

        Needs scope ``Notifications:read``. Every page is fetched; the result is one frame with the columns
        of ``mdh_notebook.to_frame('notifications', [])``. ``frame.attrs`` holds ``'pages'`` (the requests
        made), ``'slices'`` (only when the pull was cut into time slices fetched in parallel: how many) and,
        with a cache, ``'cache'`` ('cold', 'warm', 'refresh' or 'bypass').

        Filters:
            identifier: the notification's configured identifier (``identifier``)
            sent_after: sent strictly after this instant (``sentAfter``)
            sent_before: sent strictly before this instant (``sentBefore``)
            type: the channel (``type``)
            status_code: whether (and why not) it was sent (``statusCode``)
            tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)
            progress: a progress bar for a long pull (default: in Jupyter or a terminal)
            on_page: called with the pager's state after every page (your own progress display)
            resume: a failed pull's exc.pager_state: go on from the page that failed, keeping its rows
                (same filters)
            refresh: with a cache (connect(cache_dir=...)): fetch everything again and rewrite the
                stored copy
        """

    def inbox(
        self,
        *,
        type: Literal['message', 'survey', 'resource'] | Sequence[Literal['message', 'survey', 'resource']] | None = None,
        status: Literal['incomplete', 'complete', 'closed'] | Sequence[Literal['incomplete', 'complete', 'closed']] | None = None,
        category: str | None = None,
        sort_order: Literal['ascending', 'descending'] | None = None,
        sort_column: Literal['insertedDate', 'dueDate', 'endDate'] | None = None,
        ends_after: datetime | date | str | None = None,
        ends_before: datetime | date | str | None = None,
        tz: str | None = None,
        progress: bool | None = None,
        on_page: Callable[[PagerState], Any] | None = None,
        resume: PagerState | None = None,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """The participant's inbox (GET inbox): messages (title, content, related resources), surveys (name,
        due date, saved progress as ``has_restoration_data``) and resources (title, url), one row each;
        ``is_new`` until opened. Needs SurveyTasks:read (see the survey family's notes).

        Needs scope ``SurveyTasks:read``. Every page is fetched; the result is one frame with the columns of
        ``mdh_notebook.to_frame('inbox', [])``. ``frame.attrs`` holds ``'pages'`` (the requests made),
        ``'slices'`` (only when the pull was cut into time slices fetched in parallel: how many) and, with a
        cache, ``'cache'`` ('cold', 'warm', 'refresh' or 'bypass').

        Filters:
            type: item type(s) (``type``)
            status: item status(es) (``status``)
            category: one category the item has (``category``)
            sort_order: the API's default is descending (``sortOrder``)
            sort_column: the date to sort by (default insertedDate) (``sortColumn``)
            ends_after: items ending strictly after this instant (``endsAfter``)
            ends_before: items ending strictly before this instant (``endsBefore``)
            tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)
            progress: a progress bar for a long pull (default: in Jupyter or a terminal)
            on_page: called with the pager's state after every page (your own progress display)
            resume: a failed pull's exc.pager_state: go on from the page that failed, keeping its rows
                (same filters)
            refresh: with a cache (connect(cache_dir=...)): fetch everything again and rewrite the
                stored copy
        """

    def device_data(
        self,
        namespace: Literal['Project', 'Fitbit', 'AppleHealth', 'GoogleFit', 'AirNowApi', 'WeatherBit', 'Garmin', 'Omron'],
        type: str | Sequence[str] | None = None,
        *,
        observed_after: datetime | date | str | None = None,
        observed_before: datetime | date | str | None = None,
        modified_after: datetime | date | str | None = None,
        modified_before: datetime | date | str | None = None,
        tz: str | None = None,
        progress: bool | None = None,
        on_page: Callable[[PagerState], Any] | None = None,
        resume: PagerState | None = None,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """Device data points (v1) of one namespace (GET devicedata), most recent first (observationDate
        descending, then id). value is the string the API sent; value_number its number, missing where it is
        none; properties and source_properties are dicts. Persisted points are in namespace 'Project'.

        Needs scope ``DeviceData:read``. Every page is fetched; the result is one frame with the columns of
        ``mdh_notebook.to_frame('device_data', [])``. ``frame.attrs`` holds ``'pages'`` (the requests made),
        ``'slices'`` (only when the pull was cut into time slices fetched in parallel: how many) and, with a
        cache, ``'cache'`` ('cold', 'warm', 'refresh' or 'bypass').

        Filters:
            namespace: the source the points come from (required) (``namespace``)
            type: type(s) within the namespace, e.g. 'HeartRate' or ['Steps', 'Weight'] (``type``)
            observed_after: observed (observationDate) strictly after this instant (``observedAfter``)
            observed_before: observed strictly before this instant (``observedBefore``)
            modified_after: changed in MyDataHelps (modifiedDate) strictly after this instant: what
                arrived since a pull (``modifiedAfter``)
            modified_before: changed strictly before this instant (``modifiedBefore``)
            tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)
            progress: a progress bar for a long pull (default: in Jupyter or a terminal)
            on_page: called with the pager's state after every page (your own progress display)
            resume: a failed pull's exc.pager_state: go on from the page that failed, keeping its rows
                (same filters)
            refresh: with a cache (connect(cache_dir=...)): fetch everything again and rewrite the
                stored copy
        """

    def device_data_v2(
        self,
        namespace: Literal['Fitbit', 'AppleHealth', 'Garmin', 'Dexcom', 'HealthConnect', 'Oura', 'GoogleHealth'],
        type: str,
        *,
        observed_after: datetime | date | str | None = None,
        observed_before: datetime | date | str | None = None,
        modified_after: datetime | date | str | None = None,
        modified_before: datetime | date | str | None = None,
        inserted_after: datetime | date | str | None = None,
        inserted_before: datetime | date | str | None = None,
        data_source: Mapping[str, str | Sequence[str]] | None = None,
        properties: Mapping[str, str | Sequence[str]] | None = None,
        tz: str | None = None,
        progress: bool | None = None,
        on_page: Callable[[PagerState], Any] | None = None,
        resume: PagerState | None = None,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """V2 device data points of one namespace and type (GET api/v2/delegated/devicedata), e.g.
        device_data_v2('Fitbit', 'heart-rate'): minute heart rate, steps, sleep-stage segments, daily
        values.

        Needs scope ``DeviceData:read``. Every page is fetched; the result is one frame with the columns of
        ``mdh_notebook.to_frame('device_data_v2', [])``. ``frame.attrs`` holds ``'pages'`` (the requests
        made), ``'slices'`` (only when the pull was cut into time slices fetched in parallel: how many) and,
        with a cache, ``'cache'`` ('cold', 'warm', 'refresh' or 'bypass').

        Filters:
            namespace: the v2 namespace (``namespace``)
            type: one device data type of that namespace, e.g. 'heart-rate', 'steps-daily' (``type``)
            observed_after: observed strictly after this instant (``observedAfter``)
            observed_before: observed strictly before this instant (``observedBefore``)
            modified_after: modified strictly after this instant (``modifiedAfter``)
            modified_before: modified strictly before this instant (``modifiedBefore``)
            inserted_after: stored strictly after this instant (``insertedAfter``)
            inserted_before: stored strictly before this instant (``insertedBefore``)
            data_source: match the point's dataSource: {'deviceModel': 'Watch'} (any of a list of
                values) (``dataSource``)
            properties: match the point's properties: {'source': 'sleep'} (any of a list of values)
                (``properties``)
            tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)
            progress: a progress bar for a long pull (default: in Jupyter or a terminal)
            on_page: called with the pager's state after every page (your own progress display)
            resume: a failed pull's exc.pager_state: go on from the page that failed, keeping its rows
                (same filters)
            refresh: with a cache (connect(cache_dir=...)): fetch everything again and rewrite the
                stored copy
        """

    def device_data_aggregate(
        self,
        namespace: Literal['Fitbit', 'AppleHealth', 'Garmin', 'Dexcom', 'HealthConnect', 'Oura', 'GoogleHealth'],
        type: str,
        interval_type: Literal['Minutes', 'Hours', 'Days', 'Weeks', 'Months'] = 'Days',
        interval_amount: int = 1,
        *,
        functions: Literal['sum', 'avg', 'count', 'min', 'max'] | Sequence[Literal['sum', 'avg', 'count', 'min', 'max']] = ('sum', 'avg', 'count', 'min', 'max'),
        observed_after: datetime | date | str | None = None,
        observed_before: datetime | date | str | None = None,
        modified_after: datetime | date | str | None = None,
        modified_before: datetime | date | str | None = None,
        inserted_after: datetime | date | str | None = None,
        inserted_before: datetime | date | str | None = None,
        data_source: Mapping[str, str | Sequence[str]] | None = None,
        properties: Mapping[str, str | Sequence[str]] | None = None,
        tz: str | None = None,
        progress: bool | None = None,
        on_page: Callable[[PagerState], Any] | None = None,
        resume: PagerState | None = None,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """V2 device data aggregated into intervals of the participant's local calendar (GET
        api/v2/delegated/devicedata/aggregate), e.g. device_data_aggregate('Fitbit', 'heart-rate', 'Hours',
        functions=['avg', 'max']); date is the interval's local start.

        Needs scope ``DeviceData:read``. Every page is fetched; the result is one frame with the columns of
        ``mdh_notebook.to_frame('device_data_aggregate', [])``. ``frame.attrs`` holds ``'pages'`` (the
        requests made), ``'slices'`` (only when the pull was cut into time slices fetched in parallel: how
        many) and, with a cache, ``'cache'`` ('cold', 'warm', 'refresh' or 'bypass').

        Filters:
            namespace: the v2 namespace (``namespace``)
            type: one device data type of that namespace, e.g. 'heart-rate', 'steps-daily' (``type``)
            interval_type: the interval unit (default Days) (``intervalType``)
            interval_amount: units per interval (default 1) (``intervalAmount``)
            functions: the statistics to compute (default sum, avg, count, min, max)
                (``aggregateFunctions``)
            observed_after: observed strictly after this instant (``observedAfter``)
            observed_before: observed strictly before this instant (``observedBefore``)
            modified_after: modified strictly after this instant (``modifiedAfter``)
            modified_before: modified strictly before this instant (``modifiedBefore``)
            inserted_after: stored strictly after this instant (``insertedAfter``)
            inserted_before: stored strictly before this instant (``insertedBefore``)
            data_source: match the point's dataSource: {'deviceModel': 'Watch'} (any of a list of
                values) (``dataSource``)
            properties: match the point's properties: {'source': 'sleep'} (any of a list of values)
                (``properties``)
            tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)
            progress: a progress bar for a long pull (default: in Jupyter or a terminal)
            on_page: called with the pager's state after every page (your own progress display)
            resume: a failed pull's exc.pager_state: go on from the page that failed, keeping its rows
                (same filters)
            refresh: with a cache (connect(cache_dir=...)): fetch everything again and rewrite the
                stored copy
        """

    def daily_sleep(
        self,
        namespace: Literal['Fitbit', 'AppleHealth', 'Garmin', 'Dexcom', 'HealthConnect', 'Oura', 'GoogleHealth'],
        type: str,
        *,
        observed_after: datetime | date | str | None = None,
        observed_before: datetime | date | str | None = None,
        modified_after: datetime | date | str | None = None,
        modified_before: datetime | date | str | None = None,
        inserted_after: datetime | date | str | None = None,
        inserted_before: datetime | date | str | None = None,
        data_source: Mapping[str, str | Sequence[str]] | None = None,
        properties: Mapping[str, str | Sequence[str]] | None = None,
        tz: str | None = None,
        progress: bool | None = None,
        on_page: Callable[[PagerState], Any] | None = None,
        resume: PagerState | None = None,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """Minutes of each sleep stage per sleep day, from the stage segments of a v2 sleep type (GET
        api/v2/delegated/devicedata/aggregate/dailysleep), e.g. daily_sleep('Fitbit', 'sleep'); value is the
        stage, duration TimeSpan text ('07:21:00': pandas.to_timedelta reads it).

        Needs scope ``DeviceData:read``. Every page is fetched; the result is one frame with the columns of
        ``mdh_notebook.to_frame('daily_sleep', [])``. ``frame.attrs`` holds ``'pages'`` (the requests made),
        ``'slices'`` (only when the pull was cut into time slices fetched in parallel: how many) and, with a
        cache, ``'cache'`` ('cold', 'warm', 'refresh' or 'bypass').

        Filters:
            namespace: the v2 namespace (``namespace``)
            type: one device data type of that namespace, e.g. 'heart-rate', 'steps-daily' (``type``)
            observed_after: observed strictly after this instant (``observedAfter``)
            observed_before: observed strictly before this instant (``observedBefore``)
            modified_after: modified strictly after this instant (``modifiedAfter``)
            modified_before: modified strictly before this instant (``modifiedBefore``)
            inserted_after: stored strictly after this instant (``insertedAfter``)
            inserted_before: stored strictly before this instant (``insertedBefore``)
            data_source: match the point's dataSource: {'deviceModel': 'Watch'} (any of a list of
                values) (``dataSource``)
            properties: match the point's properties: {'source': 'sleep'} (any of a list of values)
                (``properties``)
            tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)
            progress: a progress bar for a long pull (default: in Jupyter or a terminal)
            on_page: called with the pager's state after every page (your own progress display)
            resume: a failed pull's exc.pager_state: go on from the page that failed, keeping its rows
                (same filters)
            refresh: with a cache (connect(cache_dir=...)): fetch everything again and rewrite the
                stored copy
        """

    def device_data_types(
        self,
        version: Literal[1, 2] = 1,
        *,
        enabled: bool | None = None,
        namespace: Literal['Project', 'Fitbit', 'AppleHealth', 'GoogleFit', 'AirNowApi', 'WeatherBit', 'Garmin', 'Omron', 'Dexcom', 'HealthConnect', 'Oura', 'GoogleHealth'] | None = None,
        tz: str | None = None,
        progress: bool | None = None,
        on_page: Callable[[PagerState], Any] | None = None,
        resume: PagerState | None = None,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """The device data types the project knows, each enabled or not (GET
        api/v1|v2/delegated/devicedata/allDataTypes); retention_days is sent by v2 only, for some types.

        Needs scope ``DeviceData:read``. Every page is fetched; the result is one frame with the columns of
        ``mdh_notebook.to_frame('device_data_types', [])``. ``frame.attrs`` holds ``'pages'`` (the requests
        made), ``'slices'`` (only when the pull was cut into time slices fetched in parallel: how many) and,
        with a cache, ``'cache'`` ('cold', 'warm', 'refresh' or 'bypass').

        Filters:
            version: the device data API: 1 (allDataTypes of v1) or 2 (of v2) (default 1) (``version``)
            enabled: only the types enabled (True) or not (False) (``enabled``)
            namespace: one namespace (``namespace``)
            tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)
            progress: a progress bar for a long pull (default: in Jupyter or a terminal)
            on_page: called with the pager's state after every page (your own progress display)
            resume: a failed pull's exc.pager_state: go on from the page that failed, keeping its rows
                (same filters)
            refresh: with a cache (connect(cache_dir=...)): fetch everything again and rewrite the
                stored copy
        """

    def fitbit_daily_summaries(
        self,
        start: datetime | date | str | None = None,
        end: datetime | date | str | None = None,
        *,
        provider_id: int | None = None,
        tz: str | None = None,
        progress: bool | None = None,
        on_page: Callable[[PagerState], Any] | None = None,
        resume: PagerState | None = None,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """Fitbit daily summaries, one row per day: ``date`` is the participant's calendar day (dtype date, a
        naive midnight); distance in km, elevation in m, water in ml, weight in kg; heart-rate zones
        flattened (``heart_rate_zones_<zone>_<field>`` for fat_burn, cardio, peak, out_of_range), the
        tracker's own counts as ``tracker_*`` (the totals add manually logged activities).

        Needs scope ``FitbitDailySummaries:read``. Every page is fetched; the result is one frame with the
        columns of ``mdh_notebook.to_frame('fitbit_daily_summaries', [])``. ``frame.attrs`` holds
        ``'pages'`` (the requests made), ``'slices'`` (only when the pull was cut into time slices fetched
        in parallel: how many) and, with a cache, ``'cache'`` ('cold', 'warm', 'refresh' or 'bypass').

        Filters:
            start: days whose date, read as midnight UTC, is at or after this (e.g. '2026-08-01')
                (``startDate``)
            end: days whose date, read as midnight UTC, is before this (exclusive) (``endDate``)
            provider_id: only data that came through this external account provider (its id, as
                external_account_providers lists it, e.g. the 'Fitbit' device manufacturer's)
                (``providerID``)
            tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)
            progress: a progress bar for a long pull (default: in Jupyter or a terminal)
            on_page: called with the pager's state after every page (your own progress display)
            resume: a failed pull's exc.pager_state: go on from the page that failed, keeping its rows
                (same filters)
            refresh: with a cache (connect(cache_dir=...)): fetch everything again and rewrite the
                stored copy
        """

    def fitbit_sleep_logs(
        self,
        start: datetime | date | str | None = None,
        end: datetime | date | str | None = None,
        *,
        provider_id: int | None = None,
        tz: str | None = None,
        progress: bool | None = None,
        on_page: Callable[[PagerState], Any] | None = None,
        resume: PagerState | None = None,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """Fitbit sleep logs, one row per sleep (naps included); duration in ms, the rest in minutes.

        Needs scope ``FitbitSleepLogs:read``. Every page is fetched; the result is one frame with the
        columns of ``mdh_notebook.to_frame('fitbit_sleep_logs', [])``. ``frame.attrs`` holds ``'pages'``
        (the requests made), ``'slices'`` (only when the pull was cut into time slices fetched in parallel:
        how many) and, with a cache, ``'cache'`` ('cold', 'warm', 'refresh' or 'bypass').

        Filters:
            start: sleep that started at or after this instant (``startDate``)
            end: sleep that started before this instant (``endDate``)
            provider_id: only data that came through this external account provider (its id, as
                external_account_providers lists it, e.g. the 'Fitbit' device manufacturer's)
                (``providerID``)
            tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)
            progress: a progress bar for a long pull (default: in Jupyter or a terminal)
            on_page: called with the pager's state after every page (your own progress display)
            resume: a failed pull's exc.pager_state: go on from the page that failed, keeping its rows
                (same filters)
            refresh: with a cache (connect(cache_dir=...)): fetch everything again and rewrite the
                stored copy
        """

    def apple_health_workouts(
        self,
        start: datetime | date | str | None = None,
        end: datetime | date | str | None = None,
        *,
        tz: str | None = None,
        progress: bool | None = None,
        on_page: Callable[[PagerState], Any] | None = None,
        resume: PagerState | None = None,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """Apple Health workouts, one row per workout: ``summary_*`` (activity type, duration in s, energy in
        kcal, distance in m, strokes, flights), ``source_*`` and ``device_*`` flattened; ``metadata``
        (HealthKit keys to strings) kept as a dict, ``events`` (pauses, laps, segments) as a list.

        Needs scope ``AppleHealthWorkouts:read``. Every page is fetched; the result is one frame with the
        columns of ``mdh_notebook.to_frame('apple_health_workouts', [])``. ``frame.attrs`` holds ``'pages'``
        (the requests made), ``'slices'`` (only when the pull was cut into time slices fetched in parallel:
        how many) and, with a cache, ``'cache'`` ('cold', 'warm', 'refresh' or 'bypass').

        Filters:
            start: workouts that started at or after this instant (``startDate``)
            end: workouts that started before this instant (``endDate``)
            tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)
            progress: a progress bar for a long pull (default: in Jupyter or a terminal)
            on_page: called with the pager's state after every page (your own progress display)
            resume: a failed pull's exc.pager_state: go on from the page that failed, keeping its rows
                (same filters)
            refresh: with a cache (connect(cache_dir=...)): fetch everything again and rewrite the
                stored copy
        """

    def apple_health_activity_summaries(
        self,
        start: datetime | date | str | None = None,
        end: datetime | date | str | None = None,
        *,
        tz: str | None = None,
        progress: bool | None = None,
        on_page: Callable[[PagerState], Any] | None = None,
        resume: PagerState | None = None,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """Apple Health activity summaries (the rings), one row per day from local midnight to the next: active
        energy in kcal, exercise time in minutes, stand hours, each beside its goal.

        Needs scope ``AppleHealthActivitySummaries:read``. Every page is fetched; the result is one frame
        with the columns of ``mdh_notebook.to_frame('apple_health_activity_summaries', [])``.
        ``frame.attrs`` holds ``'pages'`` (the requests made), ``'slices'`` (only when the pull was cut into
        time slices fetched in parallel: how many) and, with a cache, ``'cache'`` ('cold', 'warm', 'refresh'
        or 'bypass').

        Filters:
            start: days that started at or after this instant (``startDate``)
            end: days that started before this instant (``endDate``)
            tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)
            progress: a progress bar for a long pull (default: in Jupyter or a terminal)
            on_page: called with the pager's state after every page (your own progress display)
            resume: a failed pull's exc.pager_state: go on from the page that failed, keeping its rows
                (same filters)
            refresh: with a cache (connect(cache_dir=...)): fetch everything again and rewrite the
                stored copy
        """

    def external_accounts(
        self,
        *,
        tz: str | None = None,
        progress: bool | None = None,
        on_page: Callable[[PagerState], Any] | None = None,
        resume: PagerState | None = None,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """The participant's connected external accounts (health plans, providers, devices), one row each, the
        provider flattened; status is unauthorized, fetchingData, error or fetchComplete (GET
        externalaccounts, a bare array).

        Needs scope ``ExternalAccounts:read``. Every page is fetched; the result is one frame with the
        columns of ``mdh_notebook.to_frame('external_accounts', [])``. ``frame.attrs`` holds ``'pages'``
        (the requests made), ``'slices'`` (only when the pull was cut into time slices fetched in parallel:
        how many) and, with a cache, ``'cache'`` ('cold', 'warm', 'refresh' or 'bypass').

        Filters:
            tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)
            progress: a progress bar for a long pull (default: in Jupyter or a terminal)
            on_page: called with the pager's state after every page (your own progress display)
            resume: a failed pull's exc.pager_state: go on from the page that failed, keeping its rows
                (same filters)
            refresh: with a cache (connect(cache_dir=...)): fetch everything again and rewrite the
                stored copy
        """

    def external_account_providers(
        self,
        search: str | None = None,
        *,
        category: Literal['Provider', 'Health Plan', 'Device Manufacturer'] | None = None,
        tz: str | None = None,
        progress: bool | None = None,
        on_page: Callable[[PagerState], Any] | None = None,
        resume: PagerState | None = None,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """The directory of providers a participant can connect to, one row each (GET
        externalaccountproviders).

        Needs scope ``ExternalAccounts:connect``. Every page is fetched; the result is one frame with the
        columns of ``mdh_notebook.to_frame('external_account_providers', [])``. ``frame.attrs`` holds
        ``'pages'`` (the requests made), ``'slices'`` (only when the pull was cut into time slices fetched
        in parallel: how many) and, with a cache, ``'cache'`` ('cold', 'warm', 'refresh' or 'bypass').

        Filters:
            search: providers whose name contains this text (any case) (``search``)
            category: one category of provider (``category``)
            tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)
            progress: a progress bar for a long pull (default: in Jupyter or a terminal)
            on_page: called with the pager's state after every page (your own progress display)
            resume: a failed pull's exc.pager_state: go on from the page that failed, keeping its rows
                (same filters)
            refresh: with a cache (connect(cache_dir=...)): fetch everything again and rewrite the
                stored copy
        """

    def featured_external_account_providers(
        self,
        context: str | None = None,
        *,
        tz: str | None = None,
        progress: bool | None = None,
        on_page: Callable[[PagerState], Any] | None = None,
        resume: PagerState | None = None,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """The providers the project features, in its order (GET featuredexternalaccountproviders).

        Needs scope ``ExternalAccounts:connect``. Every page is fetched; the result is one frame with the
        columns of ``mdh_notebook.to_frame('featured_external_account_providers', [])``. ``frame.attrs``
        holds ``'pages'`` (the requests made), ``'slices'`` (only when the pull was cut into time slices
        fetched in parallel: how many) and, with a cache, ``'cache'`` ('cold', 'warm', 'refresh' or
        'bypass').

        Filters:
            context: the featured-providers context the project defines (none: the default list)
                (``featuredProvidersContext``)
            tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)
            progress: a progress bar for a long pull (default: in Jupyter or a terminal)
            on_page: called with the pager's state after every page (your own progress display)
            resume: a failed pull's exc.pager_state: go on from the page that failed, keeping its rows
                (same filters)
            refresh: with a cache (connect(cache_dir=...)): fetch everything again and rewrite the
                stored copy
        """

    def files(
        self,
        category: str | None = None,
        *,
        tz: str | None = None,
        progress: bool | None = None,
        on_page: Callable[[PagerState], Any] | None = None,
        resume: PagerState | None = None,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """The participant's uploaded files, one row each, most recent first (GET files); the bytes:
        download_file().

        Needs scope ``File:read``. Every page is fetched; the result is one frame with the columns of
        ``mdh_notebook.to_frame('files', [])``. ``frame.attrs`` holds ``'pages'`` (the requests made),
        ``'slices'`` (only when the pull was cut into time slices fetched in parallel: how many) and, with a
        cache, ``'cache'`` ('cold', 'warm', 'refresh' or 'bypass').

        Filters:
            category: files of this category only (``category``)
            tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)
            progress: a progress bar for a long pull (default: in Jupyter or a terminal)
            on_page: called with the pager's state after every page (your own progress display)
            resume: a failed pull's exc.pager_state: go on from the page that failed, keeping its rows
                (same filters)
            refresh: with a cache (connect(cache_dir=...)): fetch everything again and rewrite the
                stored copy
        """

    def participant_info(
        self,
        *,
        tz: str | None = None,
        progress: bool | None = None,
        on_page: Callable[[PagerState], Any] | None = None,
        resume: PagerState | None = None,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """The participant's own record (GET participant): identifiers, demographics, custom fields.

        Needs scope ``Participant:read``. Every page is fetched; the result is one frame with the columns of
        ``mdh_notebook.to_frame('participant_info', [])``. ``frame.attrs`` holds ``'pages'`` (the requests
        made), ``'slices'`` (only when the pull was cut into time slices fetched in parallel: how many) and,
        with a cache, ``'cache'`` ('cold', 'warm', 'refresh' or 'bypass').

        Filters:
            tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)
            progress: a progress bar for a long pull (default: in Jupyter or a terminal)
            on_page: called with the pager's state after every page (your own progress display)
            resume: a failed pull's exc.pager_state: go on from the page that failed, keeping its rows
                (same filters)
            refresh: with a cache (connect(cache_dir=...)): fetch everything again and rewrite the
                stored copy
        """

    def project_info(
        self,
        *,
        tz: str | None = None,
        progress: bool | None = None,
        on_page: Callable[[PagerState], Any] | None = None,
        resume: PagerState | None = None,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """The participant's project (GET project): name, code, type (Research Study, Wellness Program,
        Clinical Program, ...), the organization flattened, support contacts, platforms (a list).

        Needs scope ``Project:read``. Every page is fetched; the result is one frame with the columns of
        ``mdh_notebook.to_frame('project_info', [])``. ``frame.attrs`` holds ``'pages'`` (the requests
        made), ``'slices'`` (only when the pull was cut into time slices fetched in parallel: how many) and,
        with a cache, ``'cache'`` ('cold', 'warm', 'refresh' or 'bypass').

        Filters:
            tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)
            progress: a progress bar for a long pull (default: in Jupyter or a terminal)
            on_page: called with the pager's state after every page (your own progress display)
            resume: a failed pull's exc.pager_state: go on from the page that failed, keeping its rows
                (same filters)
            refresh: with a cache (connect(cache_dir=...)): fetch everything again and rewrite the
                stored copy
        """

    def data_collection_settings(
        self,
        *,
        tz: str | None = None,
        progress: bool | None = None,
        on_page: Callable[[PagerState], Any] | None = None,
        resume: PagerState | None = None,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """What the project collects from this participant (GET datacollectionsettings): one boolean per source
        (fitbit_enabled, apple_health_enabled, ...), the device data types that may be queried (a list of
        {namespace, type}) and when sensor data collection ends.

        Needs scope ``DataCollectionSettings:read``. Every page is fetched; the result is one frame with the
        columns of ``mdh_notebook.to_frame('data_collection_settings', [])``. ``frame.attrs`` holds
        ``'pages'`` (the requests made), ``'slices'`` (only when the pull was cut into time slices fetched
        in parallel: how many) and, with a cache, ``'cache'`` ('cold', 'warm', 'refresh' or 'bypass').

        Filters:
            tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)
            progress: a progress bar for a long pull (default: in Jupyter or a terminal)
            on_page: called with the pager's state after every page (your own progress display)
            resume: a failed pull's exc.pager_state: go on from the page that failed, keeping its rows
                (same filters)
            refresh: with a cache (connect(cache_dir=...)): fetch everything again and rewrite the
                stored copy
        """

    def data_availability(
        self,
        *,
        tz: str | None = None,
        progress: bool | None = None,
        on_page: Callable[[PagerState], Any] | None = None,
        resume: PagerState | None = None,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """Whether health records are available from Apple Health Records and Health Connect (GET
        dataavailability; its scope is not published: DataCollectionSettings:read is assumed).

        Needs scope ``DataCollectionSettings:read``. Every page is fetched; the result is one frame with the
        columns of ``mdh_notebook.to_frame('data_availability', [])``. ``frame.attrs`` holds ``'pages'``
        (the requests made), ``'slices'`` (only when the pull was cut into time slices fetched in parallel:
        how many) and, with a cache, ``'cache'`` ('cold', 'warm', 'refresh' or 'bypass').

        Filters:
            tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)
            progress: a progress bar for a long pull (default: in Jupyter or a terminal)
            on_page: called with the pager's state after every page (your own progress display)
            resume: a failed pull's exc.pager_state: go on from the page that failed, keeping its rows
                (same filters)
            refresh: with a cache (connect(cache_dir=...)): fetch everything again and rewrite the
                stored copy
        """

    def delete_device_data(
        self,
        id: str | UUID,
    ) -> Any:
        """Delete one device data point by id (DELETE devicedata/{id}); a 404 for an id that names none.

        Needs scope ``DeviceData:write``. ``DELETE api/v1/delegated/devicedata/{id}``; returns the decoded
        JSON answer, or None for an empty one.

        Arguments:
            id: the point's id
        """

    def refresh_external_account(
        self,
        account_id: str | int,
    ) -> Any:
        """Ask for a new fetch of one external account's data (its status becomes fetchingData).

        Needs scope ``ExternalAccounts:write``. ``POST
        api/v1/delegated/externalaccounts/refresh/{account_id}``; returns the decoded JSON answer, or None
        for an empty one.

        Arguments:
            account_id: the path's {account_id}
        """

    def delete_external_account(
        self,
        account_id: str | int,
    ) -> Any:
        """Disconnect and delete one external account (a 404 when there is none with that id).

        Needs scope ``ExternalAccounts:write``. ``DELETE
        api/v1/delegated/externalaccounts/delete/{account_id}``; returns the decoded JSON answer, or None
        for an empty one.

        Arguments:
            account_id: the path's {account_id}
        """
