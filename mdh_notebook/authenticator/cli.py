"""``mdh-notebook authenticator``: serve participant tokens to API-key holders until SIGINT/SIGTERM.

``configure(parser)`` adds the options, ``run(args)`` runs it (``mdh_notebook/cli.py`` wires both; so
does ``python -m mdh_notebook.authenticator``). The service account is configured as ``connect()``'s
is: the options below, else ``MDH_*``/``RKS_*`` environment variables, else a ``.env`` file
(``--env-file`` names another). Once listening it prints ``MDH authenticator listening on <url>``
(flushed) on stdout; the log (who got what, who was refused, uvicorn's and stamina's lines, each with
a time and a level) goes to stderr. Neither ever holds a token or a key.

``--hash-key`` reads an API key on stdin (not echoed on a terminal) and prints the grants file's
``api_key_sha256 = "…"`` line, so the key itself need not be written down anywhere.

Listening on an address other than loopback is warned of: keys and tokens would cross the network
in cleartext — put a TLS-terminating proxy in front.
"""

from __future__ import annotations

import argparse
import getpass
import ipaddress
import logging
import os
import signal
import sys
import threading
from types import FrameType

from ..client import Client
from ..config import Config
from ..errors import ConfigurationError, MDHError, TransportError
from .app import check_origins
from .grants import HASH_HOW, Grants, api_key_problem, hash_api_key
from .server import AuthenticatorServer
from .service import LOGGER_NAME, TokenService

__all__ = ["READY_LINE", "configure", "run"]

READY_LINE = "MDH authenticator listening on {url}"
_NOT_CONFIGURED = (
    "no MyDataHelps service account is configured, and the authenticator needs one: set MDH_BASE_URL, "
    "RKS_SERVICE_ACCOUNT, RKS_PROJECT_ID and RKS_PRIVATE_KEY (or MDH_PRIVATE_KEY_FILE) in the environment or a "
    ".env file (or pass --env-file PATH). To try it locally, start `mdh-notebook sandbox --env-file sandbox.env` "
    "in another terminal and run this with --env-file sandbox.env (see `mdh-notebook sandbox --help`)"
)
log = logging.getLogger(LOGGER_NAME)


def configure(parser: argparse.ArgumentParser) -> None:
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--config", metavar="FILE",
                      help="the grants file (TOML, one [[grant]] per API key: api_key or api_key_sha256, "
                           "participants, scopes)")
    what.add_argument("--hash-key", action="store_true",
                      help="read an API key on stdin and print its api_key_sha256 line for the grants file, "
                           "then exit")
    parser.add_argument("--host", default="127.0.0.1",
                        help="interface to bind (default %(default)s; another one is warned of: plain HTTP)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 = any free port (default %(default)s)")
    parser.add_argument("--cors-origin", action="append", default=None, metavar="ORIGIN", dest="cors_origins",
                        help="a web origin allowed to call it, as a browser sends it: scheme://host[:port], no "
                             "path, e.g. https://study.example.org (repeatable; '*' = any); default: any loopback "
                             "origin")
    parser.add_argument("--env-file", default=None, metavar="PATH",
                        help="read MDH_BASE_URL / RKS_* from this dotenv file instead of ./.env")
    parser.add_argument("--base-url", default=None, help="the MyDataHelps base URL (else MDH_BASE_URL)")
    parser.add_argument("--service-account", default=None, help="the service account (else RKS_SERVICE_ACCOUNT)")
    parser.add_argument("--project-id", default=None, help="the project id (else RKS_PROJECT_ID)")
    parser.add_argument("--private-key-file", default=None, metavar="PATH",
                        help="the service account's PEM key file (else RKS_PRIVATE_KEY / MDH_PRIVATE_KEY_FILE)")


def _fail(message: str) -> int:
    print(f"mdh-notebook authenticator: error: {message}", file=sys.stderr, flush=True)
    return 2


def _not_stamina(record: logging.LogRecord) -> bool:
    """stamina's own retry records say only "stamina.retry_scheduled"; the client logs each retry in
    words (INFO on ``mdh_notebook.retry``), so theirs are left out of the log."""
    return not record.name.startswith("stamina")


