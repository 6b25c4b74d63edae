"""The GAN model and its variants, each a thin subclass over GAN's hooks."""

from tfgan_lite.models.acgan import ACGAN
from tfgan_lite.models.conditional import ConditionalGAN
from tfgan_lite.models.cyclegan import CycleGAN
from tfgan_lite.models.gan import GAN
from tfgan_lite.models.infogan import InfoGAN
from tfgan_lite.models.pix2pix import Pix2Pix
from tfgan_lite.models.semi_supervised import SemiSupervisedGAN
from tfgan_lite.models.unrolled import UnrolledGAN

__all__ = [
    "ACGAN",
    "GAN",
    "InfoGAN",
    "Pix2Pix",
    "ConditionalGAN",
    "CycleGAN",
    "SemiSupervisedGAN",
    "UnrolledGAN",
]
