"""Survey family: answers, results, tasks, notification history, the inbox; deleting a result,
reading and marking an inbox item, logging a custom event.

The inbox needs ``SurveyTasks:read`` (the reference has "?" for its scope; an inference, the same
on both wings: the JS SDK keeps its inbox calls in its Surveys section beside
``querySurveyTasks``, and an inbox survey item is a survey task); marking an item read needs it
too, as there is no inbox write scope.
"""

from __future__ import annotations

from .model import CURSOR, Column, Kind, Operation, Param, Timeline
from .order import Incremental, Ordered, Slicing

#: how this family is named to a reader (the scope picker's group)
LABEL = "Surveys"

__all__ = ["INBOX", "KINDS", "LABEL", "NOTIFICATIONS", "OPERATIONS", "SURVEY_ANSWERS", "SURVEY_RESULTS", "SURVEY_TASKS"]

SCHEDULE: tuple[Column, ...] = (
    Column("schedule.id", "string"),
    Column("schedule.name", "string"),
    Column("schedule.category", "string"),
    Column("schedule.interval", "Int64"),
    Column("schedule.intervalType", "string"),
)
"""A survey schedule's fields (ScheduleMetadata), on answers, results, tasks and notifications."""

# where the GUID ids the filters and paths take come from (named when a value is not a GUID)
RESULT_IDS = (("survey_answers", "survey_result_id"), ("survey_results", "id"))
SURVEY_IDS = (("survey_answers", "survey_id"), ("survey_results", "survey_id"), ("survey_tasks", "survey_id"))
_INBOX_ID = (Param("id", "id", "guid", "the item's id", required=True, in_path=True, taken_from=(("inbox", "id"),)),)

TASK_STATUSES = ("incomplete", "complete", "closed")
SORT_ORDERS = ("ascending", "descending")

SURVEY_ANSWERS = Kind(
    name="survey_answers",
    order=(Ordered(("inserted_date",)), Ordered(("id",))),
    slicing=Slicing("inserted_after", "inserted_before"),
    incremental=Incremental("inserted_after", "inserted_date",
                            blind="deleted answers; an answer changed in place (its insertedDate stays)"),
    path="api/v1/delegated/surveyanswers",
    token="participant",
    scope="SurveyAnswers:read",
    shape="keyed",
    items_key="surveyAnswers",
    paging=CURSOR,
    columns=(
        Column("id", "string"),
        Column("participantID", "string"),
        Column("participantIdentifier", "string"),
        Column("surveyResultID", "string"),
        Column("surveyID", "string"),
        Column("surveyVersion", "Int64"),
        Column("taskID", "string"),
        Column("surveyName", "category"),
        Column("surveyDisplayName", "string"),
        Column("date", "datetime"),
        Column("stepIdentifier", "string"),
        Column("resultIdentifier", "string"),
        Column("answers", "object"),
        Column("insertedDate", "datetime"),
        *SCHEDULE,
        Column("type", "category"),
        Column("event", "string"),
    ),
    params=(
        Param("survey_result_id", "surveyResultID", "guid", "one survey result's id", taken_from=RESULT_IDS),
        Param("survey_id", "surveyID", "guid", "one survey's id", taken_from=SURVEY_IDS),
        Param("survey_name", "surveyName", "list", "survey name(s)"),
        Param("after", "after", "datetime", "answers dated strictly after this instant"),
        Param("before", "before", "datetime", "answers dated strictly before this instant"),
        Param("inserted_after", "insertedAfter", "datetime", "stored strictly after this instant"),
        Param("inserted_before", "insertedBefore", "datetime", "stored strictly before this instant"),
        Param("step_identifier", "stepIdentifier", "list", "step identifier(s)"),
        Param("result_identifier", "resultIdentifier", "list", "result identifier(s)"),
        Param("answer", "answer", "list", "answer value(s): any one matching"),
        Param("event", "event", "list", "survey event name(s)"),
    ),
    timeline=Timeline("date", "after", "before", group="survey_name", plot="score"),
    doc="Every answer to every survey step, one row per answer record (GET surveyanswers).",
)

