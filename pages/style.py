"""Style: StyleGAN-lite's style-mixing grid, the truncation trick, and the stochastic noise."""

from __future__ import annotations

import streamlit as st
import torch

from ganlab.core.models import sample_z
from ganlab.explore.styles import mixing_grid, style_mix
from ganlab.views.plots import image_grid
from ui import links, routes, session
from ui.i18n import _, shown_as

routes.through_app()

PAGE = "style"
DEFAULT = "mnist-stylegan"
K = f"{PAGE}_"

LINKED = [session.model_param(PAGE, DEFAULT), links.Param("crossover", K + "crossover", links.whole(0, 8), 1),
          links.Param("psi", K + "psi", links.number(0.0, 1.5), 1.0),
          links.Param("seed", K + "seed", links.whole(0, 2**31 - 1), 0)]
links.bind(PAGE, LINKED)
with links.title_row():
    st.title(_("Style mixing"))
session.chosen_source(PAGE, DEFAULT)
sources = session.source_names()
name = st.selectbox(_("Model"), sources, key=session.source_key(PAGE),
                    format_func=shown_as(sources, session.source_label),
                    help=_("a style-based model: pretrained, saved, or the live run"))
src = session.model_source(name)
blocks = src.variant.style_blocks(src.args)
if not blocks:
    st.info(_("{name} is a {model}: its generator has no style blocks to mix. Pick a style-based model "
              "(StyleGAN-lite), or train one on the Train page (model StyleGAN-lite).").format(
        name=session.source_label(name), model=_(src.variant.title)))
    st.stop()
st.caption(_("{name}: {model}, trained on {data}, step {step:,}. Blocks, coarse to fine: {blocks}").format(
    name=session.source_label(name), model=_(src.variant.title), data=src.data_name, step=src.step,
    blocks=", ".join(_(b) for b in blocks)))

c1, c2, c3 = st.columns(3)
def _crossover_text(k: int) -> str:
    if k in (0, len(blocks)):
        return f"{k}: " + (_("all from B") if k == 0 else _("all from A"))
    return f"{k}: " + _("A up to {block}").format(block=blocks[k - 1].split()[0])


crossovers = list(range(len(blocks) + 1))
if st.session_state.get(K + "crossover", 1) not in crossovers:
    st.session_state[K + "crossover"] = 1  # a link's crossover this model does not have
crossover = c1.select_slider(_("Crossover: blocks before it take A's style, the rest B's"), crossovers, value=1,
                             key=K + "crossover", format_func=shown_as(crossovers, _crossover_text))
psi = c2.slider(_("Truncation psi"), 0.0, 1.5, 1.0, 0.05, key=K + "psi",
                help=_("w' = w_avg + psi (w - w_avg): below 1, more typical and cleaner digits, less variety"))
seed = c3.number_input(_("Seed of the sources"), 0, 2**31 - 1, 0, key=K + "seed")
links.publish_params(PAGE, LINKED)
n_a, n_b = 6, 4
if K + "noise" not in st.session_state:
    st.session_state[K + "noise"] = 0


def _resample() -> None:
    st.session_state[K + "noise"] += 1


st.button(_("Resample noise"), on_click=_resample,
          help=_("new per-pixel noise, same styles: what changes is what the noise decides (stroke texture)"))
z = sample_z(n_a + n_b, src.args.z_dim, src.latent, torch.Generator().manual_seed(int(seed)), "cpu")
noise = st.session_state[K + "noise"]
grid = mixing_grid(src.gen, z[:n_a], z[n_a:], crossover, truncation=psi, noise_seed=noise)
st.subheader(_("Sources A (top row) and B (left column)"))
st.image(image_grid(grid, nrow=n_a + 1, scale=3),
         caption=_("Each cell: blocks before {crossover} from its column's A, the rest from its row's B (psi {psi:g}, "
                   "noise {noise}). The coarse block carries the digit's identity and pose; the fine ones its "
                   "stroke.").format(crossover=crossover, psi=psi, noise=noise))

st.subheader(_("Which details are stochastic"))
st.caption(_("One style, eight draws of the noise: the digit and its shape stay, only the fine texture moves."))
one = z[:1].expand(8, -1)
draws = [style_mix(src.gen, one[:1], one[:1], 0, truncation=psi, noise_seed=noise * 8 + i)[0] for i in range(8)]
st.image(image_grid(torch.cat([torch.from_numpy(d) for d in draws]).numpy(), nrow=8, scale=3))

st.subheader(_("Truncation"))
st.caption(_("The same latents at psi from 0 (every sample is the average style) to 1 (the full variety)."))
rows = [style_mix(src.gen, z[:n_a], z[:n_a], 0, truncation=p, noise_seed=noise)[0] for p in (0.0, 0.25, 0.5, 0.75, 1.0)]
st.image(image_grid(torch.cat([torch.from_numpy(r) for r in rows]).numpy(), nrow=n_a, scale=2),
         caption=_("rows: psi 0, 0.25, 0.5, 0.75, 1"))
