"""Identity documents: normalise, validate by type, hash for lookup, mask for display.

Rules from DESIGN.md §4. The resident ID (GB 11643-1999) check digit is ISO 7064 MOD 11-2, via
python-stdnum; its strict region-by-birth-year check becomes a *warning* here, because late
household registration under an abolished region code is real. Full numbers are never stored:
:func:`id_hash` (HMAC-SHA256 under ``SHOUWANG_ID_HASH_KEY``) for lookup, :func:`mask` for display.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from shouwang.core.errors import InvalidInput
from shouwang.people.choices import DocumentType

_SEPARATORS = re.compile(r"[\s\-_/.·\u200b-\u200d\u2060\ufeff]+")
_PERMIT_REGIONS = ("810000", "820000", "830000")
_PATTERNS: dict[str, re.Pattern[str]] = {
    DocumentType.PASSPORT: re.compile(r"^[A-Z0-9]{5,17}$"),
    DocumentType.HKMO_TRAVEL_PERMIT: re.compile(r"^[HM]\d{8}(\d{2})?$"),
    DocumentType.TW_TRAVEL_PERMIT: re.compile(r"^\d{8}(\d{2})?$"),
    # 2004 format: three letters (country) + 12 digits; 2023 format: 18 digits starting with 9.
    DocumentType.FOREIGN_PERMANENT_RESIDENCE: re.compile(r"^([A-Z]{3}\d{12}|9\d{16}[\dX])$"),
}


@dataclass(frozen=True)
class Document:
    """A validated document: ``number`` is normalised; ``warnings`` are codes that never reject."""

    doc_type: str
    number: str
    birth_date: dt.date | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    warning_params: dict[str, str] = field(default_factory=dict)

    @property
    def masked(self) -> str:
        return mask(self.number)

    @property
    def hash(self) -> str:
        return id_hash(self.doc_type, self.number)

    @property
    def gender(self) -> str:
        """``M``/``F`` from an 18-digit ID's 17th digit (odd = male); ``""`` otherwise."""
        if self.doc_type in _RIC_TYPES and len(self.number) == 18:
            return "M" if int(self.number[16]) % 2 else "F"
        return ""


_RIC_TYPES = (DocumentType.RESIDENT_ID, DocumentType.HKMOTW_RESIDENCE_PERMIT)