def _set_up_logging() -> None:
    """The process's log on stderr: our INFO lines, everyone's warnings (uvicorn's tracebacks,
    the client's retries and rate-limit waits) — unless the embedding program set logging up."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_not_stamina)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger(LOGGER_NAME).setLevel(logging.INFO)
    logging.getLogger("mdh_notebook.retry").setLevel(logging.INFO)  # each retry of MyDataHelps, in words


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _warn_if_exposed(host: str) -> None:
    if not _loopback(host):
        log.warning("listening on %s, which is not a loopback address: API keys and participant tokens cross the "
                    "network in cleartext (plain HTTP). Keep --host 127.0.0.1 behind a TLS-terminating reverse "
                    "proxy (e.g. Caddy or nginx) that serves https:// to the pages", host)


def _warn_if_readable(path: str, grants: Grants) -> None:
    """A file holding API keys themselves should be its owner's alone (as ssh says of a private key)."""
    plain = [g.name for g in grants.grants if g.plain_key]
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if plain and mode & 0o077:
        log.warning("%s holds the API key itself for %s and others can read it: chmod 600 %s, or write "
                    "api_key_sha256 instead (%s)", path, ", ".join(map(repr, plain)), path, HASH_HOW)


def _hash_key() -> int:
    """``--hash-key``: the key from stdin (a terminal: asked for, not echoed) → its grants-file line."""
    key = getpass.getpass("API key (not shown): ") if sys.stdin.isatty() else sys.stdin.read()
    key = key.rstrip("\r\n")  # the newline echo or a file adds is no part of the key
    problem = api_key_problem(key, what="the key on stdin")
    if problem:
        return _fail(problem)
    print(f'api_key_sha256 = "{hash_api_key(key)}"', flush=True)
    return 0


def _resolve(args: argparse.Namespace) -> Config | None:
    if args.env_file is not None:
        from pathlib import Path

        if not Path(args.env_file).is_file():
            raise ConfigurationError(f"--env-file {args.env_file!r} is not a file; "
                                     "`mdh-notebook sandbox --env-file PATH` writes one for the sandbox")
    return Config.resolve(base_url=args.base_url, service_account=args.service_account,
                          project_id=args.project_id, private_key_file=args.private_key_file,
                          dotenv_path=args.env_file)


def _no_service_token(config: Config, exc: MDHError) -> str:
    """The startup failure in the authenticator's own words: the options it takes, not connect()'s."""
    if isinstance(exc, TransportError):
        how = "could not be reached" if "cannot reach" in str(exc) else "did not answer (timed out or cut off)"
        return (f"MyDataHelps at {config.base_url} {how}, so the service account has no token: check --base-url "
                "(or MDH_BASE_URL in the environment or the --env-file) and that the server is up — for a local "
                "sandbox, that `mdh-notebook sandbox` is still running")
    return f"the service account cannot get a token from {config.base_url}: {exc}"


def run(args: argparse.Namespace) -> int:
    """Load the grants, check the service account, listen, announce the URL, serve; 0 on a clean stop."""
    if getattr(args, "hash_key", False):
        return _hash_key()
    try:
        grants = Grants.load(args.config)
        origins = check_origins(args.cors_origins) if args.cors_origins else None
        config = _resolve(args)
    except MDHError as exc:
        return _fail(str(exc))
    if config is None:
        return _fail(_NOT_CONFIGURED)
    _set_up_logging()
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    client = Client(config, rate_limit_wait=0)  # a spent budget is a prompt 503 + Retry-After, not a held request
    service = TokenService(client, grants, owns_client=True)
    server = AuthenticatorServer(service, host=args.host, port=args.port, cors_origins=origins)
    in_main = threading.current_thread() is threading.main_thread()  # signals can only be caught there
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)} if in_main else {}
    try:
        try:
            client.run_flow(client.service_tokens.fresh_flow)  # the service account works, or say so now
        except MDHError as exc:
            return _fail(_no_service_token(config, exc))
        try:
            server.start()
        except MDHError as exc:
            return _fail(str(exc))
        _warn_if_readable(args.config, grants)
        _warn_if_exposed(args.host)
        log.info("serving %d grant(s) from %s for %s (%s)", len(grants), args.config, config.base_url,
                 "CORS: " + (", ".join(origins) if origins else "loopback origins"))
        print(READY_LINE.format(url=server.url), flush=True)
        while not stop.wait(3600):
            pass
        return 0
    finally:
        server.stop()
        service.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: list[str] | None = None) -> int:
    """``python -m mdh_notebook.authenticator``."""
    parser = argparse.ArgumentParser(prog="python -m mdh_notebook.authenticator",
                                     description="Serve MyDataHelps participant tokens to API-key holders.")
    configure(parser)
    return run(parser.parse_args(argv))
