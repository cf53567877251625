"""The CJK font for pass cards and pictures.

Names on passes include rare characters (李䶮 uses U+4DAE, CJK Extension A) and minority names
with a middle dot (买买提·艾力), so the font must cover Extension A: Debian's fonts-wqy-zenhei
does, fonts-wqy-microhei does not (it is deliberately not a candidate). The PDF writer
(reportlab) needs TrueType outlines, so TrueType collections come before the CFF-based Noto.
"""

from __future__ import annotations

import functools
from pathlib import Path

from django.conf import settings

from shouwang.core.errors import ShouwangError

# Tried in order when ``SHOUWANG_CJK_FONT`` is not set. Index 0 of each collection is used.
CANDIDATES: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),  # Fedora / Arch layout
)


def cjk_font_path() -> Path:
    """Path of the CJK font file (a ``.ttf``/``.ttc``; use face index 0).

    ``settings.SHOUWANG_CJK_FONT`` wins when set (and must exist); otherwise the first existing
    of :data:`CANDIDATES`. Raises :class:`ShouwangError` ``font_missing`` when there is none.
    The answer is cached per configured value, so tests may override the setting.
    """
    return _resolve(str(getattr(settings, "SHOUWANG_CJK_FONT", "") or ""))


@functools.lru_cache(maxsize=4)
def _resolve(configured: str) -> Path:
    candidates = (Path(configured),) if configured else CANDIDATES
    for path in candidates:
        if path.is_file():
            return path
    raise ShouwangError("font_missing")
