"""Printable pass cards (PNG, and A4 PDF sheets to cut) and pictures of each issuer's pass style.

Card geometry is in millimetres on an ID-1 card (85.6 × 54 mm, ISO/IEC 7810), origin at the
card's top-left corner, y downwards, text placed by its baseline. One layout
(:func:`_card_layout`) feeds two backends: Pillow for the PNG (300 dpi) and reportlab for the
PDF (vector text, the CJK font embedded as a subset, the QR drawn as vector modules), so the
paper card and the PNG look alike.
"""

from __future__ import annotations

import functools
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import BinaryIO, Literal

import segno
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas

from shouwang.core.errors import ShouwangError
from shouwang.passes.fonts import cjk_font_path
from shouwang.passes.models import Pass, PassType
from shouwang.passes.services import qr_payload
from shouwang.people.choices import InstitutionKind
from shouwang.people.models import InstitutionMember

RGB = tuple[int, int, int]
Align = Literal["left", "right", "centre"]
QRMatrix = tuple[tuple[bool, ...], ...]

CARD_W_MM = 85.6
CARD_H_MM = 54.0
CARD_DPI = 300
PX_PER_MM = CARD_DPI / 25.4
PICTURE_SIZE = (600, 380)  # pixels, width × height
FOOTER = "出入证 · 请随身携带 / Keep this pass with you"
DEFAULT_COLOUR: RGB = (0xC0, 0x39, 0x2B)
WHITE: RGB = (255, 255, 255)
INK: RGB = (26, 26, 26)
GREY: RGB = (110, 110, 110)
BOLD_STROKE = 0.022  # fake-bold outline, as a fraction of the font size (one side)

# A4 sheet: 2 columns × 4 rows of cards, abutting, centred; in millimetres.
BADGE_CENTRE, BADGE_R = (7.6, 6.5), 5.0  # emblem badge in the card's band, mm
BAND_TEXT_X = 14.4

SHEET_COLS, SHEET_ROWS = 2, 4
CARDS_PER_PAGE = SHEET_COLS * SHEET_ROWS
PAGE_W_MM, PAGE_H_MM = 210.0, 297.0
SHEET_LEFT_MM = (PAGE_W_MM - SHEET_COLS * CARD_W_MM) / 2
SHEET_TOP_MM = (PAGE_H_MM - SHEET_ROWS * CARD_H_MM) / 2


# --- colours and fonts ----------------------------------------------------------------------


def parse_colour(colour: str) -> RGB:
    """``#rrggbb`` as an RGB triple (0–255 each); anything malformed gives the default red."""
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour or ""):
        return DEFAULT_COLOUR
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def ink_on(background: RGB) -> RGB:
    """White or near-black, whichever reads better on ``background`` (relative luminance)."""
    r, g, b = (c / 255 for c in background)
    return INK if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.6 else WHITE


def tint(colour: RGB, amount: float) -> RGB:
    """``colour`` mixed with white; ``amount`` 0 is the colour, 1 is white."""
    r, g, b = (round(c + (255 - c) * amount) for c in colour)
    return (r, g, b)


def shade(colour: RGB, amount: float) -> RGB:
    """``colour`` mixed with black; ``amount`` 0 is the colour, 1 is black."""
    r, g, b = (round(c * (1 - amount)) for c in colour)
    return (r, g, b)


def _pil_font(size_px: float) -> ImageFont.FreeTypeFont:
    """The CJK font at ``size_px`` pixels per em (face 0 of a collection)."""
    return _pil_font_at(str(cjk_font_path()), round(size_px, 1))


@functools.lru_cache(maxsize=64)
def _pil_font_at(path: str, size_px: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size_px, index=0)


def em_width(text: str) -> float:
    """Advance width of ``text`` in ems of the CJK font (so 1.0 is one CJK character)."""
    return _pil_font(200).getlength(text) / 200


def fit_size(text: str, size: float, max_width: float) -> float:
    """``size`` shrunk so ``text`` is at most ``max_width`` wide (same unit as ``size``)."""
    width = em_width(text) * size
    return size if width <= max_width or width == 0 else size * max_width / width


