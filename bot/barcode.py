"""Reading a barcode or QR code from a photo (zxing-cpp: wheels from PyPI, no system library,
no network)."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image

MAX_PIXELS = 40_000_000  # a phone photo is ~12 MP; bigger is refused before decoding


def read_codes(data: bytes) -> list[str]:
    """The texts of the barcodes and QR codes in an image, best first; [] when none or unreadable."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                return []
            grey = image.convert("L")
            grey.load()
    except Exception:  # noqa: BLE001 - not an image we can read is simply no barcode
        return []
    return [result.text.strip() for result in zxingcpp.read_barcodes(grey) if result.text.strip()]
