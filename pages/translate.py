"""Translate: put a drawing, a test image or an upload through pix2pix or CycleGAN; see the way back."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from ganlab.data.image_input import MAX_UPLOAD_BYTES, ImageInputError, canvas_to_digit, read_image, to_digit
from ganlab.data.outline import outline
from ganlab.explore.translate import cycle_error, domain_inputs, round_trip, translate
from ganlab.views.plots import cycle_figure, heat_map, image_grid
from ui import routes, session, sketch

routes.through_app()

PAGE = "translate"
DEFAULT = "mnist-pix2pix"
K = f"{PAGE}_"

st.title("Translate")
session.chosen_source(PAGE, DEFAULT, kind="translation")
names = session.source_names("translation")
name = st.selectbox("Model", names, key=session.source_key(PAGE),
                    help="a translation model: pretrained, saved from the Train page, or the live run")
src = session.model_source(name)
t = src.variant.translation(src.args)
if t is None:
    st.info(f"{name} is a {src.variant.title}, which draws from noise rather than translating an input. Pick a "
            "translation model (pix2pix or CycleGAN), or train one on the Train page.")
    st.stop()
st.caption(f"{name}: {src.variant.title}, {t.a} to {t.b}" + (" and back" if t.cycle else "")
           + f", trained on {src.data_name}, step {src.step:,}")

if len(src.args.data_shape) == 1:  # 2-D: a cloud of domain A through G, and back through F
    n = st.slider("Points of domain A", 50, 1000, 300, 50, key=K + "points")
    seed = st.number_input("Seed", 0, 2**31 - 1, 0, key=K + "seed2d")
    a, _ = domain_inputs(src.variant, src.args, "a", n, seed=seed)
    there, back = round_trip(src.nets, src.variant, a)
    b, _ = domain_inputs(src.variant, src.args, "b", 1000, seed=seed + 1)
    st.plotly_chart(cycle_figure(a.numpy(), there.numpy(), back.numpy(), b.numpy()), key=K + "cycle2d")
    st.caption(f"Mean cycle error |F(G(a)) - a|: {float((back - a).norm(dim=1).mean()):.3f} (distance in the plane). "
               "A short dashed line means the round trip came back where it started.")
    st.stop()

direction = "a2b"
if t.cycle:
    direction = st.radio("Direction", ["a2b", "b2a"], horizontal=True, key=K + "direction",
                         format_func=lambda d: f"{t.a} to {t.b}" if d == "a2b" else f"{t.b} to {t.a}")
source_name, target_name = (t.a, t.b) if direction == "a2b" else (t.b, t.a)

how = st.radio("Input", ["Draw it", "A test image", "Upload a picture"], horizontal=True, key=K + "how")
x: np.ndarray | None = None  # (1, 1, 28, 28) in [-1, 1]
if how == "Draw it":
    st.caption(f"Draw one ({source_name}) in the box (light on dark, as MNIST). It is scaled to 20 pixels and centred "
               "in 28x28, as MNIST's digits were.")
    drawing = sketch.canvas(key=K + "canvas")
    if drawing is not None and (drawing[..., :3].max() > 0):
        x = canvas_to_digit(drawing)[None]
elif how == "A test image":
    side = "a" if direction == "a2b" else "b"
    index = st.number_input("Which one (its seed)", 0, 9999, 0, key=K + "index")
    x = domain_inputs(src.variant, src.args, side, 1, seed=int(index), data_dir=src.data_dir)[0].numpy()
else:
    upload = st.file_uploader(f"A picture: {source_name} (PNG, JPEG, GIF, BMP or WebP, at most "
                              f"{MAX_UPLOAD_BYTES // 2**20} MB)", type=["png", "jpg", "jpeg", "gif", "bmp", "webp"],
                              key=K + "upload")
    invert = st.radio("Colours", ["auto", "dark digit on light paper", "light digit on dark"], horizontal=True,
                      key=K + "invert")
    if upload is not None:
        try:
            img = read_image(upload.getvalue())
            x = to_digit(img, invert={"auto": None, "dark digit on light paper": True, "light digit on dark": False}
                         [invert])[None]
        except ImageInputError as err:
            st.error(f"Could not use {upload.name}: {err}")

if x is not None and t.outline_input and how != "A test image":
    if st.toggle("Take its outline first (the model was trained on outlines of digits)", value=True, key=K + "outline"):
        x = outline(torch.from_numpy(x)).numpy()

if x is None:
    st.info("Draw, pick or upload an input to translate it.")
    st.stop()

inp = torch.from_numpy(x).float()
if t.cycle:
    there, back = round_trip(src.nets, src.variant, inp, direction)
    error = cycle_error(x, back.numpy())
    cols = st.columns(4)
    cols[0].image(image_grid(x, nrow=1, scale=8), caption=f"input: {source_name}")
    cols[1].image(image_grid(there.numpy(), nrow=1, scale=8), caption=f"translated: {target_name}")
    cols[2].image(image_grid(back.numpy(), nrow=1, scale=8), caption="back again")
    cols[3].image(heat_map(error[0, 0], scale=8), caption=f"cycle error |back - input|, mean {error.mean():.3f}")
    st.caption("The cycle loss trained the way back to return the input: where the heat map is bright, the round "
               "trip lost something. Only the handwriting should change on the way there.")
else:
    out = translate(src.nets, src.variant, inp, direction)
    cols = st.columns(2)
    cols[0].image(image_grid(x, nrow=1, scale=8), caption=f"input: {source_name}")
    cols[1].image(image_grid(out.numpy(), nrow=1, scale=8), caption=f"output: {target_name}")