# --- one layout, two backends ---------------------------------------------------------------


@dataclass(frozen=True)
class CardText:
    """A line of text on a card: ``x``/``y`` (baseline) and ``size`` (em) in millimetres."""

    text: str
    x: float
    y: float
    size: float
    colour: RGB = INK
    bold: bool = False
    align: Align = "left"


@dataclass(frozen=True)
class CardLayout:
    """Everything drawn on one card, in card millimetres (see module docstring)."""

    colour: RGB
    kind: str  # issuer's institution kind, "" for the community (picks the emblem)
    band_h: float
    footer_h: float
    texts: tuple[CardText, ...]
    qr: QRMatrix
    qr_x: float
    qr_y: float
    qr_side: float  # the symbol without its quiet zone; the card around it is white


def qr_matrix(payload: str) -> QRMatrix:
    """Dark (True) / light modules of the QR symbol for ``payload``, without quiet zone.

    Error correction M (15 %): survives a scuffed paper card yet keeps a 120–150 character
    payload at version 7–8 (45–49 modules a side), 0.6–0.7 mm a module on the card.
    """
    code = segno.make(payload, error="m", micro=False)
    return tuple(tuple(bool(v) for v in row) for row in code.matrix)


def _fitted(
    text: str,
    x: float,
    y: float,
    size: float,
    max_w: float,
    *,
    colour: RGB = INK,
    bold: bool = False,
    align: Align = "left",
) -> CardText:
    """A :class:`CardText` shrunk to at most ``max_w`` mm wide."""
    return CardText(text, x, y, fit_size(text, size, max_w), colour, bold, align)


def _card_header(p: Pass, colour: RGB) -> list[CardText]:
    """The colour band: community and sub-district on the left, the pass type on the right."""
    on_band = ink_on(colour)
    community = p.community
    right = CARD_W_MM - 4
    return [
        _fitted(community.name, BAND_TEXT_X, 6.6, 4.4, 30, colour=on_band, bold=True),
        _fitted(community.subdistrict.name, BAND_TEXT_X, 10.8, 2.5, 30, colour=on_band),
        _fitted(p.pass_type.name, right, 8.4, 4.6, 35, colour=on_band, bold=True, align="right"),
    ]


def _card_body(p: Pass) -> list[CardText]:
    """Holder's full name (the card is theirs), masked ID, number and validity, left column."""
    holder = p.holder
    texts = [
        CardText("持证人 Holder", 4, 18.4, 2.2, GREY),
        _fitted(holder.name, 4, 25.6, 6.4, 43, bold=True),
    ]
    if isinstance(holder, InstitutionMember):
        texts.append(_fitted(holder.institution.name, 4, 29.8, 2.4, 43, colour=GREY))
    rows = (
        ("证件号", holder.id_masked, 34.4),
        ("编　号", p.number, 39.2),
        ("有效期", f"{p.valid_from:%Y-%m-%d} 至 {p.valid_until:%Y-%m-%d}", 44.0),
    )
    for label, value, y in rows:
        texts.append(CardText(label, 4, y, 2.3, GREY))
        texts.append(_fitted(value, 12.2, y, 3.0, 35, bold=label == "编　号"))
    return texts


def _card_layout(p: Pass) -> CardLayout:
    """The layout of ``p``'s card: band, body, QR box on the right, footer line."""
    colour = parse_colour(p.pass_type.colour)
    footer_h = 5.6
    footer_y = CARD_H_MM - footer_h / 2 + 0.9
    footer = CardText(FOOTER, CARD_W_MM / 2, footer_y, fit_size(FOOTER, 2.5, 78), INK, align="centre")
    side = 30.6  # 0.62–0.68 mm a module (version 7–8); >= 4 modules of white all round
    return CardLayout(
        colour=colour,
        kind=_kind_of(p.pass_type)[0],
        band_h=13.0,
        footer_h=footer_h,
        texts=(*_card_header(p, colour), *_card_body(p), footer),
        qr=qr_matrix(qr_payload(p)),
        qr_x=CARD_W_MM - 2.8 - side,
        qr_y=15.6,
        qr_side=side,
    )


