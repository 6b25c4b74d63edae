"""DCGAN pairs (Radford et al. 2016) for square 16, 28, 32, 64 or 128 px images of 1 or 3
channels: ``dcgan``, optionally conditional (label map or projection discriminator),
spectrally normalized, packed (PacGAN) or with ACGAN's class head (``acgan=True``), and
``infogan_dcgan``, with InfoGAN's Q head.
"""

import keras
import numpy as np

from tfgan_lite import checks
from tfgan_lite.networks.common import (
    BN_MOMENTUM,
    dcgan_init,
    dense_bn,
    label_embedding,
    leaky_relu,
    spectral,
    square_image,
    stride2,
)
from tfgan_lite.networks.heads import info_sizes, projection_logit, q_head

# Image size -> side of the generator's first feature map (the discriminator's last).
DCGAN_SIZES = {16: 4, 28: 7, 32: 4, 64: 4, 128: 4}
DCGAN_CHANNELS = (1, 3)
# The generator's label embedding, concatenated to z (as conditional_mlp_gan's default).
DCGAN_LABEL_EMBEDDING_DIM = 16


def _check_dcgan_args(image_shape, latent_dim, num_classes, width, flags):
    sizes = ", ".join(str(size) for size in DCGAN_SIZES)
    supported = f"(H, W, C) with H == W in {{{sizes}}} and C in {{1, 3}}"
    height, channels = square_image(image_shape, supported, DCGAN_CHANNELS)
    if height not in DCGAN_SIZES:
        raise ValueError(
            f"image_shape {tuple(image_shape)!r} has size {height}; supported sizes are "
            f"{{{sizes}}}: {supported}."
        )
    checks.integer(latent_dim, "latent_dim")
    if num_classes is not None:
        checks.integer(num_classes, "num_classes", minimum=2, hint=" (or None: unconditional)")
    checks.integer(
        width,
        "width",
        hint=" (the channels of the discriminator's first layer and of the generator's last "
        "hidden layer; DCGAN uses 64)",
    )
    for name, value in flags.items():
        if not isinstance(value, bool | np.bool_):
            raise ValueError(f"{name} must be True or False, got {value!r}.")
    if flags["projection"] and num_classes is None:
        raise ValueError(
            "projection=True needs num_classes: a projection discriminator projects the "
            "label's embedding onto its features; pass num_classes or projection=False."
        )
    if flags["acgan"] and (num_classes is None or flags["projection"]):
        raise ValueError(
            "acgan=True needs num_classes (the size of the class head) and projection=False "
            "(an ACGAN's discriminator does not take labels)."
        )
    return height, channels


def _dcgan_generator(latent_dim, num_classes, width, size, channels, stages, hidden=None):
    side = DCGAN_SIZES[size]
    z = keras.Input((latent_dim,), name="z")
    inputs, h = z, z
    if num_classes is not None:
        labels = keras.Input((), dtype="int32", name="labels")
        embedding = label_embedding(
            labels, num_classes, DCGAN_LABEL_EMBEDDING_DIM, "label_embedding"
        )
        inputs, h = [z, labels], keras.layers.Concatenate(name="z_and_label")([z, embedding])
    if hidden:
        h = dense_bn(h, hidden, keras.layers.ReLU, "hidden")
    filters = width * 2 ** (stages - 1)
    h = keras.layers.Dense(
        side * side * filters, use_bias=False, kernel_initializer=dcgan_init(), name="project"
    )(h)
    h = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, name="project_bn")(h)
    h = keras.layers.ReLU(name="project_relu")(h)
    h = keras.layers.Reshape((side, side, filters), name="reshape")(h)
    for stage in range(1, stages):
        filters //= 2
        name = f"deconv{stage}"
        h = stride2(keras.layers.Conv2DTranspose, filters, name, use_bias=False)(h)
        h = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn")(h)
        h = keras.layers.ReLU(name=f"{name}_relu")(h)
    images = stride2(keras.layers.Conv2DTranspose, channels, "image", activation="tanh")(h)
    return keras.Model(inputs, images, name="generator")


