"""Image sequences as pictures: frames, a strip side by side, an animated GIF (the Latent explorer's
interpolations, the Train page's timeline)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from ganlab.views.plots import image_grid


def to_frames(images: np.ndarray, *, scale: int = 3) -> list[np.ndarray]:
    """(T, 1, H, W) in [-1, 1] -> T uint8 frames, enlarged."""
    frames = np.clip((images[:, 0] + 1) * 127.5, 0, 255).astype(np.uint8)
    return [f.repeat(scale, 0).repeat(scale, 1) for f in frames]


def gif_bytes(frames: list[np.ndarray], *, fps: float = 12, bounce: bool = False) -> bytes:
    """An animated, looping GIF of uint8 frames (grey or RGB)."""
    if not frames:
        raise ValueError("no frames to animate")
    seq = list(frames) + (list(frames[-2:0:-1]) if bounce else [])
    images = [Image.fromarray(f) for f in seq]
    buf = io.BytesIO()
    images[0].save(buf, format="GIF", save_all=True, append_images=images[1:], loop=0,
                   duration=max(20, int(1000 / fps)))
    return buf.getvalue()


def strip(images: np.ndarray, *, scale: int = 2, pad: int = 2) -> np.ndarray:
    """(T, 1, H, W) images side by side as one uint8 image."""
    return image_grid(images, nrow=len(images), pad=pad, scale=scale)
