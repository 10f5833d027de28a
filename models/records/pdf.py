"""The printed form (PDF) of an issued document, rendered from its HTML with WeasyPrint.

The stylesheet ``templates/document.css`` sets A4 and the letterhead; the font is DejaVu Sans
from the system (Debian's fonts-dejavu-core), which covers every Kazakh letter: a fallback font
without them would drop ә ғ қ ң ө ұ ү һ і from the issued text."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {"regular": FONT_DIR / "DejaVuSans.ttf", "bold": FONT_DIR / "DejaVuSans-Bold.ttf"}
STYLESHEET = Path(__file__).resolve().parents[2] / "templates" / "document.css"


class FontMissing(RuntimeError):
    """The font that covers the Kazakh letters is not installed."""


def _font_urls() -> dict[str, str]:
    missing = [str(path) for path in FONTS.values() if not path.is_file()]
    if missing:
        raise FontMissing(
            f"font file(s) missing: {', '.join(missing)}; install Debian's fonts-dejavu-core "
            "(apt-get install fonts-dejavu-core): without it the Kazakh letters cannot be printed"
        )
    return {name: path.as_uri() for name, path in FONTS.items()}


@cache
def stylesheet_text() -> str:
    """The stylesheet with the font files' locations filled in."""
    css = STYLESHEET.read_text(encoding="utf-8")
    for name, url in _font_urls().items():
        css = css.replace("{" + name + "}", url)
    return css


def to_pdf(html: str) -> bytes:
    """The document's HTML as PDF bytes (A4, letterhead stylesheet, embedded DejaVu Sans)."""
    from weasyprint import CSS, HTML  # imported here: loading Pango is slow

    css = CSS(string=stylesheet_text())
    pdf = HTML(string=html).write_pdf(stylesheets=[css])
    assert pdf is not None
    return pdf


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
