"""What the commands share: the error a person can fix, and untrusted array files read with their size checked first."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


class CLIError(Exception):
    """A problem the person running the command can fix; printed without a traceback."""


MAX_CLASSIFY_BYTES = 512 * 2**20  # an images file larger than this is refused before it is read


def load_npy(path: Path, max_bytes: int) -> np.ndarray:
    """A .npy file's array, no pickles: the file's size, then the size its header declares (which must be what
    the file holds), are checked before the array is allocated."""
    from numpy.lib import format as npy

    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise CLIError(f"{path} is {size / 2**20:.0f} MB; at most {max_bytes // 2**20} MB at a time")
        with open(path, "rb") as fh:
            version = npy.read_magic(fh)
            shape, fortran, dtype = (npy.read_array_header_1_0 if version == (1, 0) else
                                     npy.read_array_header_2_0)(fh, max_header_size=10000)
            if dtype.hasobject:
                raise CLIError(f"{path} is not a .npy array of numbers (it holds Python objects, which are never loaded)")
            declared = int(np.prod(shape, dtype=object)) * dtype.itemsize
            if declared != size - fh.tell():
                raise CLIError(f"{path} declares an array of shape {shape} ({dtype}) that is not what the file holds")
            return np.load(path, allow_pickle=False)
    except CLIError:
        raise
    except OSError as err:
        raise CLIError(f"{path} cannot be read: {err.strerror or err}") from err
    except ValueError as err:
        raise CLIError(f"{path} is not a .npy array of numbers ({err})") from err


def read_images(path: Path, *, max_bytes: int = MAX_CLASSIFY_BYTES) -> np.ndarray:
    """(N, 1, 28, 28) float images in [-1, 1] from a .npy file, checked before and after reading; no pickles."""
    x = load_npy(path, max_bytes)
    if x.ndim != 4 or x.shape[1:] != (1, 28, 28) or not np.issubdtype(x.dtype, np.number):
        raise CLIError(f"{path} holds an array of shape {x.shape} ({x.dtype}); expected (N, 1, 28, 28) numbers")
    x = x.astype(np.float32)
    if not np.isfinite(x).all() or x.min() < -1.001 or x.max() > 1.001:
        raise CLIError(f"{path}: images must be finite and in [-1, 1] (as `sample` writes them)")
    return x


def read_points(path: Path, *, max_bytes: int = MAX_CLASSIFY_BYTES) -> np.ndarray:
    """(N, 2) finite points from a .npy file (no pickles), size checked before reading."""
    x = load_npy(path, max_bytes)
    if x.ndim != 2 or x.shape[1] != 2 or not np.issubdtype(x.dtype, np.number) or not np.isfinite(x).all():
        raise CLIError(f"{path} holds an array of shape {x.shape} ({x.dtype}); expected (N, 2) finite points")
    return x.astype(np.float32)


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value < 10**7:
        raise argparse.ArgumentTypeError(f"seconds must be more than 0, got {text}")
    return value
