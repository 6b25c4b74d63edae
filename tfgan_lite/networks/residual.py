"""Residual (generator, discriminator) pairs in the style of R3GAN (Huang et al., NeurIPS
2024, "The GAN is dead; long live the GAN!"), for square images of 16 to 256 px: residual
blocks without normalisation, filtered resampling, a learned 4x4 basis in G and a 4x4
depthwise basis in D, optionally class-conditional. ``residual`` builds the pair; the small
layers it needs (``FilteredUpsample``, ``FilteredDownsample``, ``LearnedBasis``,
``GroupedConv2D``) are registered with Keras so ``.keras`` files load without
``custom_objects``.
"""

import math

import keras

from tfgan_lite import checks
from tfgan_lite.networks.common import square_image
from tfgan_lite.networks.heads import projection_logit

RESIDUAL_SIDES = (16, 32, 64, 128, 256)
RESIDUAL_CHANNELS = (1, 3)
# The generator's class embedding, concatenated to z.
RESIDUAL_LABEL_EMBEDDING_DIM = 32
# The residual branch: 1x1 expand, grouped 3x3, 1x1 back; m = 3 convolutions.
EXPANSION = 2
BRANCH_CONVOLUTIONS = 3
NEGATIVE_SLOPE = 0.2
# He's gain for a leaky ReLU of slope 0.2: the std a kernel needs to keep the activations'
# second moment through the nonlinearity.
LEAKY_RELU_GAIN = math.sqrt(2.0 / (1.0 + NEGATIVE_SLOPE**2))
BASIS_SIDE = 4


def _he(gain=1.0):
    """N(0, gain**2 / fan_in), R3GAN's (and PyTorch's fan-in) initialisation."""
    return keras.initializers.VarianceScaling(
        scale=gain**2, mode="fan_in", distribution="untruncated_normal"
    )


def _shifted(x, axis, step):
    """``x`` moved one sample along ``axis`` (1 or 2): ``step=+1`` gives x[i + 1] at i,
    ``step=-1`` gives x[i - 1]; the sample shifted in is zero (zero padding)."""
    pad = [[0, 0]] * 4
    if step > 0:
        pad[axis] = [0, 1]
        kept = x[:, 1:] if axis == 1 else x[:, :, 1:]
    else:
        pad[axis] = [1, 0]
        kept = x[:, :-1] if axis == 1 else x[:, :, :-1]
    return keras.ops.pad(kept, pad)


@keras.saving.register_keras_serializable(package="tfgan_lite")
class FilteredUpsample(keras.layers.Layer):
    """2x upsampling with the [1, 2, 1] low-pass filter: zeros inserted after each sample,
    then a 'same' convolution (zero padding) with the separable filter [1, 2, 1] / 4 along
    each axis, times 2 per axis (4 in all) so that a constant image keeps its value away
    from the border. Output sample 2i is the input's sample i, sample 2i + 1 the mean of
    samples i and i + 1 (half of the last sample at the far border): bilinear
    interpolation. Computed in that polyphase form (pads, slices, a stack and a reshape),
    which TFLite runs with builtin ops. Channels-last, (batch, H, W, C) -> (batch, 2H, 2W,
    C); no weights."""

    def call(self, x):
        for axis in (1, 2):
            odd = 0.5 * (x + _shifted(x, axis, +1))
            shape = list(x.shape)
            shape[0] = -1
            shape[axis] *= 2
            x = keras.ops.reshape(keras.ops.stack([x, odd], axis=axis + 1), shape)
        return x

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        return (batch, 2 * height, 2 * width, channels)


