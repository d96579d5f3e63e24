"""Synthetic participant files (lab reports, insurance cards, meal and symptom photos, documents)
and their bytes.

A file is listed as ``{participantID, participantIdentifier, key, category, fileName,
lastModified}``. Keys look like storage object keys: ``<participantID>/<category>/<id>-<name>``,
with the category and the name reduced to ``[A-Za-z0-9._-]`` (so a key needs no escaping even where
the JS SDK puts it in a query string unencoded); the ``fileName`` is kept as uploaded (spaces,
accents, ``&``, parentheses). PT-0001 has 130 files (two pages), the others none to 30. Nothing is
uploaded before enrollment, after a withdrawal or after the window's end. ``lastModified`` comes in
every ISO form.

A seeded file's bytes are not stored: ``seeded_content(seed, key, fileName)`` makes them on demand,
the same every time (a PDF, JPEG or PNG header and body, or text / CSV lines), 2–48 KB.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import mimetypes
import random
import re
from typing import Any

from .cohort import Participant, rng_for
from .declarations import GenContext
from .isotime import FORMS, format_instant, to_ms

__all__ = ["FileRow", "content_type_of", "file_key", "file_record", "generate_files", "seeded_content", "slug"]

_FORM_WEIGHTS = (35, 15, 20, 15, 15)  # Z3, Z2, UTC, LOCAL, NAIVE
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

_CATALOGUE: dict[str, tuple[str, ...]] = {
    "Lab Results": ("CBC {date}.pdf", "lipid-panel_{date}.pdf", "A1C results ({month}).pdf", "labs_{n}.pdf",
                    "Metabolic panel – {date}.pdf"),
    "Insurance Card": ("insurance_front.jpg", "insurance_back.jpg", "card {n}.png"),
    "Meal Photos": ("IMG_{n}.jpg", "breakfast {date}.jpg", "lunch_{n}.jpg", "dinner & dessert {date}.jpg"),
    "Symptom Photos": ("rash day {n}.jpg", "swelling_{date}.png", "IMG_{n}.jpg"),
    "Documents": ("consent form (signed).pdf", "Résumé médical {n}.pdf", "notes {date}.txt",
                  "glucose-log_{month}.csv", "Q&A with Dr. Kim.txt", "discharge summary.pdf"),
}
_CATEGORY_WEIGHTS = (20, 5, 40, 15, 20)


@dataclasses.dataclass(frozen=True, slots=True)
class FileRow:
    record: dict[str, Any]
    key: str
    category: str  # casefolded, for the filter
    modified_ms: int
    content: bytes | None = None  # None: a seeded file (see seeded_content)
    content_type: str = ""

    @property
    def sort_key(self) -> tuple[int, str]:
        return (-self.modified_ms, self.key)  # most recent first


def slug(text: str) -> str:
    """``text`` reduced to key-safe characters (``Q&A with Dr. Kim.txt`` → ``Q_A_with_Dr._Kim.txt``)."""
    return _UNSAFE.sub("_", text).strip("_") or "file"


def file_key(participant_id: str, category: str, token: str, file_name: str) -> str:
    return f"{participant_id}/{slug(category)}/{token}-{slug(file_name)}"


def content_type_of(file_name: str) -> str:
    guessed, _ = mimetypes.guess_type(file_name, strict=False)
    return guessed or "application/octet-stream"


def file_record(participant: Participant, key: str, category: str, file_name: str, modified: str) -> dict[str, Any]:
    return {"participantID": participant.id, "participantIdentifier": participant.identifier, "key": key,
            "category": category, "fileName": file_name, "lastModified": modified}


def generate_files(ctx: GenContext, participant: Participant) -> list[FileRow]:
    """One participant's files, most recent first."""
    rng = ctx.rng("files", participant.index)
    count = 130 if participant.index == 0 else rng.choice((0, 0, 2, 5, 9, 14, 22, 30))
    first = participant.enrollment_ms
    end = to_ms(dt.datetime.combine(ctx.end, dt.time(12), dt.timezone.utc))
    last = end if participant.withdraw_ms is None else min(end, participant.withdraw_ms)
    rows = []
    categories = list(_CATALOGUE)
    for n in range(count):
        if n % 10 == 0:
            ctx.pace()
        category = rng.choices(categories, weights=_CATEGORY_WEIGHTS)[0]
        modified = rng.randint(first, last)
        day = dt.datetime.fromtimestamp(modified / 1000, participant.tz).date()
        name = rng.choice(_CATALOGUE[category]).format(date=day.isoformat(), month=day.strftime("%b %Y"),
                                                       n=rng.randint(1000, 9999))
        token = f"{rng.getrandbits(48):012x}"
        key = file_key(participant.id, category, token, name)
        form = rng.choices(FORMS, weights=_FORM_WEIGHTS)[0]
        record = file_record(participant, key, category, name, format_instant(modified, form, participant.tz))
        rows.append(FileRow(record, key, category.casefold(), modified, None, content_type_of(name)))
    rows.sort(key=lambda row: row.sort_key)
    return rows


def _text(rng: random.Random, file_name: str, size: int) -> bytes:
    if file_name.lower().endswith(".csv"):
        lines = ["date,time,glucose_mg_dl"]
        day = dt.date(2026, 8, 1)
        while sum(len(line) + 1 for line in lines) < size:
            lines.append(f"{day.isoformat()},{rng.randint(6, 22):02d}:{rng.randint(0, 59):02d},{rng.randint(70, 210)}")
            day += dt.timedelta(days=rng.randint(0, 1))
        return ("\n".join(lines) + "\n").encode()
    words = ("felt", "better", "today", "after", "the", "walk", "slept", "badly", "café", "pain", "3/10", "—",
             "appointment", "moved", "to", "Thursday", "blood", "pressure", "fine", "ok")
    out: list[str] = []
    while sum(len(w) + 1 for w in out) < size:
        out.append(rng.choice(words))
    return (" ".join(out) + "\n").encode()


def seeded_content(seed: int, key: str, file_name: str) -> bytes:
    """The bytes of a seeded file: deterministic in (seed, key)."""
    rng = rng_for(seed, "file-content", key)
    size = rng.randint(2_048, 48 * 1024)
    lower = file_name.lower()
    if lower.endswith((".txt", ".csv")):
        return _text(rng, file_name, size)
    body = rng.randbytes(size)
    if lower.endswith(".pdf"):
        return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + body + b"\n%%EOF\n"
    if lower.endswith(".png"):
        return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + body + b"\x00\x00\x00\x00IEND\xaeB`\x82"
    if lower.endswith((".jpg", ".jpeg")):
        return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + body + b"\xff\xd9"
    return body
