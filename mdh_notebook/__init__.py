"""mdh_notebook — one MyDataHelps participant's data as typed pandas DataFrames.

>>> import mdh_notebook as mdh
>>> session = mdh.connect("PT-0001", scopes=["SurveyAnswers:read"])   # doctest: +SKIP
>>> answers = session.survey_answers(survey_name="PHQ-9")             # doctest: +SKIP

With nothing configured, everything runs against the embedded sandbox (a local emulator
of the MyDataHelps API with synthetic participants). ``mdh.sandbox(participant_token_lifetime=20)``
starts one of your own and returns its ``Config``. Nothing is read or started at import.
``mdh.connect("PT-0001", scopes, authenticator=URL, api_key=KEY)`` (or ``MDH_AUTHENTICATOR_URL`` and
``MDH_API_KEY``) gets participant tokens from an authenticator: no service key in this process.
``mdh.cohort(["PT-0001", "PT-0002"], scopes)`` reads many participants at once: the same read methods,
one frame with a ``participant_identifier`` column, per-participant failures in ``.failures``.
``mdh.catalog()`` lists every data kind and write: scope, method, endpoint, columns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

from .analysis import answers_wide, scored_surveys, survey_scores
from .auth import AuthenticatorTokenSource, RenewalEvent, Token
from .cache import Cache, CacheWarning
from .client import Client, RateLimit
from .cohort import Cohort, CohortError, CohortWarning, cohort
from .config import Config
from .connect import connect, embedded_sandbox, open_client, sandbox, stop_sandbox
from .errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ClosedError,
    ConfigurationError,
    InvalidArgumentError,
    MDHError,
    NaiveDatetimeWarning,
    NotFoundError,
    ParticipantNotFound,
    PermissionDeniedError,
    RateLimitError,
    ScopeError,
    ServerError,
    SourceDisabledWarning,
    TokenRequestError,
    TransportError,
    UnknownValueWarning,
)
from .frames import DataWarning, to_frame
from .kinds import KINDS, OPERATIONS, catalog
from .paging import PagerState, SliceState
from .retry import RetryPolicy
from .scopes import KNOWN_SCOPES
from .session import ParticipantSession

__all__ = [
    "KINDS",
    "KNOWN_SCOPES",
    "OPERATIONS",
    "APIError",
    "AuthenticationError",
    "AuthenticatorTokenSource",
    "BadRequestError",
    "Cache",
    "CacheWarning",
    "Client",
    "ClosedError",
    "Cohort",
    "CohortError",
    "CohortWarning",
    "Config",
    "ConfigurationError",
    "DataWarning",
    "InvalidArgumentError",
    "MDHError",
    "NaiveDatetimeWarning",
    "NotFoundError",
    "PagerState",
    "ParticipantNotFound",
    "ParticipantSession",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "RenewalEvent",
    "RetryPolicy",
    "ScopeError",
    "ServerError",
    "SliceState",
    "SourceDisabledWarning",
    "Token",
    "TokenRequestError",
    "TransportError",
    "UnknownValueWarning",
    "__version__",
    "answers_wide",
    "catalog",
    "cohort",
    "connect",
    "embedded_sandbox",
    "open_client",
    "sandbox",
    "scored_surveys",
    "stop_sandbox",
    "survey_scores",
    "to_frame",
]

if TYPE_CHECKING:  # editors and mypy see the lazy submodules as modules
    from . import plots as plots
    from . import widgets as widgets

_LAZY = ("plots", "widgets")  # matplotlib and ipywidgets load on first use, not at import (nor by `import *`)


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