SURVEY_RESULTS = Kind(
    name="survey_results",
    order=(Ordered(("inserted_date",)), Ordered(("id",))),
    slicing=Slicing("inserted_after", "inserted_before"),
    incremental=Incremental("inserted_after", "inserted_date",
                            blind="deleted results; a result changed in place (its insertedDate stays)"),
    path="api/v1/delegated/surveyresults",
    token="participant",
    scope="SurveyAnswers:read",
    shape="keyed",
    items_key="surveyResults",
    paging=CURSOR,
    columns=(
        Column("id", "string"),
        Column("participantID", "string"),
        Column("participantIdentifier", "string"),
        Column("taskID", "string"),
        Column("surveyID", "string"),
        Column("surveyVersion", "Int64"),
        Column("surveyName", "category"),
        Column("surveyDisplayName", "string"),
        Column("date", "datetime"),
        Column("insertedDate", "datetime"),
        *SCHEDULE,
        Column("event", "string"),
        Column("userType", "category"),
        Column("user", "string"),
    ),
    params=(
        Param("survey_id", "surveyID", "guid", "one survey's id", taken_from=SURVEY_IDS),
        Param("survey_name", "surveyName", "list", "survey name(s)"),
        Param("after", "after", "datetime", "results dated strictly after this instant"),
        Param("before", "before", "datetime", "results dated strictly before this instant"),
        Param("inserted_after", "insertedAfter", "datetime", "stored strictly after this instant"),
        Param("inserted_before", "insertedBefore", "datetime", "stored strictly before this instant"),
        Param("event", "event", "list", "survey event name(s)"),
    ),
    timeline=Timeline("date", "after", "before", group="survey_name"),
    doc="One row per completed survey (GET surveyresults); ``id`` is its answers' ``survey_result_id``. "
        "``user_type`` says who entered it (Participant, Coordinator, ServiceAccount); ``user`` names a "
        "coordinator.",
)

SURVEY_TASKS = Kind(
    name="survey_tasks",
    path="api/v1/delegated/surveytasks",
    token="participant",
    scope="SurveyTasks:read",
    shape="keyed",
    items_key="surveyTasks",
    paging=CURSOR,
    columns=(
        Column("id", "string"),
        Column("participantID", "string"),
        Column("participantIdentifier", "string"),
        Column("linkIdentifier", "string"),
        Column("surveyID", "string"),
        Column("surveyName", "category"),
        Column("surveyCategory", "string"),
        Column("surveyDisplayName", "string"),
        Column("surveyDescription", "string"),
        Column("startDate", "datetime"),
        Column("endDate", "datetime"),
        Column("status", "category"),
        Column("hasSavedProgress", "boolean"),
        Column("dueDate", "datetime"),
        Column("insertedDate", "datetime"),
        Column("modifiedDate", "datetime"),
        *SCHEDULE,
        Column("event", "string"),
    ),
    params=(
        Param("status", "status", "list", "task status(es)", choices=TASK_STATUSES),
        Param("survey_id", "surveyID", "guid", "one survey's id", taken_from=SURVEY_IDS),
        Param("survey_name", "surveyName", "list", "survey name(s)"),
        Param("survey_category", "surveyCategory", "str", "the survey's category"),
        Param("link_identifier", "linkIdentifier", "guid", "one task's link identifier",
              taken_from=(("survey_tasks", "link_identifier"),)),
        Param("sort_order", "sortOrder", "str", "by creation date; the API's default is descending",
              choices=SORT_ORDERS),
        Param("event", "event", "list", "survey event name(s)"),
    ),
    timeline=Timeline("due_date", group="status"),
    doc="The participant's survey tasks (GET surveytasks): incomplete, complete or closed; newest first "
        "unless ``sort_order='ascending'``. ``end_date`` is when a task was completed or closed.",
)

