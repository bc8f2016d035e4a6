"""The settings machinery every config is made of, torch-free: a field with its bounds (:func:`setting`),
a dataclass that checks its fields on construction (:class:`Validated`), and the error a person can act
on (:class:`ConfigError`).

The shared run settings (``ganlab.config``) and each variant's own (``ganlab.variants``) are built from
these; so this module sits below both, and neither needs the other to describe a field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

from ganlab.said import said


class ConfigError(ValueError):
    """A config value a person typed is out of range or of the wrong kind."""


def setting(default, *, flag: str | None = None, help: str = "", **bounds):
    """A config field with its CLI/sidebar name, help text and numeric bounds."""
    meta = {"help": help, **bounds}
    if flag:
        meta["flag"] = flag
    if callable(default):
        return field(default_factory=default, metadata=meta)
    return field(default=default, metadata=meta)


def check_field(obj, f) -> None:
    """Type-check and range-check one field; raise ConfigError a person can act on."""
    name = f.metadata.get("flag", f.name)
    value = getattr(obj, f.name)
    kind = f.type if isinstance(f.type, str) else f.type.__name__
    if kind == "int":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(said("{name} must be a whole number, got {value!r}", name=name, value=value))
    elif kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(said("{name} must be a number, got {value!r}", name=name, value=value))
        value = float(value)
        if not math.isfinite(value):
            raise ConfigError(said("{name} must be a finite number, got {value!r}", name=name, value=value))
    elif kind == "str":
        if not isinstance(value, str):
            raise ConfigError(said("{name} must be text, got {value!r}", name=name, value=value))
    elif kind == "tuple":
        return  # checked by the owning dataclass
    lo, hi = f.metadata.get("min"), f.metadata.get("max")
    if lo is not None and value < lo or hi is not None and value > hi:
        raise ConfigError(said("{name} must be between {lo} and {hi}, got {value!r}", name=name, lo=lo, hi=hi,
                               value=value))
    if f.metadata.get("gt") is not None and not value > f.metadata["gt"]:
        raise ConfigError(said("{name} must be greater than {gt}, got {value!r}", name=name, gt=f.metadata["gt"],
                               value=value))
    choices = f.metadata.get("choices")
    if callable(choices):  # the model's choices are the registered variants, looked up when needed
        choices = choices()
    if choices and value not in choices:
        raise ConfigError(said("{name} must be one of {choices}; got {value!r}", name=name, choices=", ".join(choices),
                               value=value))
    object.__setattr__(obj, f.name, value)


class Validated:
    """A dataclass whose fields are type- and range-checked on construction (see :func:`setting`)."""

    def __post_init__(self):
        for f in fields(self):
            check_field(self, f)


@dataclass(frozen=True)
class NoSettings(Validated):
    """The settings of a variant that has none beyond the shared ones."""


_CLAIMED: dict[str, str] = {}  # flat name -> who owns it ("the shared settings", "model infogan"...)


def flat_name(f) -> str:
    """A field's flat name: its ``flag``, or its own name. Unique across every setting a run can have."""
    return f.metadata.get("flag", f.name)


def claim(kind: type, owner: str, *, skip: tuple[str, ...] = ()) -> None:
    """Record that ``owner`` names the fields of dataclass ``kind`` (all or none): the shared run settings and
    every variant's own share one space of flat names, so that ``--lr-d`` or ``cat_codes`` means one field."""
    names = [flat_name(f) for f in fields(kind) if f.name not in skip]
    taken = sorted(n for n in names if _CLAIMED.get(n, owner) != owner)
    if taken:
        holders = ", ".join(sorted({_CLAIMED[n] for n in taken}))
        raise ValueError(f"{owner}: setting(s) {', '.join(taken)} are named already (by {holders})")
    _CLAIMED.update(dict.fromkeys(names, owner))
