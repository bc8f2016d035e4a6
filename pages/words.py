"""Words: type a caption and StackGAN-lite draws it, Stage I's sketch then Stage II's digit."""

from __future__ import annotations

import streamlit as st
import torch

from ganlab.core.models import sample_z
from ganlab.data.captions import DIGITS, CaptionError, parse
from ganlab.views.plots import image_grid
from ui import links, routes, session
from ui.i18n import _, reason, shown_as

routes.through_app()

PAGE = "words"
DEFAULT = "mnist-stackgan"
K = f"{PAGE}_"

LINKED = [session.model_param(PAGE, DEFAULT),
          links.Param("caption", K + "text", links.text_of(200), "a bold slanted seven"),
          links.Param("n", K + "n", links.whole(2, 16), 8), links.Param("seed", K + "seed", links.whole(0, 2**31 - 1), 0)]
links.bind(PAGE, LINKED)
with links.title_row():
    st.title(_("Words to a digit"))
session.chosen_source(PAGE, DEFAULT)
sources = session.source_names()
name = st.selectbox(_("Model"), sources, key=session.source_key(PAGE),
                    format_func=shown_as(sources, session.source_label),
                    help=_("a text-to-image model: pretrained, saved, or the live run"))
src = session.model_source(name)
vocabulary = src.variant.vocabulary(src.args)
if not vocabulary:
    st.info(_("{name} is a {model}: it does not read words. Pick a text-to-image model (StackGAN-lite), or train one "
              "on the Train page (model StackGAN-lite).").format(name=session.source_label(name),
                                                                  model=_(src.variant.title)))
    st.stop()
# the words are the model's input, English as it was trained: they stay as they are in every language
st.caption(_("{name}: {model}, trained on {data}, step {step:,}. Words it knows: {words} (and a, an, the); order "
             "does not matter.").format(name=session.source_label(name), model=_(src.variant.title),
                                        data=src.data_name, step=src.step, words=", ".join(vocabulary)))

c1, c2, c3 = st.columns([3, 1, 1])
text = c1.text_input(_("Caption"), value="a bold slanted seven", max_chars=200, key=K + "text")
n = c2.slider(_("Samples"), 2, 16, 8, key=K + "n")
seed = c3.number_input(_("Seed"), 0, 2**31 - 1, 0, key=K + "seed")
links.publish_params(PAGE, LINKED)
try:
    words, digit = parse(text)
except CaptionError as err:
    st.error(_("Cannot draw that: {err}").format(err=reason(err)))
    st.stop()

z = sample_z(n, src.args.z_dim, src.latent, torch.Generator().manual_seed(int(seed)), "cpu")
with torch.no_grad():
    sketch, full, _codes = src.gen.stages(z, words.expand(n, -1))
st.subheader(_("Stage I: the sketch (14x14)"))
st.image(image_grid(torch.nn.functional.interpolate(sketch, scale_factor=2).numpy(), nrow=n, scale=3))
st.subheader(_("Stage II: the digit (28x28)"))
st.image(image_grid(full.numpy(), nrow=n, scale=3),
         caption=_('"{caption}": one column per z; Stage II re-reads the caption to fix what Stage I missed').format(
             caption=text))

st.subheader(_("One word at a time"))
st.caption(_("The same z for every row: only the caption changes."))

rows, labels = [], []
for caption in (DIGITS[digit], f"thin {DIGITS[digit]}", f"bold {DIGITS[digit]}", f"upright {DIGITS[digit]}",
                f"slanted {DIGITS[digit]}"):
    with torch.no_grad():
        rows.append(src.gen(z, parse(caption)[0].expand(n, -1)))
    labels.append(caption)
st.image(image_grid(torch.cat(rows).numpy(), nrow=n, scale=2), caption=_("rows: {captions}").format(
    captions=" / ".join(labels)))
