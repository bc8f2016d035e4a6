"""Images a person brings (an upload, a drawing on a canvas) turned into MNIST-like inputs, read as
untrusted: the size a file declares is checked before its pixels are decoded, nothing but the
pixels is used, and every failure is a message.

MNIST's own preparation (LeCun et al.): the digit's box scaled to fit 20x20, centred in 28x28, a
light digit on a dark ground. ``to_digit`` does the same to any picture: dark-on-light pictures
are inverted, the ink's bounding box is scaled to 20 pixels on its longer side and centred.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, UnidentifiedImageError

from ganlab.said import said

MAX_UPLOAD_BYTES = 5 * 2**20  # an uploaded picture, as the file
MAX_PIXELS = 4096 * 4096  # width x height a file may declare; larger is refused before decoding
FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP")


class ImageInputError(ValueError):
    """A file that cannot be used as an image here; the message says why."""


def read_image(data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Decode untrusted bytes into a greyscale PIL image, refusing anything too big before decoding it."""
    if len(data) > max_bytes:
        raise ImageInputError(said("the file is {mb:.1f} MB; pictures are limited to {limit:.0f} MB", mb=len(data) / 2**20,
                                    limit=max_bytes / 2**20))
    if not data:
        raise ImageInputError(said("the file is empty"))
    try:
        img = Image.open(io.BytesIO(data))  # reads the header only: the declared size, not the pixels
    except Image.DecompressionBombError as err:  # PIL's own bound on a declared size, far above ours
        raise ImageInputError(said("the picture declares more pixels than the {limit:,} read here", limit=max_pixels)) from err
    except (UnidentifiedImageError, OSError, ValueError) as err:
        raise ImageInputError(said("it is not a picture this app reads ({formats})", formats=", ".join(FORMATS))) from err
    if img.format not in FORMATS:
        raise ImageInputError(said("{kind} pictures are not read here; use {formats}", kind=img.format or "these",
                                    formats=", ".join(FORMATS)))
    width, height = img.size
    if width < 1 or height < 1 or width * height > max_pixels:
        raise ImageInputError(said("the picture declares {width} x {height} pixels; at most {limit:,} are read", width=width,
                                    height=height, limit=max_pixels))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img.load()
        if getattr(img, "n_frames", 1) > 1:
            img.seek(0)  # an animation: its first frame
        return img.convert("L")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning,
            EOFError) as err:
        raise ImageInputError(said("the picture is damaged or truncated ({kind})", kind=type(err).__name__)) from err


def to_digit(img: Image.Image, *, invert: bool | None = None, box: int = 20, size: int = 28) -> np.ndarray:
    """A greyscale picture as a (1, 28, 28) MNIST-like image in [-1, 1]: light ink on dark (``invert``
    None: inverted when the picture is mostly light), the ink's box scaled to ``box`` pixels on its
    longer side and centred. A blank picture gives a blank image."""
    a = np.asarray(img.convert("L"), dtype=np.float64) / 255.0
    if invert if invert is not None else a.mean() > 0.5:
        a = 1.0 - a
    ink = a > 0.2
    if not ink.any():
        return np.full((1, size, size), -1.0, dtype=np.float32)
    rows, cols = np.where(ink.any(1))[0], np.where(ink.any(0))[0]
    crop = a[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    scale = box / max(crop.shape)
    h, w = max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale))
    small = np.asarray(Image.fromarray((crop * 255).astype(np.uint8)).resize((w, h), Image.Resampling.LANCZOS),
                       dtype=np.float64) / 255.0
    out = np.zeros((size, size))
    top, left = (size - h) // 2, (size - w) // 2
    out[top:top + h, left:left + w] = small
    return (out * 2 - 1).astype(np.float32)[None]


def canvas_to_digit(rgba: np.ndarray) -> np.ndarray:
    """A drawing (H, W, 4) RGBA from the canvas, light strokes on a dark ground, as (1, 28, 28) in [-1, 1]."""
    rgba = np.asarray(rgba)
    if rgba.ndim != 3 or rgba.shape[2] < 3:
        raise ImageInputError(f"a drawing must be an RGB(A) picture, got an array of shape {rgba.shape}")
    grey = rgba[..., :3].astype(np.float64).mean(2)
    if rgba.shape[2] == 4:  # transparent pixels are the dark ground
        grey = grey * (rgba[..., 3] / 255.0)
    return to_digit(Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8)), invert=False)
