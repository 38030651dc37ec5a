"""Draw the app icons: for Teams `color.png` (192×192) and `outline.png` (32×32), for the
Outlook add-in's ribbon button `icon-16.png`, `icon-32.png` and `icon-80.png`.

The symbol is two speech balloons, a conversation: the one behind is the talk, the one in
front carries a check mark, the agreements signed off. Teams wants a full-colour icon on a
solid background (the accent colour, `ACCENT`, which the manifest repeats as `accentColor`)
and an outline icon that is white on transparent, nothing else (edge pixels are white with
partial alpha). The Outlook ribbon icons show the same symbol in colour on a transparent
background, as Office draws its own ribbon icons: the balloon behind in a mid tone of the
accent (`MID`), the one in front in the accent with a white check mark, so both read on a light
and on a dark ribbon.

Teams reads its two icons from the app package, so they go to `manifest/`. The unified
manifest's schema takes ribbon icons only as absolute http(s) URLs (and Microsoft's docs ask for
https), so the app serves the Outlook icons from `plugin/static/outlook/` at
`/static/outlook/icon-<size>.png`.

Only the standard library: the shapes are signed-distance functions, so each pixel's
coverage (smooth edges) follows from one distance at its centre, and the PNG writer is
zlib + struct. The output is deterministic, so running it again reproduces the committed files
byte for byte (a test checks that)::

    .venv/bin/python manifest/make_icons.py          # manifest/*.png, plugin/static/outlook/*.png
    .venv/bin/python manifest/make_icons.py OUT_DIR  # all five into OUT_DIR
"""

from __future__ import annotations

import itertools
import math
import struct
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

Color = tuple[float, float, float]
Pixel = tuple[int, int, int, int]
#: A signed distance in the symbol's unit box: negative inside the shape.
Sdf = Callable[[float, float], float]

#: The background of the colour icon, and the manifest's `accentColor`.
ACCENT: Color = (0x1B, 0x5E, 0x84)
#: The balloon behind, in the colour icon: a light tint of the accent.
TINT: Color = (0x9E, 0xC9, 0xE0)
WHITE: Color = (0xFF, 0xFF, 0xFF)
#: The balloon behind, in the Outlook icons: between the accent and its tint, so it shows on
#: a white ribbon as well as on a dark one.
MID: Color = (0x4F, 0x93, 0xBA)
#: The sizes of the Outlook ribbon icons: the three that Office requires.
OUTLOOK_SIZES = (16, 32, 80)


def _round_rect(x0: float, y0: float, x1: float, y1: float, r: float) -> Sdf:
    cx, cy, hx, hy = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2 - r, (y1 - y0) / 2 - r

    def sdf(x: float, y: float) -> float:
        dx, dy = abs(x - cx) - hx, abs(y - cy) - hy
        outside = math.hypot(max(dx, 0.0), max(dy, 0.0))
        return outside + min(max(dx, dy), 0.0) - r

    return sdf


def _triangle(*corners: tuple[float, float]) -> Sdf:
    """Signed distance to a triangle (negative inside), any winding."""
    (ax, ay), (bx, by), (cx, cy) = corners
    sign = 1.0 if (bx - ax) * (cy - ay) - (by - ay) * (cx - ax) > 0 else -1.0
    edges = [(ax, ay, bx, by), (bx, by, cx, cy), (cx, cy, ax, ay)]

    def sdf(x: float, y: float) -> float:
        best, inside = math.inf, True
        for px, py, qx, qy in edges:
            ex, ey, wx, wy = qx - px, qy - py, x - px, y - py
            t = max(0.0, min(1.0, (wx * ex + wy * ey) / (ex * ex + ey * ey)))
            best = min(best, math.hypot(wx - ex * t, wy - ey * t))
            if sign * (ex * wy - ey * wx) < 0:
                inside = False
        return -best if inside else best

    return sdf


def _polyline(points: list[tuple[float, float]], width: float) -> Sdf:
    segments = list(itertools.pairwise(points))

    def sdf(x: float, y: float) -> float:
        best = math.inf
        for (px, py), (qx, qy) in segments:
            ex, ey, wx, wy = qx - px, qy - py, x - px, y - py
            t = max(0.0, min(1.0, (wx * ex + wy * ey) / (ex * ex + ey * ey)))
            best = min(best, math.hypot(wx - ex * t, wy - ey * t))
        return best - width / 2

    return sdf


def _balloon(
    box: tuple[float, float, float, float], radius: float, tail: list[tuple[float, float]]
) -> Sdf:
    body, point = _round_rect(*box, radius), _triangle(*tail)
    return lambda x, y: min(body(x, y), point(x, y))


