"""Where credentials and the base URL come from.

Order, first match wins, and each variable is taken from the first place that has it:

1. explicit arguments to :meth:`Config.resolve` / ``connect()``;
2. environment variables ``MDH_BASE_URL``, ``RKS_SERVICE_ACCOUNT``, ``RKS_PROJECT_ID``,
   ``RKS_PRIVATE_KEY`` (PEM text) or ``MDH_PRIVATE_KEY_FILE`` (a path to it);
3. a ``.env`` file in the working directory (same names);
4. nothing at all → :meth:`Config.resolve` returns ``None`` and ``connect()`` falls back
   to the embedded sandbox.

Half a configuration (say an account but no key) is an error naming what is missing,
never a silent fall-back. Nothing here runs at import time.

:meth:`Config.locate` finds where each setting comes from without parsing anything (a
:class:`Located`); :meth:`Located.config` then checks them, each error a
:class:`ConfigurationError` naming the setting (``.setting``) and the fix: the base URL must be
the site root (no API path, query or missing scheme — the error names the root to use; a user
name, password or query is refused without being shown, it may hold a secret); the
project id a GUID (shown back only when it cannot be a pasted secret, see :func:`shown`); the key
an unencrypted RSA private key in PEM, its errors saying what the text is instead (empty, a file
path, only a first line — a multi-line value left unquoted in ``.env`` —, cut off, damaged,
password-protected, a public key, a certificate, an EC or OpenSSH key, binary DER) and never
quoting it. :meth:`Config.resolve` is the two in one, as ``connect()`` uses it.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa

from .errors import ConfigurationError
from .filters import as_guid

__all__ = ["CACHE_DIR_ENV", "DEFAULT_BASE_URL", "Config", "Located", "cache_dir_setting", "load_private_key",
           "read_dotenv", "shown"]

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://mydatahelps.org/"
TOKEN_PATH = "identityserver/connect/token"
CACHE_DIR_ENV = "MDH_CACHE_DIR"

_ENV_NAMES = {
    "base_url": "MDH_BASE_URL",
    "service_account": "RKS_SERVICE_ACCOUNT",
    "project_id": "RKS_PROJECT_ID",
    "private_key": "RKS_PRIVATE_KEY",
    "private_key_file": "MDH_PRIVATE_KEY_FILE",
}


_PEM_BEGIN = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----")
_PATHISH = re.compile(r"[\w.~/\\:-]+\.(?:pem|key|txt|der|p8|pk8)", re.IGNORECASE)
_KEY_USE = "use the RSA private key your service account was registered with"


def shown(value: object, *, limit: int = 48) -> str:
    """``value`` as an error message may show it: a setting that is not a secret, unless someone
    pasted a secret into it — then only its first characters and its length."""
    text = str(value)
    secretish = "BEGIN" in text or text.startswith("eyJ") or len(text) > limit or "\n" in text
    return f"{text[:4]!r}… ({len(text)} characters)" if secretish else repr(text)


class _DotenvParseNotes(logging.Filter):
    """Keeps python-dotenv's "could not parse statement" warnings off stderr (the last-resort handler
    prints them bare, several times over); the line numbers are kept for our own, quieter note."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        if "could not parse" in str(record.msg):
            self.lines.extend(str(arg) for arg in record.args or ())
            return False
        return True


def read_dotenv(path: str | os.PathLike[str] | None = None) -> dict[str, str | None]:
    """The settings in the ``.env`` at ``path`` (default ``./.env``; a missing file has none): the one
    reader config and connect use. A line python-dotenv cannot parse (typically a multi-line key
    left unquoted) is not its warning on stderr: the setting it held is then missing or cut, and the
    error about that setting says what is wrong and how to quote it."""
    from dotenv import dotenv_values

    file = Path(path) if path is not None else Path.cwd() / ".env"
    if not file.is_file():
        return {}
    notes = _DotenvParseNotes()
    dotenv_log = logging.getLogger("dotenv.main")
    dotenv_log.addFilter(notes)
    try:
        values = dict(dotenv_values(file))
    finally:
        dotenv_log.removeFilter(notes)
    if notes.lines:
        log.info("%s: line(s) %s could not be parsed (a multi-line value not in double quotes?)", file,
                 ", ".join(notes.lines))
    return values


