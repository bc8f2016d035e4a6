"""The Train page's link: its run as query parameters (the dataset, the model and every run setting under the
CLI's names), the lab view's layers, the speed, and ``autostart=1``.

A link names only what differs from the defaults of its dataset and model (``?data=grid25&loss=hinge&
d_steps=5&seed=3``); opened, it becomes a new run with exactly those settings, validated as the sidebar
validates them. The data folder is not a link's to choose: a link reaches no path.
"""

from __future__ import annotations

import streamlit as st

from ganlab.classroom import lessons
from ganlab.config import RunConfig, default_config, field_specs
from ui import links
from ui.i18n import _
from ui.keys import Keys

PAGE = "train"
LAYER_NAMES = {"Real": "real", "Generated": "generated", "D(x) surface": "surface", "G manifold": "manifold",
               "Gradient arrows": "arrows", "Cycle": "cycle"}  # the lab view's layers, as a link names them


def settings_in_links() -> tuple[str, ...]:
    return tuple(name for name in field_specs() if name not in lessons.NOT_IN_LINKS)


def requested(current: RunConfig, layers_default: list[str], speeds: dict) -> tuple[RunConfig | None, bool, bool]:
    """What a just-opened link asks of the Train page: a run config (None: the current run already is what it
    asks, or nothing was asked), whether to start it, and whether to keep its best checkpoint. Its layers and
    speed go into their widgets; a value the page cannot take is named in a message and left at its default."""
    query = links.opened(PAGE)
    if query is None:
        return None, False, False
    _view(query, layers_default, speeds)
    flags = {}
    for name in ("autostart", "keep_best"):
        value = query.get(name)
        if value not in (None, "1", "0"):
            links.refuse(name, value, _("must be 1 or 0"))
        flags[name] = value == "1"
    config, refused = lessons.run_config(query) if set(query) - set(lessons.TRAIN_VIEW) else (None, [])
    for name, value, why in refused:
        links.refuse(name, value, _(why))
    if config is not None and config.flat() == {**current.flat(), "data_dir": config.data.data_dir}:
        config = None  # the run on screen is already the one the link names
    return config, flags["autostart"], flags["keep_best"]


def _view(query: dict[str, str], layers_default: list[str], speeds: dict) -> None:
    if "layers" in query:
        names = [n for n in query["layers"].split(",") if n]
        by_name = {v: k for k, v in LAYER_NAMES.items()}
        unknown = [n for n in names if n not in by_name]
        if unknown:
            links.refuse("layers", query["layers"], _("the layers are {names}").format(names=", ".join(by_name)))
        else:
            st.session_state[Keys.LAYERS] = [by_name[n] for n in names]
    if "speed" in query:
        by_text = {_speed_text(v): label for label, v in speeds.items()}
        if query["speed"] in by_text:
            st.session_state[Keys.SPEED] = by_text[query["speed"]]
        else:
            links.refuse("speed", query["speed"], _("must be one of {choices}").format(choices=", ".join(by_text)))


def _speed_text(value: float | None) -> str:
    return "full" if value is None else f"{value:g}"


def publish(config: RunConfig, layers: list[str] | None, layers_default: list[str], speed: float | None) -> None:
    """The address bar becomes the link to this run: its dataset, its model where it is not the dataset's
    default, and every setting that differs from their defaults; the layers and speed where not the defaults."""
    flat = config.flat()
    base = default_config(config.data.name, model=config.model.arch, data_dir=config.data.data_dir).flat()
    default_model = default_config(config.data.name, data_dir=config.data.data_dir).model.arch
    values = {"data": config.data.name,
              **({"model": config.model.arch} if config.model.arch != default_model else {}),
              **{k: v for k, v in flat.items()
                 if k in settings_in_links() and k not in ("data", "model") and v != base.get(k)}}
    if layers is not None and list(layers) != list(layers_default):
        values["layers"] = ",".join(LAYER_NAMES[layer] for layer in layers)
    if speed is not None:
        values["speed"] = _speed_text(speed)
    for flag in ("autostart", "keep_best"):
        if links.params().get(flag) is not None:
            values[flag] = links.params()[flag]  # a link that started its run keeps saying so
    links.publish(PAGE, values)
