"""Building blocks the reference networks share: DCGAN's initializer and stride-2
convolutions, batch norm's momentum, label embeddings, the spectral-norm wrapper, and the
check of a square image shape.

Internal to ``tfgan_lite.networks``; the builders are the public names.
"""

import keras

from tfgan_lite import checks

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


def square_image(image_shape, supported, channels=(1, 3)):
    """``(side, channels)`` of ``image_shape``, a square ``(H, H, C)`` with C in ``channels``;
    a ValueError naming ``image_shape``, what the builder takes (``supported``) and the fix
    otherwise. The builder checks the side itself."""
    if (
        not isinstance(image_shape, tuple | list)
        or len(image_shape) != 3
        or not all(checks.is_integer(d) for d in image_shape)
    ):
        raise ValueError(f"image_shape must be {supported}, got {image_shape!r}.")
    height, width_px, depth = (int(d) for d in image_shape)
    if height != width_px:
        raise ValueError(
            f"image_shape must be square, {supported}; got {height}x{width_px} in "
            f"{tuple(image_shape)!r}: crop or resize the images to a square side."
        )
    if depth not in channels:
        raise ValueError(
            f"image_shape {tuple(image_shape)!r} has {depth} channels; supported are 1 "
            f"(grayscale) and 3 (RGB): {supported}. Convert the images to one of them."
        )
    return height, depth
