"""Latent explorer: interpolate between two seeds, drag latent sliders, animate a walk, export a GIF."""

from __future__ import annotations

import math
import random

import numpy as np
import streamlit as st
import torch

from ganlab.explore.classes import code_sweep, render, styles, with_codes
from ganlab.explore.latent import interpolate, loop, random_walk, z_for_seed
from ganlab.views.animation import gif_bytes, strip, to_frames
from ganlab.views.plots import image_grid, norm_figure, path_figure, pickable_grid
from ui import links, routes, session
from ui.i18n import _, shown_as, translate_figure

routes.through_app()

PAGE = "latent"
DEFAULT = "mnist-dcgan"
K = f"{PAGE}_"  # widget keys on this page

LINKED = [session.model_param(PAGE, DEFAULT), links.Param("seed_a", K + "a", links.whole(0, 2**31 - 1), 0),
          links.Param("seed_b", K + "b", links.whole(0, 2**31 - 1), 1),
          links.Param("class", K + "class", links.whole(0, 99), 0),
          links.Param("path", K + "mode", links.one_of(["slerp", "lerp"]), "slerp"),
          links.Param("steps", K + "steps", links.whole(2, 24), 10)]
links.bind(PAGE, LINKED)  # a link's model and seeds (ui/links.py)
with links.title_row():
    st.title(_("Latent explorer"))
session.chosen_source(PAGE, DEFAULT)  # remembers the page's model; defaults to the pretrained one
sources = session.source_names()
name = st.selectbox(_("Model"), sources, key=session.source_key(PAGE),
                    format_func=shown_as(sources, session.source_label))
src = session.model_source(name)
a = src.args
if not src.variant.has_latent:
    st.info(_("{name} is a {model}: it translates an input instead of drawing from a latent z. Put images through "
              "it on the Translate page.").format(name=session.source_label(name), model=_(src.variant.title)))
    st.stop()
is_2d = a.data_shape == (2,)
if a.data_shape == (1,):
    st.info(_("{name} draws on a line; its z -> x mapping is drawn live on the Train page (layer 'G manifold'). "
              "Pick a 2-D or image model to explore here.").format(name=session.source_label(name)))
    st.stop()
shell = math.sqrt(a.z_dim / 3 if src.latent == "uniform" else a.z_dim)
st.caption(_("{name}: {model} trained on {data}, step {step:,}, z_dim {z_dim}, p(z) {latent}").format(
    name=session.source_label(name), model=a.arch, data=src.data_name, step=src.step, z_dim=a.z_dim, latent=src.latent))

y = None
if a.n_classes:
    handle = _(src.variant.class_handle)
    if st.session_state.get(K + "class", 0) not in range(a.n_classes):
        st.session_state[K + "class"] = 0  # a link's class this model does not have
    k = st.segmented_control(_("{handle} (the model's class input)").format(handle=handle.capitalize()),
                             list(range(a.n_classes)), default=0, key=K + "class") or 0
    y = torch.tensor([k])


def draw(z: torch.Tensor) -> np.ndarray:
    """G for a batch of latents (T, z_dim), with the chosen class if the model has one."""
    return render(src.gen, z, None if y is None else y.expand(len(z)))


# -- endpoints ---------------------------------------------------------------------
st.subheader(_("Endpoints"))
for end, start in (("a", 0), ("b", 1)):
    st.session_state.setdefault(K + end, start)
    if K + "set_" + end in st.session_state:  # a click in the grid below asked for this seed
        st.session_state[K + end] = st.session_state.pop(K + "set_" + end)


def _random_endpoints() -> None:
    st.session_state[K + "a"], st.session_state[K + "b"] = random.randrange(2**31), random.randrange(2**31)


c1, c2, c3 = st.columns([1, 1, 1])
c1.number_input(_("Seed A"), 0, 2**31 - 1, step=1, key=K + "a")
c2.number_input(_("Seed B"), 0, 2**31 - 1, step=1, key=K + "b")
c3.button(_("Random endpoints"), width="stretch", on_click=_random_endpoints)

if not is_2d:
    with st.expander(_("Pick endpoints by clicking a sample"), expanded=False):
        base = st.number_input(_("Show seeds from"), 0, 2**31 - 17, step=16, key=K + "base")
        target = st.radio(_("A click sets"), ["A", "B"], horizontal=True, key=K + "target")
        seeds = list(range(int(base), int(base) + 16))
        cells = draw(torch.stack([z_for_seed(s, a.z_dim, src.latent) for s in seeds]))
        event = st.plotly_chart(pickable_grid(cells, seeds, nrow=8, scale=2), on_select="rerun",
                                selection_mode="points", key=K + "grid", config={"displayModeBar": False})
        points = (event or {}).get("selection", {}).get("points", []) if event else []
        if points and "customdata" in points[0]:
            chosen = int(points[0]["customdata"])
            if st.session_state[K + target.lower()] != chosen:
                st.session_state[K + "set_" + target.lower()] = chosen
                st.rerun()

z_a = z_for_seed(st.session_state[K + "a"], a.z_dim, src.latent)
z_b = z_for_seed(st.session_state[K + "b"], a.z_dim, src.latent)

# -- interpolation --------------------------------------------------------------------
st.subheader(_("Interpolation"))
c1, c2 = st.columns([1, 2])
mode = c1.radio(_("Path"), ["slerp", "lerp"], horizontal=True, key=K + "mode",
                help=_("slerp follows the sphere where Gaussian latents live; lerp cuts through the middle"))
