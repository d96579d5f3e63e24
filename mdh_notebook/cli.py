"""mdh-notebook (also python -m mdh_notebook): MyDataHelps participant data from the command line.

Errors are one line naming the fix (exit 1); tokens and keys are never printed.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .errors import InvalidArgumentError, MDHError, NaiveDatetimeWarning, ScopeError
from .kinds import KINDS, Kind, Param
from .output import FORMATS, Format, format_for, write_frame

if TYPE_CHECKING:
    import pandas as pd

    from .paging import PagerState

__all__ = ["build_parser", "main"]

_EPILOG = """\
commands:
  fetch          one participant's data of one kind (every kind of `mdh-notebook catalog`)
  participants   the project's participants
  catalog        every data kind and write: scope, method, endpoint, filters
  doctor         check the configuration step by step: what works, and what to fix
  authenticator  serve participant tokens to API-key holders (the service key stays with it)
  sandbox        run the local MyDataHelps emulator

With no credentials configured (arguments, MDH_* / RKS_* environment variables, ./.env),
fetch and participants run against an embedded sandbox with synthetic participants.
Through an authenticator (fetch --authenticator URL, or MDH_AUTHENTICATOR_URL and MDH_API_KEY)
no service key is needed here.
"""

class CLIError(MDHError):
    """A command-line mistake, phrased in options."""


# -- output ------------------------------------------------------------------------------------

def _out_format(out: str | None, fmt: str | None) -> Format:
    """The format to write, checked before any request: --format, else the --out suffix, else CSV."""
    if fmt is not None:
        return fmt  # type: ignore[return-value]  # argparse choices
    if out is None or out == "-":
        return "csv"
    found = format_for(out)
    if found is None:
        raise CLIError(f"--out {out}: use a .csv, .json, .jsonl or .parquet file name, or give --format")
    return found


def _check_out(out: str | None, fmt: Format) -> None:
    if out is None or out == "-":
        if fmt == "parquet" and sys.stdout.isatty():
            raise CLIError("--format parquet is binary: write it to a file with --out FILE.parquet, or pipe it")
        return
    parent = Path(out).parent
    if not parent.is_dir():
        raise CLIError(f"--out {out}: the folder {str(parent)!r} does not exist; create it first")


def _emit(frame: pd.DataFrame, out: str | None, fmt: Format) -> None:
    if out is None or out == "-":
        stream = sys.stdout.buffer if fmt == "parquet" else sys.stdout
        write_frame(frame, stream, fmt)
        stream.flush()
        return
    write_frame(frame, out, fmt)
    print(f"wrote {len(frame)} row{'' if len(frame) == 1 else 's'} to {out}", file=sys.stderr)


def _add_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--out", metavar="FILE",
                        help="write to FILE (.csv, .json, .jsonl or .parquet by its suffix); '-' or nothing: stdout")
    parser.add_argument("--format", choices=FORMATS,
                        help="output format (default: from the --out suffix, else csv)")


# -- fetch -------------------------------------------------------------------------------------

def _time_range(kind: Kind) -> tuple[str, str] | None:
    """The kind's own (after, before) filters from its catalogue timeline, for --start/--end."""
    timeline = kind.timeline
    return (timeline.after, timeline.before) if timeline is not None and timeline.after else None


def _filter_usage(kind: Kind) -> str:
    if not kind.params:
        return f"{kind.name} takes no filters"
    return f"{kind.name} takes --filter " + ", ".join(f"{p.name}=..." for p in kind.params)


def _parse_value(kind: Kind, param: Param, raw: str) -> Any:
    option = f"--filter {param.name}={raw}"
    if param.type == "int":
        try:
            return int(raw)
        except ValueError:
            raise CLIError(f"{option}: {param.name} takes an integer") from None
    if param.type == "bool":
        folded = raw.strip().lower()
        if folded in ("true", "yes", "1"):
            return True
        if folded in ("false", "no", "0"):
            return False
        raise CLIError(f"{option}: {param.name} takes true or false")
    if param.choices:
        for choice in param.choices:
            if str(choice).casefold() == raw.strip().casefold():
                return choice
        raise CLIError(f"{option}: {param.name} is one of {', '.join(str(c) for c in param.choices)}")
    return raw


