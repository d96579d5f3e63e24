"""``mdh-notebook`` (also ``python -m mdh_notebook``).

Commands:
  sandbox        run the local MyDataHelps emulator
  participants   list the project's participants
  fetch          one participant's data of one kind, to CSV / Parquet / JSON lines
  doctor         where the configuration comes from, and whether the API answers

Errors are one line naming the fix (exit 1); tokens and keys are never printed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .errors import MDHError
from .kinds import KINDS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["main"]


_FORMATS = (".csv", ".parquet", ".json", ".jsonl")


def _check_out(out: str | None) -> None:
    """Refuse an --out we could not write, before any request is made."""
    if out is None or out == "-":
        return
    path = Path(out)
    if path.suffix.lower() not in _FORMATS:
        raise MDHError(f"--out {out!r}: use a .csv, .parquet, .json or .jsonl file name (or - for CSV on stdout)")
    if not path.parent.is_dir():
        raise MDHError(f"--out {out!r}: the folder {str(path.parent)!r} does not exist; create it first")


def _frame_out(frame: pd.DataFrame, out: str | None) -> None:
    if out is None or out == "-":
        frame.to_csv(sys.stdout, index=False)
        return
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif suffix in (".jsonl", ".json"):
        frame.to_json(path, orient="records", lines=suffix == ".jsonl", date_format="iso")
    else:
        frame.to_csv(path, index=False)
    print(f"wrote {len(frame)} rows to {path}", file=sys.stderr)


def _filters(pairs: Sequence[str]) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise MDHError(f"--filter {pair!r}: write it as name=value, e.g. survey_name=PHQ-9")
        values = [v for v in value.split("|")]
        filters[name.strip()] = values if len(values) > 1 else value
    return filters


def _cmd_fetch(args: argparse.Namespace) -> int:
    from .connect import connect

    _check_out(args.out)
    entry = KINDS[args.kind]
    scopes = args.scopes.split() if args.scopes else [entry.scope]
    with connect(args.participant, scopes=scopes) as session:
        frame = session.fetch(entry, tz=args.tz, **_filters(args.filter))
    _frame_out(frame, args.out)
    return 0


def _cmd_participants(args: argparse.Namespace) -> int:
    from .connect import open_client

    _check_out(args.out)
    with open_client() as client:
        frame = client.participants(query=args.query)
    columns = ["participant_identifier", "id", "demographics_first_name", "demographics_last_name",
               "demographics_time_zone", "enrolled"]
    _frame_out(frame if args.all_columns else frame[columns], args.out)
    return 0


def _cmd_doctor(args: argparse.Namespace) -> int:
    from .config import Config

    config = Config.resolve()
    if config is None:
        print("configuration: none found (arguments, environment, ./.env) -> the embedded sandbox would be used")
        return 0
    print(f"configuration: {config!r}")
    from .client import Client

    with Client(config) as client:
        token = client.run_flow(client.service_tokens.fresh_flow())
        print(f"service token: obtained, expires in {token.lifetime:.0f} s")
        frame = client.participants()
        print(f"participants: {len(frame)} in project {config.project_id}")
        if client.rate_limit:
            print(f"rate limit: {client.rate_limit.remaining}/{client.rate_limit.limit} left, "
                  f"resets in {client.rate_limit.reset} s")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from .sandbox import cli as sandbox_cli

    parser = argparse.ArgumentParser(prog="mdh-notebook", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"mdh_notebook {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sandbox = sub.add_parser("sandbox", help="run the local MyDataHelps emulator")
    sandbox_cli.add_arguments(sandbox)
    sandbox.set_defaults(func=sandbox_cli.run)

    participants = sub.add_parser("participants", help="list the project's participants")
    participants.add_argument("--query", help="match identifier, name or email")
    participants.add_argument("--all-columns", action="store_true")
    participants.add_argument("--out", help="file to write (.csv, .parquet, .json, .jsonl); default CSV on stdout")
    participants.set_defaults(func=_cmd_participants)

    fetch = sub.add_parser("fetch", help="one participant's data of one kind")
    fetch.add_argument("participant", help="participantIdentifier (PT-0001) or internal id")
    fetch.add_argument("kind", choices=[k.name for k in KINDS.values() if k.token == "participant"])
    fetch.add_argument("--scopes", help="space-separated scopes (default: the kind's own)")
    fetch.add_argument("--filter", action="append", default=[], metavar="NAME=VALUE",
                       help="a filter, e.g. survey_name=PHQ-9 (several values: a|b); repeatable")
    fetch.add_argument("--tz", help="show date-times in this zone ('local' = the participant's)")
    fetch.add_argument("--out", help="file to write (.csv, .parquet, .json, .jsonl); default CSV on stdout")
    fetch.set_defaults(func=_cmd_fetch)

    doctor = sub.add_parser("doctor", help="check configuration and connectivity")
    doctor.set_defaults(func=_cmd_doctor)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except MDHError as exc:
        print(f"mdh-notebook: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # writing --out: a full disk, a permission
        print(f"mdh-notebook: error: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