# --- PNG backend (Pillow) -------------------------------------------------------------------


def _px(value_mm: float) -> int:
    return round(value_mm * PX_PER_MM)


def _pil_text(draw: ImageDraw.ImageDraw, t: CardText, scale: float) -> None:
    """Draw ``t`` with ``scale`` pixels per unit of its coordinates."""
    size = t.size * scale
    anchor = {"left": "ls", "right": "rs", "centre": "ms"}[t.align]
    stroke = max(1, round(size * BOLD_STROKE)) if t.bold else 0
    draw.text(
        (t.x * scale, t.y * scale),
        t.text,
        font=_pil_font(size),
        fill=t.colour,
        anchor=anchor,
        stroke_width=stroke,
        stroke_fill=t.colour,
    )


def _pil_qr(draw: ImageDraw.ImageDraw, qr: QRMatrix, box: tuple[int, int, int]) -> None:
    """Draw the modules in the square ``box`` = (left, top, side) pixels, whole pixels a module."""
    left, top, side = box
    module = max(1, side // len(qr))
    offset = (side - module * len(qr)) // 2
    for r, row in enumerate(qr):
        for c, dark in enumerate(row):
            if dark:
                x, y = left + offset + c * module, top + offset + r * module
                draw.rectangle((x, y, x + module - 1, y + module - 1), fill=INK)


def _to_png(img: Image.Image, dpi: int | None = None) -> bytes:
    buf = io.BytesIO()
    if dpi:
        img.save(buf, format="PNG", dpi=(dpi, dpi))
    else:
        img.save(buf, format="PNG")
    return buf.getvalue()


def render_card_png(p: Pass) -> bytes:
    """The holder's pass card as a PNG: 1011 × 638 px (85.6 × 54 mm at 300 dpi, set in pHYs).

    Colour band of the pass type, community and sub-district, holder's full name, masked ID,
    pass number, validity (local dates, inclusive) and the signed QR (about 31 mm square).
    Raises ``font_missing`` when no CJK font is installed.
    """
    layout = _card_layout(p)
    w, h = _px(CARD_W_MM), _px(CARD_H_MM)
    img = Image.new("RGB", (w, h), WHITE)
    draw = ImageDraw.Draw(img)
    radius = _px(3.18)  # ID-1 corner radius
    draw.rounded_rectangle((0, 0, w - 1, h - 1), radius, fill=WHITE, outline=(200, 200, 200), width=2)
    band = (0, 0, w - 1, _px(layout.band_h))
    draw.rounded_rectangle(band, radius, fill=layout.colour, corners=(True, True, False, False))
    footer = (0, h - _px(layout.footer_h), w - 1, h - 1)
    draw.rounded_rectangle(footer, radius, fill=tint(layout.colour, 0.82), corners=(False, False, True, True))
    centre = (BADGE_CENTRE[0] * PX_PER_MM, BADGE_CENTRE[1] * PX_PER_MM)
    _pil_emblem(draw, layout.kind, centre, BADGE_R * PX_PER_MM, layout.colour)
    for t in layout.texts:
        _pil_text(draw, t, PX_PER_MM)
    _pil_qr(draw, layout.qr, (_px(layout.qr_x), _px(layout.qr_y), _px(layout.qr_side)))
    return _to_png(img, CARD_DPI)


# --- PDF backend (reportlab) ----------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _register_pdf_font(path: str) -> str:
    """Register the CJK TrueType font with reportlab once; returns its PDF font name.

    reportlab embeds only the glyphs used, with a ToUnicode map so text can be copied and
    searched. CFF-outline fonts (``.otf`` Noto) are refused by reportlab: ``font_missing``.
    """
    name = "ShouwangCJK-" + re.sub(r"[^A-Za-z0-9]", "", path)[-24:]
    try:
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
    except (TTFError, OSError):
        raise ShouwangError("font_missing") from None
    return name


def _fill(c: Canvas, colour: RGB) -> None:
    c.setFillColorRGB(*(v / 255 for v in colour))


def _pdf_text(c: Canvas, font: str, t: CardText) -> None:
    """Draw ``t`` on a canvas translated to the card's top-left, y up (so baseline at -y)."""
    size = t.size * mm
    width = pdfmetrics.stringWidth(t.text, font, size)
    x = t.x * mm - {"left": 0.0, "right": width, "centre": width / 2}[t.align]
    c.saveState()
    obj = c.beginText(x, -t.y * mm)
    obj.setFont(font, size)
    obj.setFillColorRGB(*(v / 255 for v in t.colour))
    if t.bold:
        obj.setStrokeColorRGB(*(v / 255 for v in t.colour))
        c.setLineWidth(size * BOLD_STROKE * 2)  # a PDF stroke straddles the outline
        obj.setTextRenderMode(2)
    obj.textOut(t.text)
    c.drawText(obj)
    c.restoreState()


def _pdf_qr(c: Canvas, layout: CardLayout) -> None:
    """The QR as vector squares, one rectangle per horizontal run of dark modules."""
    module = layout.qr_side / len(layout.qr) * mm
    x0, y0 = layout.qr_x * mm, -layout.qr_y * mm
    path = c.beginPath()
    for r, row in enumerate(layout.qr):
        c_start = None
        for col, dark in enumerate((*row, False)):
            if dark and c_start is None:
                c_start = col
            elif not dark and c_start is not None:
                path.rect(x0 + c_start * module, y0 - (r + 1) * module, (col - c_start) * module, module)
                c_start = None
    _fill(c, INK)
    c.drawPath(path, stroke=0, fill=1)


def _pdf_card(c: Canvas, font: str, p: Pass, left_mm: float, top_mm: float) -> None:
    """One card with its top-left corner at (``left_mm``, ``top_mm``) from the page's top-left."""
    layout = _card_layout(p)
    c.saveState()
    c.translate(left_mm * mm, (PAGE_H_MM - top_mm) * mm)
    _fill(c, layout.colour)
    c.rect(0, -layout.band_h * mm, CARD_W_MM * mm, layout.band_h * mm, stroke=0, fill=1)
    _fill(c, tint(layout.colour, 0.82))
    c.rect(0, -CARD_H_MM * mm, CARD_W_MM * mm, layout.footer_h * mm, stroke=0, fill=1)
    _pdf_emblem(c, layout.kind, BADGE_CENTRE, BADGE_R, layout.colour)
    for t in layout.texts:
        _pdf_text(c, font, t)
    _pdf_qr(c, layout)
    c.restoreState()


def _pdf_cut_lines(c: Canvas) -> None:
    """Dashed grey lines along every card edge, with solid crop marks in the margins."""
    left, top = SHEET_LEFT_MM, SHEET_TOP_MM
    right, bottom = left + SHEET_COLS * CARD_W_MM, top + SHEET_ROWS * CARD_H_MM
    xs = [left + col * CARD_W_MM for col in range(SHEET_COLS + 1)]
    ys = [top + row * CARD_H_MM for row in range(SHEET_ROWS + 1)]
    c.saveState()
    c.translate(0, PAGE_H_MM * mm)
    c.setStrokeColorRGB(0.55, 0.55, 0.55)
    c.setLineWidth(0.3)
    for x in xs:
        c.line(x * mm, -(top - 8) * mm, x * mm, -(top - 2) * mm)
        c.line(x * mm, -(bottom + 2) * mm, x * mm, -(bottom + 8) * mm)
    for y in ys:
        c.line((left - 8) * mm, -y * mm, (left - 2) * mm, -y * mm)
        c.line((right + 2) * mm, -y * mm, (right + 8) * mm, -y * mm)
    c.setDash([3, 2])
    for x in xs:
        c.line(x * mm, -top * mm, x * mm, -bottom * mm)
    for y in ys:
        c.line(left * mm, -y * mm, right * mm, -y * mm)
    c.restoreState()


def _pdf_page_header(c: Canvas, font: str, title: str, page: int, pages: int) -> None:
    """Title and page number in the top margin, a cutting hint in the bottom margin."""
    bottom = SHEET_TOP_MM + SHEET_ROWS * CARD_H_MM
    c.saveState()
    c.translate(0, PAGE_H_MM * mm)
    for t in (
        CardText(title, SHEET_LEFT_MM, SHEET_TOP_MM - 14, 4.2, bold=True),
        CardText(
            f"第 {page}/{pages} 页 Page {page} of {pages}",
            PAGE_W_MM - SHEET_LEFT_MM,
            SHEET_TOP_MM - 14,
            3.0,
            GREY,
            align="right",
        ),
        CardText("沿虚线裁切 · Cut along the dashed lines", SHEET_LEFT_MM, bottom + 14, 3.0, GREY),
    ):
        _pdf_text(c, font, t)
    c.restoreState()


def _pdf_page(c: Canvas, font: str, chunk: Sequence[Pass], page: int, pages: int) -> None:
    title = f"{chunk[0].community.name} 出入证" if chunk else "出入证 Passes"
    _pdf_page_header(c, font, title, page, pages)
    for i, p in enumerate(chunk):
        row, col = divmod(i, SHEET_COLS)
        _pdf_card(c, font, p, SHEET_LEFT_MM + col * CARD_W_MM, SHEET_TOP_MM + row * CARD_H_MM)
    _pdf_cut_lines(c)
    c.showPage()


def render_cards_pdf(passes: Iterable[Pass], out: BinaryIO) -> int:
    """Write A4 sheets of cards (2 × 4 per page, 85.6 × 54 mm each, dashed cut lines) to ``out``.

    Returns the number of pages. Text is vector with the CJK font embedded (so names like
    李䶮 print and can be searched); QR codes are vector. No passes gives one page saying so.
    For many passes load them with ``select_related("community__subdistrict", "pass_type__institution",
    "resident", "member__institution")``. Raises ``font_missing`` without a CJK font.
    """
    items = list(passes)
    font = _register_pdf_font(str(cjk_font_path()))
    c = Canvas(out, pagesize=A4, invariant=True)
    c.setTitle("出入证 Passes")
    c.setCreator("Shouwang 守望")
    chunks = [items[i : i + CARDS_PER_PAGE] for i in range(0, len(items), CARDS_PER_PAGE)] or [[]]
    for page, chunk in enumerate(chunks, start=1):
        _pdf_page(c, font, chunk, page, len(chunks))
    c.save()
    return len(chunks)


# --- emblems: one shape per issuer kind, as plain polygons -----------------------------------

Point = tuple[float, float]
Shape = tuple[tuple[Point, ...], bool]  # (polygon, knock-out drawn in the badge's white)


def _arc(
    cx: float, cy: float, r: float, start: float = 0, end: float = 360, n: int = 40
) -> tuple[Point, ...]:
    """Points on a circle arc; angles in degrees, clockwise from 3 o'clock (y down)."""
    steps = [start + (end - start) * i / n for i in range(n + 1)]
    return tuple((cx + r * math.cos(math.radians(a)), cy + r * math.sin(math.radians(a))) for a in steps)


def _box(x0: float, y0: float, x1: float, y1: float) -> tuple[Point, ...]:
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def _smooth(points: tuple[Point, ...], rounds: int = 3) -> tuple[Point, ...]:
    """Chaikin corner cutting of a closed polygon: rounder outlines for organic shapes."""
    for _ in range(rounds):
        pairs = zip(points, (*points[1:], points[0]), strict=True)
        points = tuple(
            q
            for (x0, y0), (x1, y1) in pairs
            for q in (
                (0.75 * x0 + 0.25 * x1, 0.75 * y0 + 0.25 * y1),
                (0.25 * x0 + 0.75 * x1, 0.25 * y0 + 0.75 * y1),
            )
        )
    return points


def _star(r: float) -> tuple[Point, ...]:
    """A five-pointed star, point up, outer radius ``r``, centred on the origin."""
    radii = [r if i % 2 == 0 else r * 0.4 for i in range(10)]
    angles = [-math.pi / 2 + i * math.pi / 5 for i in range(10)]
    return tuple((rad * math.cos(a), rad * math.sin(a) + 0.04) for rad, a in zip(radii, angles, strict=True))


_FLAME = (
    (0.0, 0.72),
    (-0.34, 0.62),
    (-0.52, 0.34),
    (-0.5, 0.02),
    (-0.36, -0.22),
    (-0.3, -0.44),
    (-0.16, -0.2),
    (-0.1, -0.48),
    (0.04, -0.8),
    (0.22, -0.46),
    (0.28, -0.2),
    (0.4, -0.38),
    (0.52, -0.06),
    (0.54, 0.3),
    (0.36, 0.62),
)
_FLAME_CORE = (
    (0.0, 0.6),
    (-0.22, 0.5),
    (-0.24, 0.24),
    (-0.06, -0.04),
    (0.04, 0.16),
    (0.2, 0.1),
    (0.24, 0.4),
    (0.16, 0.56),
)


def emblem_shapes(kind: str) -> tuple[Shape, ...]:
    """The emblem of an issuer ``kind`` ("" for the community itself) in a unit circle.

    Coordinates are in badge radii, centre (0, 0), y down. Shapes differ in outline, not
    only colour, so they can be told apart in poor light: house (community), star (office),
    flame (fire station), cross (health station), crescent moon (hotel), awning (shop),
    diamond (anything else).
    """
    shapes: dict[str, tuple[Shape, ...]] = {
        "": (
            (((-0.7, 0.0), (0.0, -0.66), (0.7, 0.0)), False),
            (_box(-0.46, -0.04, 0.46, 0.58), False),
            (_box(-0.13, 0.2, 0.13, 0.58), True),
        ),
        InstitutionKind.OFFICE: ((_star(0.72), False),),
        InstitutionKind.FIRE_STATION: ((_smooth(_FLAME, 2), False), (_smooth(_FLAME_CORE, 2), True)),
        InstitutionKind.HEALTH_STATION: (
            (_box(-0.2, -0.62, 0.2, 0.62), False),
            (_box(-0.62, -0.2, 0.62, 0.2), False),
        ),
        InstitutionKind.HOTEL: ((_arc(0, 0, 0.6), False), (_arc(0.22, -0.24, 0.5), True)),
        InstitutionKind.SHOP: (
            (_box(-0.62, -0.56, 0.62, -0.24), False),
            *((_arc(-0.465 + i * 0.31, -0.24, 0.155, 0, 180, 16), False) for i in range(4)),
            (_box(-0.5, 0.04, 0.5, 0.6), False),
            (_box(-0.14, 0.22, 0.14, 0.6), True),
        ),
    }
    diamond: tuple[Shape, ...] = ((((0.0, -0.7), (0.56, 0.0), (0.0, 0.7), (-0.56, 0.0)), False),)
    return shapes.get(kind, diamond)


def emblem_ink(band: RGB) -> RGB:
    """Colour of the emblem on its white badge: the band colour, darkened if it is pale."""
    return band if ink_on(band) == WHITE else shade(band, 0.45)


def _pil_emblem(draw: ImageDraw.ImageDraw, kind: str, centre: Point, r: float, band: RGB) -> None:
    """A white badge of radius ``r`` pixels at ``centre`` with the kind's emblem in it."""
    cx, cy = centre
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=WHITE)
    for polygon, knockout in emblem_shapes(kind):
        draw.polygon(
            [(cx + x * r, cy + y * r) for x, y in polygon], fill=WHITE if knockout else emblem_ink(band)
        )


