"""Using a trained model: ``sample``, ``eval``, ``classify``, ``translate`` and ``mix``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from ganlab.cli.common import CLIError, read_images, read_points
from ganlab.data.catalog import default_data_dir
from ganlab.persist.checkpoint import CHECKPOINT_NAME, load


def cmd_sample(ns: argparse.Namespace) -> int:
    from ganlab.explore.sampling import generate

    ckpt = load(ns.checkpoint)
    try:
        x, labels = generate(ckpt, ns.n, seed=ns.seed, class_=ns.class_, device=ns.device,
                             truncation=ns.truncation, text=ns.text)
    except ValueError as err:
        raise CLIError(str(err)) from err
    ns.out.parent.mkdir(parents=True, exist_ok=True)
    np.save(ns.out, x)
    print(f"wrote {x.shape} samples to {ns.out}")
    if ns.labels_out is not None:
        if labels is None:
            raise CLIError("--labels-out: this model is unconditional and draws no labels")
        np.save(ns.labels_out, labels)
        print(f"wrote {labels.shape} labels to {ns.labels_out}")
    return 0


def cmd_eval(ns: argparse.Namespace) -> int:
    from ganlab.evaluation.evaluate import evaluate

    try:
        result = evaluate(load(ns.checkpoint), data_dir=ns.data_dir, n=ns.n, seed=ns.seed,
                          classifier=ns.classifier)
    except ValueError as err:
        raise CLIError(str(err)) from err
    text = json.dumps(result, indent=2)
    print(text)
    if ns.json is not None:
        ns.json.write_text(text + "\n")
    return 0


def cmd_classify(ns: argparse.Namespace) -> int:
    ckpt = load(ns.checkpoint)
    nets = ckpt.build_nets("cpu")
    classifiers = ckpt.variant.classifiers(nets)
    if not classifiers:
        raise CLIError(f"{ns.checkpoint} is a {ckpt.variant.title}, which trains no classifier; classify takes a "
                       f"checkpoint of a model that does (acgan, ssgan, infogan)")
    name, classify = next(iter(classifiers.items()))
    x = torch.from_numpy(read_images(ns.images))
    with torch.no_grad():
        pred = np.concatenate([classify(x[i:i + 1000]).argmax(1).numpy() for i in range(0, len(x), 1000)])
    ns.out.parent.mkdir(parents=True, exist_ok=True)
    np.save(ns.out, pred.astype(np.int64))
    print(f"wrote {pred.shape} classes predicted by {name} to {ns.out}; counts {np.bincount(pred).tolist()}")
    return 0


def cmd_translate(ns: argparse.Namespace) -> int:
    from ganlab.explore.translate import translate

    ckpt = load(ns.checkpoint)
    t = ckpt.variant.translation(ckpt.args)
    if t is None:
        raise CLIError(f"{ns.checkpoint} is a {ckpt.variant.title}, which draws from noise; translate takes a "
                       "translation model (pix2pix, cyclegan)")
    if ns.direction == "b2a" and not t.cycle:
        raise CLIError(f"{ckpt.variant.title} translates one way only ({t.a} to {t.b}); use --direction a2b")
    points = len(ckpt.args.data_shape) == 1
    if (ns.images is None) == (ns.test is None):
        raise CLIError("give the inputs: --images FILE.npy, or --test N for N test inputs of the source domain")
    if ns.test is not None:
        from ganlab.explore.translate import domain_inputs

        if not 1 <= ns.test <= 10000:
            raise CLIError(f"--test takes 1 to 10,000 inputs, got {ns.test}")
        side = "a" if ns.direction == "a2b" else "b"
        x = domain_inputs(ckpt.variant, ckpt.args, side, ns.test, seed=ns.seed, data_dir=ns.data_dir)[0]
    else:
        x = torch.from_numpy(read_points(ns.images) if points else read_images(ns.images))
    y = translate(ckpt.build_nets("cpu"), ckpt.variant, x, ns.direction).numpy()
    ns.out.parent.mkdir(parents=True, exist_ok=True)
    np.save(ns.out, y)
    source, target = (t.a, t.b) if ns.direction == "a2b" else (t.b, t.a)
    print(f"translated {len(x)} {source}(s) into {target}(s): {y.shape} -> {ns.out}")
    if ns.grid and not points:
        from PIL import Image

        from ganlab.views.plots import image_grid

        ns.grid.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image_grid(np.concatenate([x.numpy(), y]), nrow=len(x), scale=2)).save(ns.grid)
        print(f"inputs (top row) and translations (bottom row) -> {ns.grid}")
    return 0


def cmd_mix(ns: argparse.Namespace) -> int:
    from ganlab.core.models import sample_z
    from ganlab.explore.styles import style_mix

    ckpt = load(ns.checkpoint)
    blocks = ckpt.variant.style_blocks(ckpt.args)
    if not blocks:
        raise CLIError(f"{ns.checkpoint} is a {ckpt.variant.title}; mix takes a style-based model (stylegan)")
    if not 0 <= ns.crossover <= len(blocks):
        raise CLIError(f"--crossover must be between 0 and {len(blocks)} (blocks: {', '.join(blocks)}), got {ns.crossover}")
    if ns.n < 1:
        raise CLIError(f"--n must be at least 1, got {ns.n}")
    z = sample_z(2 * ns.n, ckpt.args.z_dim, ckpt.config.model.latent, torch.Generator().manual_seed(ns.seed), "cpu")
    a, b, mixed = style_mix(ckpt.build_generator("cpu"), z[:ns.n], z[ns.n:], ns.crossover, truncation=ns.truncation)
    ns.out.mkdir(parents=True, exist_ok=True)
    for name, x in (("a", a), ("b", b), ("mixed", mixed)):
        np.save(ns.out / f"{name}.npy", x)
    print(f"wrote a.npy, b.npy and mixed.npy ({a.shape}) to {ns.out}: blocks before {ns.crossover} "
          f"({', '.join(blocks[:ns.crossover]) or 'none'}) from A, the rest from B")
    return 0


def add_commands(sub) -> None:
    sample = sub.add_parser("sample", help="write generated samples to a .npy file")
    sample.add_argument("checkpoint", type=Path, help=f"a run folder (holding {CHECKPOINT_NAME}) or a checkpoint file")
    sample.add_argument("--n", type=int, default=2500)
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--class", dest="class_", type=int, default=None,
                        help="models with a class input: this class only (InfoGAN: this categorical code)")
    sample.add_argument("--truncation", type=float, default=1.0,
                        help="style-based models: the truncation trick's psi (1: none; smaller: more typical samples)")
    sample.add_argument("--text", default=None, help='text-to-image models: a caption, for example "bold seven"')
    sample.add_argument("--out", type=Path, default=Path("samples.npy"))
    sample.add_argument("--labels-out", type=Path, default=None)
    sample.add_argument("--device", default="cpu")
    sample.set_defaults(func=cmd_sample)

    ev = sub.add_parser("eval", help="quality figures for a checkpoint (modes for 2-D, a LeNet judge for MNIST and Fashion-MNIST)")
    ev.add_argument("checkpoint", type=Path)
    ev.add_argument("--n", type=int, default=None, help="samples (default 2500 for 2-D, 10000 for MNIST)")
    ev.add_argument("--seed", type=int, default=0)
    ev.add_argument("--data-dir", default=None, help="image data folder (default: the checkpoint's, or GANLAB_DATA)")
    ev.add_argument("--classifier", type=Path, default=None,
                    help="the judge (default: the shipped classifier of the checkpoint's data)")
    ev.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    ev.set_defaults(func=cmd_eval)

    classify = sub.add_parser("classify", help="classes predicted by a model's own classifier (D's head, Q) for images")
    classify.add_argument("checkpoint", type=Path)
    classify.add_argument("--images", type=Path, required=True, help="(N, 1, 28, 28) images in [-1, 1], a .npy file")
    classify.add_argument("--out", type=Path, default=Path("pred.npy"))
    classify.set_defaults(func=cmd_classify)

    tr = sub.add_parser("translate", help="put images (or 2-D points) through a translation model (pix2pix, "
                        "cyclegan, discogan)")
    tr.add_argument("checkpoint", type=Path)
    tr.add_argument("--images", type=Path, default=None,
                    help="(N, 1, 28, 28) images in [-1, 1] (pix2pix: outlines), or (N, 2) points for 2-D models")
    tr.add_argument("--test", type=int, default=None, metavar="N",
                    help="instead of --images: N test inputs of the source domain (e.g. the test set's bags), by --seed")
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--data-dir", default=default_data_dir())
    tr.add_argument("--grid", type=Path, default=None, help="also write the inputs and their translations as a PNG")
    tr.add_argument("--out", type=Path, default=Path("translated.npy"))
    tr.add_argument("--direction", choices=("a2b", "b2a"), default="a2b", help="b2a: the way back (cycle models)")
    tr.set_defaults(func=cmd_translate)

    mix = sub.add_parser("mix", help="style mixing for a style-based model: a.npy, b.npy and mixed.npy")
    mix.add_argument("checkpoint", type=Path)
    mix.add_argument("--n", type=int, default=16)
    mix.add_argument("--seed", type=int, default=0, help="the first n latents are A's, the next n B's")
    mix.add_argument("--crossover", type=int, default=1, help="blocks before K take A's style, from K on B's")
    mix.add_argument("--truncation", type=float, default=1.0)
    mix.add_argument("--out", type=Path, default=Path("mix"))
    mix.set_defaults(func=cmd_mix)
