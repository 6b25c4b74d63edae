"""Evaluation: diagnostics on toy densities that are known exactly."""

from tfgan_lite.eval.toy import (
    js_divergence,
    kde,
    kl_divergence,
    mode_coverage,
    optimal_discriminator,
    value_function,
)

__all__ = [
    "js_divergence",
    "kde",
    "kl_divergence",
    "mode_coverage",
    "optimal_discriminator",
    "value_function",
]
