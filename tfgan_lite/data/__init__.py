"""Data for GANs: toy densities known exactly (``toy``) and their tf.data pipelines."""

from tfgan_lite.data.toy import gaussian_mixture, sample_labeled, toy, toy_dataset, toy_names

__all__ = ["gaussian_mixture", "sample_labeled", "toy", "toy_dataset", "toy_names"]