@keras.saving.register_keras_serializable(package="tfgan_lite")
class FilteredDownsample(keras.layers.Layer):
    """2x downsampling with the [1, 2, 1] low-pass filter: a 'same' convolution (zero
    padding) with [1, 2, 1] / 4 along each axis, then every other sample from the first:
    output i = (x[2i - 1] + 2 x[2i] + x[2i + 1]) / 4 along each axis, x[-1] = 0. It is the
    transpose of ``FilteredUpsample`` divided by 4. Channels-last, even H and W,
    (batch, H, W, C) -> (batch, H/2, W/2, C); no weights."""

    def call(self, x):
        for axis in (1, 2):
            shape = list(x.shape)
            shape[0] = -1
            shape[axis] //= 2
            shape.insert(axis + 1, 2)
            pairs = keras.ops.reshape(x, shape)
            even = pairs[:, :, 0] if axis == 1 else pairs[:, :, :, 0]
            odd = pairs[:, :, 1] if axis == 1 else pairs[:, :, :, 1]
            x = 0.5 * even + 0.25 * (odd + _shifted(odd, axis, -1))
        return x

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        return (batch, height // 2, width // 2, channels)


@keras.saving.register_keras_serializable(package="tfgan_lite")
class LearnedBasis(keras.layers.Layer):
    """R3GAN's generative basis: a learned ``side x side x C`` map, N(0, 1) at init, each
    channel scaled per example by the input ``(batch, C)`` (a linear map of z):
    ``basis[None] * m[:, None, None, :]``."""

    def __init__(self, side=BASIS_SIDE, **kwargs):
        super().__init__(**kwargs)
        self.side = int(side)

    def build(self, input_shape):
        self.basis = self.add_weight(
            name="basis",
            shape=(self.side, self.side, input_shape[-1]),
            initializer=keras.initializers.RandomNormal(stddev=1.0),
        )

    def call(self, modulation):
        return self.basis[None] * modulation[:, None, None, :]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.side, self.side, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "side": self.side}


@keras.saving.register_keras_serializable(package="tfgan_lite")
class GroupedConv2D(keras.layers.Conv2D):
    """``keras.layers.Conv2D`` with ``groups`` (same kernel, weights and config),
    computed as one convolution per group on the split channels, concatenated. TensorFlow's
    own grouped convolution is fast without XLA but took ~45x longer under XLA on a CPU
    (a 64-channel 3x3 of 4 groups at 32x32, forward and backward: 713 ms against 16 ms),
    and Keras compiles train steps with XLA by default; split and concatenated it takes
    ~29 ms there. Channels-last only."""

    def convolution_op(self, inputs, kernel):
        if self.groups == 1:
            return super().convolution_op(inputs, kernel)
        parts = zip(
            keras.ops.split(inputs, self.groups, axis=-1),
            keras.ops.split(kernel, self.groups, axis=-1),
            strict=True,
        )
        convolve = super().convolution_op
        return keras.ops.concatenate([convolve(x, k) for x, k in parts], axis=-1)


