"""The one module that owns per-session state: the run handle, cached data, and widget keys.

Pages call these helpers and use the ``Keys`` constants (defined in ``keys.py``, re-exported here) for
the state they share. A page's own widgets carry keys it builds from its prefix (``K + "seed"``), which only
that page reads.
"""

from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass

import numpy as np
import streamlit as st
import torch

from ganlab import variants
from ganlab.cluster.connection import ClusterUnavailable
from ganlab.cluster.connection import address as cluster_address
from ganlab.config import ConfigError, RunConfig, default_config
from ganlab.core.models import ModelArgs
from ganlab.data.datasets import DatasetUnavailable, load_data
from ganlab.explore.design import kind_directions as kind_directions_of
from ganlab.explore.latent import principal_directions as principal_directions_of
from ganlab.persist.checkpoint import load as load_checkpoint
from ganlab.persist.checkpoint_dir import CheckpointDir
from ganlab.persist.runs_db import RunRecorder, RunsDB
from ganlab.pool.hosted import HostedRun
from ganlab.training.background import BackgroundTrainer
from ganlab.training.capacity import interactive_threads
from ganlab.training.memory import give_back_soon
from ganlab.training.memory import set_aside_loaded as _set_aside_loaded
from ganlab.training.run import Run
from ganlab.training.trainer import trainer_with
from ganlab.views.animation import gif_bytes
from ganlab.views.plots import image_grid, scatter_raster
from ui.i18n import _, reason
from ui.workers import FIRST_RUN_DATA, pool
from ui.keys import Keys  # the keys live apart so that routing needs no torch; pages use session.Keys


@st.cache_resource
def _configure_torch() -> int:
    """Once per server process: leave CPU for the server and the browser (see interactive_threads)."""
    n = interactive_threads()
    torch.set_num_threads(n)
    # The trainer thread gives up the GIL at every torch op; a short switch interval means it
    # waits less to get it back while the server thread renders a page.
    sys.setswitchinterval(0.0005)
    return n


_configure_torch()


@st.cache_resource(show_spinner="Loading dataset...")
def cached_data(name: str, data_dir: str):
    """Datasets are read once per server process and shared (read-only, on the CPU)."""
    return load_data(name, data_dir)


# how this server builds a run's trainer: its runs share its cached datasets (the Compare page's sweeps too)
make_trainer = trainer_with(cached_data)


def _release(run: Run) -> None:
    run.stop()
    give_back_soon()  # once the server has dropped the session, its memory goes back to the OS


@st.cache_resource(show_spinner=False)
def set_aside_loaded() -> int:
    """Once per server, after a page drawn in full: what the server has loaded by then (torch, Streamlit, the
    pages' modules, and that first session's objects) is left out of the garbage collector's later walks
    (``ganlab.training.memory``)."""
    return _set_aside_loaded()


@st.cache_resource
def runs_db() -> RunsDB:
    """The run database every session records into (``GANLAB_RUNS_DB``, default runs/ganlab.sqlite)."""
    return RunsDB()


@st.cache_resource(scope="session", on_release=_release, show_spinner=False)
def _session_run() -> Run:
    return make_run(default_config(FIRST_RUN_DATA))


def make_run(config: RunConfig) -> Run:
    """A new run on ``config`` for this session: on a worker of the pool (``pool``), or a thread of this server;
    the same handle either way."""
    source = f"app:{session_id()[:8]}"
    where = pool()
    if where is not None:
        return HostedRun(where, config, source=source)
    return BackgroundTrainer(config, make_trainer=make_trainer, recorder=RunRecorder(runs_db(), source=source))


def run() -> Run:
    """This browser session's training run; its thread (or actor) stops when the session ends. A cluster that
    cannot be reached stops the page with a message saying what to do."""
    try:
        return _session_run()
    except ClusterUnavailable as err:
        st.error(_("No run can start: {err}").format(err=reason(err)))
        st.stop()


@st.cache_resource
def lecture():
    """The lecture's registry: this process's, or the cluster's (shared by every server replica)."""
    if cluster_address():
        from ganlab.cluster.lecture import RayLecture

        return RayLecture(pool())
    from ganlab.classroom.lecture import LECTURE

    return LECTURE


def new_run(config: RunConfig) -> None:
    """Replace this session's run with a fresh one on ``config`` (raises before touching the old one)."""
    run().reset(config)


