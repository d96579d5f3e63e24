"""The authenticator: the seed's intermediary between a client application and the service account.

"Never include your service token or private key in your client application code" (the seed): the
authenticator holds the service account (configured as ``connect()`` is) and hands *participant*
tokens onward to whoever presents an API key its grants file knows, for the participants and scopes
that key was granted. A web page running the JS SDK, or a notebook, then works with a token that can
see one participant and do only what its scopes allow.

::

    grants.py   the TOML grants file → Grants (constant-time API key lookup), GrantsFileError
    service.py  TokenService: authenticate, check against the grant, cached participant tokens
    app.py      the Starlette app: POST /token, GET /grant, GET /health, CORS
    server.py   AuthenticatorServer: uvicorn on a background thread, port 0, a ready event
    cli.py      ``mdh-notebook authenticator --config FILE`` (configure/run)

It stands on the client wing (``Client``, ``ParticipantTokenSource``, ``TokenCache``) and imports
nothing from the emulator.
"""

from __future__ import annotations

from .app import create_app
from .grants import ALL_PARTICIPANTS, Grant, Grants, GrantsFileError, hash_api_key
from .server import AuthenticatorServer, AuthenticatorStartError
from .service import LOGGER_NAME, IssuedToken, Refusal, TokenService

__all__ = [
    "ALL_PARTICIPANTS",
    "LOGGER_NAME",
    "AuthenticatorServer",
    "AuthenticatorStartError",
    "Grant",
    "Grants",
    "GrantsFileError",
    "IssuedToken",
    "Refusal",
    "TokenService",
    "create_app",
    "hash_api_key",
]
