"""The audit search as a spreadsheet (.xlsx) or CSV for the data-protection officer; the export
is itself audited (``audit.export``) with the filters used."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db import transaction
from openpyxl import Workbook

from shouwang.core.audit import log_action
from shouwang.core.audit_search import AuditQuery, AuditRow, export_rows
from shouwang.core.cells import safe_cell
from shouwang.core.errors import InvalidInput

HEADINGS = (
    "时间 time",
    "人员 staff",
    "角色 role",
    "社区 community",
    "操作 action",
    "对象 object",
    "当事人 person",
    "原因 why",
    "说明 note",
    "途径 via",
)
FORMATS = ("xlsx", "csv")


def _cells(r: AuditRow) -> list[str]:
    person = f"{r.person_type}:{r.person_id} {r.person}".strip() if r.person_type else ""
    obj = f"{r.object_type}:{r.object_id}" if r.object_type else ""
    texts = [
        r.at.strftime("%Y-%m-%d %H:%M:%S"),
        r.actor,
        r.actor_role,
        r.community,
        r.action,
        obj,
        person,
        r.why,
        r.note,
        r.via,
    ]
    return [safe_cell(t) for t in texts]


def export_audit(user: Any, query: AuditQuery, *, fmt: str, via: str) -> bytes:
    """The records matching ``query`` (newest first, at most ``EXPORT_MAX``) as ``fmt``
    (``xlsx`` or ``csv``, UTF-8 with a BOM so Excel reads Chinese), every cell through
    :func:`shouwang.core.cells.safe_cell`. Audited as ``audit.export`` with the filters and the
    row count. Raises :class:`Forbidden` for roles that may not search the log and
    :class:`InvalidInput` for an unknown format or a bad filter."""
    if fmt not in FORMATS:
        raise InvalidInput("export_format_unknown", field="format", fmt=fmt[:10])
    rows = export_rows(user, query)
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(HEADINGS)
        writer.writerows(_cells(r) for r in rows)
        data = ("\ufeff" + text.getvalue()).encode("utf-8")
    else:
        book = Workbook()
        sheet = book.active
        assert sheet is not None  # a new workbook always has one sheet
        sheet.title = "audit"
        sheet.append(list(HEADINGS))
        for r in rows:
            sheet.append(_cells(r))
        for col, width in zip("ABCDEFGHIJ", (20, 12, 16, 14, 20, 18, 18, 16, 24, 8), strict=True):
            sheet.column_dimensions[col].width = width
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
    with transaction.atomic():
        log_action(
            "audit.export",
            actor=user,
            filters=query.as_params(),
            format=fmt,
            rows=len(rows),
            via=via,
            size=len(data),
        )
    return data
