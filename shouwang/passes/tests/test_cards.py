"""Pass cards: the QR on a printed card scans back to a real pass, rare names print, styles differ."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from PIL import Image

from shouwang.core.errors import ShouwangError
from shouwang.passes.cards import (
    PICTURE_SIZE,
    render_card_png,
    render_cards_pdf,
    render_pass_type_picture,
)
from shouwang.passes.fonts import cjk_font_path
from shouwang.passes.models import Pass, PassType
from shouwang.passes.services import issue_missing_passes
from shouwang.passes.signing import verify_pass
from shouwang.people.models import Institution, Resident
from shouwang.people.services import ResidentIn, upsert_resident

SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
RARE_NAMES = [
    "买买提·艾力",
    "李䶮",
    "欧阳娜娜",
    "单雄信",
    "曾小贤",
    "解晓东",
    "区志坚",
    "仇英",
    "阿依古丽·吐尔逊",
]


@pytest.fixture
def cjk_font() -> Path:
    """The CJK font, or a skip that says why the card tests cannot run on this machine."""
    try:
        return cjk_font_path()
    except ShouwangError as exc:
        pytest.skip(f"card tests need a CJK font: {exc.message('en')}")


@pytest.fixture
def poppler() -> None:
    if not (shutil.which("pdftotext") and shutil.which("pdftoppm")):
        pytest.skip("PDF checks need pdftotext/pdftoppm: apt-get install poppler-utils")


def poppler_tool(name: str, *args: str) -> str:
    """Run a poppler-utils tool (found on PATH by the ``poppler`` fixture); its stdout."""
    path = shutil.which(name)
    assert path is not None
    return subprocess.run([path, *args], capture_output=True, check=True, text=True).stdout  # noqa: S603


def resident_id(seq: int) -> str:
    """A valid 18-digit resident ID of Xicheng, born 1990-01-01, sequence ``seq`` (1–999)."""
    from stdnum.cn.ric import calc_check_digit

    base = f"11010219900101{seq:03d}"
    return base + calc_check_digit(base + "0")  # it expects a check-digit slot


def add_residents(world: Any, names: list[str]) -> list[Resident]:
    return [
        upsert_resident(
            world.community_a,
            ResidentIn(name=name, id_number=resident_id(i + 1), address=f"太仆寺街 {i + 1} 号"),
            actor=world.admin,
        )[0]
        for i, name in enumerate(names)
    ]


def issue_to_all(world: Any) -> list[Pass]:
    """The passes of community A after issuing to every new resident, in number order."""
    issue_missing_passes(
        world.community_a,
        pass_type=world.pass_type_a,
        valid_from=dt.date(2020, 2, 29),
        valid_until=dt.date(2020, 5, 27),
        actor=world.admin,
    )
    return list(
        Pass.objects.filter(community=world.community_a)
        .select_related("community__subdistrict", "pass_type", "resident", "member__institution")
        .order_by("number")
    )


def save_artifact(name: str, data: bytes) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    path.write_bytes(data)
    return path


def test_card_png_qr_scans_back_to_the_pass(world: Any, cjk_font: Path) -> None:
    import zxingcpp

    png = render_card_png(world.pass_)
    save_artifact("pass-card.png", png)
    image = Image.open(io.BytesIO(png))
    assert image.size == (1011, 638)  # 85.6 × 54 mm at 300 dpi
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1
    claim = verify_pass(results[0].text)
    assert claim.number == world.pass_.number
    assert claim.community == "tps"


def test_card_png_of_a_rare_name(world: Any, cjk_font: Path) -> None:
    import zxingcpp

    add_residents(world, ["李䶮"])
    p = next(p for p in issue_to_all(world) if p.holder.name == "李䶮")
    png = render_card_png(p)
    save_artifact("pass-card-rare-name.png", png)
    assert verify_pass(zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))[0].text).number == p.number


def test_pdf_of_ten_passes_has_two_pages_and_searchable_names(
    world: Any, cjk_font: Path, poppler: None, tmp_path: Path
) -> None:
    add_residents(world, RARE_NAMES)
    passes = issue_to_all(world)
    assert len(passes) == 10
    pdf = tmp_path / "cards.pdf"
    with pdf.open("wb") as out:
        assert render_cards_pdf(passes, out) == 2
    text = poppler_tool("pdftotext", "-enc", "UTF-8", str(pdf), "-")
    assert "买买提·艾力" in text
    assert "李䶮" in text
    assert passes[-1].number in text
    save_artifact("pass-sheet-page1.png", rasterise(pdf, 60, tmp_path / "small"))


def rasterise(pdf: Path, dpi: int, prefix: Path) -> bytes:
    """Page 1 of ``pdf`` as PNG bytes at ``dpi``."""
    poppler_tool("pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", str(pdf), str(prefix))
    return next(prefix.parent.glob(f"{prefix.name}*.png")).read_bytes()


def test_pdf_qr_codes_scan_from_the_printed_sheet(
    world: Any, cjk_font: Path, poppler: None, tmp_path: Path
) -> None:
    """Every vector QR on a sheet, rasterised at 150 dpi (a cheap scan), is one of our passes."""
    import zxingcpp

    add_residents(world, RARE_NAMES)
    passes = issue_to_all(world)
    pdf = tmp_path / "cards.pdf"
    with pdf.open("wb") as out:
        render_cards_pdf(passes, out)
    page = Image.open(io.BytesIO(rasterise(pdf, 150, tmp_path / "scan")))
    numbers = sorted(verify_pass(r.text).number for r in zxingcpp.read_barcodes(page))
    assert numbers == [p.number for p in passes[:8]]


def test_empty_pdf_is_one_page(cjk_font: Path) -> None:
    assert render_cards_pdf([], io.BytesIO()) == 1


def picture_for(world: Any, kind: str | None, colour: str) -> bytes:
    institution = None
    if kind is not None:
        institution = Institution.objects.create(community=world.community_a, name=f"单位 {kind}", kind=kind)
    pt = PassType.objects.create(
        community=world.community_a,
        code=f"style-{kind}",
        name="工作出入证",
        issuer="太仆寺街消防站",
        institution=institution,
        colour=colour,
    )
    return render_pass_type_picture(pt)


def test_pass_type_picture_is_a_png_and_differs_per_kind(world: Any, cjk_font: Path) -> None:
    fire = picture_for(world, "fire_station", "#c0392b")
    health = picture_for(world, "health_station", "#c0392b")
    save_artifact("pass-type-fire-station.png", fire)
    save_artifact("pass-type-health-station.png", health)
    save_artifact("pass-type-community.png", render_pass_type_picture(world.pass_type_a))
    for png in (fire, health):
        assert Image.open(io.BytesIO(png)).size == PICTURE_SIZE
        assert png.startswith(b"\x89PNG")
    assert fire != health


def test_pass_type_picture_is_deterministic(world: Any, cjk_font: Path) -> None:
    assert render_pass_type_picture(world.pass_type_a) == render_pass_type_picture(world.pass_type_a)


def test_all_kinds_render(world: Any, cjk_font: Path) -> None:
    pictures = {kind: picture_for(world, kind, "#2e86c1") for kind in ("office", "hotel", "shop", "other")}
    for kind, png in pictures.items():
        save_artifact(f"pass-type-{kind}.png", png)
    assert len(set(pictures.values())) == 4


@pytest.mark.django_db
def test_missing_font_is_reported(tmp_path: Path) -> None:
    with override_settings(SHOUWANG_CJK_FONT=str(tmp_path / "nope.ttc")), pytest.raises(ShouwangError) as exc:
        cjk_font_path()
    assert exc.value.code == "font_missing"


def test_member_card_with_long_names_scans(world: Any, cjk_font: Path) -> None:
    """An institution member's card: long names shrink to fit, the QR still scans."""
    import zxingcpp

    from shouwang.passes.services import issue_pass
    from shouwang.people.services import register_member

    office = Institution.objects.create(
        community=world.community_a, name="中央国家机关某部委第三办公区", kind="office"
    )
    pt = PassType.objects.create(
        community=world.community_a,
        code="office",
        name="机关工作人员出入证",
        issuer=office.name,
        institution=office,
        colour="#f1c40f",
    )
    member = register_member(
        office, name="阿卜杜热合曼·买买提依明", id_number=resident_id(500), actor=world.admin
    )
    p = issue_pass(
        member,
        pass_type=pt,
        valid_from=dt.date(2020, 2, 29),
        valid_until=dt.date(2020, 5, 27),
        actor=world.admin,
    )
    png = render_card_png(p)
    save_artifact("pass-card-member.png", png)
    assert verify_pass(zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))[0].text).number == p.number
