"""A generator's fingerprint in frequency: the azimuthally averaged power spectrum of its images.

Durall, Keuper, Pfreundt & Keuper, "Unmasking DeepFakes with simple features" (2019): a grey image (here its log
intensity, below), its 2-D discrete Fourier transform, the log power, and its mean over each ring of equal frequency, which gives a 1-D
spectrum from the lowest frequency (the image's mean) to the highest (the corners, where a transposed
convolution's stride-2 checkerboard puts its energy: Odena et al. 2016; Durall et al. 2020).
"""

from __future__ import annotations

import numpy as np

EPS = 1e-8
# The spectrum is taken of log intensity, log10(grey + LOG_FLOOR) with grey in [0, 1]. MNIST's backgrounds are
# black (exactly 0 in the files), and a generator's stride-2 pattern there is a few thousandths of white: on raw
# intensity the strokes' own spectrum hides it (a logistic regression on mnist-dcgan: 55% held out), on log
# intensity it stands out (97%; docs/detection.md).
LOG_FLOOR = 1e-3


def log_intensity(images: np.ndarray) -> np.ndarray:
    """(N, 1, H, W) images in [-1, 1] -> (N, H, W) log10(grey + LOG_FLOOR)."""
    return np.log10(np.clip(grey_intensity(images), 0, 1) + LOG_FLOOR)


def grey_intensity(images: np.ndarray) -> np.ndarray:
    """(N, 1, H, W) images in [-1, 1] -> (N, H, W) grey in [0, 1]: the raw intensity, for comparison."""
    return (np.asarray(images, dtype=np.float64).reshape(len(images), *np.shape(images)[-2:]) + 1) / 2


def power_spectrum(images: np.ndarray, intensity=log_intensity) -> np.ndarray:
    """(N, 1, H, W) images in [-1, 1] -> (N, H, W) log10 power of the centred 2-D DFT of their ``intensity``, log
    intensity unless told: the mean at the centre, the highest frequencies at the edges and corners."""
    f = np.fft.fftshift(np.fft.fft2(intensity(images)), axes=(-2, -1))
    return np.log10(np.abs(f) ** 2 + EPS)


def radii(h: int, w: int) -> np.ndarray:
    """(H, W) integer distance of each frequency from the centre of a centred spectrum."""
    yy, xx = np.mgrid[0:h, 0:w]
    return np.rint(np.hypot(yy - h // 2, xx - w // 2)).astype(int)


def radial_spectrum(images: np.ndarray, intensity=log_intensity) -> np.ndarray:
    """(N, 1, H, W) images -> (N, R) mean log power on each ring of frequency 0, 1, ..., R - 1 (R = 21 at 28x28:
    the rings reach the corners)."""
    p = power_spectrum(images, intensity)
    r = radii(*p.shape[1:]).ravel()
    counts = np.bincount(r)
    flat = p.reshape(len(p), -1)
    sums = np.stack([np.bincount(r, weights=row, minlength=len(counts)) for row in flat])
    return sums / counts


def mean_spectrum(images: np.ndarray) -> np.ndarray:
    """(H, W): the mean log power spectrum of a set, as a picture (the centre is the lowest frequency)."""
    return power_spectrum(images).mean(0)


def spectrum_band(images: np.ndarray) -> dict[str, np.ndarray]:
    """A set's 1-D spectra summarised for a chart: the mean and the 10th and 90th percentiles on each ring."""
    s = radial_spectrum(images)
    return {"mean": s.mean(0), "low": np.percentile(s, 10, axis=0), "high": np.percentile(s, 90, axis=0)}
