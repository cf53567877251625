"""Importing residents from the spreadsheets community workers already keep (.xlsx or .csv).

Every row is checked on its own: bad rows are collected into an error report (an .xlsx the
worker can fix from), good rows are written one by one with :func:`upsert_resident`, so one
typo never blocks the other 2,999 rows and importing the same file again changes nothing.
ID numbers never appear in clear text in the report: the value shown is :func:`mask`-ed.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import logging
import os
import re
import tempfile
import time
import traceback
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from shouwang.core.audit import log_action
from shouwang.core.cells import FORMULA_START, safe_cell
from shouwang.core.errors import InvalidInput, ShouwangError
from shouwang.core.messages import describe
from shouwang.people.identity import (
    Document,
    mask,
    normalise,
    parse_document_type,
    validate_document,
)
from shouwang.people.models import Household, Resident
from shouwang.people.services import (
    ResidentIn,
    clean_name,
    normalise_phone,
    prepare_resident,
    upsert_resident,
)
from shouwang.places.models import Community

logger = logging.getLogger(__name__)

# Words for the codes only the importer uses (core/messages.py belongs to core).
IMPORT_MESSAGES: dict[str, tuple[str, str]] = {
    "import_missing": ("找不到文件“{name}”。", "File '{name}' not found."),
    "import_unreadable": (
        "无法打开文件“{name}”：{why}",
        "Cannot open '{name}': {why}",
    ),
    "import_report_dir": (
        "错误报告无法写到“{path}”：目录不存在或不可写。",
        "Cannot write the error report to '{path}': the folder does not exist or is not writable.",
    ),
    "import_report_is_input": (
        "错误报告不能覆盖要导入的文件“{name}”。",
        "The error report may not overwrite the file being imported, '{name}'.",
    ),
    "import_id_numeric": (
        "证件号码被 Excel 存成了数字（只保留 15 位有效数字，末几位已丢失）。"
        "请把该列设为“文本”后重新输入号码。",
        "Excel stored the document number as a number (only 15 significant digits kept; the last "
        "digits are lost). Format the column as Text and type the number again.",
    ),
    "import_row_unexpected": (
        "此行无法校验（内部错误 {why}），未导入；请把此行交给系统管理员。",
        "This row could not be checked (internal error {why}) and was not imported; "
        "please pass it to the administrator.",
    ),
    "import_address_missing": (
        "住址为空：已导入，但未归入任何一户。",
        "Address is empty: imported, but not placed in any household.",
    ),
    "import_address_long": (
        "住址太长（{length} 字，最多 200 字）。",
        "Address is too long ({length} characters; at most 200).",
    ),
}


def describe_import(code: str, lang: str = "zh-hans", **params: Any) -> str:
    """Words for ``code``: the importer's own codes first, then the shared table."""
    pair = IMPORT_MESSAGES.get(code)
    if pair is None:
        return describe(code, lang, **params)
    text = pair[1] if lang.lower().startswith("en") else pair[0]
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text


class ImportInputError(InvalidInput):
    """An :class:`InvalidInput` whose words live in :data:`IMPORT_MESSAGES`."""

    def __init__(self, code: str, *, field: str | None = None, **params: Any) -> None:
        super().__init__(code, field=field, **params)
        self.args = (self.message("en"),)

    def message(self, lang: str = "zh-hans") -> str:
        return describe_import(self.code, lang, **self.params)


