"""Draw the demo's picture: a red paper lantern under a full moon (bot/data/media/mid-autumn-lantern.png).

Made by the project with Pillow, from shapes only (no font, no photo), so it is ours to give
away: CC0 1.0 (see bot/data/media/README.md). The output is the same on every run of the same
Pillow: run it again after changing the drawing, and commit the PNG.

    .venv/bin/python scripts/make_demo_image.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "bot" / "data" / "media" / "mid-autumn-lantern.png"
WIDTH, HEIGHT = 640, 400


def sky(draw: ImageDraw.ImageDraw) -> None:
    """A night sky, dark blue at the top to violet at the horizon."""
    for y in range(HEIGHT):
        t = y / HEIGHT
        draw.line([(0, y), (WIDTH, y)], fill=(int(12 + 50 * t), int(18 + 20 * t), int(60 + 60 * t)))


def moon(draw: ImageDraw.ImageDraw) -> None:
    """A full moon with a soft halo."""
    cx, cy = 470, 120
    for r, colour in ((92, (60, 60, 110)), (80, (110, 100, 120)), (68, (250, 236, 190))):
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)
    for dx, dy, r in ((-20, -12, 10), (18, 14, 7), (-4, 24, 5)):
        draw.ellipse([cx + dx - r, cy + dy - r, cx + dx + r, cy + dy + r], fill=(232, 216, 170))


def lantern(draw: ImageDraw.ImageDraw, cx: int, top: int) -> None:
    """A red paper lantern hanging from a string, with gold caps, ribs and a tassel."""
    draw.line([(cx, 0), (cx, top)], fill=(200, 180, 120), width=2)
    draw.rectangle([cx - 22, top, cx + 22, top + 14], fill=(212, 170, 60))
    body = [cx - 80, top + 12, cx + 80, top + 152]
    draw.ellipse(body, fill=(200, 30, 30))
    for dx in (-52, -26, 0, 26, 52):  # the ribs
        draw.arc(
            [cx - abs(dx) - 4, top + 12, cx + abs(dx) + 4, top + 152],
            270 if dx < 0 else 90,
            90 if dx < 0 else 270,
            fill=(150, 20, 20),
            width=2,
        )
    draw.ellipse([cx - 40, top + 50, cx + 40, top + 114], fill=(235, 80, 50))  # the glow
    draw.rectangle([cx - 22, top + 150, cx + 22, top + 164], fill=(212, 170, 60))
    for dx in range(-10, 11, 4):  # the tassel
        draw.line([(cx + dx, top + 164), (cx + dx, top + 214)], fill=(220, 40, 40), width=2)


def main() -> None:
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    sky(draw)
    moon(draw)
    lantern(draw, 200, 70)
    draw.rectangle([0, HEIGHT - 40, WIDTH, HEIGHT], fill=(20, 24, 40))  # the rooftops
    OUT.parent.mkdir(parents=True, exist_ok=True)
    image.save(OUT, "PNG", optimize=True)
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
