"""Widgets for the run config, built from ``ganlab.config.field_specs`` (one definition, three faces)."""

from __future__ import annotations

import streamlit as st

from ganlab import variants
from ganlab.config import ConfigError, RunConfig, default_config, field_specs
from ganlab.data.catalog import DATASETS, DATASETS_DRAWN, USER_PREFIX, data_kind, list_datasets
from ui.i18n import _, reason, shown_as
from ui.session import Keys

LABELS = {
    "data": "Dataset", "model": "Model", "loss": "Loss", "z_dim": "Latent size z_dim", "latent": "Latent p(z)",
    "hidden": "Hidden width", "depth": "MLP depth", "batch_size": "Batch size", "lr_d": "D learning rate",
    "lr_g": "G learning rate", "beta1_d": "D Adam beta1", "beta2_d": "D Adam beta2", "beta1_g": "G Adam beta1",
    "beta2_g": "G Adam beta2", "d_steps": "D steps per G step", "label_smoothing": "Label smoothing (one-sided)",
    "gp_weight": "Gradient penalty weight", "r1": "R1 penalty gamma", "seed": "Seed", "device": "Device", "data_dir": "Image data folder",
    "precision": "Precision", "output": "G's output activation", "scale": "Image pixel range",
    "d_head_start": "D-only steps before G starts",
    "anneal_start": "Rates fall after step (0 = never)", "anneal_steps": "Rates fall over steps",
    "anneal_to": "Rates fall to (fraction)",
}
GROUPS = {
    "Model": ("loss", "z_dim", "latent", "hidden", "depth", "output"),
    "Optimisation": ("batch_size", "lr_d", "lr_g", "d_steps", "beta1_d", "beta2_d", "beta1_g", "beta2_g",
                     "label_smoothing", "gp_weight", "r1", "d_head_start", "anneal_start", "anneal_steps", "anneal_to"),
    "Run": ("seed", "device", "precision", "scale", "data_dir"),
}


def parse_value(name: str, text) -> object:
    """Turn what a person typed into the field's type; ConfigError with the field's name otherwise."""
    kind = field_specs()[name]["type"]
    if kind == "str" or not isinstance(text, str):
        return text
    try:
        return int(text) if kind == "int" else float(text)
    except ValueError:
        message = (_("{setting}: {text} is not a whole number") if kind == "int"
                   else _("{setting}: {text} is not a number"))
        raise ConfigError(message.format(setting=_(LABELS.get(name, name)), text=repr(text.strip()))) from None


def _widget(name: str, value, spec: dict):
    key = Keys.setting(name)
    label = _(spec.get("label") or LABELS.get(name, name))
    help_ = _(spec["help"]) if spec.get("help") else None  # field help is the library's English: ganlab.config
    if spec.get("choices"):
        options = list(spec["choices"])
        return st.selectbox(label, options, index=options.index(value), key=key, help=help_)
    if spec["type"] == "int":
        return st.number_input(label, value=int(value), step=1, key=key, help=help_)
    # floats and paths are typed as text: "2e-4" is easier to type than a spinner, and bad text gets a message
    return st.text_input(label, value=f"{value:g}" if isinstance(value, float) else str(value), key=key, help=help_)


def dataset_picker(config: RunConfig) -> str | None:
    """Dataset selector; returns the new dataset name when it changed."""
    imported = [USER_PREFIX + m["name"] for m in list_datasets(config.data.data_dir)]
    options = [d for d in DATASETS if d not in DATASETS_DRAWN or d == config.data.name] + imported
    if config.data.name not in options:
        options.append(config.data.name)
    chosen = st.selectbox(_("Dataset"), options, index=options.index(config.data.name), key=Keys.setting("dataset"),
                          help=_("2-D mixtures need no download; image sets are read from the data folder; user:NAME "
                                 "are the datasets you imported (Your own data, below)"))
    return chosen if chosen != config.data.name else None


def model_picker(config: RunConfig) -> str | None:
    """The GAN variant, with its one-line summary and its objective; returns the new model when it changed."""
    options = list(variants.names())
    chosen = st.selectbox(_("Model"), options, index=options.index(config.model.arch), key=Keys.setting("model"),
                          format_func=shown_as(options, lambda k: _(variants.get(k).title)),
                          help=_("each model is its own objective and networks; switching loads its tuned defaults"))
    v = variants.get(chosen)
    st.caption(f"{_(v.summary)} ({v.paper})")
    st.latex(v.formula)
    return chosen if chosen != config.model.arch else None


def config_form(config: RunConfig) -> RunConfig | None:
    """The full settings form. Returns a validated new config on submit, else None; errors shown inline."""
    specs = field_specs()
    current = config.flat()
    own = tuple(name for name, spec in specs.items() if spec.get("variant") == config.model.arch)
    title = _(variants.get(config.model.arch).title)
    groups = {**({_("{model} settings").format(model=title): own} if own else {}),
              **{_(group): names for group, names in GROUPS.items()}}
    with st.form("run_settings", border=False):
        values = {}
        for group, names in groups.items():
            with st.expander(group, expanded=names is GROUPS["Model"] or names is own):
                for name in names:
                    values[name] = _widget(name, current[name], specs[name])
        submitted = st.form_submit_button(_("Apply settings (new run)"), type="primary", width="stretch")
    if not submitted:
        return None
    try:
        parsed = {name: parse_value(name, v) for name, v in values.items()}
        return config.with_values(**parsed)
    except ConfigError as err:
        st.error(_("Settings not applied: {err}").format(err=reason(err)))
        return None


def defaults_for(dataset: str | None, config: RunConfig, model: str | None = None) -> RunConfig:
    """Switching dataset or model starts from their tuned defaults, keeping seed, device and data folder.

    A dataset keeps the model when the model trains on it; a model that cannot train on the current
    dataset takes the run to the dataset it is made for."""
    keep = dict(seed=config.seed, device=config.device, data_dir=config.data.data_dir)
    if model is not None:
        v = variants.get(model)
        data = config.data.name
        kind = "toy" if config.data.is_toy else "image"
        if kind not in v.data_kinds or data in DATASETS_DRAWN:
            data = v.default_data
        return default_config(data, model=model, **keep)
    current = variants.get(config.model.arch)
    kind = data_kind(dataset, config.data.data_dir)
    return default_config(dataset, **({"model": current.key} if kind in current.data_kinds else {}), **keep)


def live_knobs(config: RunConfig) -> dict | None:
    """Learning rates and D steps that may change mid-run; returns parsed values on submit."""
    with st.form("live_knobs", border=False):
        c1, c2, c3 = st.columns(3)
        o = config.optim
        lr_d = c1.text_input(_(LABELS["lr_d"]), value=f"{o.lr_d:g}", key=Keys.live("lr_d"))
        lr_g = c2.text_input(_(LABELS["lr_g"]), value=f"{o.lr_g:g}", key=Keys.live("lr_g"))
        d_steps = c3.number_input(_(LABELS["d_steps"]), value=o.d_steps, step=1, key=Keys.live("d_steps"))
        if not st.form_submit_button(_("Apply now")):
            return None
    try:
        return {"lr_d": parse_value("lr_d", lr_d), "lr_g": parse_value("lr_g", lr_g),
                "d_steps": parse_value("d_steps", d_steps)}
    except ConfigError as err:
        st.error(_("Not applied: {err}").format(err=reason(err)))
        return None
