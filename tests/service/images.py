"""Small real pictures for photo tests (photos are decoded with Pillow before they are kept)."""

from __future__ import annotations

import io

from PIL import Image


def picture(kind: str = "JPEG", shade: int = 128, size: tuple[int, int] = (64, 48)) -> bytes:
    """A real image file of ``kind`` (JPEG, PNG, WEBP); ``shade`` makes different pictures."""
    img = Image.new("RGB", size, (shade, 255 - shade, (shade * 7) % 256))
    out = io.BytesIO()
    img.save(out, format=kind)
    return out.getvalue()