def stage_widths(size, width=32, max_width=256):
    """``{side: channels}`` of a ``residual`` pair of ``size`` px, from 4 up to ``size``:
    ``width`` at ``size``, doubling as the side halves, at most ``max_width``."""
    return {
        side: min(width * (size // side), max_width)
        for side in (2**k for k in range(2, int(math.log2(size)) + 1))
    }


def _groups(channels, group_channels):
    """Groups of the 3x3 convolution on ``channels``: ``group_channels`` channels each,
    or their largest common divisor with ``channels`` when it does not divide them."""
    return channels // math.gcd(channels, group_channels)


def _residual_block(h, group_channels, gain, name):
    """``h + branch(h)``: 1x1 to EXPANSION x channels, bias and leaky ReLU, grouped 3x3,
    bias and leaky ReLU, 1x1 back to the channels starting at zero (the block is the
    identity at init). Named ``name`` (the Add) and ``name_*``."""
    channels = h.shape[-1]
    wide = EXPANSION * channels
    y = keras.layers.Conv2D(wide, 1, kernel_initializer=_he(gain), name=f"{name}_expand")(h)
    y = keras.layers.LeakyReLU(negative_slope=NEGATIVE_SLOPE, name=f"{name}_act1")(y)
    y = GroupedConv2D(
        wide,
        3,
        padding="same",
        groups=_groups(wide, group_channels),
        kernel_initializer=_he(gain),
        name=f"{name}_grouped",
    )(y)
    y = keras.layers.LeakyReLU(negative_slope=NEGATIVE_SLOPE, name=f"{name}_act2")(y)
    y = keras.layers.Conv2D(
        channels, 1, use_bias=False, kernel_initializer="zeros", name=f"{name}_project"
    )(y)
    return keras.layers.Add(name=name)([h, y])


def _transition(h, channels, name):
    """A linear 1x1 convolution to ``channels``, or ``h`` when it already has them."""
    if h.shape[-1] == channels:
        return h
    return keras.layers.Conv2D(
        channels, 1, use_bias=False, kernel_initializer=_he(), name=f"{name}_transition"
    )(h)


def _generator(latent_dim, num_classes, widths, channels, blocks, group_channels, gain):
    z = keras.Input((latent_dim,), name="z")
    inputs, h = z, z
    if num_classes is not None:
        labels = keras.Input((), dtype="int32", name="labels")
        embedding = keras.layers.Embedding(
            num_classes,
            RESIDUAL_LABEL_EMBEDDING_DIM,
            embeddings_initializer=keras.initializers.RandomNormal(stddev=1.0),
            name="label_embedding",
        )(labels)
        inputs, h = [z, labels], keras.layers.Concatenate(name="z_and_label")([z, embedding])
    sides = sorted(widths)
    h = keras.layers.Dense(
        widths[BASIS_SIDE], use_bias=False, kernel_initializer=_he(), name="modulation"
    )(h)
    h = LearnedBasis(name="basis")(h)
    for side in sides:
        if side > BASIS_SIDE:
            h = _transition(h, widths[side], f"g{side}")
            h = FilteredUpsample(name=f"g{side}_upsample")(h)
        for block in range(1, blocks + 1):
            h = _residual_block(h, group_channels, gain, f"g{side}_block{block}")
    h = keras.layers.Conv2D(channels, 1, kernel_initializer=_he(), name="to_image")(h)
    images = keras.layers.Activation("tanh", name="image")(h)
    return keras.Model(inputs, images, name="generator")


def _discriminator(num_classes, widths, size, channels, blocks, group_channels, gain):
    x = keras.Input((size, size, channels), name="x")
    inputs = x
    if num_classes is not None:
        labels = keras.Input((), dtype="int32", name="labels")
        inputs = [x, labels]
    h = keras.layers.Conv2D(
        widths[size], 1, use_bias=False, kernel_initializer=_he(), name="from_image"
    )(x)
    for side in sorted(widths, reverse=True):
        for block in range(1, blocks + 1):
            h = _residual_block(h, group_channels, gain, f"d{side}_block{block}")
        if side > BASIS_SIDE:
            h = FilteredDownsample(name=f"d{side}_downsample")(h)
            h = _transition(h, widths[side // 2], f"d{side // 2}")
    # Keras's fan-in of a depthwise kernel (4, 4, C, 1) counts all C channels; each output
    # sees 16 inputs, so N(0, 1/16) is R3GAN's fan-in initialisation.
    h = keras.layers.DepthwiseConv2D(
        BASIS_SIDE,
        use_bias=False,
        depthwise_initializer=keras.initializers.RandomNormal(stddev=1.0 / BASIS_SIDE),
        name="basis",
    )(h)
    features = keras.layers.Flatten(name="features")(h)
    logit = keras.layers.Dense(1, use_bias=False, kernel_initializer=_he(), name="logit")(features)
    if num_classes is not None:
        logit = projection_logit(logit, features, labels, num_classes)
    return keras.Model(inputs, logit, name="discriminator")


def _check_image_shape(image_shape):
    sides = ", ".join(str(side) for side in RESIDUAL_SIDES)
    supported = f"(H, W, C) with H == W a power of two in {{{sides}}} and C in {{1, 3}}"
    height, channels = square_image(image_shape, supported, RESIDUAL_CHANNELS)
    if height not in RESIDUAL_SIDES:
        what = "is not a power of two" if height & (height - 1) else "is outside 16-256"
        raise ValueError(
            f"image_shape {tuple(image_shape)!r} has side {height}, which {what}; the "
            f"residual networks take {supported}: resize the images to one of those sides."
        )
    return height, channels


def residual(
    image_shape,
    latent_dim,
    num_classes=None,
    width=32,
    max_width=256,
    blocks=1,
    group_channels=16,
):
    """An R3GAN-style residual (generator, discriminator) pair for square images.

    Args:
        image_shape: ``(H, W, C)``, ``H == W`` a power of two from 16 to 256, C 1 or 3.
        latent_dim: the size of z.
        num_classes: None for an unconditional pair; an integer >= 2 makes both networks
            take labels (int32 class ids of shape ``(batch,)``), for ``ConditionalGAN``.
        width: the channels at the image's resolution; they double each time the side
            halves, up to ``max_width`` (``stage_widths``). The default (32, at most 256)
            keeps a 32x32 step reasonable on a CPU; R3GAN's CIFAR-10 model has 768 at
            every stage (``width=768, max_width=768, group_channels=16``, blocks=2).
        max_width: the most channels of any stage (the 4x4 stages of big images).
        blocks: residual blocks per stage (R3GAN: 1 to 2 at small sizes).
        group_channels: the channels of each group of the grouped 3x3 convolution (R3GAN:
            16); the expanded channels divided by it (or by their largest common divisor
            with it) is the number of groups.

    Both networks are stages at sides 4, 8, ..., H, with ``stage_widths(H, width,
    max_width)`` channels, each of ``blocks`` residual blocks: ``x + branch(x)``, the
    branch a 1x1 convolution to 2x the channels, bias and LeakyReLU(0.2), a grouped 3x3
    convolution, bias and LeakyReLU(0.2), and a 1x1 convolution back, without bias and
    initialised to zero, so every block is the identity at init. No normalisation layers.
    The other convolutions start from N(0, g**2 / fan_in) with g = sqrt(2 / (1 + 0.2**2))
    * L**(-1 / (2m - 2)) = gain * L**(-1/4), L the blocks of the network (``blocks`` x
    stages) and m = 3 the convolutions of a branch (R3GAN's fix-up style scaling: the
    variance the branches add to the residual stream is then about the same whatever the
    depth). Between stages a linear 1x1 convolution changes the channels (where they
    change) and the side changes by the [1, 2, 1] low-pass filter (``FilteredUpsample``,
    ``FilteredDownsample``).

    The generator maps z (with a ``RESIDUAL_LABEL_EMBEDDING_DIM``-wide class embedding
    concatenated when conditional) by a bias-free Dense to a per-channel scale of a
    learned 4x4 basis (``LearnedBasis``), then per stage: 1x1 transition, upsample (then
    filter), blocks; a 1x1 convolution to C channels and tanh make images in [-1, 1].

    The discriminator maps x by a 1x1 convolution to ``width`` channels, then per stage:
    blocks, (filter then) downsample, 1x1 transition; at 4x4, blocks, a 4x4 depthwise
    convolution (valid: one value per channel, the features) and a bias-free Dense(1): a
    logit, no sigmoid. A conditional one adds <embed(y), features> (a projection head,
    ``heads.projection_logit``).

    Returns:
        ``(generator, discriminator)``, functional ``keras.Model``s named "generator" and
        "discriminator"; the generator takes z (or ``[z, labels]``), the discriminator x
        (or ``[x, labels]``).
    """
    size, channels = _check_image_shape(image_shape)
    latent_dim = checks.integer(latent_dim, "latent_dim")
    if num_classes is not None:
        num_classes = checks.integer(
            num_classes, "num_classes", minimum=2, hint=" (or None: unconditional)"
        )
    width = checks.integer(width, "width", hint=" (the channels at the image's resolution)")
    max_width = checks.integer(
        max_width, "max_width", hint=" (the most channels of a stage; at least width)"
    )
    if max_width < width:
        raise ValueError(
            f"max_width={max_width} is below width={width}; the channels only grow from the "
            "image's resolution down to 4x4: raise max_width or lower width."
        )
    blocks = checks.integer(blocks, "blocks", hint=" (residual blocks per stage)")
    group_channels = checks.integer(
        group_channels, "group_channels", hint=" (channels per group of the 3x3; R3GAN 16)"
    )
    widths = stage_widths(size, width, max_width)
    total_blocks = blocks * len(widths)
    gain = LEAKY_RELU_GAIN * total_blocks ** (-1.0 / (2 * BRANCH_CONVOLUTIONS - 2))
    generator = _generator(latent_dim, num_classes, widths, channels, blocks, group_channels, gain)
    discriminator = _discriminator(
        num_classes, widths, size, channels, blocks, group_channels, gain
    )
    return generator, discriminator
