"""How well CycleGAN's reader, learning MNIST's labels alone, reads the other domain (the 8x8 digits
framed as MNIST): the semantic loss (``semantic_weight``) can only hold a class the reader sees.

    python -m benchmarks.reader_transfer [--data-dir ../shared/data] [--steps 6000]

Two bodies, each with one logit per digit, taught as the variant teaches its reader (the D optimiser:
Adam 2e-4, betas 0.5/0.999, batch 32, hidden 16): the shipped reader (two 5x5 convs, each with max
pooling) and DCGAN's strided discriminator body (``conv_features``). Prints each one's accuracy on the
10,000 MNIST test digits and on all 1,797 8x8 digits.
"""

from __future__ import annotations

import argparse
import json


import torch  # noqa: E402
from torch import nn  # noqa: E402

from ganlab.core.models import ModelArgs, conv_features, conv_width  # noqa: E402
from ganlab.data.datasets import load_images  # noqa: E402
from ganlab.data.digits8 import load_digits8  # noqa: E402
from ganlab.variants.cyclegan import Reader  # noqa: E402


def accuracy(net: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    with torch.no_grad():
        right = sum((net(x).argmax(1) == y).sum().item() for x, y in zip(images.split(1000), labels.split(1000)))
    return right / len(labels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    train = load_images("mnist", args.data_dir, download=False)
    test = load_images("mnist", args.data_dir, train=False, download=False)
    other = load_digits8()
    a = ModelArgs(arch="cyclegan", z_dim=0, hidden=16, depth=1, data_shape=(1, 28, 28), n_classes=0, data_classes=10)
    bodies = {"pooled (the reader)": lambda: Reader(a),
              "strided (DCGAN's D body)": lambda: nn.Sequential(conv_features(a), nn.Linear(conv_width(a), 10))}
    for name, build in bodies.items():
        torch.manual_seed(args.seed)
        net = build()
        gen = torch.Generator().manual_seed(args.seed)
        opt = torch.optim.Adam(net.parameters(), lr=2e-4, betas=(0.5, 0.999))
        for _ in range(args.steps):
            x, y = train.batch(32, gen)
            loss = nn.functional.cross_entropy(net(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        net.eval()
        print(json.dumps({"body": name, "steps": args.steps, "mnist_test": round(accuracy(net, test.images, test.labels), 4),
                          "digits8": round(accuracy(net, other.images, other.labels), 4)}), flush=True)


if __name__ == "__main__":
    main()