def prepare_conditional_run() -> None:
    """Make this session's run the registry's model for class control on its data, ready to Start on the Train page."""
    current = run().config
    v = variants.default_for("class control")
    config = default_config(v.default_data, model=v.key, seed=current.seed, device=current.device,
                            data_dir=current.data.data_dir)
    try:
        new_run(config)
        flash("success", _("New run ready: {model} on {data}. Press Start.").format(model=v.key, data=v.default_data))
    except (ConfigError, DatasetUnavailable) as err:
        flash("error", _("Could not start that run: {err}").format(err=reason(err)))
    forget_form()


def session_id() -> str:
    """A random id for this browser session (to know which session presents the lecture)."""
    if Keys.SESSION_ID not in st.session_state:
        st.session_state[Keys.SESSION_ID] = uuid.uuid4().hex
    return st.session_state[Keys.SESSION_ID]


# the speeds' names are widget values (tests set them): the page shows them through _()
SPEEDS = {"1 step/s": 1.0, "2 steps/s": 2.0, "5 steps/s": 5.0, "20 steps/s": 20.0, "100 steps/s": 100.0,
          "full speed": None}


def speed_label(speed: float | None) -> str:
    return next((k for k, v in SPEEDS.items() if v == speed), "full speed")


def flash(kind: str, text: str) -> None:
    st.session_state[Keys.FLASH] = (kind, text)


def show_flash() -> None:
    kind, text = st.session_state.pop(Keys.FLASH, (None, None))
    if kind:
        getattr(st, kind)(text)


def forget_form() -> None:
    """Give the settings widgets fresh keys so they show the current run's values.

    (Deleting a keyed widget's state is not enough: the browser sends its old value back.)
    """
    old = st.session_state.get(Keys.FORM_GENERATION, 0)
    for key in list(st.session_state):
        if isinstance(key, str) and key.startswith((f"cfg{old}_", f"live{old}_")):
            del st.session_state[key]
    st.session_state[Keys.FORM_GENERATION] = old + 1


# -- checkpoints and models to explore ------------------------------------------

LIVE = "Current run (live)"  # a source's name (a widget value): shown through source_label


def source_label(name: str) -> str:
    """A model source's name as a page shows it: a checkpoint's own name, the live run's in the session's language."""
    return _("Current run (live)") if name == LIVE else name


@dataclass(frozen=True)
class ModelSource:
    """A model to explore, wherever it came from."""

    name: str
    nets: dict  # every network, eval mode, CPU; "gen" is the one samples are drawn from
    args: ModelArgs
    latent: str
    data_name: str
    step: int
    points: tuple = ()  # the centres of a drawn distribution (data custom)
    data_dir: str = ""

    @property
    def gen(self) -> torch.nn.Module:
        return self.nets["gen"]

    @property
    def variant(self):
        return variants.get(self.args.arch)


@st.cache_resource
def checkpoint_dir() -> CheckpointDir:
    return CheckpointDir()


@st.cache_resource(max_entries=16, show_spinner=False)
def _load_source(path: str, mtime: float, name: str) -> ModelSource:
    ckpt = load_checkpoint(path)
    return ModelSource(name, ckpt.build_nets("cpu"), ckpt.args, ckpt.config.model.latent,
                       ckpt.config.data.name, ckpt.step, ckpt.config.data.points, ckpt.config.data.data_dir)


def source_names(kind: str = "latent") -> list[str]:
    """The live run and every checkpoint, or only those of one kind: "latent" (models that draw from
    noise, the Latent explorer's and Class control's) or "translation" (the Translate page's)."""
    names = [LIVE] + [e.name for e in checkpoint_dir().entries()]
    return [n for n in names if n == LIVE or _kind(n) == kind]


def _kind(name: str) -> str:
    try:
        v = model_source(name).variant
    except Exception:  # noqa: BLE001 - a damaged file is listed on the Checkpoints page, not offered here
        return "unreadable"
    return "latent" if v.has_latent else "translation"


def model_source(name: str) -> ModelSource:
    """The generator called ``name``: a checkpoint (cached) or a snapshot of this session's live run."""
    if name == LIVE:
        t = run().look()
        nets = run().nets_snapshot()
        return ModelSource(LIVE, nets, t.args, t.config.model.latent, t.config.data.name, t.step,
                           t.config.data.points, t.config.data.data_dir)
    entry = checkpoint_dir().find(name)
    return _load_source(str(entry.path), entry.path.stat().st_mtime, name)