# Headings as community workers write them → our field. Keys are normalised by _heading_key.
HEADING_ALIASES: dict[str, str] = {
    "姓名": "name",
    "名字": "name",
    "name": "name",
    "性别": "gender",
    "gender": "gender",
    "证件类型": "id_type",
    "证件种类": "id_type",
    "idtype": "id_type",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "证件号码": "id_number",
    "证件号": "id_number",
    "公民身份号码": "id_number",
    "idnumber": "id_number",
    "联系电话": "phone",
    "手机号": "phone",
    "手机号码": "phone",
    "电话": "phone",
    "手机": "phone",
    "phone": "phone",
    "住址": "address",
    "地址": "address",
    "家庭住址": "address",
    "address": "address",
    "楼栋": "building",
    "楼号": "building",
    "单元": "unit",
    "门牌": "door",
    "门牌号": "door",
    "与户主关系": "relation",
    "关系": "relation",
}
# What a missing required heading is called in the error.
_REQUIRED_LABELS = {"name": "姓名", "id_number": "证件号码（或 身份证号）"}
_FORMULA_START = FORMULA_START  # one list with every export (shouwang.core.cells)
_GENDERS = {
    "男": "M",
    "男性": "M",
    "M": "M",
    "MALE": "M",
    "女": "F",
    "女性": "F",
    "F": "F",
    "FEMALE": "F",
}
_BLANK = re.compile(r"^[\s\u3000]*$")
# ``1.10105E+17``: an ID number that went through Excel as a number and lost its last digits.
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?[eE]\+?\d+$")
_CHUNK = 250  # rows per transaction: one SQLite commit per chunk, each row still its own savepoint
REPORT_HEADINGS = ("行号 Row", "列 Column", "内容 Value", "原因", "Reason", "级别 Level")


@dataclass(frozen=True)
class RowIssue:
    """One fault in one row: ``row`` as numbered in the spreadsheet (heading row = 1)."""

    row: int
    column: str
    value: str
    code: str
    reason_zh: str
    reason_en: str
    level: str = "error"  # "error" rejects the row; "warning" never does


@dataclass(frozen=True)
class ImportSummary:
    """Counts per outcome; every non-empty data row is in exactly one of the five counts."""

    imported: int
    updated: int
    unchanged: int
    rejected: int
    duplicates: int
    report_path: Path
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        """The one-line summary the CLI prints."""
        return (
            f"imported={self.imported} updated={self.updated} unchanged={self.unchanged} "
            f"rejected={self.rejected} duplicates={self.duplicates} report={self.report_path}"
        )


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class _Cell:
    """A cell as text; ``lossy`` when Excel kept a long number as a float (digits are gone)."""

    text: str
    lossy: bool = False


def _cell(value: object) -> _Cell:
    if value is None:
        return _Cell("")
    if isinstance(value, bool):
        return _Cell(str(value))
    if isinstance(value, int):
        return _Cell(str(value))
    if isinstance(value, float):
        if value.is_integer():
            # Doubles hold 15 significant digits exactly; an 18-digit ID as a float has lost some.
            return _Cell(str(int(value)), lossy=abs(value) >= 1e15)
        return _Cell(repr(value))
    if isinstance(value, dt.datetime | dt.date):
        return _Cell(value.isoformat())
    return _Cell(str(value))


def _read_csv(path: Path) -> list[tuple[int, list[_Cell]]]:
    data = path.read_bytes()
    encodings = ("utf-8-sig",) if data.startswith(b"\xef\xbb\xbf") else ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidInput("import_format", field="file", name=path.name)
    if "\x00" in text:
        raise InvalidInput("import_format", field="file", name=path.name)
    first = next((line for line in text.splitlines() if line.strip(" ,;\t")), "")
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return [(number, [_Cell(v) for v in row]) for number, row in enumerate(reader, start=1)]
    except csv.Error:
        raise InvalidInput("import_format", field="file", name=path.name) from None


