"""The fonts reports use, vendored so Persian and Azerbaijani text shapes the same on every machine."""

from __future__ import annotations

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parents[1] / "web" / "static" / "vendor" / "vazirmatn"
FONT_FILES = (FONT_DIR / "Vazirmatn-Regular.ttf", FONT_DIR / "Vazirmatn-Bold.ttf")


def font_face_css() -> str:
    """``@font-face`` rules pointing at the vendored files (file URLs: WeasyPrint reads them offline)."""
    regular, bold = (p.as_uri() for p in FONT_FILES)
    return (
        f'@font-face {{ font-family: "Vazirmatn"; src: url("{regular}"); font-weight: 400; }}\n'
        f'@font-face {{ font-family: "Vazirmatn"; src: url("{bold}"); font-weight: 700; }}\n'
    )
