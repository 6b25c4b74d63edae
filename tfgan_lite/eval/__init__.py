"""Evaluation: diagnostics on toy densities known exactly, metrics on feature vectors with
bootstrap intervals, and the feature networks that turn images into them."""

from tfgan_lite.eval.bootstrap import bootstrap_interval
from tfgan_lite.eval.feature_net import FeatureNet
from tfgan_lite.eval.features import (
    all_metrics,
    classifier_score,
    density_coverage,
    frechet_distance,
    kernel_distance,
    precision_recall,
)
from tfgan_lite.eval.toy import (
    js_divergence,
    kde,
    kl_divergence,
    mode_coverage,
    optimal_discriminator,
    value_function,
)

__all__ = [
    "FeatureNet",
    "all_metrics",
    "bootstrap_interval",
    "classifier_score",
    "density_coverage",
    "frechet_distance",
    "js_divergence",
    "kde",
    "kernel_distance",
    "kl_divergence",
    "mode_coverage",
    "optimal_discriminator",
    "precision_recall",
    "value_function",
]