def parse_filters(kind: Kind, pairs: Sequence[str]) -> dict[str, Any]:
    """``NAME=VALUE`` options → session filters. A list filter given twice collects both values;
    a mapping filter takes ``NAME.KEY=VALUE`` (sent as ``wire.KEY=VALUE``)."""
    filters: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise CLIError(f"--filter {pair}: write it as NAME=VALUE, e.g. --filter survey_name=PHQ-9")
        base, dot, key = name.partition(".")
        param = kind.param(base)
        if param is None:
            close = difflib.get_close_matches(base, [p.name for p in kind.params], n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            raise CLIError(f"--filter {pair}: {kind.name} has no filter {base!r}; {hint}{_filter_usage(kind)}")
        if param.prefix:
            if not dot or not key:
                raise CLIError(f"--filter {pair}: {base} takes keys, e.g. --filter {base}.sourceName=VALUE")
            filters.setdefault(base, {})[key] = raw
        elif dot:
            raise CLIError(f"--filter {pair}: {base} takes no keys; write --filter {base}=VALUE")
        elif param.type == "list":
            filters.setdefault(base, []).append(_parse_value(kind, param, raw))
        elif base in filters:
            raise CLIError(f"--filter {base} is given twice; it takes one value")
        else:
            filters[base] = _parse_value(kind, param, raw)
    return filters


def _readable_kind(name: str) -> Kind:
    readable = sorted(k.name for k in KINDS.values() if k.token == "participant")
    if name in readable:
        return KINDS[name]
    close = difflib.get_close_matches(name.lower().replace("-", "_"), readable, n=1, cutoff=0.5)
    hint = f"did you mean {close[0]}? " if close else ""
    raise CLIError(f"no data kind {name!r}; {hint}(mdh-notebook catalog lists them)")


def _scopes_for(kind: Kind, given: str | None) -> list[str]:
    from .scopes import grants, validate_scopes

    if not given:
        return [kind.scope]
    names = [s for s in re.split(r"[\s,]+", given) if s]
    try:
        checked = validate_scopes(names)
    except ScopeError as exc:
        raise CLIError(f"--scopes: {str(exc).split(' (see ')[0]} (mdh-notebook catalog lists the scopes)") from None
    if not grants(checked, kind.scope):
        raise CLIError(f"{kind.name} needs the scope {kind.scope}: add it, e.g. --scopes '{' '.join(checked)} "
                       f"{kind.scope}'")
    return list(checked)


def _as_cli(kind: Kind, message: str) -> str:
    """A library message about ``kind(name=...)`` phrased as the option that set it."""
    return re.sub(rf"\b{re.escape(kind.name)}\((\w+)=\.\.\.\)", r"--filter \1", message)


_OPTION_WORDS = (("authenticator=URL", "--authenticator URL"), ("authenticator=", "--authenticator"),
                 ("api_key=", "--api-key"))


def _as_options(message: str) -> str:
    """A message about connect()'s authenticator=/api_key= phrased as fetch's options."""
    for python, option in _OPTION_WORDS:
        message = re.sub(rf"(?<![\w.(]){re.escape(python)}", option, message)
    return message


def _cmd_fetch(args: argparse.Namespace) -> int:
    from .connect import connect

    kind = _readable_kind(args.kind)
    fmt = _out_format(args.out, args.format)
    _check_out(args.out, fmt)
    filters = parse_filters(kind, args.filter)
    if args.start is not None or args.end is not None:
        pair = _time_range(kind)
        if pair is None:
            raise CLIError(f"--start/--end: {kind.name} has no time range; {_filter_usage(kind)}")
        for option, name, value in zip(("--start", "--end"), pair, (args.start, args.end), strict=True):
            if value is not None:
                if name in filters:
                    raise CLIError(f"--start/--end and --filter {name} set the same filter; give one")
                from .filters import format_instant

                try:
                    format_instant(value, what=option)
                except InvalidArgumentError as exc:
                    raise CLIError(str(exc)) from None
                filters[name] = value
    missing = [p for p in kind.params if p.required and p.name not in filters]
    if missing:
        needs = " ".join(f"--filter {p.name}=VALUE" for p in missing)
        choices = "; ".join(f"{p.name} is one of {', '.join(str(c) for c in p.choices)}" for p in missing if p.choices)
        raise CLIError(f"{kind.name} needs {needs}" + (f" ({choices})" if choices else ""))
    if args.tz and args.tz != "local":
        from .frames import check_tz

        try:
            check_tz(args.tz)
        except InvalidArgumentError as exc:
            raise CLIError(f"--tz: {exc}") from None
    scopes = _scopes_for(kind, args.scopes)
    from .filters import encode_params

    try:
        with warnings.catch_warnings():  # the fetch itself says it, once
            warnings.simplefilter("ignore", NaiveDatetimeWarning)
            encode_params(kind, filters)  # every value checked before any request (or sandbox start)
    except InvalidArgumentError as exc:
        raise CLIError(_as_cli(kind, str(exc))) from None
    try:
        with connect(args.participant, scopes=scopes, authenticator=args.authenticator,
                     api_key=args.api_key) as session:
            frame = session.fetch(kind, tz=args.tz, progress=False if args.no_progress else None, **filters)
    except InvalidArgumentError as exc:
        raise CLIError(_as_cli(kind, str(exc)).replace("tz='", "--tz '")) from None
    except MDHError as exc:  # connect()'s words for --authenticator/--api-key
        if exc.pager_state is not None:
            raise CLIError(_stopped_part_way(exc, exc.pager_state, args.out)) from None
        if not any(python in str(exc) for python, _ in _OPTION_WORDS):
            raise
        raise CLIError(_as_options(str(exc))) from None
    _emit(frame, args.out, fmt)
    return 0


def _stopped_part_way(exc: MDHError, state: PagerState, out: str | None) -> str:
    """A pull that failed part-way, in the CLI's terms: the library's error offers
    ``resume=exc.pager_state`` (rows kept in the exception), which a command has no use for — it
    wrote nothing, and running it again fetches from the first page."""
    reason = str(exc).rpartition(" [")[0] or str(exc)  # the failure itself, before the client's resume note
    rows = f"{state.records} row{'s' if state.records != 1 else ''}"
    arrived = (f"{rows} (page{'s 1–' if state.pages > 1 else ' '}{state.pages}) had arrived" if state.pages
               else "no rows had arrived")
    target = out if out not in (None, "-") else "stdout"
    return (f"{reason} [{state.kind}: page {state.pages + 1} failed; {arrived}, and nothing was written to "
            f"{target} — run the same command again to fetch from the first page]")


# -- other commands ----------------------------------------------------------------------------

def _cmd_participants(args: argparse.Namespace) -> int:
    from .connect import open_client

    fmt = _out_format(args.out, args.format)
    _check_out(args.out, fmt)
    with open_client() as client:
        frame = client.participants(query=args.query)
    columns = ["participant_identifier", "id", "demographics_first_name", "demographics_last_name",
               "demographics_time_zone", "enrolled"]
    _emit(frame if args.all_columns else frame[columns], args.out, fmt)
    return 0


def _cmd_catalog(args: argparse.Namespace) -> int:
    from .kinds import catalog

    frame = catalog()
    if args.kind:
        if args.kind not in KINDS:
            close = difflib.get_close_matches(args.kind, list(KINDS), n=1)
            raise CLIError(f"--kind {args.kind}: no such kind" + (f"; did you mean {close[0]}?" if close else ""))
        kind = KINDS[args.kind]
        print(f"{kind.name}  (scope {kind.scope or 'service account'}, GET {kind.path})\n{kind.doc}\n")
        print("filters:" if kind.params else "filters: none")
        for p in kind.params:
            extra = " required" if p.required else ""
            extra += f" one of {', '.join(map(str, p.choices))}" if p.choices else ""
            print(f"  --filter {p.name}{'.KEY' if p.prefix else ''}=...  ({p.type}{extra}) {p.doc}")
        print("columns:")
        for c in kind.columns:
            print(f"  {c.name}  {c.dtype}")
        return 0
    if args.out is not None or args.format is not None:
        fmt = _out_format(args.out, args.format)
        _check_out(args.out, fmt)
        _emit(frame, args.out, fmt)
        return 0
    rows = [("SCOPE", "METHOD", "ACCESS", "ENDPOINT", "FILTERS")]
    rows += [(r.scope or "(service account)", r.method, r.access, f"{r.http_method} {r.path}", ", ".join(r.filters))
             for r in frame.itertuples(index=False)]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)), row[4])
    return 0


