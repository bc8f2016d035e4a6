"""``python -m ganlab detect``: fit a detector of generated digits, score images with it, the cross-generator
matrix, and the spectra (``ganlab.detect``)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from ganlab.cli.common import CLIError, read_images
from ganlab.data.catalog import default_data_dir
from ganlab.detect.detectors import KINDS

DEFAULT_GENERATORS = ("mnist-dcgan", "mnist-cdcgan", "mnist-acgan", "mnist-infogan", "mnist-stylegan",
                      "mnist-stackgan", "mnist-dcgan-nearest")  # the shipped generators of MNIST digits


def _sizes(ns: argparse.Namespace) -> None:
    if not 10 <= ns.images <= 60000 or not 10 <= ns.held_out <= 10000:
        raise CLIError(f"--images takes 10 to 60,000 and --held-out 10 to 10,000 (MNIST's test digits); got "
                       f"{ns.images} and {ns.held_out}")


def _generators(paths: list[Path]) -> dict:
    from ganlab.persist.checkpoint import load

    if not paths:
        raise CLIError("name the generators: --generator CKPT (one or more)")
    out = {}
    for p in paths:
        ckpt = load(p)
        if tuple(ckpt.args.data_shape) != (1, 28, 28) or ckpt.config.data.name != "mnist":
            raise CLIError(f"{p} draws {ckpt.config.data.name}; the detectors tell MNIST digits from generated ones")
        out[Path(p).stem] = ckpt
    return out


def cmd_fit(ns: argparse.Namespace) -> int:
    from ganlab.detect.detectors import accuracy, auc, fit, save_detector
    from ganlab.detect.sets import FIT_SEED, HELD_OUT_SEED, generated_images, real_images

    _sizes(ns)
    gens = _generators(ns.generator)
    share, held = -(-ns.images // len(gens)), -(-ns.held_out // len(gens))
    fake = np.concatenate([generated_images(c, share, seed=FIT_SEED) for c in gens.values()])
    fake_held = np.concatenate([generated_images(c, held, seed=HELD_OUT_SEED) for c in gens.values()])
    real = real_images(ns.data_dir, len(fake), train=True)
    real_held = real_images(ns.data_dir, len(fake_held), train=False)
    detector = fit(ns.kind, real, fake, seed=ns.seed)
    acc, area = accuracy(detector, real_held, fake_held), auc(detector, real_held, fake_held)
    save_detector(detector, ns.out, trained_on=list(gens), held_out_accuracy=acc)
    print(json.dumps({"kind": ns.kind, "trained_on": list(gens), "fit_images": [len(real), len(fake)],
                      "held_out": {"images": [len(real_held), len(fake_held)], "accuracy": round(acc, 4),
                                   "auc": round(area, 4)}, "out": str(ns.out)}))
    return 0


def cmd_score(ns: argparse.Namespace) -> int:
    from ganlab.detect.detectors import load_detector, score

    detector, about = load_detector(ns.detector)
    p = score(detector, read_images(ns.images))
    ns.out.parent.mkdir(parents=True, exist_ok=True)
    np.save(ns.out, p.astype(np.float32))
    print(f"wrote {p.shape} probabilities of being generated ({about['kind']} detector fitted on "
          f"{', '.join(about['trained_on'])}) to {ns.out}; {float((p >= 0.5).mean()):.1%} called generated")
    return 0


def cmd_matrix(ns: argparse.Namespace) -> int:
    from ganlab.detect.matrix import cross_matrix, markdown

    _sizes(ns)
    gens = _generators(ns.generator or [Path("checkpoints") / f"{n}.pt" for n in DEFAULT_GENERATORS])
    result = cross_matrix(gens, data_dir=ns.data_dir, kinds=tuple(ns.kind or KINDS), n_fit=ns.images,
                          n_held=ns.held_out, log=lambda s: print(s, flush=True))
    print(markdown(result))
    if ns.json:
        ns.json.parent.mkdir(parents=True, exist_ok=True)
        ns.json.write_text(json.dumps(result, indent=1))
    return 0


def cmd_spectrum(ns: argparse.Namespace) -> int:
    from ganlab.detect.sets import HELD_OUT_SEED, generated_images, real_images
    from ganlab.detect.spectrum import radial_spectrum

    sets = {"real": real_images(ns.data_dir, ns.n, train=False)}
    for name, ckpt in _generators(ns.generator).items():
        sets[name] = generated_images(ckpt, ns.n, seed=HELD_OUT_SEED)
    spectra = {name: radial_spectrum(x) for name, x in sets.items()}
    ns.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(ns.out, **spectra)
    for name, s in spectra.items():
        print(f"{name}: {s.shape}, mean log power at the highest ring {s[:, -1].mean():.2f}")
    print(f"-> {ns.out} (one (N, rings) array per set)")
    return 0


def add_commands(sub) -> None:
    det = sub.add_parser("detect", help="tell generated digits from real ones: fit, score, matrix, spectrum")
    dsub = det.add_subparsers(dest="detect_command", required=True)

    f = dsub.add_parser("fit", help="fit a detector on real MNIST training digits against generators' samples")
    f.add_argument("--generator", type=Path, action="append", default=[], help="a generator checkpoint (repeatable)")
    f.add_argument("--kind", choices=KINDS, default="spectrum")
    f.add_argument("--data-dir", default=default_data_dir())
    f.add_argument("--images", type=int, default=10000, help="generated images to fit on (as many real ones)")
    f.add_argument("--held-out", type=int, default=2000, help="held-out images of each side (another seed, test digits)")
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--out", type=Path, required=True)
    f.set_defaults(func=cmd_fit)

    s = dsub.add_parser("score", help="each image's probability of being generated, (N,) in [0, 1]")
    s.add_argument("detector", type=Path)
    s.add_argument("--images", type=Path, required=True, help="(N, 1, 28, 28) images in [-1, 1] (.npy)")
    s.add_argument("--out", type=Path, default=Path("p_generated.npy"))
    s.set_defaults(func=cmd_score)

    m = dsub.add_parser("matrix", help="fitted on each generator, tested on every other: accuracy and AUC")
    m.add_argument("--generator", type=Path, action="append", default=[],
                   help="default: the shipped MNIST generators (" + ", ".join(DEFAULT_GENERATORS) + ")")
    m.add_argument("--kind", choices=KINDS, action="append", help="default: both")
    m.add_argument("--data-dir", default=default_data_dir())
    m.add_argument("--images", type=int, default=10000)
    m.add_argument("--held-out", type=int, default=2000)
    m.add_argument("--json", type=Path, default=None)
    m.set_defaults(func=cmd_matrix)

    sp = dsub.add_parser("spectrum", help="the azimuthally averaged spectra of real digits and generators' samples")
    sp.add_argument("--generator", type=Path, action="append", default=[])
    sp.add_argument("--data-dir", default=default_data_dir())
    sp.add_argument("--n", type=int, default=2000)
    sp.add_argument("--out", type=Path, default=Path("spectra.npz"))
    sp.set_defaults(func=cmd_spectrum)
