"""Image-to-image networks after pix2pix (Isola et al. 2017), for 32-256 px images: the
``unet`` generator and the PatchGAN ``patch_discriminator``, which with ``source_shape=None``
is CycleGAN's image-only discriminator (Zhu et al. 2017).
"""

import keras
import numpy as np

from tfgan_lite import checks
from tfgan_lite.networks.common import BN_MOMENTUM, dcgan_init, stride2

# Image sides the U-Net and the PatchGAN take: 32 to 256 px, multiples of 32.
PIX2PIX_SIDES = tuple(range(32, 257, 32))
PIX2PIX_MAX_DEPTH = 8  # Isola et al.'s U-Net halves a 256 px image 8 times, to 1x1
_PIX2PIX_MAX_FILTERS = 8  # filters stop doubling at 8 * width (C512 for width 64)


def _check_pair_shapes(source_shape, target_shape, builder):
    """(height, width, source channels, target channels) of a pix2pix pair of shapes."""
    sides = ", ".join(str(s) for s in PIX2PIX_SIDES)
    supported = f"(H, W, C) with H and W in {{{sides}}} (square or not) and C >= 1"
    parsed = []
    if source_shape is None:  # an image-only discriminator: the target alone
        source_shape = target_shape
        pairs = (("target_shape", target_shape),) * 2
    else:
        pairs = (("source_shape", source_shape), ("target_shape", target_shape))
    for name, shape in pairs:
        if (
            not isinstance(shape, tuple | list)
            or len(shape) != 3
            or not all(checks.is_integer(d) and d >= 1 for d in shape)
        ):
            raise ValueError(f"{builder}: {name} must be {supported}, got {shape!r}.")
        height, width_px, channels = (int(d) for d in shape)
        for side in (height, width_px):
            if side not in PIX2PIX_SIDES:
                raise ValueError(
                    f"{builder}: {name}={tuple(shape)!r} has a side of {side} px; supported sides "
                    f"are 32 to 256 px in multiples of 32 ({sides}), square or not. Resize or "
                    "pad the images (tfgan.data.images(..., image_size=...) resizes)."
                )
        parsed.append((height, width_px, channels))
    (height, width_px, source_channels), (t_height, t_width, target_channels) = parsed
    if (height, width_px) != (t_height, t_width):
        raise ValueError(
            f"{builder}: source_shape {tuple(source_shape)!r} and target_shape "
            f"{tuple(target_shape)!r} differ in height or width; pix2pix translates an image "
            "into one of the same size (the channels may differ): resize one of them."
        )
    return height, width_px, source_channels, target_channels


def _halvings(height, width_px):
    """How many times both sides halve exactly, at most PIX2PIX_MAX_DEPTH."""
    common = int(np.gcd(height, width_px))
    return min((common & -common).bit_length() - 1, PIX2PIX_MAX_DEPTH)


def _pix2pix_filters(width, level):
    return width * min(2**level, _PIX2PIX_MAX_FILTERS)