def _read_xlsx(path: Path) -> list[tuple[int, list[_Cell]]]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except PermissionError:
        raise
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise InvalidInput("import_format", field="file", name=path.name) from None
    try:
        sheet = workbook.worksheets[0]
        # Some writers record wrong dimensions; read-only mode would then cut the sheet short.
        sheet.reset_dimensions()
        return [
            (number, [_cell(v) for v in row])
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    except Exception as exc:  # a damaged workbook fails in many ways; all mean "cannot read"
        raise InvalidInput("import_format", field="file", name=path.name) from exc
    finally:
        workbook.close()


def read_table(path: Path) -> list[tuple[int, list[_Cell]]]:
    """All rows of the first sheet (or the CSV) as ``(spreadsheet row number, cells)``."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InvalidInput("import_format", field="file", name=path.name)
    if not path.is_file():
        raise ImportInputError("import_missing", field="file", name=path.name)
    try:
        return _read_csv(path) if suffix == ".csv" else _read_xlsx(path)
    except PermissionError as exc:
        raise ImportInputError("import_unreadable", field="file", name=path.name, why=exc.strerror) from None


def _heading_key(text: str) -> str:
    """Full-width to half-width, spaces and required-field stars removed, lower case."""
    key = "".join(unicodedata.normalize("NFKC", text).split())
    return key.strip("*:").replace("_", "").lower()


@dataclass(frozen=True)
class _Columns:
    """Which column indexes feed each field (several columns may feed one, e.g. 电话 and 手机)."""

    indexes: dict[str, list[int]]
    names: dict[str, str]  # field → heading as written in the file, for the report

    def text(self, cells: Sequence[_Cell], key: str) -> _Cell:
        """The first non-blank cell among the columns of ``key``."""
        for index in self.indexes.get(key, []):
            if index < len(cells) and cells[index].text.strip():
                return cells[index]
        return _Cell("")

    def name(self, key: str) -> str:
        return self.names.get(key, key)


def map_headings(headings: Sequence[_Cell]) -> _Columns:
    """Map the heading row to fields; raises ``import_headings`` naming what is missing."""
    indexes: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    for index, cell in enumerate(headings):
        key = HEADING_ALIASES.get(_heading_key(cell.text))
        if key is None:
            continue  # unknown columns (备注, 序号, …) are ignored
        indexes.setdefault(key, []).append(index)
        names.setdefault(key, cell.text.strip())
    missing = [label for key, label in _REQUIRED_LABELS.items() if key not in indexes]
    if "address" not in indexes:
        if "building" in indexes and "door" not in indexes:
            missing.append("门牌")
        elif "door" in indexes and "building" not in indexes:
            missing.append("楼栋")
        elif "building" not in indexes:
            missing.append("住址（或 楼栋+门牌）")
    if missing:
        raise InvalidInput("import_headings", field="file", missing="、".join(missing))
    if "address" not in indexes:
        names["address"] = "+".join(names[k] for k in ("building", "unit", "door") if k in names)
    return _Columns(indexes, names)


# ---------------------------------------------------------------------------------------------
# Checking one row


def _address(columns: _Columns, cells: Sequence[_Cell]) -> str:
    """住址 as written, else 楼栋 + 单元 + 门牌 joined as Chinese addresses are written.

    Bare numbers get their usual words: 楼栋 ``3`` → ``3号楼``, 单元 ``2`` → ``2单元``,
    门牌 ``301`` → ``301号``; so ``3 / 2 / 301`` becomes ``3号楼2单元301号``.
    """
    written = " ".join(columns.text(cells, "address").text.split())
    if written:
        return written
    suffixes = {"building": "号楼", "unit": "单元", "door": "号"}
    parts = []
    for key, suffix in suffixes.items():
        part = "".join(unicodedata.normalize("NFKC", columns.text(cells, key).text).split())
        parts.append(part + suffix if part.isdigit() else part)
    return "".join(parts)


@dataclass
class _RowCheck:
    """``data`` and ``fields`` (from :func:`prepare_resident`) are set only for a good row;
    ``doc`` whenever the document number itself is valid (to spot duplicates)."""

    data: ResidentIn | None = None
    fields: dict[str, Any] | None = None
    doc: Document | None = None
    issues: list[RowIssue] = field(default_factory=list)


def _issue(row: int, column: str, value: str, exc: ShouwangError, level: str = "error") -> RowIssue:
    return RowIssue(row, column, value, exc.code, exc.message("zh-hans"), exc.message("en"), level)


def _masked_id(raw: str) -> str:
    return mask(normalise(raw)) if raw.strip() else ""


def check_row(row: int, cells: Sequence[_Cell], columns: _Columns, *, today: dt.date) -> _RowCheck:
    """Check one row with :func:`prepare_resident`, the service's own rules; when it refuses,
    check field by field so the worker sees every fault of the row at once, not just the first.
    """
    result = _RowCheck()

    def fault(key: str, value: str, exc: ShouwangError, level: str = "error") -> None:
        result.issues.append(_issue(row, columns.name(key), value, exc, level))

    raw_name = columns.text(cells, "name").text
    if raw_name.strip().startswith(_FORMULA_START):
        # No name starts with = + - @; stored, it would run as a formula in a later export.
        fault("name", raw_name[:100], InvalidInput("name_invalid", field="name", raw=raw_name[:30]))

    raw_type = columns.text(cells, "id_type").text
    id_type: str | None = None
    try:
        id_type = parse_document_type("".join(unicodedata.normalize("NFKC", raw_type).split()))
    except ShouwangError as exc:
        fault("id_type", raw_type[:100], exc)

    id_cell = columns.text(cells, "id_number")
    raw_id = id_cell.text.strip().lstrip("'`")
    id_unusable = id_cell.lossy or bool(_SCIENTIFIC.match(raw_id))
    if id_unusable:
        numeric = ImportInputError("import_id_numeric", field="id_number")
        fault("id_number", _masked_id(raw_id), numeric)
    elif not normalise(raw_id).isascii():
        # Digits of other scripts (٣, ፩) pass str.isdigit(); validate_document must not see them.
        masked = _masked_id(raw_id)
        fault("id_number", masked, InvalidInput("id_format", field="id_number", masked=masked))
        id_unusable = True

    raw_gender = columns.text(cells, "gender").text
    gender = _GENDERS.get("".join(raw_gender.split()).upper(), "?") if raw_gender.strip() else ""
    if gender == "?":
        invalid = InvalidInput("gender_invalid", field="gender", raw=raw_gender[:30])
        fault("gender", raw_gender[:100], invalid)
        gender = ""

    raw_phone = columns.text(cells, "phone").text.strip().lstrip("'`")
    address = _address(columns, cells)
    if len(address) > 200:
        too_long = ImportInputError("import_address_long", length=len(address))
        fault("address", address[:100], too_long)
    elif not address:
        fault("address", "", ImportInputError("import_address_missing"), "warning")

    if id_type is None or id_unusable:
        _check_fields(result, fault, raw_name, raw_phone, raw_id=None, id_type=None, today=today)
        return result
    data = ResidentIn(
        name=raw_name,
        id_number=raw_id,
        id_type=id_type,
        gender=gender,
        phone=raw_phone,
        address=address,
        relation_to_head=columns.text(cells, "relation").text,
    )
    try:
        fields, result.doc = prepare_resident(data, today=today)
    except ShouwangError as first:
        _check_fields(result, fault, raw_name, raw_phone, raw_id=raw_id, id_type=id_type, today=today)
        if not any(issue.level == "error" for issue in result.issues):
            key = first.field if first.field in columns.indexes else "id_number"
            fault(key, "", first)  # a rule of prepare_resident the field checks do not know
        return result
    for code in result.doc.warnings:
        warning = InvalidInput(code, field="id_number", **result.doc.warning_params)
        fault("id_number", result.doc.masked, warning, "warning")
    if not any(issue.level == "error" for issue in result.issues):
        result.data, result.fields = data, fields
    return result


def _check_fields(
    result: _RowCheck,
    fault: Callable[..., None],
    raw_name: str,
    raw_phone: str,
    *,
    raw_id: str | None,
    id_type: str | None,
    today: dt.date,
) -> None:
    """Each field on its own, recording every fault; ``result.doc`` is set if the ID is valid."""
    if not raw_name.strip().startswith(_FORMULA_START):
        try:
            clean_name(raw_name)
        except ShouwangError as exc:
            fault("name", raw_name[:100], exc)
    if raw_id is not None and id_type is not None:
        try:
            result.doc = validate_document(raw_id, id_type, today=today)
        except ShouwangError as exc:
            fault("id_number", _masked_id(raw_id), exc)
    try:
        normalise_phone(raw_phone)
    except ShouwangError as exc:
        fault("phone", raw_phone[:100], exc)


# ---------------------------------------------------------------------------------------------
# Report


def _safe(value: object) -> object:
    """Cell text that a spreadsheet will neither run as a formula nor refuse to save."""
    if not isinstance(value, str):
        return value
    return safe_cell(value)


def write_report(path: Path, issues: Sequence[RowIssue]) -> None:
    """The error report, sorted by row; written to a temporary file first, then moved in place."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "导入错误 Errors"
    sheet.append(list(REPORT_HEADINGS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEF", (10, 16, 24, 50, 60, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    order = {"error": 0, "warning": 1}
    for issue in sorted(issues, key=lambda i: (i.row, order.get(i.level, 2))):
        sheet.append(
            [
                _safe(v)
                for v in (
                    issue.row,
                    issue.column,
                    issue.value,
                    issue.reason_zh,
                    issue.reason_en,
                    issue.level,
                )
            ]
        )
    handle, temp_name = tempfile.mkstemp(suffix=".xlsx", prefix=".import-", dir=path.parent)
    os.close(handle)
    try:
        workbook.save(temp_name)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def default_report_path(path: Path) -> Path:
    """``<stem>.errors.xlsx`` next to the input."""
    return path.with_name(f"{path.stem}.errors.xlsx")


def _check_report_path(path: Path, report_path: Path) -> None:
    if report_path.resolve() == path.resolve():
        raise ImportInputError("import_report_is_input", field="report", name=path.name)
    parent = report_path.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise ImportInputError("import_report_dir", field="report", path=str(report_path))


# ---------------------------------------------------------------------------------------------
# Import


def _data_rows(
    rows: list[tuple[int, list[_Cell]]],
) -> tuple[list[_Cell], Iterator[tuple[int, list[_Cell]]]]:
    """The heading row (the first non-empty row) and the non-empty rows after it."""
    non_empty = ((n, cells) for n, cells in rows if any(not _BLANK.match(c.text) for c in cells))
    try:
        _, headings = next(non_empty)
    except StopIteration:
        headings = []
    return headings, non_empty


def _log_unexpected(row: int, exc: Exception) -> None:
    """Log where it failed, not the message: messages of low-level errors may quote an ID."""
    frame = traceback.extract_tb(exc.__traceback__)[-1]
    logger.error(
        "resident import: row %d could not be checked: %s at %s:%s",
        row,
        type(exc).__name__,
        frame.filename,
        frame.lineno,
    )


@dataclass(frozen=True)
class _Good:
    """A row that passed every check, with the fields :func:`prepare_resident` made of it."""

    row: int
    data: ResidentIn
    fields: dict[str, Any]


def _write_chunk(
    chunk: Sequence[_Good],
    *,
    community: Community,
    actor: Any,
    columns: _Columns,
    counts: dict[str, int],
    errors: list[RowIssue],
) -> None:
    """Write one chunk of good rows in one transaction; each upsert is still its own savepoint.

    Residents and households of the chunk are read in two queries first, so a row that would
    not change anything is counted ``unchanged`` without the three queries of an upsert (this
    is what makes a re-import of 3,000 rows take a second). The comparison is the upsert's own:
    every prepared field equal, and the household equal unless the address is blank.
    """
    with transaction.atomic():
        hashes = [good.fields["id_hash"] for good in chunk]
        existing = {r.id_hash: r for r in Resident.objects.filter(community=community, id_hash__in=hashes)}
        addresses = {" ".join(good.data.address.split()) for good in chunk} - {""}
        households = dict(
            Household.objects.filter(community=community, address__in=addresses).values_list("address", "id")
        )
        missing = addresses - households.keys()
        if missing:
            # The households cache: made here in one statement, so each upsert finds its own.
            Household.objects.bulk_create(
                [Household(community=community, address=a) for a in sorted(missing)],
                ignore_conflicts=True,
            )
        for good in chunk:
            resident = existing.get(good.fields["id_hash"])
            address = " ".join(good.data.address.split())
            if (
                resident is not None
                and all(getattr(resident, key) == value for key, value in good.fields.items())
                and (not address or households.get(address) == resident.household_id)
            ):
                counts["unchanged"] += 1
                continue
            try:
                _resident, status = upsert_resident(community, good.data, actor=actor, audit=False)
            except ShouwangError as exc:
                counts["rejected"] += 1
                key = exc.field if exc.field in columns.indexes else "id_number"
                errors.append(_issue(good.row, columns.name(key), "", exc))
                continue
            counts[status] += 1


def import_residents(
    path: Path, *, community: Community, actor: Any, report_path: Path | None = None
) -> ImportSummary:
    """Import the residents in ``path`` (.xlsx or .csv) into ``community``.

    Raises :class:`InvalidInput` (``import_format``, ``import_headings``, …) before anything is
    written when the file itself cannot be used. Otherwise every row is imported or reported;
    the report (``<stem>.errors.xlsx`` next to the input unless ``report_path``) is always
    written, and one ``resident.import`` audit entry records the counts.
    """
    started = time.perf_counter()
    path = Path(path)
    report = Path(report_path) if report_path is not None else default_report_path(path)
    _check_report_path(path, report)
    headings, rows = _data_rows(read_table(path))
    columns = map_headings(headings)
    today = community.local_date(timezone.now())

    counts = {"imported": 0, "updated": 0, "unchanged": 0, "rejected": 0, "duplicates": 0}
    errors: list[RowIssue] = []
    warnings: list[RowIssue] = []
    first_rows: dict[str, int] = {}  # id hash → first row with that number
    checked: list[_Good] = []

    for row, cells in rows:
        try:
            check = check_row(row, cells, columns, today=today)
        except Exception as exc:  # a validator's bug must cost one row, not the whole import
            _log_unexpected(row, exc)
            counts["rejected"] += 1
            unexpected = ImportInputError("import_row_unexpected", why=type(exc).__name__)
            errors.append(_issue(row, "", "", unexpected))
            continue
        if check.doc is not None:
            first = first_rows.setdefault(check.doc.hash, row)
            if first != row:
                counts["duplicates"] += 1
                duplicate = InvalidInput("import_duplicate", field="id_number", first_row=first)
                errors.append(_issue(row, columns.name("id_number"), check.doc.masked, duplicate))
                continue
        errors.extend(i for i in check.issues if i.level == "error")
        warnings.extend(i for i in check.issues if i.level == "warning")
        if check.data is None:
            counts["rejected"] += 1
        else:
            checked.append(_Good(row, check.data, check.fields or {}))

    try:
        for start in range(0, len(checked), _CHUNK):
            chunk = checked[start : start + _CHUNK]
            _write_chunk(
                chunk, community=community, actor=actor, columns=columns, counts=counts, errors=errors
            )
        write_report(report, [*errors, *warnings])
    except Exception:
        # Rows of earlier chunks are committed: the audit must still say so.
        with contextlib.suppress(Exception):
            log_action(
                "resident.import",
                actor=actor,
                community=community,
                file=path.name,
                aborted=True,
                **counts,
            )
        raise
    log_action(
        "resident.import",
        actor=actor,
        community=community,
        file=path.name,
        report=report.name,
        warnings=len(warnings),
        **counts,
    )
    return ImportSummary(
        **counts,
        report_path=report,
        errors=errors,
        warnings=warnings,
        seconds=time.perf_counter() - started,
    )
