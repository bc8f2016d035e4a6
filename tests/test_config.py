import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ganlab import variants
from ganlab.config import ConfigError, RunConfig, default_config, field_specs


def test_defaults_are_valid_for_every_dataset():
    for name in ("ring8", "grid25", "spiral", "moons", "mnist", "fashion-mnist"):
        c = default_config(name)
        assert c.data.name == name


def test_classic_mnist_preset_matches_the_seed_gan():
    c = default_config("mnist")
    assert (c.model.arch, c.model.z_dim, c.model.hidden, c.model.depth) == ("mlp", 100, 128, 1)


@pytest.mark.parametrize("field,value,words", [
    ("batch_size", 0, "batch_size must be between 1"),
    ("batch_size", "abc", "whole number"),
    ("lr_d", 0.0, "lr_d must be greater than 0"),
    ("lr_g", float("nan"), "finite"),
    ("lr_g", "fast", "must be a number"),
    ("d_steps", 50, "d_steps must be between 1 and 20"),
    ("loss", "least-squares", "loss must be one of"),
    ("data", "cifar", "data must be one of"),
    ("latent", "cauchy", "latent must be one of"),
    ("label_smoothing", 0.9, "between 0.0 and 0.5"),
    ("beta1_d", True, "must be a number"),
])
def test_bad_values_get_a_message_naming_the_field(field, value, words):
    with pytest.raises(ConfigError, match=words):
        default_config("ring8").with_values(**{field: value})


def test_cross_field_rules():
    with pytest.raises(ConfigError, match="needs image data"):
        default_config("ring8", model="dcgan")
    with pytest.raises(ConfigError, match="label smoothing applies"):
        default_config("ring8", loss="hinge", label_smoothing=0.1)
    with pytest.raises(ConfigError, match="unknown setting"):
        default_config("ring8").with_values(learning_rate=1e-3)


def test_round_trip_through_json():
    c = default_config("mnist", model="cdcgan", loss="hinge", seed=7)
    again = RunConfig.from_dict(json.loads(json.dumps(c.to_dict())))
    assert again == c


def test_from_dict_rejects_junk():
    with pytest.raises(ConfigError):
        RunConfig.from_dict([1, 2])
    with pytest.raises(ConfigError, match="unknown"):
        RunConfig.from_dict({"data": {"name": "ring8", "evil": 1}})
    with pytest.raises(ConfigError, match="mapping"):
        RunConfig.from_dict({"optim": "fast"})


NUMERIC = {k: v for k, v in field_specs().items() if v["type"] in ("int", "float")}


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(NUMERIC)),
       value=st.one_of(st.integers(-10**12, 10**12), st.integers(-2, 100), st.floats(0, 1),
                       st.floats(allow_nan=True, allow_infinity=True),
                       st.text(max_size=5), st.none(), st.booleans()))
def test_any_value_is_accepted_iff_in_range(name, value):
    """Every numeric setting, on a run of the model it belongs to: a value is taken exactly when it is a finite
    number (whole for whole-number settings) inside the setting's bounds, and then kept as given."""
    spec = NUMERIC[name]
    lo, hi, gt = spec.get("min"), spec.get("max"), spec.get("gt")
    owner = spec.get("variant")
    base = (default_config(variants.get(owner).default_data, model=owner) if owner
            else default_config("ring8", loss="ns"))  # the non-saturating loss takes label smoothing
    number = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    valid = (number and (spec["type"] != "int" or float(value).is_integer())
             and (lo is None or value >= lo) and (hi is None or value <= hi) and (gt is None or value > gt))
    try:
        c = base.with_values(**{name: value})
    except ConfigError as err:
        assert not valid, f"{name}={value!r} is in range but was refused: {err}"
        assert name in str(err)
        return
    assert valid, f"{name}={value!r} was accepted"
    assert c.flat()[name] == value
