"""Draw the theme's default icon, used by a portal whose config names no `favicon:`:
templates/assets/favicon.svg (linked from every page) and templates/favicon.ico
(published as /favicon.ico, which browsers ask for by that name).

A white heart on the theme's blue (--brand in theme.css), drawn from one geometry in
both files: two circles and the polygon between them and the heart's tip. No name of any
organization: every portal starts with it, and replaces it by setting `favicon:`.

Only Pillow is needed (a dependency of the portal); the output is deterministic for one
Pillow version:

    python3 scripts/make_default_favicon.py
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
BRAND, HEART = "#0b4f8a", "#ffffff"
GRID, CORNER = 64, 12  # the drawing's units; the background's rounded corner
RADIUS, LEFT, RIGHT, TIP = 10.5, (22.5, 26.0), (41.5, 26.0), (32.0, 50.0)
ICO_SIZES = [(16, 16), (32, 32), (48, 48)]
SUPERSAMPLE = 512  # drawn this big, then shrunk: smooth edges at 16 pixels


def tangent_point(centre: tuple[float, float], outward: int) -> tuple[float, float]:
    """Where the line from the tip touches the circle, on its outer side (-1 left, 1 right)."""
    dx, dy = centre[0] - TIP[0], centre[1] - TIP[1]
    distance = math.hypot(dx, dy)
    towards_tip = math.atan2(-dy, -dx)
    turn = math.acos(RADIUS / distance)
    angle = towards_tip - outward * turn
    return centre[0] + RADIUS * math.cos(angle), centre[1] + RADIUS * math.sin(angle)


def outline() -> list[tuple[float, float]]:
    """The polygon that joins the two circles to the tip."""
    middle = ((LEFT[0] + RIGHT[0]) / 2, LEFT[1])
    return [tangent_point(LEFT, -1), LEFT, middle, RIGHT, tangent_point(RIGHT, 1), TIP]


def svg() -> str:
    points = " ".join(f"{x:.2f} {y:.2f}" for x, y in outline())
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {GRID} {GRID}">'
            f'<rect width="{GRID}" height="{GRID}" rx="{CORNER}" fill="{BRAND}"/>'
            f'<g fill="{HEART}">'
            f'<circle cx="{LEFT[0]}" cy="{LEFT[1]}" r="{RADIUS}"/>'
            f'<circle cx="{RIGHT[0]}" cy="{RIGHT[1]}" r="{RADIUS}"/>'
            f'<path d="M{points}Z"/></g></svg>\n')


def ico_image() -> Image.Image:
    scale = SUPERSAMPLE / GRID
    image = Image.new("RGBA", (SUPERSAMPLE, SUPERSAMPLE))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, SUPERSAMPLE - 1, SUPERSAMPLE - 1), radius=CORNER * scale, fill=BRAND)
    for x, y in (LEFT, RIGHT):
        draw.ellipse(((x - RADIUS) * scale, (y - RADIUS) * scale, (x + RADIUS) * scale, (y + RADIUS) * scale),
                     fill=HEART)
    draw.polygon([(x * scale, y * scale) for x, y in outline()], fill=HEART)
    return image.resize((ICO_SIZES[-1][0] * 4,) * 2, Image.Resampling.LANCZOS)


def main() -> None:
    (TEMPLATES / "assets" / "favicon.svg").write_text(svg(), encoding="utf-8")
    ico_image().save(TEMPLATES / "favicon.ico", format="ICO", sizes=ICO_SIZES)


if __name__ == "__main__":
    main()
