"""Class control: ask a conditional GAN for a class; see that z carries style and y carries the class."""

from __future__ import annotations

import streamlit as st

from ganlab import variants
from ganlab.data.datasets import class_names
from ganlab.explore.classes import blend, class_by_style, class_samples
from ganlab.views.plots import image_grid
from ui import links, routes, session
from ui.i18n import _, shown_as

routes.through_app()

PAGE = "classes"
DEFAULT = "mnist-cdcgan"

LINKED = [session.model_param(PAGE, DEFAULT), links.Param("seed", f"{PAGE}_seed", links.whole(0, 2**31 - 1), 0),
          links.Param("class", f"{PAGE}_class", links.whole(0, 99), 0)]
links.bind(PAGE, LINKED)
with links.title_row():
    st.title(_("Class control"))
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

if not a.n_classes:
    st.info(_("**{name}** is an unconditional GAN: it draws from the whole data distribution and has no class "
              "input, so it cannot be asked for a class. A conditional GAN (Mirza & Osindero, 2014) feeds the "
              "label y to both the generator and the discriminator, so G(z, y) learns to draw class y.").format(
        name=session.source_label(name)))
    c1, c2 = st.columns(2)
    if DEFAULT in session.source_names():
        c1.button(_("Load the pretrained conditional MNIST model"), type="primary",
                  on_click=lambda: st.session_state.update({session.source_key(PAGE): DEFAULT}))
    trains = variants.default_for("class control")
    if c2.button(_("Train a conditional model ({model} on {data})").format(model=trains.key, data=trains.default_data)):
        session.prepare_conditional_run()
        st.switch_page("pages/train.py")
    st.stop()

handle = _(src.variant.class_handle)
if src.variant.conditional:
    names = tuple(_(n) for n in class_names(src.data_name, a.n_classes))  # Fashion-MNIST's are words
else:  # a categorical code's values are only numbers until the model gives them a meaning
    names = tuple(f"c1 = {i}" for i in range(a.n_classes))
st.caption(_("{name}: {model} trained on {data}, step {step:,}, z_dim {z_dim}").format(
    name=session.source_label(name), model=_(src.variant.title), data=src.data_name, step=src.step, z_dim=a.z_dim))
if not src.variant.conditional:
    st.info(_("This model was trained without labels: its class input is a {handle} that it learned to use on its "
              "own. Which digit each value draws is whatever the model made of it.").format(handle=handle))
seed = st.number_input(_("Noise seed"), min_value=0, max_value=2**31 - 1, value=0, step=1, key=f"{PAGE}_seed")
if st.session_state.get(f"{PAGE}_class", 0) not in range(a.n_classes):
    st.session_state[f"{PAGE}_class"] = 0  # a link's class this model does not have
k = st.segmented_control(handle.capitalize(), list(range(a.n_classes)), format_func=lambda i: names[i], default=0,
                         key=f"{PAGE}_class") or 0
links.publish_params(PAGE, LINKED)

if len(a.data_shape) == 1:  # 1-D and 2-D data
    st.warning(_("Class grids are drawn for image models; pick an MNIST model to see digits."))
    st.stop()

st.subheader(f"{handle.capitalize()} {names[k]}")
st.image(image_grid(class_samples(src.gen, a, src.latent, k, n=16, seed=seed), nrow=16, scale=2))

st.subheader(_("{handle} x fixed noises").format(handle=handle.capitalize()))
st.caption(_("Each row is one {handle} y; each column keeps the same z. Along a column the digit changes and the "
             "style (stroke width, slant) stays: z carries style, y carries the {handle}.").format(handle=handle))
st.image(image_grid(class_by_style(src.gen, a, src.latent, n_styles=10, seed=seed), nrow=10, scale=2))

st.subheader(_("Blend two classes"))
c1, c2 = st.columns(2)
first = c1.selectbox(_("From"), list(range(a.n_classes)), format_func=lambda i: names[i], index=min(1, a.n_classes - 1), key=f"{PAGE}_a")
second = c2.selectbox(_("To"), list(range(a.n_classes)), format_func=lambda i: names[i], index=min(7, a.n_classes - 1), key=f"{PAGE}_b")
alpha = st.slider(_("Blend (soft label)"), 0.0, 1.0, 0.5, 0.05, key=f"{PAGE}_alpha",
                  help=_("the label fed to G is (1 - t) onehot(from) + t onehot(to); z stays the same"))
st.image(image_grid(blend(src.gen, a, src.latent, first, second, alpha, n=10, seed=seed), nrow=10, scale=3))
