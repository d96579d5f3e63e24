"""Token issuing and verification: the service account's key pair, the JWT client assertion
check, and RS256 access tokens signed by a separate sandbox signing key.

Time bases (a decision where the reference is silent): a client assertion is checked against the
real wall clock, because it is stamped by the client's own clock; issued access tokens (their
``iat``/``exp``, ``expires_in`` and expiry checks) use the sandbox clock, which the control plane
can move forward to expire tokens without sleeping.
"""

from __future__ import annotations

import dataclasses
import json
import math
import threading
import uuid
from collections.abc import Collection
from typing import Any, Literal, TypeGuard

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .clock import Clock
from .config import SandboxConfig
from .exceptions import InvalidClient, Unauthorized, shown

__all__ = [
    "DELEGATED_CLIENT_IDS",
    "EXPIRED",
    "JWT_BEARER",
    "LIFETIME_SLACK",
    "MAX_ASSERTION_CHARS",
    "MAX_TOKEN_CHARS",
    "REVOKED",
    "VERIFIED_LIMIT",
    "AccessClaims",
    "TokenAuthority",
    "TokenKind",
]

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
DELEGATED_CLIENT_IDS = frozenset(
    {"MyDataHelps.DelegatedParticipant", "RKStudio.DelegatedParticipant", "MyDataHelps-Web.DelegatedParticipant"}
)
#: An ``exp`` beyond this is taken as milliseconds (1e11 s is the year 5138; 1e11 ms is 1973).
_MILLISECONDS_THRESHOLD = 1e11
#: The lifetime cap's least slack: the official Python quickstart sent ``exp = now + 900`` for two
#: years, which a client clock a second or two ahead makes 901-902 s, even with ``clock_skew`` 0.
LIFETIME_SLACK = 5.0
#: Longer client assertions are refused before any decoding (a real one is well under 1 KB).
MAX_ASSERTION_CHARS = 8192
#: Longer bearer tokens are refused before any decoding (ours are about 700 characters).
MAX_TOKEN_CHARS = 8192
#: At most this many verified access tokens are remembered (``TokenAuthority.verify``).
VERIFIED_LIMIT = 4096

#: What a 401 says of an expired access token (an injected ``expire`` fault says the same).
EXPIRED = "access token has expired"
REVOKED = "access token has been revoked"

TokenKind = Literal["service", "participant"]
_KIND_CLAIM = "token_kind"
#: The revocation generation a token was issued in: ``revoke`` starts a new one. (Not ``iat``: a
#: token issued in the same second as a revocation must still be good.)
_GENERATION_CLAIM = "gen"

_JWS = jwt.PyJWS()


@dataclasses.dataclass(frozen=True)
class AccessClaims:
    kind: TokenKind
    subject: str
    client_id: str
    scopes: tuple[str, ...]
    expires_at: float
    project_id: str


