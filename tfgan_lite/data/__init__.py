"""Data for GANs: toy densities known exactly, their tf.data pipelines, bundled digits, images."""

from tfgan_lite.data.digits import digits, labeled_subset
from tfgan_lite.data.images import image_shape, images
from tfgan_lite.data.toy import gaussian_mixture, sample_labeled, toy, toy_dataset, toy_names

__all__ = [
    "digits",
    "gaussian_mixture",
    "image_shape",
    "images",
    "labeled_subset",
    "sample_labeled",
    "toy",
    "toy_dataset",
    "toy_names",
]
