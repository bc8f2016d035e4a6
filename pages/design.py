"""Design: DesignGAN's loop on a conditional model. Pick a kind, get new designs, keep one and vary it."""

from __future__ import annotations

import streamlit as st

from ganlab.data.datasets import class_names
from ganlab.explore.design import DIRECTIONS, Design, blends, draw, moved, neighbours, new_designs, png, sweep
from ganlab.views.plots import image_grid
from ui import links, routes, session
from ui.i18n import _, shown_as

routes.through_app()

PAGE = "design"
DEFAULT = "fashion-cdcgan"
K = f"{PAGE}_"
N = 16  # designs in a grid

LINKED = [session.model_param(PAGE, DEFAULT), links.Param("kind", K + "kind", links.whole(0, 99), 0),
          links.Param("seed", K + "seed", links.whole(0, 2**31 - 1), 0),
          links.Param("keep", K + "keep", links.whole(1, N), 1),
          links.Param("direction", K + "direction", links.whole(1, DIRECTIONS), 1),
          links.Param("amount", K + "amount", links.number(-3.0, 3.0), 0.0),
          links.Param("blend", K + "blend", links.number(0.0, 1.0), 0.0)]
links.bind(PAGE, LINKED, known=("other",))
with links.title_row():
    st.title(_("Design"))
st.caption(_("DesignGAN's question: can a GAN design new clothes? A conditional GAN trained on Fashion-MNIST's "
             "product photos draws new items of the kind you ask for. Keep one and vary it."))
session.chosen_source(PAGE, DEFAULT)
sources = session.source_names()
name = st.selectbox(_("Model"), sources, key=session.source_key(PAGE),
                    format_func=shown_as(sources, session.source_label))
src = session.model_source(name)
a = src.args
if not src.variant.has_latent or not src.variant.conditional or len(a.data_shape) == 1:
    st.info(_("Designs come from a conditional image model, which draws the kind it is asked for. {name} is a "
              "{model}: pick the pretrained Fashion-MNIST model (fashion-cdcgan), or train a conditional model on "
              "fashion-mnist on the Train page.").format(name=session.source_label(name), model=_(src.variant.title)))
    if DEFAULT in sources:
        st.button(_("Load the pretrained Fashion-MNIST model"), type="primary",
                  on_click=lambda: st.session_state.update({session.source_key(PAGE): DEFAULT}))
    st.stop()
kinds = tuple(_(n) for n in class_names(src.data_name, a.n_classes))
st.caption(_("{name}: {model} trained on {data}, step {step:,}").format(
    name=session.source_label(name), model=_(src.variant.title), data=src.data_name, step=src.step))

for key in (K + "kind", K + "other"):
    if st.session_state.get(key, 0) not in range(a.n_classes):
        st.session_state[key] = 0  # a link's kind this model does not have
c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
kind = c1.segmented_control(_("Kind"), list(range(a.n_classes)), format_func=lambda i: kinds[i], default=0,
                            key=K + "kind") or 0
c2.button(_("New designs"), on_click=lambda: st.session_state.update({K + "seed": st.session_state.get(K + "seed", 0) + 1}),
          help=_("another draw of noise: the next seed"), key=K + "new")
st.session_state.setdefault(K + "seed", 0)  # the widget's value lives in the state: the button above moves it
seed = st.number_input(_("Noise seed"), 0, 2**31 - 1, key=K + "seed")
designs = new_designs(a, src.latent, kind, n=N, seed=seed)
st.image(image_grid(draw(src.gen, a, designs), nrow=8, scale=3),
         caption=_("{n} new designs of kind {kind}, numbered 1 to {n} from the top left").format(n=N, kind=kinds[kind]))

keep = st.number_input(_("Keep design number"), 1, N, 1, key=K + "keep")
kept = designs[keep - 1]

st.subheader(_("Vary it"))
left, right = st.columns([1, 2])
with right:
    directions, explained = session.kind_directions(name, src, kind)
    which = st.selectbox(_("Principal direction of this kind"), list(range(1, DIRECTIONS + 1)), key=K + "direction",
                         format_func=lambda i: _("direction {i} ({share:.0%} of the variance)").format(
                             i=i, share=float(explained[i - 1])),
                         help=_("GANSpace: the principal components of this kind's designs, found in pixels and "
                                "carried back to z"))
    amount = st.slider(_("Along it"), -3.0, 3.0, 0.0, 0.25, key=K + "amount")
    other = st.selectbox(_("Blend into another kind (the same z)"), list(range(a.n_classes)), format_func=lambda i: kinds[i],
                         index=min(3, a.n_classes - 1), key=K + "other")
    blend = st.slider(_("Blend"), 0.0, 1.0, 0.0, 0.05, key=K + "blend",
                      help=_("the label fed to G is (1 - t) onehot(kind) + t onehot(other kind); z stays the same"))
links.publish_params(PAGE, LINKED)
direction = directions[which - 1]
mine = moved(Design(kept.z, kind, other, blend), direction, amount)
image = draw(src.gen, a, [mine])
with left:
    st.image(image_grid(image, nrow=1, scale=8), caption=_("your design"))
    st.download_button(_("Download as PNG"), png(image[0]), file_name=f"design-{kinds[kind]}-{seed}-{keep}.png".replace("/", "-"),
                       mime="image/png", key=K + "png")

st.markdown(_("**Along direction {i}**, from -3 to +3 (yours in the middle before the slider moves it)").format(i=which))
st.image(image_grid(draw(src.gen, a, sweep(mine, direction, n=7)), nrow=7, scale=3))
st.markdown(_("**From {kind} to {other}** with the same z").format(kind=kinds[kind], other=kinds[other]))
st.image(image_grid(draw(src.gen, a, blends(moved(kept, direction, amount), other, n=8)), nrow=8, scale=3))
radius = st.slider(_("Neighbours: how far in z"), 0.1, 1.5, 0.5, 0.1, key=K + "radius")
st.markdown(_("**Its neighbours in z**: the same kind, a little noise added"))
st.image(image_grid(draw(src.gen, a, neighbours(mine, n=8, radius=radius, seed=seed)), nrow=8, scale=3))
