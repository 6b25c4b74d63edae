"""tfgan_lite: generative adversarial networks for TensorFlow 2.21 and Keras 3."""

from tfgan_lite import (
    augment,
    callbacks,
    data,
    distribute,
    eval,
    export,
    losses,
    networks,
    optimizers,
    penalties,
    plotting,
    priors,
    recipes,
    schedules,
)
from tfgan_lite.models import (
    ACGAN,
    GAN,
    ConditionalGAN,
    CycleGAN,
    InfoGAN,
    Pix2Pix,
    SemiSupervisedGAN,
    UnrolledGAN,
)

__version__ = "0.1.0"

__all__ = [
    "ACGAN",
    "GAN",
    "InfoGAN",
    "Pix2Pix",
    "ConditionalGAN",
    "CycleGAN",
    "SemiSupervisedGAN",
    "UnrolledGAN",
    "augment",
    "callbacks",
    "data",
    "distribute",
    "eval",
    "export",
    "losses",
    "networks",
    "optimizers",
    "penalties",
    "plotting",
    "priors",
    "recipes",
    "schedules",
]