def normalise(raw: str) -> str:
    """Full-width to ASCII (NFKC), separators and spaces removed, letters upper-cased."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw)).upper()


def mask(number: str) -> str:
    """Display form: first 3 and last 4 characters kept, e.g. ``110***********002X``."""
    if len(number) <= 7:
        return number[:1] + "*" * (len(number) - 1)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def id_hash(doc_type: str, number: str) -> str:
    """Keyed lookup hash of a normalised number. Resident IDs and HK/Macau/Taiwan residence
    permits share one space (the same 18-digit scheme), so either type finds the person."""
    space = "ric" if doc_type in _RIC_TYPES else doc_type
    key = settings.SHOUWANG_ID_HASH_KEY.encode()
    return hmac.new(key, f"{space}:{number}".encode(), hashlib.sha256).hexdigest()


def convert_15_to_18(number: str) -> str:
    """Legacy 15-digit ID (pre-1999, 2-digit year, no check digit) to 18 digits: insert ``19``
    before the year and append the MOD 11-2 check digit."""
    body = number[:6] + "19" + number[6:]
    return body + ric.calc_check_digit(body + "0")


def _validate_ric(number: str, today: dt.date) -> Document:
    if len(number) == 15 and number.isdigit():
        number = convert_15_to_18(number)
    if len(number) != 18:
        raise InvalidInput("id_length", field="id_number", length=len(number))
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidInput("id_format", field="id_number", masked=mask(number))
    expected = ric.calc_check_digit(number)
    if number[17] != expected:
        raise InvalidInput("id_checksum", field="id_number", expected=expected, actual=number[17])
    raw_date = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    try:
        birth = ric.get_birth_date(number)
    except StdnumError:
        raise InvalidInput("id_birth_date", field="id_number", date=raw_date) from None
    if birth > today:
        raise InvalidInput("id_birth_future", field="id_number", date=raw_date)
    warnings: tuple[str, ...] = ()
    params: dict[str, str] = {}
    if not region_in_use(number[:6]):
        warnings = ("id_region_unknown",)
        params = {"region": number[:6]}
    return Document(DocumentType.RESIDENT_ID, number, birth, warnings, params)


def region_in_use(code: str) -> bool:
    """Whether a 6-digit GB/T 2260 region code names a county that still exists.

    python-stdnum's own check requires the code to have existed in the *birth* year, which
    flags everyone born before their district got its current code (e.g. 130102, from 1983);
    an ID is issued later than birth, so we only ask whether the code is known and not abolished.
    """
    info = {k: v for _, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    counties = info.get("county", "")
    if not counties:
        return False
    return any(not c.startswith("[") or c[1:].split("]")[0].endswith("-") for c in counties.split(","))


def validate_document(
    raw: str, doc_type: str = DocumentType.RESIDENT_ID, *, today: dt.date | None = None
) -> Document:
    """Validate ``raw`` as ``doc_type`` and return the normalised :class:`Document`.

    ``today`` (local date) bounds birth dates; defaults to today in Asia/Shanghai.
    Raises :class:`InvalidInput` with codes ``id_empty``, ``id_type_unknown``, ``id_length``,
    ``id_format``, ``id_checksum``, ``id_birth_date``, ``id_birth_future``, ``id_permit_region``.
    """
    number = normalise(raw)
    if not number:
        raise InvalidInput("id_empty", field="id_number")
    if not number.isascii():
        # Digits of other scripts survive NFKC and pass str.isdigit(); no document uses them.
        raise InvalidInput("id_format", field="id_number", masked=mask(number))
    if doc_type not in DocumentType.values:
        raise InvalidInput("id_type_unknown", field="id_type", id_type=doc_type)
    if today is None:
        from django.utils import timezone

        today = timezone.localdate()
    if doc_type in _RIC_TYPES:
        doc = _validate_ric(number, today)
        if doc_type == DocumentType.HKMOTW_RESIDENCE_PERMIT:
            if not doc.number.startswith(_PERMIT_REGIONS):
                raise InvalidInput("id_permit_region", field="id_number")
            # 810000 etc. are not county codes; no region warning for permits.
            return Document(DocumentType.HKMOTW_RESIDENCE_PERMIT, doc.number, doc.birth_date)
        return doc
    if (
        doc_type == DocumentType.FOREIGN_PERMANENT_RESIDENCE
        and len(number) == 18
        and number[:17].isdigit()
        and number[17] != ric.calc_check_digit(number)
    ):
        raise InvalidInput(
            "id_checksum", field="id_number", expected=ric.calc_check_digit(number), actual=number[17]
        )
    if not _PATTERNS[doc_type].match(number):
        raise InvalidInput("id_format", field="id_number", masked=mask(number))
    return Document(doc_type, number)


DOCUMENT_TYPE_ALIASES: dict[str, str] = {
    "": DocumentType.RESIDENT_ID,
    "身份证": DocumentType.RESIDENT_ID,
    "居民身份证": DocumentType.RESIDENT_ID,
    "二代身份证": DocumentType.RESIDENT_ID,
    "港澳台居民居住证": DocumentType.HKMOTW_RESIDENCE_PERMIT,
    "居住证": DocumentType.HKMOTW_RESIDENCE_PERMIT,
    "外国人永久居留身份证": DocumentType.FOREIGN_PERMANENT_RESIDENCE,
    "外国人永久居留证": DocumentType.FOREIGN_PERMANENT_RESIDENCE,
    "永久居留证": DocumentType.FOREIGN_PERMANENT_RESIDENCE,
    "护照": DocumentType.PASSPORT,
    "港澳通行证": DocumentType.HKMO_TRAVEL_PERMIT,
    "港澳居民来往内地通行证": DocumentType.HKMO_TRAVEL_PERMIT,
    "回乡证": DocumentType.HKMO_TRAVEL_PERMIT,
    "台胞证": DocumentType.TW_TRAVEL_PERMIT,
    "台湾居民来往大陆通行证": DocumentType.TW_TRAVEL_PERMIT,
}


def parse_document_type(label: str) -> str:
    """A document type from a code (``passport``) or the words community workers write (``护照``)."""
    text = label.strip()
    if text in DocumentType.values:
        return text
    if text in DOCUMENT_TYPE_ALIASES:
        return DOCUMENT_TYPE_ALIASES[text]
    raise InvalidInput("id_type_unknown", field="id_type", id_type=text)
