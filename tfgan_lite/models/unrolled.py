"""``UnrolledGAN`` (Metz et al. 2016): a ``GAN`` that unrolls 5 discriminator steps by default.

Unrolling is part of every model's train step (``unroll_steps=`` of ``GAN``,
``ConditionalGAN`` and ``SemiSupervisedGAN``; ``tfgan_lite.models.unrolling`` holds the
optimizer rule it applies). This class keeps the name and the paper's default.
"""

import keras

from tfgan_lite.models.gan import GAN


@keras.saving.register_keras_serializable(package="tfgan_lite")
class UnrolledGAN(GAN):
    """A GAN whose generator is trained against a discriminator unrolled K steps ahead.

    Args:
        generator, discriminator, latent_dim: as for ``GAN``.
        unroll_steps: K, the discriminator updates the generator looks ahead (default 5;
            0 is a plain GAN). Each costs a discriminator forward and backward pass and
            their derivative for the generator.
        **kwargs: ``GAN``'s (objective, prior, k, penalties, seed). The unrolled updates use
            the same loss as the real ones, gradient penalty and clipping included.

    The discriminator optimizer must be Adam (without amsgrad), SGD or RMSprop, with no
    gradient clipping, weight decay or EMA: its rule is unrolled as a pure function of its
    current state.
    """

    def __init__(self, generator, discriminator, latent_dim, unroll_steps=5, **kwargs):
        super().__init__(generator, discriminator, latent_dim, unroll_steps=unroll_steps, **kwargs)
