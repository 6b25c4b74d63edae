"""Reference networks, built as Keras models for the GAN classes to train.

For toy densities, small MLPs: ``mlp``, the (generator, discriminator) pairs ``mlp_gan``
and ``conditional_mlp_gan`` (label-conditioned, by concatenation or projection), and
``semi_supervised_mlp``, a (generator, classifier) pair after Salimans et al. 2016 for
``SemiSupervisedGAN``. For images, ``dcgan``: a DCGAN pair (Radford et al. 2016) for
square 16, 28, 32 or 64 px images of 1 or 3 channels, optionally conditional
(label map or projection discriminator) and spectrally normalized. ``dcgan(...,
acgan=True)`` and ``conditional_mlp_gan(..., acgan=True)`` build pairs for ``ACGAN``;
``infogan_dcgan`` and ``infogan_mlp`` pairs for ``InfoGAN``. For image-to-image models,
pix2pix's ``unet`` generator and ``patch_discriminator`` (PatchGAN) for 32-256 px images.
"""

import keras
import numpy as np

from tfgan_lite import checks


def mlp(input_dim, output_dim, hidden=(128, 128), activation="relu", name=None):
    """A Sequential MLP from ``input_dim`` features to ``output_dim`` linear outputs."""
    layers = [keras.Input((input_dim,))]
    layers += [keras.layers.Dense(units, activation=activation) for units in hidden]
    layers.append(keras.layers.Dense(output_dim))
    return keras.Sequential(layers, name=name)


def mlp_gan(
    latent_dim,
    data_dim,
    hidden=(128, 128),
    discriminator_hidden=None,
    activation="relu",
    pack=1,
):
    """A (generator, discriminator) pair of MLPs for data of ``data_dim`` features.

    The generator maps ``latent_dim`` to ``data_dim`` linearly at the end; the
    discriminator returns one logit per example (per ``pack`` examples: it takes
    ``pack * data_dim`` features, for ``GAN(..., pack=pack)``). ``discriminator_hidden``
    defaults to ``hidden``.
    """
    discriminator_hidden = hidden if discriminator_hidden is None else discriminator_hidden
    pack = checks.integer(pack, "pack")
    return (
        mlp(latent_dim, data_dim, hidden, activation, name="generator"),
        mlp(pack * data_dim, 1, discriminator_hidden, activation, name="discriminator"),
    )


def _label_embedding(labels, num_classes, dim, name):
    return keras.layers.Embedding(num_classes, dim, name=name)(labels)


def conditional_mlp_gan(
    latent_dim,
    data_dim,
    num_classes,
    hidden=(128, 128),
    embedding_dim=16,
    projection=False,
    activation="relu",
    acgan=False,
):
    """A label-conditioned (generator, discriminator) pair of MLPs.

    The generator takes ``[z, labels]`` and concatenates a learned label embedding to z.
    The discriminator takes ``[x, labels]``: with ``projection=False`` it concatenates a
    label embedding to x; with ``projection=True`` it is a projection discriminator
    (Miyato & Koyama 2018): logit = psi(phi(x)) + <embed(y), phi(x)>, where phi(x) is the
    last hidden layer. Labels are integer class ids, shape ``(batch,)``. With
    ``acgan=True`` the discriminator takes x alone and returns ``[logit, class_logits]``
    (``num_classes`` of them) from its last hidden layer, for ``ACGAN``.
    """
    if acgan and projection:
        raise ValueError("acgan=True takes projection=False: an ACGAN's D does not take labels.")
    z = keras.Input((latent_dim,), name="z")
    g_labels = keras.Input((), dtype="int32", name="labels")
    h = keras.layers.Concatenate()(
        [z, _label_embedding(g_labels, num_classes, embedding_dim, "label_embedding")]
    )
    for units in hidden:
        h = keras.layers.Dense(units, activation=activation)(h)
    generator = keras.Model([z, g_labels], keras.layers.Dense(data_dim)(h), name="generator")

    x = keras.Input((data_dim,), name="x")
    if acgan:
        h = x
        for units in hidden:
            h = keras.layers.Dense(units, activation=activation)(h)
        outputs = [keras.layers.Dense(1, name="logit")(h)]
        outputs.append(keras.layers.Dense(num_classes, name="class_logits")(h))
        return generator, keras.Model(x, outputs, name="discriminator")
    d_labels = keras.Input((), dtype="int32", name="labels")
    h = x
    if not projection:
        embedding = _label_embedding(d_labels, num_classes, embedding_dim, "label_embedding")
        h = keras.layers.Concatenate()([x, embedding])
    for units in hidden:
        h = keras.layers.Dense(units, activation=activation)(h)
    logit = keras.layers.Dense(1)(h)
    if projection:
        embedding = _label_embedding(d_labels, num_classes, hidden[-1], "class_projection")
        inner = keras.layers.Dot(axes=1)([embedding, h])
        logit = keras.layers.Add()([logit, inner])
    discriminator = keras.Model([x, d_labels], logit, name="discriminator")
    return generator, discriminator


