"""Text for spreadsheet cells, one rule for every export (.xlsx and CSV).

A cell whose text begins with ``=``, ``+``, ``-`` or ``@`` is taken by Excel, LibreOffice and
Google Sheets as a formula, and one such as ``=HYPERLINK("http://…", "点我")`` or a DDE call can
leak the sheet or run a command on the reader's computer; a leading tab or carriage return lets
the same text through some importers. OWASP, "CSV Injection"
(https://owasp.org/www-community/attacks/CSV_Injection), recommends prefixing such a cell with a
single quote so it is shown as text; that is what :func:`safe_cell` does.
"""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# The first characters that make a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str | None) -> str:
    """User text as a cell shows it and never runs it: the control characters that .xlsx cannot
    hold (NUL…US except tab, LF, CR — openpyxl refuses them on save) are dropped, then text that
    starts with one of :data:`FORMULA_START` gets a leading apostrophe (``'=1+1``). None is ``""``.

    Only for text that came from people (names, notes, addresses); numbers go into cells as
    numbers, so ``-3`` stays a number.
    """
    cleaned = ILLEGAL_CHARACTERS_RE.sub("", text or "")
    return f"'{cleaned}" if cleaned.startswith(FORMULA_START) else cleaned