def _pdf_emblem(c: Canvas, kind: str, centre: Point, r: float, band: RGB) -> None:
    """As :func:`_pil_emblem` on a canvas translated to the card's top-left (mm, y down)."""
    cx, cy = centre
    _fill(c, WHITE)
    c.circle(cx * mm, -cy * mm, r * mm, stroke=0, fill=1)
    for polygon, knockout in emblem_shapes(kind):
        path = c.beginPath()
        (x0, y0), *rest = polygon
        path.moveTo((cx + x0 * r) * mm, -(cy + y0 * r) * mm)
        for x, y in rest:
            path.lineTo((cx + x * r) * mm, -(cy + y * r) * mm)
        path.close()
        _fill(c, WHITE if knockout else emblem_ink(band))
        c.drawPath(path, stroke=0, fill=1)


# --- pictures of each issuer's pass style ---------------------------------------------------


def _kind_of(pass_type: PassType) -> tuple[str, str]:
    """(kind code, label) of the issuing institution; ("", "社区 Community") when there is none."""
    institution = pass_type.institution
    if institution is None:
        return "", "社区居委会 Community"
    kind = institution.kind or InstitutionKind.OTHER
    label = InstitutionKind(kind).label if kind in InstitutionKind.values else str(kind)
    return str(kind), f"{label} {kind}"