def semi_supervised_mlp(latent_dim, data_dim, num_classes, hidden=(256, 128), noise=(0.3, 0.5)):
    """A (generator, classifier) pair after Salimans et al. 2016's MNIST networks, scaled down.

    The classifier adds Gaussian noise to its input (std ``noise[0]``) and to each hidden
    layer (std ``noise[1]``), as the paper's does, and returns ``num_classes`` logits. The
    generator uses batch normalization and softplus, with a tanh output for data in [-1, 1].
    """
    generator = keras.Sequential(name="generator")
    generator.add(keras.Input((latent_dim,)))
    for units in reversed(hidden):
        generator.add(keras.layers.Dense(units, use_bias=False))
        generator.add(keras.layers.BatchNormalization())
        generator.add(keras.layers.Activation("softplus"))
    generator.add(keras.layers.Dense(data_dim, activation="tanh"))

    classifier = keras.Sequential(name="classifier")
    classifier.add(keras.Input((data_dim,)))
    classifier.add(keras.layers.GaussianNoise(noise[0]))
    for units in hidden:
        classifier.add(keras.layers.Dense(units, activation="relu"))
        classifier.add(keras.layers.GaussianNoise(noise[1]))
    classifier.add(keras.layers.Dense(num_classes))
    return generator, classifier


# --------------------------------------------------------------------------- DCGAN
# Image size -> side of the generator's first feature map (the discriminator's last).
DCGAN_SIZES = {16: 4, 28: 7, 32: 4, 64: 4}
DCGAN_CHANNELS = (1, 3)
# The generator's label embedding, concatenated to z (as conditional_mlp_gan's default).
DCGAN_LABEL_EMBEDDING_DIM = 16
# Batch norm's moving averages: 0.9 (PyTorch's 0.1), so that the statistics a generator
# uses at inference follow training within tens of steps rather than hundreds.
_BN_MOMENTUM = 0.9


def _dcgan_init():
    """DCGAN's initialization: every kernel from N(0, 0.02) (Radford et al. 2016)."""
    return keras.initializers.RandomNormal(stddev=0.02)


def _stride2(layer_class, filters, name, **kwargs):
    """A DCGAN (transposed) convolution: kernel 4, stride 2, 'same' padding."""
    return layer_class(
        filters, 4, strides=2, padding="same", kernel_initializer=_dcgan_init(), name=name, **kwargs
    )


