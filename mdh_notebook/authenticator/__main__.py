"""``python -m mdh_notebook.authenticator --config FILE``: the same as ``mdh-notebook authenticator``."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