def _cmd_doctor(args: argparse.Namespace) -> int:
    from .doctor import run_doctor

    scopes = [s for s in re.split(r"[\s,]+", args.scopes) if s] if args.scopes else None
    return run_doctor(participant=args.participant, scopes=scopes, authenticator=args.authenticator,
                      api_key=args.api_key)


def build_parser() -> argparse.ArgumentParser:
    from .authenticator import cli as authenticator_cli
    from .emulator import cli as sandbox_cli

    parser = argparse.ArgumentParser(prog="mdh-notebook", description=__doc__.split("\n\n")[0].split(": ", 1)[1],
                                     epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"mdh_notebook {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    readable = sorted(k.name for k in KINDS.values() if k.token == "participant")
    fetch = sub.add_parser("fetch", help="one participant's data of one kind",
                           description="Fetch every page of one kind of one participant's data as a table.",
                           epilog="kinds: " + ", ".join(readable) + "\n\nexamples:\n"
                           "  mdh-notebook fetch PT-0001 survey_answers --filter survey_name=PHQ-9 -o phq9.csv\n"
                           "  mdh-notebook fetch PT-0001 fitbit_sleep_logs --start 2026-09-01 --tz local\n"
                           "  mdh-notebook catalog --kind survey_answers   # its filters and columns",
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    fetch.add_argument("participant", help="participantIdentifier (e.g. PT-0001) or the participant's internal id")
    fetch.add_argument("kind", metavar="KIND", help="the data kind (listed below)")
    fetch.add_argument("--scopes", metavar="'SCOPE ...'",
                       help="scopes to ask for, space- or comma-separated (default: just the kind's own)")
    fetch.add_argument("--filter", action="append", default=[], metavar="NAME=VALUE",
                       help="a filter of the kind, repeatable; a list filter given twice takes both values; "
                            "a mapping filter takes NAME.KEY=VALUE")
    fetch.add_argument("--start", metavar="WHEN", help="start of the kind's time range (ISO 8601 date or date-time)")
    fetch.add_argument("--end", metavar="WHEN", help="end of the kind's time range (ISO 8601 date or date-time)")
    fetch.add_argument("--tz", metavar="ZONE",
                       help="show date-times in this IANA zone, or 'local' for the participant's own (default UTC)")
    fetch.add_argument("--authenticator", metavar="URL",
                       help="get the participant token from this authenticator, holding no service key here "
                            "(default: $MDH_AUTHENTICATOR_URL, when no service account is configured)")
    fetch.add_argument("--api-key", metavar="KEY",
                       help="the API key for the authenticator (default: $MDH_API_KEY). Prefer MDH_API_KEY (in "
                            "the environment or .env): a key given here shows in `ps` and in your shell history")
    fetch.add_argument("--no-progress", action="store_true",
                       help="no progress bar on stderr (there is one for long pulls when stderr is a terminal)")
    _add_output(fetch)
    fetch.set_defaults(func=_cmd_fetch)

    participants = sub.add_parser("participants", help="list the project's participants",
                                  description="List the project's participants (admin API, service account).")
    participants.add_argument("--query", help="match identifier, name or email (case-insensitive substring)")
    participants.add_argument("--all-columns", action="store_true", help="every column, not just the main ones")
    _add_output(participants)
    participants.set_defaults(func=_cmd_participants)

    catalog = sub.add_parser("catalog", help="every data kind and write, with scope and endpoint",
                             description="The catalogue: which scope unlocks which method, its endpoint and filters.")
    catalog.add_argument("--kind", metavar="KIND", help="show one kind's filters and columns")
    _add_output(catalog)
    catalog.set_defaults(func=_cmd_catalog)

    doctor = sub.add_parser("doctor", help="check configuration and connectivity, step by step",
                            description="Check the configuration step by step — configuration found, key "
                                        "readable, token endpoint reachable, service token, participant lookup, "
                                        "a participant token with the scopes asked and a read with it, the "
                                        "authenticator if one is given — printing what works (✓) and what to fix "
                                        "(✗). Exit status 0 when all pass. Never prints the key, a token or the "
                                        "API key.")
    doctor.add_argument("--participant", metavar="ID",
                        help="the participant to look up and get a token for (default: the first one listed)")
    doctor.add_argument("--scopes", metavar="'SCOPE ...'",
                        help="scopes for the participant token, space- or comma-separated (default: Participant:read)")
    doctor.add_argument("--authenticator", metavar="URL",
                        help="also check this authenticator (default: $MDH_AUTHENTICATOR_URL, if set)")
    doctor.add_argument("--api-key", metavar="KEY",
                        help="the API key for --authenticator (default: $MDH_API_KEY). Prefer MDH_API_KEY (in "
                             "the environment or .env): a key given here shows in `ps` and in your shell history")
    doctor.set_defaults(func=_cmd_doctor)

    authenticator = sub.add_parser("authenticator", help="serve participant tokens to API-key holders",
                                   description="Run the authenticator: it holds the service account and hands "
                                               "participant tokens to whoever presents an API key its grants file "
                                               "(--config) knows, for the participants and scopes granted.")
    authenticator_cli.configure(authenticator)
    authenticator.set_defaults(func=authenticator_cli.run)

    sandbox = sub.add_parser("sandbox", help="run the local MyDataHelps emulator",
                             description="Run the local MyDataHelps emulator until interrupted.")
    sandbox_cli.add_arguments(sandbox)
    sandbox.set_defaults(func=sandbox_cli.run)
    return parser


def _quiet_broken_pipe() -> int:
    """The reader went away (``| head``): stop quietly, as Unix tools do."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
    return 0


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    """A warning (a switched-off source, an unlisted type, an unreadable value) as one line, not
    Python's file:line and source echo."""
    print(f"mdh-notebook: warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        return _quiet_broken_pipe()
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