steps = c2.slider(_("Steps"), 2, 24, 10, key=K + "steps")
links.publish_params(PAGE, LINKED)  # the address bar: this model, these seeds
path = interpolate(z_a, z_b, steps, mode)
out = draw(path)
if is_2d:
    data = session.model_data(src.data_name, src.points)
    fig = path_figure(data.real, draw(styles(a, src.latent, 1000, 1)), out, extent=data.extent)
    st.plotly_chart(translate_figure(fig), key=K + "path2d")
else:
    st.image(strip(out, scale=2),
             caption=_("{mode} from seed A to seed B in {steps} steps").format(mode=mode, steps=steps))
norms = {m: interpolate(z_a, z_b, steps, m).norm(dim=1).numpy() for m in ("lerp", "slerp")}
st.plotly_chart(translate_figure(norm_figure(norms, shell)), key=K + "norms")
st.caption(_("A standard normal in {z_dim} dimensions puts almost all its mass near radius sqrt(z_dim) = {shell:.1f}. "
             "Lerp's midpoints fall well inside that shell, where the generator was rarely trained; slerp stays on "
             "it.").format(z_dim=a.z_dim, shell=shell))
if not is_2d:
    st.download_button(_("Download the interpolation as a GIF"), gif_bytes(to_frames(out), fps=8, bounce=True),
                       file_name=f"interpolation-{mode}.gif", mime="image/gif")

# -- sliders -------------------------------------------------------------------------
st.subheader(_("Sliders"))
c1, c2 = st.columns([2, 1])
AXES = {"principal directions (GANSpace)": _("principal directions (GANSpace)"),  # values (tests set them), shown
        "latent dimensions": _("latent dimensions")}
axis = c1.radio(_("Move along"), list(AXES), horizontal=True, key=K + "axis", format_func=AXES.get)
n_sliders = min(6, a.z_dim)


def _reset_sliders() -> None:
    for i in range(n_sliders):
        st.session_state[K + f"s{i}"] = 0.0


c2.button(_("Reset sliders"), width="stretch", on_click=_reset_sliders)
if axis.startswith("principal"):
    directions, explained = session.principal_directions(name, src)
    labels = [_("PC{n} ({share:.0%} of variance)").format(n=i + 1, share=explained[i]) for i in range(n_sliders)]
else:
    directions = torch.eye(a.z_dim)[:n_sliders]
    labels = [f"z[{i}]" for i in range(n_sliders)]
cols = st.columns(2)
offsets = [cols[i % 2].slider(labels[i], -3.0, 3.0, 0.0, 0.1, key=K + f"s{i}") for i in range(n_sliders)]
z = z_a + sum(o * d for o, d in zip(offsets, directions[:n_sliders]))
moved = draw(z[None])
if is_2d:
    st.write(_("G(z) = ({x:.3f}, {y:.3f}) from seed A moved by the sliders").format(x=moved[0, 0], y=moved[0, 1]))
else:
    st.image(image_grid(moved, nrow=1, scale=8),
             caption=_("seed A = {seed} moved by the sliders").format(seed=st.session_state[K + "a"]))

# -- continuous codes (InfoGAN) ------------------------------------------------------------
codes = src.variant.codes(a)
if codes and not is_2d:
    st.subheader(_("Codes"))
    st.caption(_("Columns are the categorical code c1, rows one continuous code swept with z (seed A) fixed: "
                 "nothing told the codes what to mean (Chen et al. 2016, Figure 2)."))
    c1, c2 = st.columns([1, 2])
    swept = c1.selectbox(_("Sweep"), range(len(codes)), key=K + "sweep",
                         format_func=shown_as(range(len(codes)), lambda i: _(codes[i].label)))
    rows = c2.slider(_("Rows"), 3, 9, 5, key=K + "sweep_rows")
    code = codes[swept]
    values = np.linspace(code.low, code.high, rows)
    st.image(image_grid(code_sweep(src.gen, src.variant, a, z_a, swept, values), nrow=a.n_classes, scale=2),
             caption=_("{code} from {low:g} (top) to {high:g} (bottom); training drew it from U(-1, 1)").format(
                 code=_(code.label), low=code.low, high=code.high))
    cols = st.columns(len(codes))
    slid = [col.slider(_(c.label), c.low, c.high, 0.0, 0.1, key=K + f"code{c.index}") for col, c in zip(cols, codes)]
    st.image(image_grid(with_codes(src.gen, src.variant, a, z_a, k, slid), nrow=1, scale=8),
             caption=_("seed A with c1 = {k} and the continuous codes set by the sliders").format(k=k))

# -- animation -------------------------------------------------------------------------
if not is_2d:
    st.subheader(_("Animation"))
    c1, c2 = st.columns(2)
    KINDS = {"loop through A and B": _("loop through A and B"), "random walk from A": _("random walk from A")}
    kind = c1.radio(_("Kind"), list(KINDS), horizontal=True, key=K + "anim", format_func=KINDS.get)
    frames = c2.slider(_("Frames"), 8, 64, 32, key=K + "frames")
    zs = loop(z_a, z_b, frames) if kind.startswith("loop") else random_walk(z_a, frames, seed=1)
    gif = gif_bytes(to_frames(draw(zs), scale=4), fps=12)
    st.image(gif, caption=KINDS[kind])
    st.download_button(_("Download the animation as a GIF"), gif, file_name="latent-animation.gif", mime="image/gif")
