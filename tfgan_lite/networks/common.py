"""Building blocks the reference networks share: DCGAN's initializer and stride-2
convolutions, batch norm's momentum, label embeddings and the spectral-norm wrapper.

Internal to ``tfgan_lite.networks``; the builders are the public names.
"""

import keras

# Batch norm's moving averages: 0.9 (PyTorch's 0.1), so that the statistics a generator
# uses at inference follow training within tens of steps rather than hundreds.
BN_MOMENTUM = 0.9


def dcgan_init():
    """DCGAN's initialization: every kernel from N(0, 0.02) (Radford et al. 2016)."""
    return keras.initializers.RandomNormal(stddev=0.02)


def stride2(layer_class, filters, name, **kwargs):
    """A DCGAN (transposed) convolution: kernel 4, stride 2, 'same' padding."""
    return layer_class(
        filters, 4, strides=2, padding="same", kernel_initializer=dcgan_init(), name=name, **kwargs
    )


def label_embedding(labels, num_classes, dim, name):
    """``labels`` (int32 class ids) through a learned ``Embedding(num_classes, dim)``."""
    return keras.layers.Embedding(num_classes, dim, name=name)(labels)


def spectral(layer, spectral_norm):
    """``layer``, or ``layer`` inside keras.layers.SpectralNormalization named sn_<name>."""
    if not spectral_norm:
        return layer
    return keras.layers.SpectralNormalization(layer, name=f"sn_{layer.name}")


def leaky_relu(name):
    """LeakyReLU(0.2), DCGAN's discriminator activation."""
    return keras.layers.LeakyReLU(negative_slope=0.2, name=name)


def dense_bn(h, units, activation, name):
    """Dense(units) without bias, batch norm, then the activation layer."""
    h = keras.layers.Dense(units, use_bias=False, kernel_initializer=dcgan_init(), name=name)(h)
    h = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn")(h)
    return activation(name=f"{name}_act")(h)