def _check_dcgan_args(image_shape, latent_dim, num_classes, width, flags):
    sizes = ", ".join(str(size) for size in DCGAN_SIZES)
    supported = f"(H, W, C) with H == W in {{{sizes}}} and C in {{1, 3}}"
    if (
        not isinstance(image_shape, tuple | list)
        or len(image_shape) != 3
        or not all(checks.is_integer(d) for d in image_shape)
    ):
        raise ValueError(f"image_shape must be {supported}, got {image_shape!r}.")
    height, width_px, channels = (int(d) for d in image_shape)
    if height != width_px:
        raise ValueError(
            f"image_shape must be square, {supported}; got {height}x{width_px} in "
            f"{tuple(image_shape)!r}."
        )
    if height not in DCGAN_SIZES:
        raise ValueError(
            f"image_shape {tuple(image_shape)!r} has size {height}; supported sizes are "
            f"{{{sizes}}}: {supported}."
        )
    if channels not in DCGAN_CHANNELS:
        raise ValueError(
            f"image_shape {tuple(image_shape)!r} has {channels} channels; supported are 1 "
            f"(grayscale) and 3 (RGB): {supported}."
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


def _spectral(layer, spectral_norm):
    """``layer``, or ``layer`` inside keras.layers.SpectralNormalization named sn_<name>."""
    if not spectral_norm:
        return layer
    return keras.layers.SpectralNormalization(layer, name=f"sn_{layer.name}")


def _dense_bn(h, units, activation, name):
    """Dense(units) without bias, batch norm, then the activation layer."""
    h = keras.layers.Dense(units, use_bias=False, kernel_initializer=_dcgan_init(), name=name)(h)
    h = keras.layers.BatchNormalization(momentum=_BN_MOMENTUM, name=f"{name}_bn")(h)
    return activation(name=f"{name}_act")(h)


def _dcgan_generator(latent_dim, num_classes, width, size, channels, stages, hidden=None):
    side = DCGAN_SIZES[size]
    z = keras.Input((latent_dim,), name="z")
    inputs, h = z, z
    if num_classes is not None:
        labels = keras.Input((), dtype="int32", name="labels")
        embedding = _label_embedding(
            labels, num_classes, DCGAN_LABEL_EMBEDDING_DIM, "label_embedding"
        )
        inputs, h = [z, labels], keras.layers.Concatenate(name="z_and_label")([z, embedding])
    if hidden:
        h = _dense_bn(h, hidden, keras.layers.ReLU, "hidden")
    filters = width * 2 ** (stages - 1)
    h = keras.layers.Dense(
        side * side * filters, use_bias=False, kernel_initializer=_dcgan_init(), name="project"
    )(h)
    h = keras.layers.BatchNormalization(momentum=_BN_MOMENTUM, name="project_bn")(h)
    h = keras.layers.ReLU(name="project_relu")(h)
    h = keras.layers.Reshape((side, side, filters), name="reshape")(h)
    for stage in range(1, stages):
        filters //= 2
        name = f"deconv{stage}"
        h = _stride2(keras.layers.Conv2DTranspose, filters, name, use_bias=False)(h)
        h = keras.layers.BatchNormalization(momentum=_BN_MOMENTUM, name=f"{name}_bn")(h)
        h = keras.layers.ReLU(name=f"{name}_relu")(h)
    images = _stride2(keras.layers.Conv2DTranspose, channels, "image", activation="tanh")(h)
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
            label_map = _label_embedding(labels, num_classes, size * size, "label_map_embedding")
            label_map = keras.layers.Reshape((size, size, 1), name="label_map")(label_map)
            h = keras.layers.Concatenate(name="image_and_label")([x, label_map])
    normalize = batch_norm and not spectral_norm
    for stage in range(stages):
        name = f"conv{stage + 1}"
        norm_here = normalize and stage > 0
        conv = _stride2(keras.layers.Conv2D, width * 2**stage, name, use_bias=not norm_here)
        h = _spectral(conv, spectral_norm)(h)
        if norm_here:
            h = keras.layers.BatchNormalization(momentum=_BN_MOMENTUM, name=f"{name}_bn")(h)
        h = keras.layers.LeakyReLU(negative_slope=0.2, name=f"{name}_lrelu")(h)
    features = keras.layers.Flatten(name="flatten")(h)
    if hidden:  # InfoGAN's shared Dense(1024) with batch norm (never with spectral norm)
        features = _dense_bn(features, hidden, _leaky_relu, "hidden")
    logit = _spectral(
        keras.layers.Dense(1, kernel_initializer=_dcgan_init(), name="logit"), spectral_norm
    )(features)
    if projection:
        dim = features.shape[-1]
        if spectral_norm:
            # keras.layers.SpectralNormalization casts its output to its input's dtype,
            # which makes a wrapped Embedding return int32; a one-hot label times a
            # spectrally normalized bias-free Dense is the same embedding, normalized.
            one_hot = keras.layers.CategoryEncoding(
                num_classes, output_mode="one_hot", name="label_one_hot"
            )(labels)
            embedding = _spectral(
                keras.layers.Dense(
                    dim,
                    use_bias=False,
                    kernel_initializer=_dcgan_init(),
                    name="class_projection",
                ),
                True,
            )(one_hot)
        else:
            embedding = _label_embedding(labels, num_classes, dim, "class_projection")
        inner = keras.layers.Dot(axes=1, name="projection")([embedding, features])
        logit = keras.layers.Add(name="logit_plus_projection")([logit, inner])
    if acgan:
        classes = _spectral(
            keras.layers.Dense(num_classes, kernel_initializer=_dcgan_init(), name="class_logits"),
            spectral_norm,
        )(features)
        return keras.Model(inputs, [logit, classes], name="discriminator")
    if q_units:
        return keras.Model(inputs, [logit, _q_head(features, q_units)], name="discriminator")
    return keras.Model(inputs, logit, name="discriminator")


def _leaky_relu(name):
    return keras.layers.LeakyReLU(negative_slope=0.2, name=name)


def _q_head(features, units):
    """InfoGAN's Q head on D's features: Dense(128), batch norm, LeakyReLU(0.1), Dense(units)
    (Chen et al. 2016, Table 1)."""
    h = keras.layers.Dense(128, kernel_initializer=_dcgan_init(), name="q_hidden")(features)
    h = keras.layers.BatchNormalization(momentum=_BN_MOMENTUM, name="q_bn")(h)
    h = keras.layers.LeakyReLU(negative_slope=0.1, name="q_lrelu")(h)
    return keras.layers.Dense(units, kernel_initializer=_dcgan_init(), name="q")(h)


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
        image_shape: ``(H, W, C)`` with ``H == W`` in {16, 28, 32, 64} and C in {1, 3}.
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
    [-1, 1]. n = 2 stages at 16 and 28, 3 at 32, 4 at 64. A conditional generator
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


def _info_sizes(latent_dim, categorical_codes, continuous_codes, log_variances):
    """(generator input width, Q head units) of an InfoGAN pair, after checking the codes."""
    checks.integer(latent_dim, "latent_dim")
    if isinstance(categorical_codes, int):
        categorical_codes = [categorical_codes]
    sizes = [checks.integer(k, "categorical_codes", minimum=2) for k in categorical_codes]
    continuous = checks.integer(continuous_codes, "continuous_codes", minimum=0)
    code_size = sum(sizes) + continuous
    return latent_dim + code_size, code_size + (continuous if log_variances else 0)


def infogan_mlp(
    latent_dim,
    data_dim,
    categorical_codes=(10,),
    continuous_codes=0,
    hidden=(128, 128),
    log_variances=False,
    activation="relu",
):
    """An (generator, discriminator) pair of MLPs for ``InfoGAN``.

    The generator takes ``latent_dim + sum(categorical_codes) + continuous_codes`` features
    (z, then the codes); the discriminator returns ``[logit, q]``, both linear heads on its
    last hidden layer, q with ``sum(categorical_codes) + continuous_codes`` units (plus
    ``continuous_codes`` log-variances with ``log_variances=True``).
    """
    width, q_units = _info_sizes(latent_dim, categorical_codes, continuous_codes, log_variances)
    generator = mlp(width, data_dim, hidden, activation, name="generator")
    x = keras.Input((data_dim,), name="x")
    h = x
    for units in hidden:
        h = keras.layers.Dense(units, activation=activation)(h)
    outputs = [keras.layers.Dense(1, name="logit")(h), keras.layers.Dense(q_units, name="q")(h)]
    return generator, keras.Model(x, outputs, name="discriminator")


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
    generator_width, q_units = _info_sizes(
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


# ----------------------------------------------------------------- pix2pix
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
        h = _stride2(keras.layers.Conv2D, _pix2pix_filters(width, level), name, use_bias=not norm)(
            h
        )
        if norm:
            h = keras.layers.BatchNormalization(momentum=_BN_MOMENTUM, name=f"{name}_bn")(h)
        if innermost:
            h = keras.layers.ReLU(name=f"{name}_relu")(h)
        else:
            h = keras.layers.LeakyReLU(negative_slope=0.2, name=f"{name}_lrelu")(h)
            skips.append(h)
    for step, (level, skip) in enumerate(reversed(list(enumerate(skips)))):
        name = f"up{level + 1}"
        filters = _pix2pix_filters(width, level)
        h = _stride2(keras.layers.Conv2DTranspose, filters, name, use_bias=False)(h)
        h = keras.layers.BatchNormalization(momentum=_BN_MOMENTUM, name=f"{name}_bn")(h)
        if dropout and step < dropout_layers:
            h = keras.layers.Dropout(dropout, name=f"{name}_dropout")(h)
        h = keras.layers.ReLU(name=f"{name}_relu")(h)
        h = keras.layers.Concatenate(name=f"{name}_skip")([h, skip])
    images = _stride2(keras.layers.Conv2DTranspose, target_channels, "image", activation="tanh")(h)
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
            kernel_initializer=_dcgan_init(),
            name=name,
        )(h)
        if norm:
            h = keras.layers.BatchNormalization(momentum=_BN_MOMENTUM, name=f"{name}_bn")(h)
        h = keras.layers.LeakyReLU(negative_slope=0.2, name=f"{name}_lrelu")(h)
    logits = keras.layers.Conv2D(
        1, 4, padding="same", kernel_initializer=_dcgan_init(), name="patch_logits"
    )(h)
    return keras.Model(inputs, logits, name="discriminator")
