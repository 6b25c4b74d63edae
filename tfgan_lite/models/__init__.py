"""The GAN model and its variants."""

from tfgan_lite.models.gan import GAN

__all__ = ["GAN"]