def cache_dir_setting(cache_dir: str | os.PathLike[str] | None = None, *, environ: Mapping[str, str] | None = None,
                      dotenv_path: str | os.PathLike[str] | None = None) -> str | None:
    """The directory of the incremental cache: ``cache_dir``, else ``MDH_CACHE_DIR`` from the
    environment, else from ``./.env``; None (no cache) when none of them names one. Read only when
    called (``connect()`` calls it), with the one ``.env`` reader."""
    if cache_dir is not None:
        if not isinstance(cache_dir, (str, os.PathLike)):
            raise ConfigurationError(f"cache_dir={cache_dir!r}: it takes a path (a str or pathlib.Path) of the "
                                     "directory to keep the cache in", setting="cache_dir")
        where = os.fspath(cache_dir)
        if not isinstance(where, str) or where == "":
            raise ConfigurationError(f"cache_dir={cache_dir!r} names no directory: leave cache_dir out (no cache, "
                                     "or MDH_CACHE_DIR's) or give a directory, e.g. cache_dir='~/.cache/mdh'",
                                     setting="cache_dir")
        return where
    env = os.environ if environ is None else environ
    value = env.get(CACHE_DIR_ENV) or read_dotenv(dotenv_path).get(CACHE_DIR_ENV)
    return value or None


def _key_error(origin: str, problem: str, *, fix: str) -> ConfigurationError:
    return ConfigurationError(f"{origin} {problem}: {fix}", setting="private_key")


def _unreadable_pem(text: str, origin: str, file: str | None) -> ConfigurationError:
    """Why PEM text is no usable key, from its labels (never from the library's words, never quoting it)."""
    labels = _PEM_BEGIN.findall(text)
    where = file or "key.pem"
    in_dotenv = origin.endswith(".env)")
    if not labels:
        return _key_error(origin, "is not a PEM private key", fix=(
            "it should start with '-----BEGIN PRIVATE KEY-----' or '-----BEGIN RSA PRIVATE KEY-----' — "
            "paste the whole key, BEGIN and END lines included, or point MDH_PRIVATE_KEY_FILE at the key file"))
    label = labels[0]
    if "ENCRYPTED" in label or "Proc-Type: 4,ENCRYPTED" in text:
        return _key_error(origin, "is password-protected", fix=(
            f"decrypt it once: openssl pkey -in {where} -out key-decrypted.pem (it asks for the password), "
            "then use the decrypted file (keep it private, e.g. chmod 600)"))
    if "PUBLIC KEY" in label:
        return _key_error(origin, "is a public key", fix=(
            "give the private key it pairs with (the public key is the half you registered with MyDataHelps)"))
    if "CERTIFICATE" in label:
        return _key_error(origin, f"is a certificate ({label}), not a private key", fix=_KEY_USE)
    if label == "OPENSSH PRIVATE KEY":
        return _key_error(origin, "is in OpenSSH's own format", fix=(
            f"convert a copy to PEM: cp {where} key-pem.key && ssh-keygen -p -m PEM -f key-pem.key"))
    if "-----END" not in text:
        if text.count("\n") == 0:
            fix = ("a multi-line value must be quoted in .env: RKS_PRIVATE_KEY=\"-----BEGIN …\" (the whole key, "
                   "every line, inside double quotes), or put the key in a file and set MDH_PRIVATE_KEY_FILE"
                   if in_dotenv else
                   "give the whole key, every line (or write it on one line with \\n between lines), "
                   "or put it in a file and set MDH_PRIVATE_KEY_FILE")
            return _key_error(origin, f"stops after its first line ('-----BEGIN {label}-----', no END line)", fix=fix)
        return _key_error(origin, "is cut off (it has no '-----END' line)",
                          fix="paste the whole key again, or point MDH_PRIVATE_KEY_FILE at the key file")
    if label not in ("PRIVATE KEY", "RSA PRIVATE KEY"):
        return _key_error(origin, f"is a {label}", fix=f"MyDataHelps service accounts sign with RS256: {_KEY_USE}")
    return _key_error(origin, "has BEGIN and END lines but the text between them is damaged", fix=(
        "a line lost or changed while copying? paste the key again, or point MDH_PRIVATE_KEY_FILE at the key file"))


