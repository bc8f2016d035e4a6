"""Detect: a generator's fingerprint in its spectrum, a detector fitted live, and how far it carries to generators
it never saw."""

from __future__ import annotations

import streamlit as st

from ganlab.data.catalog import default_data_dir
from ganlab.detect.detectors import KINDS, accuracy, auc
from ganlab.detect.job import DetectorJob
from ganlab.views.detect_plots import fit_curve, matrix_figure, spectra_figure, spectrum_image
from ui import detect_panel, links, routes
from ui.i18n import _, translate_figure
from ui.keys import Keys

routes.through_app()

PAGE = "detect"
K = f"{PAGE}_"
DATA_DIR = default_data_dir()
KIND_NAMES = {"spectrum": _("logistic regression on the spectrum"), "cnn": _("a small CNN on the pixels")}

names = detect_panel.generators()
LINKED = [links.Param("kind", K + "kind", links.one_of(KINDS), "spectrum"),
          links.Param("fit", K + "fit_one", links.one_of(names), "mnist-dcgan" if "mnist-dcgan" in names else None)]
linked = links.bind(PAGE, LINKED)
with links.title_row():
    st.title(_("Can a machine tell?"))
st.caption(_("\"Detection can be derived as a corollary to generation.\" The Quiz asks you to be the discriminator; "
             "here a machine learns the same job on the playground's own generators, and we ask whether it still "
             "can on a generator it never saw."))
if not names:
    st.info(_("The detectors tell MNIST digits from generated ones, and no model here draws MNIST digits: the "
              "pretrained ones are in checkpoints/."))
    st.stop()
try:
    detect_panel.real_held_out(DATA_DIR)
except Exception as err:  # noqa: BLE001 - no MNIST here: the page says what to do
    st.error(_("The detectors need MNIST's test digits: {err}").format(err=str(err)))
    st.stop()

st.header(_("1. Fingerprints"))
st.caption(_("Each image's 2-D Fourier transform (of its log intensity), its power averaged over each ring of "
             "frequency (Durall et al. 2019). On photographs a transposed convolution of stride 2 leaves a "
             "checkerboard, extra power on the outermost rings (Odena et al. 2016). On digits the real ones carry "
             "more power there: their backgrounds are exactly black, a generator's only nearly (docs/detection.md)."))
preferred = [n for n in ("mnist-dcgan", "mnist-stylegan", "mnist-dcgan-nearest") if n in names]
shown = st.multiselect(_("Generators"), names, default=preferred or names[:2], key=K + "shown")
bands = {_("real digits"): detect_panel.spectra("real", DATA_DIR)[0]}
bands.update({n: detect_panel.spectra(n, DATA_DIR)[0] for n in shown})
st.plotly_chart(translate_figure(spectra_figure(bands, title=_("Mean log power by frequency (band: 10th-90th "
                                                               "percentile of the images)"))), key=K + "spectra")
if shown:
    one = st.selectbox(_("Its mean 2-D spectrum"), shown, key=K + "one")
    real_2d, one_2d = detect_panel.spectra("real", DATA_DIR)[1], detect_panel.spectra(one, DATA_DIR)[1]
    c1, c2 = st.columns(2)
    c1.plotly_chart(translate_figure(spectrum_image(real_2d, title=_("real digits"))), key=K + "real2d")
    c2.plotly_chart(translate_figure(spectrum_image(one_2d - real_2d, diverging=True,
                                                    title=_("{name} minus real").format(name=one))), key=K + "diff2d")
    st.caption(_("The centre is the lowest frequency, the edges' midpoints and corners (±14) the highest a 28-pixel "
                 "image holds. Red where the generator has more power than real digits, blue where it has less. A "
                 "transposed convolution's checkerboard would be red at the edges; compare a generator whose last "
                 "layer resizes instead (nearest or bilinear, then a 3x3 convolution: upsample on the Train page)."))