def model_param(page: str, default: str, kind: str = "latent"):
    """The ``model=`` of an exploration page's link: one of the names the page offers (a checkpoint of
    ``checkpoints/``, or ``live`` for the current run), never a path."""
    from ui.links import Param, one_of

    def in_link(n: str) -> str:
        return "live" if n == LIVE else n

    return Param("model", source_key(page), one_of(source_names(kind), in_link), default, in_link)


def chosen_source(page: str, default: str, kind: str = "latent") -> str:
    """The model a page explores, remembered per page for this session."""
    key = f"source_{page}"
    names = source_names(kind)
    if st.session_state.get(key) not in names:
        st.session_state[key] = default if default in names else names[min(1, len(names) - 1)]
    return st.session_state[key]


def source_key(page: str) -> str:
    return f"source_{page}"


@dataclass(frozen=True)
class DataView:
    real: np.ndarray  # a fixed batch of real 2-D points
    extent: float


@st.cache_resource(show_spinner=False)
def model_data(name: str, points: tuple = ()) -> DataView:
    """A fixed batch of real points of a 2-D dataset, for drawing paths over."""
    m = load_data(name, points=points)
    return DataView(m.batch(1000, torch.Generator().manual_seed(0))[0].numpy(), m.extent)


def data_density(config: RunConfig):
    """The density of a 1-D dataset, as a function of x (the lab view draws it beside G's)."""
    return cached_data(config.data.name, config.data.data_dir).density if not config.data.points else \
        load_data(config.data.name, points=config.data.points).density


def principal_directions(name: str, src: ModelSource):
    """GANSpace directions of a model, computed once per checkpoint (and per step of the live run)."""
    return _directions(name, src.step, src)


@st.cache_resource(max_entries=8, show_spinner="Finding principal directions...",
                   hash_funcs={ModelSource: lambda s: (s.name, s.step)})
def _directions(name: str, step: int, src: ModelSource):
    y = torch.zeros(1, dtype=torch.long) if src.args.n_classes else None
    return principal_directions_of(src.gen, src.args.z_dim, src.latent, y=y)


def kind_directions(name: str, src: ModelSource, kind: int):
    """The principal directions of one kind of a conditional model's designs (the Design page), computed once
    per checkpoint and kind (and per step of the live run)."""
    return _kind_directions(name, src.step, kind, src)


@st.cache_resource(max_entries=32, show_spinner=False, hash_funcs={ModelSource: lambda s: (s.name, s.step)})
def _kind_directions(name: str, step: int, kind: int, src: ModelSource):
    return kind_directions_of(src.gen, src.args, src.latent, kind)


def resume_into_run(name: str) -> None:
    """Load checkpoint ``name`` into this session's run, paused, ready to continue where it stopped."""
    ckpt = checkpoint_dir().load(name)
    run().resume_from(ckpt, data=cached_data(ckpt.config.data.name, ckpt.config.data.data_dir))
    forget_form()


def set_autosave(run_: Run, every: int, name: str) -> None:
    """Autosave this session's run every ``every`` steps as user/<name>.pt (0 turns it off)."""
    run_.set_autosave(every, checkpoint_dir().user_path(name) if every else None)


def timeline_gif(run_: Run) -> bytes:
    """The run's timeline of fixed-noise samples as an animated GIF."""
    t = run_.look()
    frames = []
    for _step, fake in run_.timeline_frames():
        fake = fake.astype(np.float32)
        if fake.ndim == 2:
            frames.append(scatter_raster(t.fixed_real, fake, extent=t.extent))
        else:
            frames.append(image_grid(fake, nrow=t.args.n_classes or 8, scale=2))
    return gif_bytes(frames, fps=6)


@st.cache_resource(show_spinner="Loading real samples...")
def real_samples(name: str, data_dir: str, points: tuple = ()):
    """Real samples to set beside generated ones (the Quiz page): MNIST's or Fashion-MNIST's test set, other
    image sets whole, 2,000 points of a 2-D distribution; as (x, labels or None)."""
    from ganlab.data.catalog import has_test_set
    from ganlab.data.datasets import load_images

    if has_test_set(name):
        d = load_images(name, data_dir, train=False, download=False)
        return d.images, d.labels
    d = load_data(name, data_dir, points=points)
    if hasattr(d, "images"):
        return d.images, d.labels
    return d.batch(2000, torch.Generator().manual_seed(0))[0], None
