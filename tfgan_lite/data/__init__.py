"""Data for GANs: toy densities known exactly, their tf.data pipelines, bundled digits, and
images from the bundled digits, TFDS, folders of image files or NumPy arrays."""

from tfgan_lite.data.digits import digits, labeled_subset
from tfgan_lite.data.folders import class_names
from tfgan_lite.data.images import image_shape, images
from tfgan_lite.data.mnist import mnist_5000
from tfgan_lite.data.stacked import decode_modes, encode_modes, stacked
from tfgan_lite.data.toy import gaussian_mixture, sample_labeled, toy, toy_dataset, toy_names

__all__ = [
    "class_names",
    "decode_modes",
    "digits",
    "encode_modes",
    "gaussian_mixture",
    "image_shape",
    "images",
    "labeled_subset",
    "mnist_5000",
    "sample_labeled",
    "stacked",
    "toy",
    "toy_dataset",
    "toy_names",
]
