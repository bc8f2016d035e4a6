"""Translate: put a drawing, a test image or an upload through pix2pix, CycleGAN or DiscoGAN; see the way back,
and for two kinds of thing (bags and shoes) what the translation keeps."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from ganlab.data.image_input import MAX_UPLOAD_BYTES, ImageInputError, canvas_to_digit, read_image, to_digit
from ganlab.data.outline import outline
from ganlab.explore.traits import TRAIT_ABOUT, TRAITS, kept_traits, traits
from ganlab.explore.translate import cycle_error, domain_inputs, round_trip, translate
from ganlab.views.plots import cycle_figure, heat_map, image_grid
from ui import links, routes, session, sketch
from ui.i18n import _, reason, shown_as, translate_figure

routes.through_app()

PAGE = "translate"
DEFAULT = "mnist-pix2pix"
K = f"{PAGE}_"
KEPT_ITEMS = 500  # test items whose traits the page correlates with their translations'

LINKED = [session.model_param(PAGE, DEFAULT, kind="translation"),
          # no default: a link always says its direction, since each model opens on its own (Translation.first)
          links.Param("direction", K + "direction", links.one_of(["a2b", "b2a"]))]
linked = links.bind(PAGE, LINKED)
with links.title_row():
    st.title(_("Translate"))
session.chosen_source(PAGE, DEFAULT, kind="translation")
names = session.source_names("translation")
name = st.selectbox(_("Model"), names, key=session.source_key(PAGE), format_func=shown_as(names, session.source_label),
                    help=_("a translation model: pretrained, saved from the Train page, or the live run"))
src = session.model_source(name)
t = src.variant.translation(src.args)
if t is None:
    st.info(_("{name} is a {model}, which draws from noise rather than translating an input. Pick a translation "
              "model (pix2pix, CycleGAN or DiscoGAN), or train one on the Train page.").format(
        name=session.source_label(name), model=_(src.variant.title)))
    st.stop()
domain_a, domain_b = _(t.a), _(t.b)  # display names ("outline", "MNIST digit"), from the variant
st.caption((_("{name}: {model}, {a} to {b} and back, trained on {data}, step {step:,}") if t.cycle else
            _("{name}: {model}, {a} to {b}, trained on {data}, step {step:,}")).format(
    name=session.source_label(name), model=_(src.variant.title), a=domain_a, b=domain_b, data=src.data_name,
    step=src.step))

if len(src.args.data_shape) == 1:  # 2-D: a cloud of domain A through G, and back through F
    n = st.slider(_("Points of domain A"), 50, 1000, 300, 50, key=K + "points")
    seed = st.number_input(_("Seed"), 0, 2**31 - 1, 0, key=K + "seed2d")
    a, _labels = domain_inputs(src.variant, src.args, "a", n, seed=seed)
    there, back = round_trip(src.nets, src.variant, a)
    b, _labels = domain_inputs(src.variant, src.args, "b", 1000, seed=seed + 1)
    st.plotly_chart(translate_figure(cycle_figure(a.numpy(), there.numpy(), back.numpy(), b.numpy())),
                    key=K + "cycle2d")
    st.caption(_("Mean cycle error |F(G(a)) - a|: {error:.3f} (distance in the plane). A short dashed line means the "
                 "round trip came back where it started.").format(error=float((back - a).norm(dim=1).mean())))
    st.stop()

direction = "a2b"
if t.cycle:
    if st.session_state.get(K + "direction_of") != name:  # another model: open on its own first direction
        if "direction" not in linked:
            st.session_state[K + "direction"] = t.first
        st.session_state[K + "direction_of"] = name
    direction = st.radio(_("Direction"), ["a2b", "b2a"], horizontal=True, key=K + "direction",
                         format_func={"a2b": _("{a} to {b}").format(a=domain_a, b=domain_b),
                                      "b2a": _("{a} to {b}").format(a=domain_b, b=domain_a)}.get)
source_name, target_name = (domain_a, domain_b) if direction == "a2b" else (domain_b, domain_a)
links.publish_params(PAGE, LINKED)

INPUTS = {"A test image": _("A test image"), "Draw it": _("Draw it"),  # a test image first: the first view translates
          "Upload a picture": _("Upload a picture")}
how = st.radio(_("Input"), list(INPUTS), horizontal=True, key=K + "how", format_func=INPUTS.get)
x: np.ndarray | None = None  # (1, 1, 28, 28) in [-1, 1]
if how == "Draw it":
    st.caption(_("Draw one ({domain}) in the box (light on dark, as MNIST). It is scaled to 20 pixels and centred "
                 "in 28x28, as MNIST's digits were.").format(domain=source_name))
    drawing = sketch.canvas(key=K + "canvas")
    if drawing is not None and (drawing[..., :3].max() > 0):
        x = canvas_to_digit(drawing)[None]
elif how == "A test image":
    side = "a" if direction == "a2b" else "b"
    index = st.number_input(_("Which one (its seed)"), 0, 9999, 0, key=K + "index")
    x = domain_inputs(src.variant, src.args, side, 1, seed=int(index), data_dir=src.data_dir)[0].numpy()
else:
    upload = st.file_uploader(_("A picture: {domain} (PNG, JPEG, GIF, BMP or WebP, at most {mb} MB)").format(
        domain=source_name, mb=MAX_UPLOAD_BYTES // 2**20), type=["png", "jpg", "jpeg", "gif", "bmp", "webp"],
        key=K + "upload")
    COLOURS = {"auto": _("auto"), "dark digit on light paper": _("dark digit on light paper"),
               "light digit on dark": _("light digit on dark")}
    invert = st.radio(_("Colours"), list(COLOURS), horizontal=True, key=K + "invert", format_func=COLOURS.get)
    if upload is not None:
        try:
            img = read_image(upload.getvalue())
            x = to_digit(img, invert={"auto": None, "dark digit on light paper": True, "light digit on dark": False}
                         [invert])[None]
        except ImageInputError as err:
            st.error(_("Could not use {name}: {err}").format(name=upload.name, err=reason(err)))

if x is not None and t.outline_input and how != "A test image":
    if st.toggle(_("Take its outline first (the model was trained on outlines of digits)"), value=True,
                 key=K + "outline"):
        x = outline(torch.from_numpy(x)).numpy()

if x is None:
    st.info(_("Draw, pick or upload an input to translate it."))
    st.stop()

inp = torch.from_numpy(x).float()
if t.cycle:
    there, back = round_trip(src.nets, src.variant, inp, direction)
    error = cycle_error(x, back.numpy())
    cols = st.columns(4)
    cols[0].image(image_grid(x, nrow=1, scale=8), caption=_("input: {domain}").format(domain=source_name))
    cols[1].image(image_grid(there.numpy(), nrow=1, scale=8),
                  caption=_("translated: {domain}").format(domain=target_name))
    cols[2].image(image_grid(back.numpy(), nrow=1, scale=8), caption=_("back again"))
    cols[3].image(heat_map(error[0, 0], scale=8),
                  caption=_("cycle error |back - input|, mean {error:.3f}").format(error=error.mean()))
    if t.keeps == "look":
        st.caption(_("The reconstruction loss trained the way back to return the input: where the heat map is "
                     "bright, the round trip lost something. The {target} must keep enough of the {source} to "
                     "rebuild it: that is what carries over.").format(target=target_name, source=source_name))
    else:
        st.caption(_("The cycle loss trained the way back to return the input: where the heat map is bright, the "
                     "round trip lost something. Only the handwriting should change on the way there."))
else:
    out = translate(src.nets, src.variant, inp, direction)
    cols = st.columns(2)
    cols[0].image(image_grid(x, nrow=1, scale=8), caption=_("input: {domain}").format(domain=source_name))
    cols[1].image(image_grid(out.numpy(), nrow=1, scale=8), caption=_("output: {domain}").format(domain=target_name))

if t.keeps == "look":  # two kinds of thing: what a translation carries over from one to the other
    st.subheader(_("What the translation keeps"))
    side = "a" if direction == "a2b" else "b"
    mine, theirs = traits(x), traits(there.numpy())
    st.dataframe({_("trait"): [_(k) for k in TRAITS], _("what it measures"): [_(TRAIT_ABOUT[k]) for k in TRAITS],
                  _("input"): [round(float(mine[k][0]), 2) for k in TRAITS],
                  _("translated"): [round(float(theirs[k][0]), 2) for k in TRAITS]}, hide_index=True)
    row, _labels = domain_inputs(src.variant, src.args, side, 10, seed=0, data_dir=src.data_dir)
    row_there, row_back = round_trip(src.nets, src.variant, row, direction)
    st.image(image_grid(np.concatenate([row.numpy(), row_there.numpy(), row_back.numpy()]), nrow=10, scale=3),
             caption=_("ten test items ({source}), their translations ({target}) and the way back").format(
                 source=source_name, target=target_name))
    many, _labels = domain_inputs(src.variant, src.args, side, KEPT_ITEMS, seed=0, data_dir=src.data_dir)
    kept = kept_traits(many.numpy(), translate(src.nets, src.variant, many, direction).numpy())
    st.dataframe({_("trait"): [_(k) for k in TRAITS],
                  _("correlation, input to translation"): [round(kept[k], 2) for k in TRAITS]}, hide_index=True)
    st.caption(_("Over {n} test items, how each trait of the input shows in its translation (Pearson's r: 1, kept "
                 "in order; 0, lost). No pair of a bag and a shoe was ever shown: the relation is what DiscoGAN "
                 "discovers.").format(n=KEPT_ITEMS))
