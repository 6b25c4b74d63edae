"""Data for GANs: toy densities known exactly, their tf.data pipelines, bundled digits."""

from tfgan_lite.data.digits import digits, labeled_subset
from tfgan_lite.data.toy import gaussian_mixture, sample_labeled, toy, toy_dataset, toy_names

__all__ = [
    "digits",
    "gaussian_mixture",
    "labeled_subset",
    "sample_labeled",
    "toy",
    "toy_dataset",
    "toy_names",
]
