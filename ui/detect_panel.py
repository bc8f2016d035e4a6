"""What the Detect page and the Quiz read of the detectors, cached: the generators of MNIST digits on offer, their
held-out samples and spectra, the shipped detector and the shipped matrix (``checkpoints/detectors/``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import streamlit as st

from ganlab.detect.detectors import load_detector
from ganlab.detect.sets import HELD_OUT_SEED, generated_images, real_images
from ganlab.detect.spectrum import mean_spectrum, spectrum_band
from ui import session
from ui.keys import Keys

SHIPPED = Path(__file__).resolve().parents[1] / "checkpoints" / "detectors"
DETECTOR_FILE = SHIPPED / "mnist-dcgan-spectrum.pt"  # python -m ganlab detect fit --generator checkpoints/mnist-dcgan.pt
MATRIX_FILE = SHIPPED / "matrix.json"  # python -m ganlab detect matrix --json ...
SHOWN = 1000  # held-out images per set the page's spectra and scores use


def generators() -> list[str]:
    """The models on offer that draw MNIST digits (the pretrained ones, saved ones, the live run on MNIST)."""
    out = []
    for name in session.source_names():
        try:
            src = session.model_source(name)
        except Exception:  # noqa: BLE001 - a live run with nothing to show yet, a damaged file
            continue
        if src.data_name == "mnist" and tuple(src.args.data_shape) == (1, 28, 28):
            out.append(name)
    return out


def checkpoint_of(name: str):
    """The generator ``name`` as a checkpoint (the live run's as it is now)."""
    from ganlab.persist.checkpoint import load

    if name == session.LIVE:
        return load(session.run().checkpoint_bytes())
    return session.checkpoint_dir().load(name)


@st.cache_resource(max_entries=32, show_spinner=False)
def _held_out(name: str, step: int) -> np.ndarray:
    return generated_images(checkpoint_of(name), SHOWN, seed=HELD_OUT_SEED)


def held_out(name: str) -> np.ndarray:
    """SHOWN held-out samples of a generator (another seed than any fit's), once per checkpoint and step."""
    return _held_out(name, session.model_source(name).step)


@st.cache_resource(show_spinner=False)
def real_held_out(data_dir: str) -> np.ndarray:
    return real_images(data_dir, SHOWN, train=False)


@st.cache_resource(max_entries=32, show_spinner=False)
def _bands(name: str, step: int, data_dir: str) -> tuple[dict, np.ndarray]:
    x = real_held_out(data_dir) if name == "real" else _held_out(name, step)
    return spectrum_band(x), mean_spectrum(x)


def spectra(name: str, data_dir: str) -> tuple[dict, np.ndarray]:
    """A set's 1-D spectrum band and its mean 2-D spectrum ("real": MNIST's held-out test digits)."""
    return _bands(name, 0 if name == "real" else session.model_source(name).step, data_dir)


@st.cache_resource(show_spinner=False)
def shipped_detector():
    """The shipped spectrum detector fitted on mnist-dcgan (None where the file is missing or damaged)."""
    try:
        return load_detector(DETECTOR_FILE)
    except Exception:  # noqa: BLE001 - the Quiz simply goes without the detector's column
        return None


def quiz_detector():
    """(detector, about) the Quiz sets beside the student: this session's last fit on the Detect page, else the
    shipped one; None if neither is there."""
    job = st.session_state.get(Keys.DETECTOR_JOB)
    if job is not None and job.detector is not None and job.view().state == "done":
        return job.detector, {"kind": job.kind, "trained_on": job.names}
    return shipped_detector()


def shipped_matrix() -> dict | None:
    try:
        return json.loads(MATRIX_FILE.read_text())
    except (OSError, ValueError):
        return None