def load_private_key(pem: str | bytes, *, origin: str = "the private key", file: str | None = None
                     ) -> rsa.RSAPrivateKey:
    """Parse an RSA private key from PEM (PKCS#1 or PKCS#8) once, with an error that names the fix.

    The errors say what the text is (empty, a file path, a first line only — an unquoted
    multi-line value in ``.env`` —, password-protected, a public key, a certificate, an EC or
    OpenSSH key, damaged) from its PEM labels, and never quote it. ``file``: the path it was read
    from, for the commands the errors suggest.
    """
    if isinstance(pem, (bytes, bytearray)):
        try:
            text = bytes(pem).decode("ascii")
        except UnicodeDecodeError:
            raise _key_error(origin, "is not PEM text (a binary file — a DER key?)", fix=(
                f"convert it to PEM: openssl pkey -inform DER -in {file or 'key.der'} -out key.pem")) from None
    elif isinstance(pem, str):
        text = pem
    else:
        raise _key_error(origin, f"is a {type(pem).__name__}", fix=(
            "pass PEM text (str or bytes), an RSA private key object, or the key file's path as private_key_file="))
    text = text.strip()
    if "\\n" in text and "\n" not in text:  # one-line .env spelling
        text = text.replace("\\n", "\n")
    if not text:
        raise _key_error(origin, "is empty", fix=(
            "set RKS_PRIVATE_KEY to the key's PEM text, or MDH_PRIVATE_KEY_FILE to the key file's path"))
    if "-----" not in text and "\n" not in text and (_PATHISH.fullmatch(text) or Path(text).expanduser().is_file()):
        raise _key_error(origin, f"looks like a file path ({shown(text, limit=200)}), not the key itself",
                         fix="set MDH_PRIVATE_KEY_FILE (or pass private_key_file=) for a key in a file")
    try:
        key = serialization.load_pem_private_key(text.encode("ascii", "replace"), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise _unreadable_pem(text, origin, file) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        name = ("an EC key" if isinstance(key, ec.EllipticCurvePrivateKey) else
                "an Ed25519 key" if isinstance(key, ed25519.Ed25519PrivateKey) else
                "a DSA key" if isinstance(key, dsa.DSAPrivateKey) else f"a {type(key).__name__}")
        raise _key_error(origin, f"is {name}, not an RSA key",
                         fix=f"MyDataHelps service accounts sign with RS256: {_KEY_USE}")
    return key


def _normalise_base_url(url: object, origin: str = "MDH_BASE_URL") -> str:
    """The API's site root with a trailing slash; a URL that cannot be one is refused naming the fix."""
    if not isinstance(url, str):
        raise ConfigurationError(f"{origin} must be a URL string such as {DEFAULT_BASE_URL!r}, got "
                                 f"{type(url).__name__}", setting="base_url")
    text = url.strip()
    # a user part or a query may hold a password or a key: such a URL is never shown back
    said = f"{shown(text)} " if not any(c in text for c in "@?#") else ""
    if "://" not in text:
        host = text.split("/")[0].rpartition("@")[2].split("?")[0].split("#")[0]
        scheme = "http" if host.split(":")[0] in ("localhost", "127.0.0.1", "[::1]") else "https"
        raise ConfigurationError(f"{origin} {said}has no scheme: write {scheme}://{host}/ "
                                 "(the site root, with http:// or https://)", setting="base_url")
    try:
        parsed = httpx.URL(text)
    except httpx.InvalidURL:
        raise ConfigurationError(f"{origin} {said}is not a URL; use the site root, e.g. "
                                 f"{DEFAULT_BASE_URL!r}", setting="base_url") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigurationError(
            f"{origin} {said}must be an http(s) URL with a host, such as {DEFAULT_BASE_URL!r}",
            setting="base_url")
    segments = [s for s in parsed.path.split("/") if s]
    api_at = next((i for i, s in enumerate(segments) if s.lower() in ("api", "identityserver")), None)
    prefix = "".join(f"{s}/" for s in segments[:api_at])
    root = str(parsed.copy_with(path="/" + prefix, query=None, fragment=None, username=None, password=None))
    if parsed.userinfo or parsed.query or parsed.fragment:
        parts = [name for name, there in (("a user name or password", parsed.userinfo), ("a query", parsed.query),
                                          ("a fragment", parsed.fragment)) if there]
        raise ConfigurationError(
            f"{origin} has {' and '.join(parts)} in it (not shown: it may hold a secret): remove "
            f"{'it' if len(parts) == 1 else 'them'} and use the site root {root} — credentials go in "
            "RKS_SERVICE_ACCOUNT and RKS_PRIVATE_KEY, never in the URL", setting="base_url")
    if api_at is not None:
        raise ConfigurationError(f"{origin} {shown(text, limit=200)} has an API path in it: use the site root "
                                 f"{root} (the client adds the API paths itself)", setting="base_url")
    text = str(parsed)
    return text if text.endswith("/") else text + "/"


def _check_project_id(value: object, origin: str = "RKS_PROJECT_ID") -> str:
    """A project id is a GUID (the filters' one check, :func:`~mdh_notebook.filters.as_guid`: any form
    .NET reads, kept canonical); anything else would only surface later as 'no participant …'."""
    text = str(value).strip()
    guid = as_guid(text)
    if guid is None:
        raise ConfigurationError(
            f"{origin} {shown(text)} is not a project id: MyDataHelps project ids are GUIDs like "
            "'3f2504e0-4f89-41d3-9a0c-0305e82c3301' — copy it from the project in MyDataHelps Designer",
            setting="project_id")
    return guid


@dataclass(frozen=True)
class Config:
    """A complete service-account configuration. The key is held parsed and never shown."""

    base_url: str
    service_account: str
    project_id: str
    private_key: rsa.RSAPrivateKey = field(repr=False, compare=False)
    source: str = "arguments"

    def __repr__(self) -> str:
        return (f"Config(base_url={self.base_url!r}, service_account={self.service_account!r}, "
                f"project_id={self.project_id!r}, private_key=<hidden>, source={self.source!r})")

    @property
    def token_url(self) -> str:
        return str(httpx.URL(self.base_url).join(TOKEN_PATH))

    @classmethod
    def from_values(cls, *, base_url: str | None = None, service_account: str, project_id: str,
                    private_key: str | bytes | rsa.RSAPrivateKey, source: str = "arguments") -> Config:
        """Build a config from known values (PEM text, bytes or a loaded key).

        The project id is not checked for being a GUID here (tests build configs for fake
        servers); :meth:`resolve` — what ``connect()`` uses — checks it.
        """
        for name, value in (("service_account", service_account), ("project_id", project_id)):
            if not isinstance(value, str) or not value.strip():
                raise ConfigurationError(f"Config.from_values needs {name}= as a non-empty string, got {value!r}",
                                         setting=name)
        key = private_key if isinstance(private_key, rsa.RSAPrivateKey) else \
            load_private_key(private_key, origin="the private_key= value")
        return cls(_normalise_base_url(base_url or DEFAULT_BASE_URL, "base_url"), service_account.strip(),
                   project_id.strip(), key, source)

    @classmethod
    def locate(
        cls,
        *,
        base_url: str | None = None,
        service_account: str | None = None,
        project_id: str | None = None,
        private_key: str | bytes | None = None,
        private_key_file: str | os.PathLike[str] | None = None,
        environ: Mapping[str, str] | None = None,
        dotenv_path: str | os.PathLike[str] | None = None,
    ) -> Located | None:
        """Where each setting comes from (arguments > environment > ``.env``), nothing parsed yet;
        ``None`` when nothing is configured at all. :meth:`Located.config` checks and parses them."""
        env = os.environ if environ is None else environ
        dotenv_file = Path(dotenv_path) if dotenv_path is not None else Path.cwd() / ".env"
        dot: dict[str, Any] = read_dotenv(dotenv_file)

        given = {"base_url": base_url, "service_account": service_account, "project_id": project_id,
                 "private_key": private_key, "private_key_file": private_key_file}
        levels = (("arguments", given.get), ("environment", lambda n: env.get(_ENV_NAMES[n])),
                  (str(dotenv_file), lambda n: dot.get(_ENV_NAMES[n])))
        values: dict[str, Any] = {}
        origins: dict[str, str] = {}
        for name in ("base_url", "service_account", "project_id"):
            for origin, lookup in levels:
                value = lookup(name)
                if value not in (None, ""):
                    values[name], origins[name] = value, origin
                    break
        # the key is ONE setting in two spellings: the first level that has either form wins
        for origin, lookup in levels:
            pem, file = lookup("private_key"), lookup("private_key_file")
            if pem not in (None, "") and file not in (None, ""):
                raise ConfigurationError(
                    f"both RKS_PRIVATE_KEY and MDH_PRIVATE_KEY_FILE are set in {origin}: keep one of them",
                    setting="private_key")
            if pem not in (None, ""):
                values["private_key"], origins["private_key"] = pem, origin
                break
            if file not in (None, ""):
                values["private_key_file"], origins["private_key_file"] = file, origin
                break

        credential_names = ("service_account", "project_id")
        has_key = "private_key" in values or "private_key_file" in values
        if not any(n in values for n in credential_names) and not has_key:
            if "base_url" in values:
                raise ConfigurationError(
                    f"MDH_BASE_URL is set (from {origins['base_url']}) but no service account is: also set "
                    "RKS_SERVICE_ACCOUNT, RKS_PROJECT_ID and RKS_PRIVATE_KEY (or MDH_PRIVATE_KEY_FILE), "
                    "or unset MDH_BASE_URL to use the embedded sandbox"
                )
            return None
        missing = [_ENV_NAMES[n] for n in credential_names if n not in values]
        if not has_key:
            missing.append("RKS_PRIVATE_KEY (or MDH_PRIVATE_KEY_FILE)")
        if missing:
            found = sorted({origins[n] for n in values})
            raise ConfigurationError(
                f"incomplete MyDataHelps configuration (found some in {', '.join(found)}): set "
                + ", ".join(missing)
                + " as arguments, environment variables or in .env — or remove the others to use the sandbox"
            )
        return Located(values, origins)

    @classmethod
    def resolve(
        cls,
        *,
        base_url: str | None = None,
        service_account: str | None = None,
        project_id: str | None = None,
        private_key: str | bytes | None = None,
        private_key_file: str | os.PathLike[str] | None = None,
        environ: Mapping[str, str] | None = None,
        dotenv_path: str | os.PathLike[str] | None = None,
    ) -> Config | None:
        """Resolve arguments > environment > ``.env``; ``None`` when nothing is configured at all.

        ``environ`` defaults to ``os.environ`` and ``dotenv_path`` to ``./.env``; both are
        read only when this is called.
        """
        located = cls.locate(base_url=base_url, service_account=service_account, project_id=project_id,
                             private_key=private_key, private_key_file=private_key_file, environ=environ,
                             dotenv_path=dotenv_path)
        return None if located is None else located.config()


def _origin(name: str, origins: Mapping[str, str]) -> str:
    where = origins[name]
    if where == "arguments":
        return f"{name}="
    return f"{_ENV_NAMES[name]} (from {'.env' if where.endswith('.env') else where})"


@dataclass(frozen=True)
class Located:
    """The settings :meth:`Config.locate` found and where each came from; the key still unparsed
    (text or a path), so it is kept out of the repr."""

    values: Mapping[str, Any] = field(repr=False)
    origins: Mapping[str, str]

    @property
    def source(self) -> str:
        """Every place a setting came from, in order."""
        return ", ".join(dict.fromkeys(self.origins.values()))

    @property
    def key_origin(self) -> str:
        """Where the key comes from, e.g. ``MDH_PRIVATE_KEY_FILE (from environment)``."""
        name = "private_key" if "private_key" in self.values else "private_key_file"
        return _origin(name, self.origins)

    def config(self) -> Config:
        """Check the base URL and the project id, read and parse the key: the :class:`Config`, or a
        :class:`ConfigurationError` naming the setting (``.setting``) and the fix."""
        values, origins = self.values, self.origins
        base_url = _normalise_base_url(values["base_url"], _origin("base_url", origins)) \
            if "base_url" in values else DEFAULT_BASE_URL
        project_id = _check_project_id(values["project_id"], _origin("project_id", origins))
        if "private_key" in values:
            key = load_private_key(values["private_key"], origin=self.key_origin)
        else:
            key = load_private_key(_read_key_file(values["private_key_file"], self.key_origin),
                                   origin=f"the key file {str(values['private_key_file'])!r}",
                                   file=str(values["private_key_file"]))
        return Config(base_url, str(values["service_account"]).strip(), project_id, key, self.source)


def _read_key_file(value: str | os.PathLike[str], origin: str) -> bytes:
    path = Path(value).expanduser()
    if path.is_dir():
        raise ConfigurationError(f"{origin} {str(path)!r} is a folder, not a file: point it at the key file "
                                 "itself (e.g. .../service-account.key)", setting="private_key")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigurationError(f"{origin} {str(path)!r} does not exist: check the path (relative paths start "
                                 f"at {str(Path.cwd())!r}), or set RKS_PRIVATE_KEY to the key's text instead",
                                 setting="private_key") from None
    except OSError as exc:
        raise ConfigurationError(f"cannot read {origin} {str(path)!r} ({exc.strerror}): check its permissions",
                                 setting="private_key") from None