def _watermark(img: Image.Image, colour: RGB) -> Image.Image:
    """``img`` with a diagonal, translucent "样式 SAMPLE" across it."""
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    ImageDraw.Draw(layer).text(
        (img.width / 2, img.height / 2),
        "样式 SAMPLE",
        font=_pil_font(84),
        anchor="mm",
        fill=(*shade(colour, 0.3), 70),
    )
    layer = layer.rotate(18, resample=Image.Resampling.BICUBIC, center=(img.width / 2, img.height / 2))
    return Image.alpha_composite(img.convert("RGBA"), layer).convert("RGB")


def _picture_band(draw: ImageDraw.ImageDraw, pass_type: PassType, colour: RGB, kind: str) -> None:
    """Top band: emblem badge, issuer name and the pass type name."""
    w = PICTURE_SIZE[0]
    draw.rounded_rectangle((0, 0, w - 1, 118), 22, fill=colour, corners=(True, True, False, False))
    _pil_emblem(draw, kind, (66, 59), 44, colour)
    on = ink_on(colour)
    for t in (
        CardText(pass_type.issuer, 128, 46, fit_size(pass_type.issuer, 26, 450), on),
        CardText(pass_type.name, 128, 96, fit_size(pass_type.name, 40, 450), on, bold=True),
    ):
        _pil_text(draw, t, 1.0)


