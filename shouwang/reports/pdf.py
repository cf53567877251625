"""A daily report as a PDF a leader reads: A4 portrait, the title 西长安街街道 … 日报 with the date,
the scope and status, the figures table, per-checkpoint and per-community tables, the notes,
who submitted and approved it and when, and "第 N 页 / 共 M 页" at the foot of every page.

The CJK font is the pass cards' (:func:`shouwang.passes.fonts.cjk_font_path`), registered as a
TrueType font so reportlab embeds the glyphs used (a subset) with a ToUnicode map: the file reads
the same on a machine without Chinese fonts, and its text can be searched and copied.
"""

from __future__ import annotations

import functools
import io
import re
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from shouwang.core.errors import ShouwangError
from shouwang.passes.fonts import cjk_font_path
from shouwang.reports.document import COMMUNITY_HEAD, GATE_HEAD, ReportDocument

MARGIN = 16 * mm
INK = colors.HexColor("#1d2733")
MUTED = colors.HexColor("#5f6b76")
HEAD_FILL = colors.HexColor("#e6eaee")
WARN_FILL = colors.HexColor("#fdecea")
WARN_INK = colors.HexColor("#7a1712")


@functools.lru_cache(maxsize=4)
def _font(path: str) -> str:
    """Register the CJK TrueType font once; its reportlab name. ``font_missing`` when the file
    cannot be used (reportlab refuses CFF-outline ``.otf``)."""
    name = "ShouwangReportCJK-" + re.sub(r"[^A-Za-z0-9]", "", path)[-24:]
    try:
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
    except (TTFError, OSError):
        raise ShouwangError("font_missing") from None
    return name


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=14, textColor=INK, wordWrap="CJK")
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=26, alignment=1, spaceAfter=2),
        "date": ParagraphStyle("date", parent=base, fontSize=12, leading=16, alignment=1, textColor=MUTED),
        "h2": ParagraphStyle("h2", parent=base, fontSize=13, leading=18, spaceBefore=10, spaceAfter=4),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10, textColor=MUTED),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11),
        "head": ParagraphStyle("head", parent=base, fontSize=8, leading=10),
        "warn": ParagraphStyle(
            "warn",
            parent=base,
            textColor=WARN_INK,
            backColor=WARN_FILL,
            borderColor=WARN_INK,
            borderWidth=0.8,
            borderPadding=6,
            spaceBefore=6,
            spaceAfter=10,
        ),
    }


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped: notes may hold ``<`` or ``&``), line breaks kept."""
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _bilingual(zh: str, en: str, style: ParagraphStyle) -> Paragraph:
    en_part = f'<br/><font size="6.5" color="#5f6b76">{escape(en.strip())}</font>' if en.strip() else ""
    return Paragraph(escape(zh) + en_part, style)


def _grid(data: list[list[Any]], widths: list[float], font: str, *, numeric_from: int = 1) -> Table:
    """A bordered table with a shaded header row repeated on each page; plain-string cells are
    set in the CJK font too (reportlab's default, Helvetica, is not embedded and has no Chinese)."""
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5ae")),
                ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (numeric_from, 1), (-1, -1), "RIGHT"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f6f8f9")]),
            ]
        )
    )
    return table


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _figures_table(doc: ReportDocument, s: dict[str, ParagraphStyle], width: float) -> Table:
    """The figures in two side-by-side halves so the page stays short."""
    rows = doc.figure_rows()
    half = (len(rows) + 1) // 2
    left, right = rows[:half], rows[half:]
    data: list[list[Any]] = [[_bilingual("指标", "Item", s["head"]), _p("数值", s["head"])] * 2]
    for i in range(half):
        line: list[Any] = []
        for part in (left, right):
            if i < len(part):
                zh, en, value = part[i]
                line += [_bilingual(zh, en, s["cell"]), _number(value)]
            else:
                line += ["", ""]
        data.append(line)
    col = width / 2
    table = _grid(data, [col * 0.68, col * 0.32] * 2, s["base"].fontName)
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (1, 1), (1, -1), 11),
                ("FONTSIZE", (3, 1), (3, -1), 11),
                ("ALIGN", (1, 1), (1, -1), "RIGHT"),
                ("ALIGN", (3, 1), (3, -1), "RIGHT"),
                ("ALIGN", (2, 1), (2, -1), "LEFT"),
                ("LINEBEFORE", (2, 0), (2, -1), 1.2, INK),
            ]
        )
    )
    return table


