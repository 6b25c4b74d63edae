"""Reference networks, built as Keras models for the GAN classes to train.

For toy densities, small MLPs (``networks.mlps``): ``mlp``, the (generator, discriminator)
pairs ``mlp_gan`` and ``conditional_mlp_gan`` (label-conditioned, by concatenation or
projection), and ``semi_supervised_mlp``, a (generator, classifier) pair after Salimans et
al. 2016 for ``SemiSupervisedGAN``. For images, ``dcgan`` (``networks.dcgans``): a DCGAN
pair (Radford et al. 2016) for square 16, 28, 32, 64 or 128 px images of 1 or 3 channels,
optionally conditional (label map or projection discriminator) and spectrally normalized;
``residual`` (``networks.residual``): R3GAN's residual pair for 16-256 px, no normalisation.
``dcgan(..., acgan=True)`` and ``conditional_mlp_gan(..., acgan=True)`` build pairs for
``ACGAN``; ``infogan_dcgan`` and ``infogan_mlp`` pairs for ``InfoGAN``. For image-to-image
models (``networks.image_to_image``), pix2pix's ``unet`` generator and
``patch_discriminator`` (PatchGAN) for 32-256 px images. The heads the discriminators
share (class projection, InfoGAN's Q head) are in ``networks.heads``, the layers every
builder uses in ``networks.common``.
"""

from tfgan_lite.networks.dcgans import (
    DCGAN_CHANNELS,
    DCGAN_LABEL_EMBEDDING_DIM,
    DCGAN_SIZES,
    dcgan,
    infogan_dcgan,
)
from tfgan_lite.networks.image_to_image import (
    PIX2PIX_MAX_DEPTH,
    PIX2PIX_SIDES,
    patch_discriminator,
    unet,
)
from tfgan_lite.networks.mlps import (
    conditional_mlp_gan,
    infogan_mlp,
    mlp,
    mlp_gan,
    semi_supervised_mlp,
)
from tfgan_lite.networks.residual import residual

__all__ = [
    "DCGAN_CHANNELS",
    "DCGAN_LABEL_EMBEDDING_DIM",
    "DCGAN_SIZES",
    "PIX2PIX_MAX_DEPTH",
    "PIX2PIX_SIDES",
    "conditional_mlp_gan",
    "dcgan",
    "infogan_dcgan",
    "infogan_mlp",
    "mlp",
    "mlp_gan",
    "patch_discriminator",
    "residual",
    "semi_supervised_mlp",
    "unet",
]