def _picture_body(draw: ImageDraw.ImageDraw, colour: RGB, kind_label: str) -> None:
    """Photo box, blank holder fields, a sample QR (not a pass) and the footer strip."""
    w, h = PICTURE_SIZE
    draw.rectangle((28, 142, 128, 272), fill=(236, 236, 236), outline=(190, 190, 190), width=2)
    _pil_text(draw, CardText("照片 PHOTO", 78, 213, 15, GREY, align="centre"), 1.0)
    for i, label in enumerate(("姓名 Name", "编号 No.", "有效期 Valid")):
        y = 168 + i * 46
        _pil_text(draw, CardText(label, 150, y, 17, GREY), 1.0)
        draw.line((262, y + 3, 410, y + 3), fill=(170, 170, 170), width=2)
    _pil_text(draw, CardText(f"发证单位类别 {kind_label}", 150, 300, 15, GREY), 1.0)
    _pil_qr(draw, qr_matrix("SHOUWANG SAMPLE - NOT A PASS"), (440, 138, 136))
    draw.rounded_rectangle(
        (0, h - 44, w - 1, h - 1), 22, fill=tint(colour, 0.82), corners=(False, False, True, True)
    )
    _pil_text(draw, CardText(FOOTER, w / 2, h - 15, fit_size(FOOTER, 18, 540), INK, align="centre"), 1.0)


def render_pass_type_picture(pass_type: PassType) -> bytes:
    """A PNG picture (600 × 380 px) of this issuer's physical pass style, for gate staff to learn.

    Band in ``pass_type.colour``, issuer and type name, an emblem whose shape depends on the
    issuing institution's kind, blank holder fields and a diagonal "样式 SAMPLE" watermark.
    Deterministic: the same pass type always gives the same bytes. Raises ``font_missing``.
    """
    colour = parse_colour(pass_type.colour)
    kind, kind_label = _kind_of(pass_type)
    w, h = PICTURE_SIZE
    img = Image.new("RGB", (w, h), (244, 244, 244))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((0, 0, w - 1, h - 1), 22, fill=WHITE, outline=shade(colour, 0.2), width=3)
    _picture_band(draw, pass_type, colour, kind)
    _picture_body(draw, colour, kind_label)
    return _to_png(_watermark(img, colour))