def _dcgan_discriminator(
    num_classes,
    width,
    size,
    channels,
    stages,
    spectral_norm,
    batch_norm,
    projection,
    acgan,
    q_units=0,
    hidden=None,
):
    x = keras.Input((size, size, channels), name="x")
    inputs, h = x, x
    if num_classes is not None and not acgan:
        labels = keras.Input((), dtype="int32", name="labels")
        inputs = [x, labels]
        if not projection:
            label_map = label_embedding(labels, num_classes, size * size, "label_map_embedding")
            label_map = keras.layers.Reshape((size, size, 1), name="label_map")(label_map)
            h = keras.layers.Concatenate(name="image_and_label")([x, label_map])
    normalize = batch_norm and not spectral_norm
    for stage in range(stages):
        name = f"conv{stage + 1}"
        norm_here = normalize and stage > 0
        conv = stride2(keras.layers.Conv2D, width * 2**stage, name, use_bias=not norm_here)
        h = spectral(conv, spectral_norm)(h)
        if norm_here:
            h = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn")(h)
        h = keras.layers.LeakyReLU(negative_slope=0.2, name=f"{name}_lrelu")(h)
    features = keras.layers.Flatten(name="flatten")(h)
    if hidden:  # InfoGAN's shared Dense(1024) with batch norm (never with spectral norm)
        features = dense_bn(features, hidden, leaky_relu, "hidden")
    logit = spectral(
        keras.layers.Dense(1, kernel_initializer=dcgan_init(), name="logit"), spectral_norm
    )(features)
    if projection:
        logit = projection_logit(logit, features, labels, num_classes, spectral_norm)
    if acgan:
        classes = spectral(
            keras.layers.Dense(num_classes, kernel_initializer=dcgan_init(), name="class_logits"),
            spectral_norm,
        )(features)
        return keras.Model(inputs, [logit, classes], name="discriminator")
    if q_units:
        return keras.Model(inputs, [logit, q_head(features, q_units)], name="discriminator")
    return keras.Model(inputs, logit, name="discriminator")


