"""Draw the app icon with Qt (offscreen) and write n11-desktop.png (256 px), .ico (16–256 px) and
.svg in n11_desktop/resources/icons. Run ``python packaging/make_icons.py``
after changing the drawing; the files are committed, the build only reads them."""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "n11_desktop" / "resources" / "icons"
NAME = "n11-desktop"
BG, FG, ACCENT = "#5b2d8e", "#ffffff", "#f5a623"  # purple tile, white text, an orange "sync" bar
SIZES = (16, 24, 32, 48, 64, 128, 256)

SVG = f"""<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
  <rect x="8" y="8" width="240" height="240" rx="48" fill="{BG}"/>
  <text x="128" y="150" font-family="DejaVu Sans, Arial, sans-serif" font-weight="bold" font-size="104"
        fill="{FG}" text-anchor="middle">n11</text>
  <rect x="48" y="184" width="160" height="20" rx="10" fill="{ACCENT}"/>
</svg>
"""


def draw(size: int):
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter

    img = QImage(size, size, QImage.Format.Format_ARGB32)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    s = size / 256
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(BG))
    p.drawRoundedRect(QRectF(8 * s, 8 * s, 240 * s, 240 * s), 48 * s, 48 * s)
    p.setBrush(QColor(ACCENT))
    p.drawRoundedRect(QRectF(48 * s, 184 * s, 160 * s, 20 * s), 10 * s, 10 * s)
    font = QFont("DejaVu Sans")
    font.setBold(True)
    font.setPixelSize(max(6, int(96 * s)))
    p.setFont(font)
    p.setPen(QColor(FG))
    p.drawText(QRectF(0, 40 * s, 256 * s, 120 * s), Qt.AlignmentFlag.AlignCenter, "n11")
    p.end()
    return img


def write_ico(path: Path, pngs: list[tuple[int, bytes]]) -> None:
    """An .ico holding PNG images (Windows Vista and later read these)."""
    import struct

    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, data in pngs:
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
        blobs += data
    path.write_bytes(header + entries + blobs)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # noqa: F841 - fonts need it
    (HERE / f"{NAME}.svg").write_text(SVG, encoding="utf-8")
    pngs = []
    for size in SIZES:
        ba = QByteArray()
        buf = QBuffer(ba)
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        draw(size).save(buf, "PNG")
        buf.close()
        pngs.append((size, bytes(ba.data())))
    (HERE / f"{NAME}.png").write_bytes(pngs[-1][1])
    write_ico(HERE / f"{NAME}.ico", pngs)
    print(f"wrote {NAME}.svg, .png and .ico ({len(SIZES)} sizes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
