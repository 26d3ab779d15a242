"""Find and register a CJK font that reportlab can embed in the PDF.

Why not any CJK font: reportlab embeds TrueType (glyf) outlines only. Debian's Noto CJK fonts are
OpenType/CFF and are refused ("postscript outlines are not supported"); reportlab's built-in
``STSong-Light`` CID font is *not embedded*, so a reader without the Adobe Asian font pack shows
boxes. WenQuanYi Zen Hei (Debian ``fonts-wqy-zenhei``) is TrueType and is embedded as a subset,
which is what the bulletin needs: it must print the same anywhere. ``reports.font`` in
config.yaml names another .ttf/.ttc (with ``#N`` for a collection member) when needed.
"""

from __future__ import annotations

import os
from functools import lru_cache

from nms.reports.report import ReportError

FONT_NAME = "NmsCJK"

#: TrueType-outline fonts with the GB2312 repertoire, in order of preference
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc#0",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc#0",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc#0",
    "/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf",
    "/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc#0",  # Fedora
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/simsun.ttc#0",
)


def _split(spec: str) -> tuple[str, int]:
    path, _, index = spec.partition("#")
    return path, int(index) if index.isdigit() else 0


@lru_cache(maxsize=8)
def register_cjk_font(spec: str | None = None) -> str:
    """Register the first usable CJK TrueType font with reportlab; returns its font name.

    Args:
        spec: a font file (``path`` or ``path#index`` for a .ttc); None tries ``CANDIDATES``.

    Raises:
        ReportError: no candidate exists or can be embedded (the message names the package).
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    tried = []
    for candidate in ([spec] if spec else list(CANDIDATES)):
        path, index = _split(candidate)
        if not os.path.exists(path):
            tried.append(f"{path} (missing)")
            continue
        try:
            pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=index))
        except (TTFError, OSError) as exc:
            tried.append(f"{path} ({exc})")
            continue
        return FONT_NAME
    raise ReportError("no embeddable Chinese font for the PDF report: install Debian's "
                      "fonts-wqy-zenhei or set reports.font to a TrueType .ttf/.ttc; tried "
                      + "; ".join(tried))
