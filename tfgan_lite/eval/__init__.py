"""Evaluation: diagnostics on toy densities known exactly, metrics on feature vectors with
bootstrap intervals, the feature networks that turn images into them, and the sliced
Wasserstein distance on feature vectors and on Laplacian-pyramid patches of images, and
streaming accumulators for the Frechet distance and the classifier score of sample counts
too large to hold."""

from tfgan_lite.eval.bootstrap import bootstrap_interval
from tfgan_lite.eval.feature_net import FeatureNet
from tfgan_lite.eval.features import all_metrics
from tfgan_lite.eval.frechet import frechet_distance
from tfgan_lite.eval.inception_score import classifier_score
from tfgan_lite.eval.kernel import kernel_distance
from tfgan_lite.eval.manifold import density_coverage, precision_recall
from tfgan_lite.eval.matching import matched_accuracy
from tfgan_lite.eval.sliced_wasserstein import (
    LevelDistance,
    image_sliced_wasserstein,
    laplacian_pyramid,
    sliced_wasserstein_distance,
)
from tfgan_lite.eval.stacked_mnist import mnist_reader, mode_histogram_stats, stacked_modes
from tfgan_lite.eval.streaming import (
    StreamingClassifierScore,
    StreamingMoments,
    streaming_frechet_distance,
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
    "LevelDistance",
    "StreamingClassifierScore",
    "StreamingMoments",
    "all_metrics",
    "bootstrap_interval",
    "classifier_score",
    "density_coverage",
    "frechet_distance",
    "image_sliced_wasserstein",
    "js_divergence",
    "kde",
    "kernel_distance",
    "kl_divergence",
    "laplacian_pyramid",
    "matched_accuracy",
    "mnist_reader",
    "mode_coverage",
    "mode_histogram_stats",
    "optimal_discriminator",
    "precision_recall",
    "sliced_wasserstein_distance",
    "stacked_modes",
    "streaming_frechet_distance",
    "value_function",
]
