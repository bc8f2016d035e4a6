"""The variant seam: a variant written in this file alone (its networks, step, settings, metric and live
figure) trains, charts, judges its best state and checkpoints through the shared machinery, with no other
file touched; nothing outside ganlab/variants names a variant or one of its figures."""

from __future__ import annotations

import ast
from dataclasses import dataclass

import numpy as np
import pytest
import torch

from ganlab import figures, settings, variants
from ganlab.config import default_config, field_specs
from ganlab.figures import Figure, Mark, percent
from ganlab.persist.checkpoint import load
from ganlab.settings import Validated, setting
from ganlab.training.background import BackgroundTrainer
from ganlab.training.resume import resume
from ganlab.variants import BASE_METRICS, Metric
from ganlab.variants.vanilla import GAN
from ganlab.views.time_charts import quality_spec, time_specs
from tests.conftest import REPO


@pytest.fixture
def clean_registries():
    """Whatever a test registers is forgotten after it (variants, setting names, figures)."""
    saved = (dict(variants.base._REGISTRY), dict(settings._CLAIMED), dict(figures._REGISTRY))
    yield
    for registry, before in zip((variants.base._REGISTRY, settings._CLAIMED, figures._REGISTRY), saved):
        registry.clear()
        registry.update(before)


@dataclass(frozen=True)
class JitterSettings(Validated):
    jitter: float = setting(0.1, min=0.0, max=1.0, label="Input jitter", help="jitter-test: noise added to D's inputs")


class JitterGAN(GAN):
    """The plain GAN, with Gaussian noise of its own on D's inputs (instance noise), a metric and a live figure."""

    key = "jitter-test"
    title = "Jitter GAN (a test's own)"
    summary = "instance noise on D's inputs"
    Settings = JitterSettings
    metrics = BASE_METRICS + (Metric("noise_norm", "noise norm", "mean norm of the noise added", "parts"),)

    def d_half(self, p, x, y):
        noise = p.settings.jitter * torch.randn(x.shape, generator=p.rng, device=x.device)
        half = super().d_half(p, x + noise, y)
        return half._replace(extras={"noise_norm": noise.norm(dim=1).mean().detach()})

    def live_figures(self, trainer):
        fake = trainer.sample_fixed()
        return {"inside_unit": float((np.linalg.norm(fake, axis=1) < 3).mean())}


def test_a_variant_written_in_a_test_trains_charts_and_checkpoints(clean_registries, tmp_path):
    variants.register(JitterGAN())
    figures.register(Figure("inside_unit", "Inside radius 3", "share of samples within 3 of the origin",
                            percent("inside_unit"), share=True, rank=5,
                            marks=(Mark("most inside", lambda q: q["inside_unit"] > 0.5, lambda q: "most inside"),)))
    assert field_specs()["jitter"]["variant"] == "jitter-test"  # its setting is a flat name like any other
    config = default_config("ring8", model="jitter-test", jitter=0.3, hidden=32, device="cpu")
    run = BackgroundTrainer(config)
    try:
        run.step(40)
        assert run.wait_steps(60)
        look = run.look()
        assert look.step == 40 and "noise_norm" in look.snapshot.fields
        assert (look.snapshot.column("noise_norm") > 0).all()
        charts = time_specs(look.snapshot, metrics=look.variant.metrics)
        assert any("noise norm" in str(spec) for spec in charts)  # charted in its group
        quality = look.samples.quality
        assert "inside_unit" in quality and "modes_covered" in quality  # its figure beside the data's
        assert "Inside radius 3" in [f.label for f in figures.described(quality)]
        assert "inside_unit" not in str(quality_spec([(1, quality)]))  # not charted by key...
        assert "Inside radius 3" in str(quality_spec([(1, quality), (2, quality)]))  # ...but by its label
        assert figures.score(quality)[-1] == quality["inside_unit"]  # and it takes part in judging the best
        ckpt = load(run.checkpoint_bytes())
        assert ckpt.variant is look.variant and ckpt.config.variant.jitter == 0.3
        again = resume(ckpt)
        again.run(5)
        assert again.step == 45
    finally:
        run.stop()


def test_nothing_outside_the_variants_names_one():
    """No module outside ganlab/variants (nor a page) compares against a variant's key or imports a variant's
    module; none reads a variant's own metric by its key (a variant's live figures are looked up by their
    descriptions, ganlab.figures)."""
    keys = set(variants.names())
    own = {m.name for v in variants.all_variants() for m in v.metrics[len(BASE_METRICS):]}
    offenders = []
    files = [p for p in (REPO / "ganlab").rglob("*.py") if "variants" not in p.parts]
    files += [*(REPO / "pages").glob("*.py"), *(REPO / "ui").glob("*.py")]
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ganlab.variants."):
                if node.module.split(".")[2] not in ("base", "build"):
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno} imports {node.module}")
            if isinstance(node, ast.Compare):
                for side in (node.left, *node.comparators):
                    if isinstance(side, ast.Constant) and side.value in keys | own:
                        offenders.append(f"{path.relative_to(REPO)}:{node.lineno} compares with {side.value!r}")
            if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and node.slice.value in own:
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno} reads [{node.slice.value!r}]")
    assert offenders == []