def dcgan(
    image_shape,
    latent_dim,
    num_classes=None,
    width=64,
    spectral_norm=False,
    batch_norm=True,
    projection=False,
    pack=1,
    acgan=False,
):
    """A DCGAN (generator, discriminator) pair (Radford et al. 2016) for square images.

    Args:
        image_shape: ``(H, W, C)`` with ``H == W`` in {16, 28, 32, 64, 128} and C in {1, 3}.
        latent_dim: the size of z.
        num_classes: None for an unconditional pair; an integer >= 2 makes both networks
            take labels (int32 class ids of shape ``(batch,)``), for ``ConditionalGAN``.
        width: the channels of the discriminator's first convolution and of the
            generator's last hidden layer; each stride-2 stage doubles them (D) or halves
            them (G). 64 at 28x28 is the common DCGAN for MNIST; Radford et al.'s
            64x64 generator (1024 channels at 4x4) is width=128.
        spectral_norm: wrap every ``Conv2D`` and ``Dense`` of the discriminator (and the
            projection's class embedding) in ``keras.layers.SpectralNormalization``
            (Miyato et al. 2018); batch norm is then left out of the discriminator whatever
            ``batch_norm`` says, as in SN-GAN. Keras normalizes the kernel reshaped to
            ``(-1, filters)`` (an estimate of the convolution's norm, as in the paper)
            with one power iteration per training-mode call, and writes W / sigma back
            into the kernel variable before using it, so the kernel's largest singular
            value stays near 1 (unlike the paper, no gradient flows through sigma).
        batch_norm: batch norm in the discriminator's convolutions after the first. Set it
            False for WGAN-GP critics: the gradient penalty is taken per example, and batch
            norm makes each example's logit depend on the others in its batch (Gulrajani
            et al. 2017). The generator always has batch norm.
        projection: with ``num_classes``, a projection discriminator (Miyato & Koyama 2018)
            instead of a label map concatenated to the image.
        pack: the discriminator takes ``pack`` images stacked along the channels, (H, W,
            pack * C), for ``GAN(..., pack=pack)`` (PacGAN); unconditional only.
        acgan: with ``num_classes``, a pair for ``ACGAN`` (Odena et al. 2017): the
            generator takes ``[z, labels]`` as above, and the discriminator takes the image
            alone and returns ``[logit, class_logits]``, a ``Dense(num_classes)`` head named
            "class_logits" beside the logit on the same flattened features.

    The generator maps z (or ``[z, labels]``) through ``Dense(s * s * width * 2**(n-1))``
    without bias, batch norm and ReLU to an s x s map (s = 7 at 28, else 4), then n - 1
    ``Conv2DTranspose`` (kernel 4, stride 2, 'same', no bias) with batch norm and ReLU, each
    halving the channels, and a last ``Conv2DTranspose`` to C channels with tanh: images in
    [-1, 1]. n = 2 stages at 16 and 28, 3 at 32, 4 at 64, 5 at 128. A conditional generator
    concatenates a ``DCGAN_LABEL_EMBEDDING_DIM``-wide label embedding to z.

    The discriminator mirrors it: n ``Conv2D`` (kernel 4, stride 2, 'same'), ``width``
    channels doubling at each, LeakyReLU(0.2), batch norm on all but the first, then
    ``Flatten`` and ``Dense(1)``: a logit, no sigmoid. A conditional one concatenates a
    learned per-class H x W map (an ``Embedding(num_classes, H * W)``) to the image as an
    extra channel; with ``projection=True`` it adds <embed(y), h> to the logit instead,
    where h is the flattened last feature map. Every kernel starts from N(0, 0.02).

    Returns:
        ``(generator, discriminator)``, functional ``keras.Model``s named "generator" and
        "discriminator".
    """
    flags = {
        "spectral_norm": spectral_norm,
        "batch_norm": batch_norm,
        "projection": projection,
        "acgan": acgan,
    }
    size, channels = _check_dcgan_args(image_shape, latent_dim, num_classes, width, flags)
    stages = int(np.log2(size // DCGAN_SIZES[size]))
    num_classes = None if num_classes is None else int(num_classes)
    generator = _dcgan_generator(int(latent_dim), num_classes, int(width), size, channels, stages)
    pack = checks.integer(pack, "pack")
    if pack > 1 and num_classes is not None:
        raise ValueError("pack > 1 is for unconditional discriminators; use pack=1.")
    discriminator = _dcgan_discriminator(
        num_classes,
        int(width),
        size,
        channels * pack,
        stages,
        bool(spectral_norm),
        bool(batch_norm),
        bool(projection),
        bool(acgan),
    )
    return generator, discriminator


def infogan_dcgan(
    image_shape,
    latent_dim,
    categorical_codes=(10,),
    continuous_codes=2,
    width=64,
    log_variances=False,
    spectral_norm=False,
    batch_norm=True,
    hidden=None,
):
    """A DCGAN pair for ``InfoGAN`` (Chen et al. 2016): ``dcgan``'s generator on z and the
    codes, ``latent_dim + sum(categorical_codes) + continuous_codes`` features, and
    ``dcgan``'s discriminator with a Q head beside the logit: Dense(128), batch norm,
    LeakyReLU(0.1), then ``sum(categorical_codes) + continuous_codes`` outputs (plus the
    continuous codes' log-variances with ``log_variances=True``). ``batch_norm`` is
    ``dcgan``'s, for the discriminator's convolutions (the Q head keeps its own).

    ``hidden=1024`` adds the fully connected layer of Chen et al.'s MNIST networks (their
    Table 1) to both: Dense(hidden), batch norm and ReLU before the generator's projection,
    and Dense(hidden), batch norm and LeakyReLU(0.2) after the discriminator's last
    convolution, shared by the logit and the Q head. With ``width=64`` at 28x28 that is
    their model (they take LeakyReLU(0.1)); it is what found the digits in
    ``benchmarks/infogan.py``. Not with ``spectral_norm``.

    Returns ``(generator, discriminator)``; the discriminator returns ``[logit, q]``.
    """
    if hidden is not None:
        hidden = checks.integer(hidden, "hidden", hint=" (1024 in Chen et al.; None for none)")
        if spectral_norm:
            raise ValueError(
                "infogan_dcgan: hidden= adds a batch-normalized Dense layer to D, which "
                "spectral_norm=True leaves batch norm out of; drop one of them."
            )
    generator_width, q_units = info_sizes(
        latent_dim, categorical_codes, continuous_codes, log_variances
    )
    flags = {"spectral_norm": spectral_norm, "batch_norm": batch_norm, "projection": False}
    flags["acgan"] = False
    size, channels = _check_dcgan_args(image_shape, generator_width, None, width, flags)
    stages = int(np.log2(size // DCGAN_SIZES[size]))
    generator = _dcgan_generator(generator_width, None, int(width), size, channels, stages, hidden)
    discriminator = _dcgan_discriminator(
        None,
        int(width),
        size,
        channels,
        stages,
        bool(spectral_norm),
        bool(batch_norm),
        False,
        False,
        q_units,
        hidden,
    )
    return generator, discriminator
