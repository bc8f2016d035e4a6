"""A drawing canvas: ``streamlit-drawable-canvas`` (Fabric.js), chosen because it is maintained
(0.12.0, September 2026, on Streamlit's Components v2), ships its frontend inside the wheel (no
CDN, so an offline classroom can draw), and hands back the drawing's pixels."""

from __future__ import annotations

import numpy as np
from streamlit_drawable_canvas import st_canvas

SIZE = 280  # pixels per side: ten canvas pixels to one of MNIST's


def canvas(*, key: str, stroke: int = 22) -> np.ndarray | None:
    """A square black canvas to draw on in white; the drawing as (H, W, 4) RGBA, or None before any."""
    result = st_canvas(stroke_width=stroke, stroke_color="#FFFFFF", background_color="#000000", height=SIZE,
                       width=SIZE, drawing_mode="freedraw", return_image_data=True, key=key)
    data = result.image_data
    return None if data is None else np.asarray(data)