def unet(
    source_shape,
    target_shape,
    width=64,
    depth=None,
    dropout=0.5,
    dropout_layers=3,
    latent_dim=None,
):
    """pix2pix's U-Net generator (Isola et al. 2017, appendix 6.1.1) for ``Pix2Pix``.

    Args:
        source_shape: ``(H, W, C)`` of the source images; H and W in 32, 64, ..., 256
            (multiples of 32, square or not).
        target_shape: ``(H, W, C')`` of the images it makes: the same H and W, any channels.
        width: the filters of the first encoder layer (64 in the paper); they double at each
            level up to ``8 * width``.
        depth: how many times the encoder halves the image; None: as often as both sides
            halve, at most 8, which takes a power-of-two image down to 1 px a side (8 at
            256 px as in the paper, 5 at 32 px; 3x3 at 96 px). It must leave whole pixels:
            2**depth must divide H and W.
        dropout: the rate of the dropout in the innermost decoder layers (0.5 in the paper,
            its only source of noise; 0 for none).
        dropout_layers: how many decoder layers, innermost first, have dropout (3 in the
            paper).
        latent_dim: None for a generator of the source alone (the paper's); an integer for
            a generator of ``[source, z]``, z of shape ``(batch, latent_dim)`` tiled over the
            image and concatenated to the source as extra channels.

    The encoder is ``depth`` ``Conv2D`` (kernel 4, stride 2, 'same') with batch norm (not on
    the first layer nor on the innermost, which has none in the authors' code) and
    LeakyReLU(0.2), the innermost with ReLU. Each decoder layer is a ``Conv2DTranspose``
    (kernel 4, stride 2) with batch norm, dropout on the ``dropout_layers`` innermost ones
    and ReLU, concatenated with the encoder's output of its size (the skip connections);
    a last ``Conv2DTranspose`` to ``C'`` channels ends in tanh: images in [-1, 1]. Every
    kernel starts from N(0, 0.02). Keras's ``Dropout`` is active only in training, so
    ``Pix2Pix.translate`` is deterministic; the paper keeps dropout at test time, and notes
    the outputs vary little with it.

    Returns:
        a functional ``keras.Model`` named "generator", from ``source`` (or ``[source, z]``)
        to ``(batch, H, W, C')`` images.
    """
    if source_shape is None:
        raise ValueError(
            "unet: source_shape is None; a U-Net maps source images to targets, so give "
            "source_shape=(H, W, C) (the target's shape for a CycleGAN generator)."
        )
    height, width_px, source_channels, target_channels = _check_pair_shapes(
        source_shape, target_shape, "unet"
    )
    width = checks.integer(
        width, "width", hint=" (the first encoder layer's filters; 64 in pix2pix)"
    )
    most = _halvings(height, width_px)
    if depth is None:
        depth = most
    elif not checks.is_integer(depth) or not 1 <= depth <= most:
        raise ValueError(
            f"unet: depth={depth!r} does not fit {height}x{width_px} images: 2**depth must "
            f"divide both sides, so depth is an integer from 1 to {most} for this size (None "
            f"picks {most})."
        )
    depth = int(depth)
    if isinstance(dropout, bool) or not isinstance(dropout, int | float) or not 0 <= dropout < 1:
        raise ValueError(
            f"unet: dropout must be a rate in [0, 1) (0.5 in pix2pix), got {dropout!r}."
        )
    dropout_layers = checks.integer(
        dropout_layers,
        "dropout_layers",
        minimum=0,
        hint=" (decoder layers with dropout; 3 in pix2pix)",
    )
    source = keras.Input((height, width_px, source_channels), name="source")
    inputs, h = source, source
    if latent_dim is not None:
        latent_dim = checks.integer(latent_dim, "latent_dim", hint=" (or None: no z)")
        z = keras.Input((latent_dim,), name="z")
        tiled = keras.layers.Reshape((1, 1, latent_dim), name="z_map")(z)
        tiled = keras.layers.UpSampling2D((height, width_px), name="z_tiled")(tiled)
        inputs, h = [source, z], keras.layers.Concatenate(name="source_and_z")([source, tiled])
    skips = []
    for level in range(depth):
        name = f"down{level + 1}"
        innermost = level == depth - 1
        norm = level > 0 and not innermost
        h = stride2(keras.layers.Conv2D, _pix2pix_filters(width, level), name, use_bias=not norm)(h)
        if norm:
            h = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn")(h)
        if innermost:
            h = keras.layers.ReLU(name=f"{name}_relu")(h)
        else:
            h = keras.layers.LeakyReLU(negative_slope=0.2, name=f"{name}_lrelu")(h)
            skips.append(h)
    for step, (level, skip) in enumerate(reversed(list(enumerate(skips)))):
        name = f"up{level + 1}"
        filters = _pix2pix_filters(width, level)
        h = stride2(keras.layers.Conv2DTranspose, filters, name, use_bias=False)(h)
        h = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn")(h)
        if dropout and step < dropout_layers:
            h = keras.layers.Dropout(dropout, name=f"{name}_dropout")(h)
        h = keras.layers.ReLU(name=f"{name}_relu")(h)
        h = keras.layers.Concatenate(name=f"{name}_skip")([h, skip])
    images = stride2(keras.layers.Conv2DTranspose, target_channels, "image", activation="tanh")(h)
    return keras.Model(inputs, images, name="generator")


