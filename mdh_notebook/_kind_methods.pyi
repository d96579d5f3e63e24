"""Generated from the catalogue (mdh_notebook/kinds/) by `python -m mdh_notebook._stubgen`.

Do not edit: run `make stubs`.
"""

from collections.abc import Sequence
from datetime import date, datetime

import pandas as pd

class _KindMethods:
    def survey_answers(
        self,
        *,
        survey_result_id: str | None = None,
        survey_id: str | None = None,
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
    ) -> pd.DataFrame:
        """Every answer to every survey step, one row per answer record (GET surveyanswers).

        Needs scope ``SurveyAnswers:read``. Every page is fetched; the result is one frame with the columns
        of ``mdh_notebook.to_frame('survey_answers', [])``.

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
        """

    def fitbit_sleep_logs(
        self,
        start: datetime | date | str | None = None,
        end: datetime | date | str | None = None,
        *,
        tz: str | None = None,
        progress: bool | None = None,
    ) -> pd.DataFrame:
        """Fitbit sleep logs, one row per sleep (naps included); duration in ms, the rest in minutes.

        Needs scope ``FitbitSleepLogs:read``. Every page is fetched; the result is one frame with the
        columns of ``mdh_notebook.to_frame('fitbit_sleep_logs', [])``.

        Filters:
            start: sleep that started at or after this instant (``startDate``)
            end: sleep that started before this instant (``endDate``)
            tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)
            progress: a progress bar for a long pull (default: in Jupyter or a terminal)
        """

    def participant_info(
        self,
        *,
        tz: str | None = None,
        progress: bool | None = None,
    ) -> pd.DataFrame:
        """The participant's own record (GET participant): identifiers, demographics, custom fields.

        Needs scope ``Participant:read``. Every page is fetched; the result is one frame with the columns of
        ``mdh_notebook.to_frame('participant_info', [])``.

        Filters:
            tz: show date-times in this IANA zone, or 'local' for the participant's own (default UTC)
            progress: a progress bar for a long pull (default: in Jupyter or a terminal)
        """