def _head_row(head: tuple[tuple[str, str], ...], s: dict[str, ParagraphStyle]) -> list[Any]:
    return [_bilingual(zh, en, s["head"]) for zh, en in head]


def _body(rows: list[list[Any]], s: dict[str, ParagraphStyle], text_columns: int = 1) -> list[list[Any]]:
    """Rows with the first ``text_columns`` as wrapping paragraphs (names), the rest as numbers."""
    return [[_p(v, s["cell"]) if i < text_columns else _number(v) for i, v in enumerate(row)] for row in rows]


def _numbered(doc: ReportDocument, font: str) -> type[Canvas]:
    """A canvas class that writes the running head and "第 N 页 / 共 M 页" once it knows M."""
    footer_left = f"{doc.title} · {doc.day.isoformat()}"
    stamp = "未上报 NOT SUBMITTED" if doc.live else f"{doc.status_zh} {doc.status_en}"

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]  # reportlab's own reset

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, _ = A4
            self.setFont(font, 8)
            self.setFillColor(MUTED)
            self.setStrokeColor(colors.HexColor("#c5ccd2"))
            self.line(MARGIN, 12 * mm, width - MARGIN, 12 * mm)
            self.drawString(MARGIN, 8 * mm, footer_left)
            self.drawRightString(width - MARGIN, 8 * mm, f"第 {self.getPageNumber()} 页 / 共 {total} 页")
            self.drawCentredString(width / 2, 8 * mm, stamp)

    return NumberedCanvas


def report_pdf(doc: ReportDocument) -> bytes:
    """The PDF bytes of ``doc``. Raises ``font_missing`` when no CJK font can be embedded."""
    font = _font(str(cjk_font_path()))
    s = _styles(font)
    out = io.BytesIO()
    width = A4[0] - 2 * MARGIN
    story: list[Any] = [
        _p(doc.title, s["title"]),
        _p(f"{doc.date_words}", s["date"]),
        Spacer(1, 4),
        _p(
            f"范围：{doc.scope_name}　　状态：{doc.status_zh}　　数据截至：{doc.as_of}"
            f"{'　　迟报' if doc.late else ''}",
            s["base"],
        ),
        _p(
            f"Scope: {doc.scope_key} · status: {doc.status_en} · figures as of {doc.as_of}"
            f"{' · late' if doc.late else ''}",
            s["small"],
        ),
    ]
    if doc.banner:
        story.append(_p(doc.banner, s["warn"]))
    story += [_p("一、主要数据 Figures", s["h2"]), _figures_table(doc, s, width)]

    gate_rows = doc.gate_rows()
    story.append(_p("二、各卡口 Per checkpoint", s["h2"]))
    if gate_rows:
        widths = [0.2, 0.14, 0.09, 0.08, 0.08, 0.09, 0.08, 0.08, 0.16]
        story.append(
            _grid(
                [_head_row(GATE_HEAD, s), *_body(gate_rows, s, 2)],
                [w * width for w in widths],
                font,
                numeric_from=2,
            )
        )
    else:
        story.append(_p("（当日无卡口记录 no checkpoint records）", s["small"]))

    community_rows = doc.community_rows()
    story.append(_p("三、各社区 Per community", s["h2"]))
    if community_rows:
        widths = [0.17, 0.1, 0.07, 0.09, 0.08, 0.09, 0.09, 0.11, 0.09, 0.11]
        story.append(
            _grid(
                [_head_row(COMMUNITY_HEAD, s), *_body(community_rows, s)], [w * width for w in widths], font
            )
        )
    else:
        story.append(_p("（无 none）", s["small"]))

    story += [
        _p("四、备注 Notes", s["h2"]),
        _p(doc.notes or "（无 none）", s["base"]),
    ]
    sign = [[_bilingual(zh, en, s["cell"]), _p(value, s["cell"])] for zh, en, value in doc.sign_off()]
    sign_table = _grid(sign, [width * 0.28, width * 0.72], font, numeric_from=9)
    sign_table.setStyle(TableStyle([("BACKGROUND", (0, 0), (0, -1), HEAD_FILL)]))
    story.append(KeepTogether([_p("五、上报与审核 Sign-off", s["h2"]), sign_table]))

    template = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=18 * mm,
        title=f"{doc.title} {doc.day.isoformat()}",
        author=doc.subdistrict_name,
        subject="日报 daily report",
        # reportlab opens every page in Helvetica, which is neither embedded nor Chinese.
        initialFontName=font,
    )
    template.build(story, canvasmaker=_numbered(doc, font))
    return out.getvalue()