def patch_discriminator(source_shape, target_shape, width=64, layers=3, batch_norm=True):
    """pix2pix's PatchGAN discriminator (Isola et al. 2017, appendix 6.1.2) for ``Pix2Pix``,
    or with ``source_shape=None`` the image-only PatchGAN of ``CycleGAN`` (Zhu et al. 2017).

    Args:
        source_shape: ``(H, W, C)`` of the source images, H and W in 32, 64, ..., 256; None
            for a discriminator of images alone (a CycleGAN's D_A or D_B).
        target_shape: ``(H, W, C')`` of the target (and generated) images, the same H and W.
        width: the filters of the first layer (64 in the paper), doubling at each layer up
            to ``8 * width``.
        layers: the stride-2 convolutions, 1 to 5 (2**layers must divide H and W); 3 is the
            paper's 70x70 PatchGAN (C64-C128-C256-C512), 1 its 16x16, 4 and 5 larger patches.
        batch_norm: batch norm on every convolution but the first and the last. Set it False
            with ``gradient_penalty``, which is taken per example.

    It takes ``[source, image]`` (or ``image`` alone), concatenates their channels, and
    applies ``layers`` ``Conv2D`` (kernel 4, stride 2, 'same') then one of stride 1, with
    LeakyReLU(0.2), and a last stride-1 ``Conv2D`` to one channel: one logit per patch, no
    sigmoid, of shape ``(batch, H / 2**layers, W / 2**layers, 1)`` ('same' padding, where
    the paper's code pads by 1 and gets 30x30 at 256 px). Every patch sees a 70x70 window at
    ``layers=3``; the objectives average the logits over the patches and the batch. Every
    kernel starts from N(0, 0.02).

    Returns:
        a functional ``keras.Model`` named "discriminator" from ``[source, image]`` (or
        ``image``) to logits.
    """
    pair = source_shape is not None
    height, width_px, source_channels, target_channels = _check_pair_shapes(
        source_shape, target_shape, "patch_discriminator"
    )
    width = checks.integer(width, "width", hint=" (the first layer's filters; 64 in pix2pix)")
    most = min(_halvings(height, width_px), 5)
    if not checks.is_integer(layers) or not 1 <= layers <= most:
        raise ValueError(
            f"patch_discriminator: layers={layers!r} does not fit {height}x{width_px} images: "
            f"it is the number of stride-2 convolutions, an integer from 1 to {most} here (3 is "
            "the paper's 70x70 PatchGAN)."
        )
    if not isinstance(batch_norm, bool | np.bool_):
        raise ValueError(f"batch_norm must be True or False, got {batch_norm!r}.")
    image = keras.Input((height, width_px, target_channels), name="image")
    inputs, h = image, image
    if pair:
        source = keras.Input((height, width_px, source_channels), name="source")
        inputs = [source, image]
        h = keras.layers.Concatenate(name="source_and_image")(inputs)
    for level in range(int(layers) + 1):
        name = f"conv{level + 1}"
        norm = batch_norm and level > 0
        strides = 2 if level < layers else 1
        h = keras.layers.Conv2D(
            _pix2pix_filters(width, level),
            4,
            strides=strides,
            padding="same",
            use_bias=not norm,
            kernel_initializer=dcgan_init(),
            name=name,
        )(h)
        if norm:
            h = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn")(h)
        h = keras.layers.LeakyReLU(negative_slope=0.2, name=f"{name}_lrelu")(h)
    logits = keras.layers.Conv2D(
        1, 4, padding="same", kernel_initializer=dcgan_init(), name="patch_logits"
    )(h)
    return keras.Model(inputs, logits, name="discriminator")