def _number(value: object) -> TypeGuard[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


class TokenAuthority:
    """Holds the keys and the jti replay cache; thread-safe."""

    def __init__(self, config: SandboxConfig, clock: Clock, project_id: str) -> None:
        self._config = config
        self._clock = clock
        self._project_id = project_id
        self._account_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._account_public = self._account_key.public_key()
        self._signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._signing_public = self._signing_key.public_key()
        self._key_id = uuid.uuid4().hex[:16]
        self._seen_jti: dict[str, float] = {}
        self._generation = 0
        self._lock = threading.Lock()
        #: token -> its payload, for access tokens whose signature verified (a pure function of the
        #: token's text and our key, which never changes): a page request then checks no signature,
        #: only the claims that change with time and revocation (``verify``). Never mutated once in.
        self._verified: dict[str, dict[str, Any]] = {}

    # -- keys -------------------------------------------------------------------------------
    @property
    def service_account(self) -> str:
        return self._config.service_account

    def service_account_private_key_pem(self) -> str:
        """The service account's private key, PKCS#1 PEM ("BEGIN RSA PRIVATE KEY")."""
        return self._account_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ).decode("ascii")

    def signing_public_key_pem(self) -> str:
        return self._signing_public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")

    def reset(self) -> None:
        """Forget the assertions seen. Revocations stand (as the keys do)."""
        with self._lock:
            self._seen_jti.clear()

    def revoke(self) -> None:
        """Every access token issued so far, service and participant, is refused from now on."""
        with self._lock:
            self._generation += 1

    # -- client assertion -------------------------------------------------------------------
    def verify_client_assertion(self, assertion: str, audiences: Collection[str]) -> str:
        """Check a ``client_credentials`` JWT assertion; return the service account name.

        ``audiences``: the token endpoint URLs an ``aud`` may name (the first is the advertised one).
        """
        account = self._config.service_account
        if len(assertion) > MAX_ASSERTION_CHARS:
            raise InvalidClient(
                f"client_assertion is too long ({len(assertion)} characters; at most {MAX_ASSERTION_CHARS})"
            )
        try:
            unverified = _JWS.decode_complete(assertion, options={"verify_signature": False})
            header = unverified["header"]
            claims = json.loads(unverified["payload"])
        except Exception:  # any decoding failure (even RecursionError on crafted nesting) is the client's
            raise InvalidClient("client_assertion is not a well-formed JWT") from None
        if not isinstance(claims, dict) or not isinstance(header, dict):
            raise InvalidClient("client_assertion header and payload must be JSON objects")
        alg = header.get("alg")
        if alg != "RS256":
            raise InvalidClient(f"client_assertion must be signed with RS256 (header alg is {shown(alg)})")
        iss = claims.get("iss")
        if not isinstance(iss, str) or not iss:
            raise InvalidClient("client_assertion is missing the iss claim (the service account name)")
        if iss != account:
            raise InvalidClient(f"unknown service account {shown(iss)} in iss")
        try:
            _JWS.decode_complete(assertion, key=self._account_public, algorithms=["RS256"])
        except jwt.InvalidSignatureError:
            raise InvalidClient(
                f"client_assertion signature does not verify against the public key registered for {account}"
            ) from None
        except Exception:
            raise InvalidClient("client_assertion could not be verified") from None
        if claims.get("sub") != iss:
            raise InvalidClient("client_assertion sub must equal iss (the service account name)")
        self._check_audience(claims.get("aud"), audiences)
        exp = self._check_times(claims)
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            raise InvalidClient("client_assertion is missing the jti claim (a unique id per assertion)")
        self._remember_jti(f"{iss}\n{jti}", exp)
        return iss

    @staticmethod
    def _check_audience(aud: object, audiences: Collection[str]) -> None:
        expected = " or ".join(dict.fromkeys(audiences))
        if aud is None:
            raise InvalidClient(f"client_assertion is missing the aud claim; it must be {expected}")
        values = aud if isinstance(aud, list) else [aud]
        if not any(isinstance(value, str) and value in audiences for value in values):
            raise InvalidClient(f"client_assertion aud must be the token endpoint URL {expected}")

    def _check_times(self, claims: dict[str, Any]) -> float:
        now = self._clock.wall()
        skew = self._config.clock_skew
        limit = self._config.max_assertion_lifetime
        if "exp" not in claims:
            raise InvalidClient("client_assertion is missing the exp claim")
        exp = claims["exp"]
        if not _number(exp):
            raise InvalidClient("client_assertion exp must be a number: seconds since the Unix epoch")
        if exp > _MILLISECONDS_THRESHOLD:
            raise InvalidClient(
                "client_assertion exp is far in the future - it looks like milliseconds; "
                "exp must be in seconds since the Unix epoch"
            )
        if exp <= now - skew:
            raise InvalidClient(f"client_assertion has expired ({int(now - exp)} s ago)")
        if exp - now > limit + max(skew, LIFETIME_SLACK):
            raise InvalidClient(
                f"client_assertion lifetime too long: exp is {int(exp - now)} s ahead, "
                f"at most {int(limit)} s is allowed"
            )
        for claim in ("nbf", "iat"):
            value = claims.get(claim)
            if value is None:
                continue
            if not _number(value):
                raise InvalidClient(f"client_assertion {claim} must be a number of seconds")
            if value > now + skew:
                raise InvalidClient(f"client_assertion {claim} is in the future")
        return float(exp)

    def _remember_jti(self, key: str, exp: float) -> None:
        now = self._clock.wall()
        with self._lock:
            if len(self._seen_jti) > 1024:
                horizon = now - self._config.clock_skew
                self._seen_jti = {k: v for k, v in self._seen_jti.items() if v >= horizon}
            previous = self._seen_jti.get(key)
            if previous is not None and previous >= now - self._config.clock_skew:
                raise InvalidClient(
                    "client_assertion jti has already been used; every token request needs a new "
                    "assertion with a fresh jti"
                )
            self._seen_jti[key] = exp

    # -- access tokens ----------------------------------------------------------------------
    def issue(
        self,
        kind: TokenKind,
        subject: str,
        client_id: str,
        scopes: list[str],
        lifetime: float,
        issuer: str,
    ) -> tuple[str, int]:
        """Sign an access token; return (token, expires_in)."""
        now = self._clock.now()
        claims = {
            "iss": issuer,
            "sub": subject,
            "client_id": client_id,
            "scope": list(scopes),
            "iat": int(now),
            "nbf": int(now),
            "exp": now + lifetime,
            "jti": uuid.uuid4().hex,
            _KIND_CLAIM: kind,
            "project_id": self._project_id,
            _GENERATION_CLAIM: self._generation,
        }
        token = jwt.encode(claims, self._signing_key, algorithm="RS256", headers={"kid": self._key_id})
        return token, math.floor(lifetime)

    def verify(self, token: str) -> AccessClaims:
        """Verify an access token against the sandbox clock; raise Unauthorized if unusable."""
        if len(token) > MAX_TOKEN_CHARS:
            raise Unauthorized("access token is malformed (too long)")
        claims = self._verified.get(token)
        if claims is None:
            claims = self._signed_payload(token)
            if len(self._verified) >= VERIFIED_LIMIT:
                self._verified.clear()  # a burst of distinct tokens: start over rather than grow
            self._verified[token] = claims
        if claims.get(_GENERATION_CLAIM) != self._generation:
            raise Unauthorized(REVOKED)
        now = self._clock.now()
        exp = claims.get("exp")
        if not _number(exp):
            raise Unauthorized("access token has no expiry")
        if exp <= now:
            raise Unauthorized(EXPIRED)
        nbf = claims.get("nbf")
        if _number(nbf) and nbf > now + self._config.clock_skew:
            raise Unauthorized("access token is not valid yet")
        kind = claims.get(_KIND_CLAIM)
        scopes = claims.get("scope")
        if kind not in ("service", "participant") or not isinstance(scopes, list):
            raise Unauthorized("access token is malformed")
        return AccessClaims(
            kind=kind,
            subject=str(claims.get("sub")),
            client_id=str(claims.get("client_id")),
            scopes=tuple(str(s) for s in scopes),
            expires_at=float(exp),
            project_id=str(claims.get("project_id")),
        )

    def _signed_payload(self, token: str) -> dict[str, Any]:
        """The payload of a token signed with our key; Unauthorized for anything else."""
        try:
            decoded = _JWS.decode_complete(token, key=self._signing_public, algorithms=["RS256"])
            claims = json.loads(decoded["payload"])
        except Exception:  # any decoding failure (even RecursionError on a crafted header) is the client's
            raise Unauthorized("access token is malformed or not signed by this server") from None
        if not isinstance(claims, dict):
            raise Unauthorized("access token is malformed")
        return claims

    def remaining(self, claims: AccessClaims) -> float:
        return claims.expires_at - self._clock.now()
