"""Draw the brand images in custom_components/zwave_quirks/brand/.

Home Assistant (2026.3 and later) serves a custom integration's icon and logo
from that folder, and HACS checks that brand/icon.png is there. The drawing is
original: four mesh nodes joined in a Z, one of them in a different colour (the
device with a quirk). The sizes follow the Home Assistant brands rules: icons
256x256 and 512x512, logos 128 and 256 pixels high, PNG with a transparent
background and trimmed.

Run with the project's virtualenv (Pillow comes with Home Assistant); the logo
text needs DejaVu Sans Bold (Debian's fonts-dejavu-core):

    .venv/bin/python scripts/dev/draw_brand.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parents[2] / "custom_components" / "zwave_quirks" / "brand"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")

SCALE = 4  # draw larger, then shrink: smooth edges without an anti-aliasing API
BADGE_TOP = (0x26, 0x7E, 0xB5)
BADGE_BOTTOM = (0x17, 0x4A, 0x7C)
WHITE = (0xFF, 0xFF, 0xFF)
QUIRK = (0xFF, 0xB3, 0x00)
TEXT = (0x1B, 0x2A, 0x3A)


def _icon(size: int) -> Image.Image:
    """The square icon: a rounded badge with the mesh on it."""
    big = size * SCALE
    unit = big / 1024  # the drawing is laid out on a 1024 grid

    def px(value: float) -> int:
        return round(value * unit)

    gradient = Image.new("RGBA", (big, big))
    shade = ImageDraw.Draw(gradient)
    for y in range(big):
        t = y / (big - 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(BADGE_TOP, BADGE_BOTTOM, strict=True))
        shade.line([(0, y), (big, y)], fill=(*colour, 255))
    mask = Image.new("L", (big, big), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, big - 1, big - 1), radius=px(210), fill=255)
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    image.paste(gradient, (0, 0), mask)

    tl, tr, bl, br = (px(290), px(300)), (px(734), px(300)), (px(290), px(724)), (px(734), px(724))
    # the other mesh links, faint: drawn on their own layer, as ImageDraw
    # replaces pixels instead of blending them
    links = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    for a, b in ((tl, bl), (tr, br)):
        ImageDraw.Draw(links).line([a, b], fill=(*WHITE, 110), width=px(26))
    image.alpha_composite(links)
    draw = ImageDraw.Draw(image)
    # the Z: top, diagonal, bottom
    for a, b in ((tl, tr), (tr, bl), (bl, br)):
        draw.line([a, b], fill=WHITE, width=px(70))
    for centre, ring in ((tl, WHITE), (tr, WHITE), (bl, WHITE), (br, QUIRK)):
        x, y = centre
        outer, inner = px(98), px(46)
        draw.ellipse((x - outer, y - outer, x + outer, y + outer), fill=ring)
        draw.ellipse((x - inner, y - inner, x + inner, y + inner), fill=(*BADGE_BOTTOM, 255))
    return image.resize((size, size), Image.Resampling.LANCZOS)


def _logo(height: int) -> Image.Image:
    """The landscape logo: the icon, then the name in two lines."""
    icon = _icon(height)
    gap = round(height * 0.16)
    font = ImageFont.truetype(str(FONT), round(height * 0.40))
    lines = [("Z-Wave", TEXT), ("Quirks", BADGE_TOP)]
    widths = [round(font.getlength(text)) for text, _ in lines]
    canvas = Image.new("RGBA", (height + gap + max(widths) + height, height), (0, 0, 0, 0))
    canvas.paste(icon, (0, 0), icon)
    draw = ImageDraw.Draw(canvas)
    line_height = height / 2
    for row, (text, colour) in enumerate(lines):
        y = line_height * row + line_height / 2
        draw.text((height + gap, y), text, font=font, fill=(*colour, 255), anchor="lm")
    bbox = canvas.getbbox()  # trim the spare width on the right
    assert bbox is not None
    return canvas.crop((0, 0, bbox[2], height))


def main() -> None:
    """Write the four images."""
    OUT.mkdir(exist_ok=True)
    images = {
        "icon.png": _icon(256),
        "icon@2x.png": _icon(512),
        "logo.png": _logo(128),
        "logo@2x.png": _logo(256),
    }
    for name, image in images.items():
        image.save(OUT / name, optimize=True)
        print(f"{name}: {image.width}x{image.height}")


if __name__ == "__main__":
    main()