NOTIFICATIONS = Kind(
    name="notifications",
    order=(Ordered(("sent_date",)),),
    slicing=Slicing("sent_after", "sent_before"),
    path="api/v1/delegated/notifications",
    token="participant",
    scope="Notifications:read",
    shape="keyed",
    items_key="notifications",
    paging=CURSOR,
    columns=(
        Column("id", "string"),
        Column("identifier", "string"),
        Column("participantID", "string"),
        Column("participantIdentifier", "string"),
        Column("contentVersion", "Int64"),
        Column("sentDate", "datetime"),
        Column("statusCode", "category"),
        Column("statusDetail", "string"),
        Column("type", "category"),
        Column("recipients", "object"),
        Column("content.title", "string"),
        Column("content.body", "string"),
        Column("content.subject", "string"),
        Column("sourceUser.email", "string"),
        Column("sourceUser.name", "string"),
        *SCHEDULE,
    ),
    params=(
        Param("identifier", "identifier", "str", "the notification's configured identifier"),
        Param("sent_after", "sentAfter", "datetime", "sent strictly after this instant"),
        Param("sent_before", "sentBefore", "datetime", "sent strictly before this instant"),
        Param("type", "type", "str", "the channel", choices=("Sms", "Push", "Email")),
        Param("status_code", "statusCode", "str", "whether (and why not) it was sent",
              choices=("Succeeded", "Unsubscribed", "MissingContactInfo", "NoRegisteredMobileDevice",
                       "NoAssociatedUser", "ServiceError")),
    ),
    timeline=Timeline("sent_date", "sent_after", "sent_before", group="type"),
    doc="Notifications sent (or not) to the participant (GET notifications): Sms, Push, Email. The "
        "content is flattened: Sms ``content_body``, Push ``content_title`` and ``content_body``, Email "
        "``content_subject``; missing when the notification was not sent.",
)

INBOX = Kind(
    name="inbox",
    path="api/v1/delegated/inbox",
    token="participant",
    scope="SurveyTasks:read",
    shape="keyed",
    items_key="items",
    paging=CURSOR,
    columns=(
        Column("type", "category"),
        Column("id", "string"),
        Column("categories", "object"),
        Column("insertedDate", "datetime"),
        Column("endDate", "datetime"),
        Column("status", "category"),
        Column("isNew", "boolean"),
        Column("title", "string"),
        Column("content", "string"),
        Column("relatedResources", "object"),
        Column("dueDate", "datetime"),
        Column("name", "string"),
        Column("displayName", "string"),
        Column("description", "string"),
        Column("hasRestorationData", "boolean"),
        Column("subTitle", "string"),
        Column("url", "string"),
        Column("imageUrl", "string"),
    ),
    params=(
        Param("type", "type", "list", "item type(s)", choices=("message", "survey", "resource")),
        Param("status", "status", "list", "item status(es)", choices=TASK_STATUSES),
        Param("category", "category", "str", "one category the item has"),
        Param("sort_order", "sortOrder", "str", "the API's default is descending", choices=SORT_ORDERS),
        Param("sort_column", "sortColumn", "str", "the date to sort by (default insertedDate)",
              choices=("insertedDate", "dueDate", "endDate")),
        Param("ends_after", "endsAfter", "datetime", "items ending strictly after this instant"),
        Param("ends_before", "endsBefore", "datetime", "items ending strictly before this instant"),
    ),
    timeline=Timeline("end_date", "ends_after", "ends_before", group="type"),
    doc="The participant's inbox (GET inbox): messages (title, content, related resources), surveys "
        "(name, due date, saved progress as ``has_restoration_data``) and resources (title, url), one row "
        "each; ``is_new`` until opened. Needs SurveyTasks:read (see the survey family's notes).",
)

KINDS: tuple[Kind, ...] = (SURVEY_ANSWERS, SURVEY_RESULTS, SURVEY_TASKS, NOTIFICATIONS, INBOX)

OPERATIONS: tuple[Operation, ...] = (
    Operation(name="delete_survey_result", method="DELETE", path="api/v1/delegated/surveyresults/{id}",
              token="participant", scope="SurveyResults:write", expose=False,
              path_params=(Param("id", "surveyResultID", "guid", "the survey result's id", required=True,
                                 in_path=True, taken_from=RESULT_IDS[::-1]),),  # a result's own id first
              doc="Delete one survey result and its answers."),
    Operation(name="inbox_item", method="GET", path="api/v1/delegated/inbox/{id}", token="participant",
              scope="SurveyTasks:read", expose=False, path_params=_INBOX_ID, doc="One inbox item by id."),
    Operation(name="mark_inbox_item_read", method="PUT", path="api/v1/delegated/inbox/{id}/markRead",
              token="participant", scope="SurveyTasks:read", expose=False, path_params=_INBOX_ID,
              doc="Mark one inbox item read (it is no longer new)."),
    Operation(name="log_custom_event", method="POST", path="api/v1/delegated/customevents", token="participant",
              scope="CustomEvents:write", body="json", expose=False,
              doc="Record a custom event: ``{eventType, properties}``."),
)