st.header(_("2. A detector, fitted live"))
c1, c2 = st.columns([2, 1])
first = linked.get("fit") or ("mnist-dcgan" if "mnist-dcgan" in names else names[0])
fit_on = c1.multiselect(_("Fit on real digits against"), names, default=[first], key=K + "fit_on")
kind = c2.radio(_("Detector"), list(KINDS), format_func=KIND_NAMES.get, key=K + "kind")
links.publish_params(PAGE, LINKED)
job: DetectorJob | None = st.session_state.get(Keys.DETECTOR_JOB)
if st.button(_("Fit the detector"), type="primary", disabled=not fit_on, key=K + "fit"):
    if job is not None:
        job.stop()
    job = st.session_state[Keys.DETECTOR_JOB] = DetectorJob(kind, {n: detect_panel.checkpoint_of(n) for n in fit_on},
                                                            DATA_DIR)
STATES = {"sampling": _("drawing the generators' samples..."), "fitting": _("fitting..."), "done": _("done"),
          "stopped": _("stopped"), "failed": _("failed")}


@st.fragment(run_every=1.0 if job is not None and job.view().state in ("sampling", "fitting") else None)
def live_fit() -> None:
    current: DetectorJob | None = st.session_state.get(Keys.DETECTOR_JOB)
    if current is None:
        st.info(_("Pick the generators and a detector, then press Fit: real MNIST training digits against their "
                  "samples of one seed; the curve is measured on test digits and samples of another seed."))
        return
    v = current.view()
    st.caption(_("{kind}, fitted on {names}: {state}").format(kind=KIND_NAMES[current.kind], names=", ".join(current.names),
                                                             state=STATES[v.state]))
    if v.state == "failed":
        st.error(v.message)
    if v.curve:
        st.plotly_chart(translate_figure(fit_curve(v.curve, title=_("Held-out accuracy as it fits"))), key=K + "curve")
    if v.state == "done":
        c1, c2 = st.columns(2)
        c1.metric(_("Held-out accuracy"), f"{v.accuracy:.1%}", help=_("at the threshold 0.5, real and generated alike"))
        c2.metric(_("AUC"), f"{v.auc:.3f}", help=_("the chance a generated image scores above a real one"))
        real = detect_panel.real_held_out(DATA_DIR)
        rows = [{_("tested on"): n, _("seen in the fit"): "✓" if n in current.names else "",
                 _("accuracy"): round(accuracy(current.detector, real, detect_panel.held_out(n)), 3),
                 "AUC": round(auc(current.detector, real, detect_panel.held_out(n)), 3)} for n in names]
        st.dataframe(rows, hide_index=True)
        st.caption(_("The same detector on every generator's held-out samples: one row of the matrix below. The Quiz "
                     "now sets this detector's call beside yours."))
    elif v.state in ("sampling", "fitting"):
        st.button(_("Stop"), on_click=current.stop, key=K + "stop")


live_fit()

st.header(_("3. Trained on one, tested on another"))
matrix = detect_panel.shipped_matrix()
if matrix is None:
    st.info(_("The matrix is made by python -m ganlab detect matrix (a few minutes): fitted on each generator, "
              "tested on every other."))
else:
    shown_kind = st.radio(_("Detector"), [k for k in KINDS if k in matrix], format_func=KIND_NAMES.get, horizontal=True,
                          key=K + "matrix_kind")
    c1, c2 = st.columns(2)
    c1.plotly_chart(translate_figure(matrix_figure(matrix["generators"], matrix[shown_kind]["accuracy"],
                                                   title=_("accuracy at the threshold 0.5"))), key=K + "m_acc")
    c2.plotly_chart(translate_figure(matrix_figure(matrix["generators"], matrix[shown_kind]["auc"], title="AUC")),
                    key=K + "m_auc")
    st.caption(_("Rows: the generator the detector was fitted on; columns: the one it was tested on ({n:,} held-out "
                 "images a side). Compare the two: accuracy needs the fixed threshold 0.5 to hold on the unseen "
                 "generator, AUC only that its images score higher than real ones (Wang et al. 2020). Made by python "
                 "-m ganlab detect matrix; docs/detection.md.").format(n=matrix["held_out_images"]))
    st.markdown(_("**The counterpoint** (Chandrasegaran et al. 2021): mnist-dcgan-nearest is the same DCGAN with its "
                  "last transposed convolution replaced by nearest-neighbour resizing and a 3x3 convolution, which "
                  "takes the checkerboard out of its spectrum (section 1). Its column shows whether the detectors "
                  "fitted on the others still catch it."))
