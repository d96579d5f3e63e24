"""Where the explorer's Save buttons write: the path typed in "Save as", made a file path of the
format, or an error saying what to type instead."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InvalidArgumentError

__all__ = ["save_target"]

_RETYPE = "type another path in 'Save as'"


def save_target(typed: str, default: str, fmt: str) -> Path:
    """The file to write for ``typed`` (``default`` when empty): a trailing slash or an existing
    folder means that folder, with ``default`` inside it; the suffix is set to ``.fmt``. Refused
    (:class:`InvalidArgumentError`) when the folder is missing, when a part of the path is a file,
    or when the target itself is a folder."""
    text = typed.strip() or default
    path = Path(text).expanduser()
    if text.endswith(("/", os.sep)) or path.is_dir():
        if not path.is_dir():
            _check_parents(path / default)
        path = path / default
    if path.suffix.lower() != f".{fmt}":
        path = path.with_suffix(f".{fmt}")
    if path.is_dir():
        raise InvalidArgumentError(f"cannot save: {path} is a folder; {_RETYPE} (a file name, or the folder "
                                   "with a trailing / for the default name inside it)")
    _check_parents(path)
    return path


def _check_parents(path: Path) -> None:
    for ancestor in path.parents:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise InvalidArgumentError(f"cannot save to {path}: {ancestor} is a file, not a folder; {_RETYPE}")
            break
    if not path.parent.is_dir():
        raise InvalidArgumentError(f"cannot save: the folder {path.parent} does not exist; create it, or {_RETYPE}")