# The symbol in unit coordinates (0..1 across its box, y down).
BACK = _balloon((0.00, 0.04, 0.64, 0.50), 0.13, [(0.10, 0.42), (0.30, 0.42), (0.05, 0.64)])
FRONT = _balloon((0.30, 0.32, 1.00, 0.84), 0.14, [(0.68, 0.76), (0.90, 0.76), (0.95, 0.98)])
CHECK_POINTS = [(0.47, 0.58), (0.59, 0.70), (0.83, 0.46)]
CHECK = _polyline(CHECK_POINTS, 0.085)
GAP = 0.055  # the background showing between the two balloons


def _coverage(size: int, inset: float, sdf: Sdf) -> list[list[float]]:
    """How much of each pixel of a size×size image `sdf` covers (the symbol box inset).

    A pixel is covered by half when the shape's edge runs through its centre, fully from half
    a pixel inside: the usual anti-aliasing from a distance field.
    """
    span = size - 2 * inset

    def cover(col: int, row: int) -> float:
        distance = sdf((col + 0.5 - inset) / span, (row + 0.5 - inset) / span)
        return min(1.0, max(0.0, 0.5 - span * distance))

    return [[cover(col, row) for col in range(size)] for row in range(size)]


def _mix(a: Color, b: Color, t: float) -> Color:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t)


def _back(u: float, v: float) -> float:
    """The balloon behind, minus the front balloon grown by the gap."""
    return max(BACK(u, v), GAP - FRONT(u, v))


def _front(u: float, v: float) -> float:
    """The front balloon, minus the check mark."""
    return max(FRONT(u, v), -CHECK(u, v))


def color_icon() -> list[list[Pixel]]:
    size, inset = 192, 44
    back, front = _coverage(size, inset, _back), _coverage(size, inset, _front)
    pixels = []
    for row in range(size):
        line = []
        for col in range(size):
            r, g, b = _mix(_mix(ACCENT, TINT, back[row][col]), WHITE, front[row][col])
            line.append((round(r), round(g), round(b), 255))
        pixels.append(line)
    return pixels


def outline_icon() -> list[list[Pixel]]:
    size, inset, ring = 32, 1, 0.085

    def shape(u: float, v: float) -> float:
        # The balloon behind as a line of width `ring`, the one in front filled.
        back = max(abs(BACK(u, v) + ring / 2) - ring / 2, GAP - FRONT(u, v))
        return min(back, _front(u, v))

    cover = _coverage(size, inset, shape)
    return [[(255, 255, 255, round(255 * c)) for c in line] for line in cover]


def outlook_icon_name(size: int) -> str:
    return f"icon-{size}.png"


def outlook_icon(size: int) -> list[list[Pixel]]:
    """The symbol in colour on transparent, size×size, for the Outlook ribbon."""
    inset = max(0.5, size / 32)
    back, front = _coverage(size, inset, _back), _coverage(size, inset, FRONT)
    # At least 1.6 pixels wide, or the check mark fades into the balloon at 16 px.
    mark = _polyline(CHECK_POINTS, max(0.085, 1.6 / (size - 2 * inset)))
    check = _coverage(size, inset, lambda u, v: max(mark(u, v), FRONT(u, v)))
    pixels = []
    for row in range(size):
        line = []
        for col in range(size):
            # The front balloon (accent, its check mark white) laid over the one behind.
            a_front, a_back = front[row][col], back[row][col]
            color = _mix(ACCENT, WHITE, min(1.0, check[row][col] / a_front)) if a_front else ACCENT
            alpha = a_front + a_back * (1 - a_front)
            if alpha == 0:
                line.append((0, 0, 0, 0))
                continue
            weight = a_front / alpha
            r, g, b = _mix(MID, color, weight)
            line.append((round(r), round(g), round(b), round(255 * alpha)))
        pixels.append(line)
    return pixels


def encode_png(pixels: list[list[Pixel]]) -> bytes:
    """An 8-bit RGBA PNG, no filtering, no ancillary chunks: the same pixels give the same bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    height, width = len(pixels), len(pixels[0])
    raw = b"".join(b"\x00" + bytes(c for px in line for c in px) for line in pixels)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def write_icons(out_dir: Path, outlook_dir: Path | None = None) -> list[Path]:
    """Write the Teams icons into `out_dir`, the Outlook ones into `outlook_dir` (or `out_dir`)."""
    outlook_dir = outlook_dir or out_dir
    icons = [(out_dir, "color.png", color_icon()), (out_dir, "outline.png", outline_icon())]
    icons += [(outlook_dir, outlook_icon_name(n), outlook_icon(n)) for n in OUTLOOK_SIZES]
    written = []
    for folder, name, pixels in icons:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_bytes(encode_png(pixels))
        written.append(path)
    return written


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    if len(sys.argv) > 1:
        paths = write_icons(Path(sys.argv[1]))
    else:
        paths = write_icons(here, here.parent / "plugin" / "static" / "outlook")
    for written_path in paths:
        print(written_path)
