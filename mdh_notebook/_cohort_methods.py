"""The generated cohort methods' home: one per participant read kind, attached at import.

The same methods as a session's reads (:func:`mdh_notebook.methods.read_method`, so the same
signatures, filters checked the same way), each ending in :meth:`mdh_notebook.cohort.Cohort.fetch`.
mypy and editors read the generated ``_cohort_methods.pyi`` beside this file instead
(``python -m mdh_notebook._cohort_stubgen`` rewrites it; a test fails when it drifts).
"""

from __future__ import annotations

from .kinds import Kind
from .methods import generated, method_doc, read_method

__all__ = ["COHORT_NOTE", "_CohortMethods", "read_kinds"]

COHORT_NOTE = ("Over the whole cohort: one frame, ``participant_identifier`` first, each participant's rows\n"
               "in API order, participants in the cohort's order; this call's failures named in\n"
               "``frame.attrs['failures']``, the errors in ``cohort.failures`` (the last call's: use a cohort\n"
               "from one thread at a time). ``on_page`` is called from the cohort's worker threads, several\n"
               "at once, not from the caller's thread. Ctrl-C cancels the participants not yet started.")


def read_kinds() -> list[Kind]:
    """The kinds a cohort reads: the session's read kinds (participant token), in catalogue order."""
    return [entry for entry in generated() if isinstance(entry, Kind)]


class _CohortMethods:
    """Base of :class:`~mdh_notebook.Cohort`: its catalogue read methods."""

    __slots__ = ()


for _kind in read_kinds():
    _method = read_method(_kind)
    _method.__doc__ = f"{COHORT_NOTE}\n\n{method_doc(_kind, cohort=True)}"
    setattr(_CohortMethods, _kind.name, _method)
