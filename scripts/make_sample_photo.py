"""Make the sample portal's camera photo: static/media/2021/lop-day-boi.jpg.

A synthetic picture of a swimming class (a pool with lane ropes, children in coloured
caps, an instructor on the edge), 4000×3000 like a phone camera's, saved as a camera
saves it: upside down in the file with EXIF Orientation 3 (the phone was held upside
down), a GPS position, a camera make and model, and an Adobe-style XMP packet. The
build must turn it upright and publish none of that metadata (README, "Ảnh").

Only Pillow is needed (a dependency of the portal). The output is deterministic for one
Pillow and libjpeg version (a seeded generator, no dates):

    python3 scripts/make_sample_photo.py
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

OUT = Path(__file__).resolve().parent.parent / "static" / "media" / "2021" / "lop-day-boi.jpg"
WIDTH, HEIGHT = 4000, 3000
# Hồ Gươm, Hà Nội: a public place, standing in for where a real photo would give away a home.
GPS = {1: "N", 2: (21.0, 1.0, 42.0), 3: "E", 4: (105.0, 51.0, 9.0)}
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="21,1.7N"/>'
       b"</rdf:RDF></x:xmpmeta>")


def scene(rng: random.Random) -> Image.Image:
    """The picture as the eye sees it (upright)."""
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    for y in range(HEIGHT):  # a wall and deck above, the water below, in soft gradients
        if y < 900:
            shade = (214 - y // 30, 222 - y // 40, 228 - y // 60)
        elif y < 1050:
            shade = (196, 188, 170)
        else:
            depth = (y - 1050) / (HEIGHT - 1050)
            shade = (int(40 + 30 * depth), int(150 - 40 * depth), int(200 - 30 * depth))
        draw.line([(0, y), (WIDTH, y)], fill=shade)
    for _ in range(4000):  # ripples on the water
        x, y = rng.randrange(WIDTH), rng.randrange(1100, HEIGHT)
        length = rng.randrange(60, 260)
        draw.line([(x, y), (x + length, y + rng.randrange(-6, 7))], fill=(120, 200, 235), width=rng.randrange(3, 9))
    for lane in range(1, 5):  # lane ropes, red and white floats
        y = 1050 + lane * (HEIGHT - 1050) // 5
        for x in range(0, WIDTH, 48):
            colour = (200, 40, 40) if (x // 48) % 6 < 3 else (240, 240, 240)
            draw.ellipse([x, y - 16, x + 40, y + 16], fill=colour)
    for lane in range(5):  # children in coloured caps, with splashes
        for _ in range(3):
            x = rng.randrange(200, WIDTH - 200)
            y = 1150 + lane * (HEIGHT - 1050) // 5 + rng.randrange(40, 200)
            draw.ellipse([x - 140, y - 30, x + 140, y + 40], fill=(170, 225, 245))
            cap = rng.choice([(230, 180, 20), (220, 60, 60), (40, 90, 200), (40, 170, 90)])
            draw.ellipse([x - 55, y - 60, x + 55, y + 40], fill=(224, 180, 150))
            draw.chord([x - 58, y - 66, x + 58, y + 30], 180, 360, fill=cap)
    draw.rectangle([2900, 420, 3060, 980], fill=(30, 60, 120))  # the instructor on the edge
    draw.ellipse([2920, 280, 3040, 420], fill=(210, 170, 140))
    draw.rectangle([400, 300, 1400, 700], fill=(250, 250, 245), outline=(60, 60, 60), width=12)  # a sign
    image = image.filter(ImageFilter.GaussianBlur(2.2))  # a lens, not a ruler
    grain = Image.effect_noise((WIDTH // 2, HEIGHT // 2), 24).resize((WIDTH, HEIGHT)).convert("RGB")
    return Image.blend(image, grain, 0.08)


def main() -> None:
    upright = scene(random.Random(2021))
    stored = upright.rotate(180)  # EXIF Orientation 3: the viewer turns it back
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "Sample Camera", "Phone 12", 3
    exif[0x8825] = GPS  # the GPS IFD
    OUT.parent.mkdir(parents=True, exist_ok=True)
    stored.save(OUT, "JPEG", quality=80, exif=exif, xmp=XMP, comment=b"Sample photo of Minh Giang portal")
    print(f"{OUT}: {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
