"""Stacked sets: each example is several labeled images drawn at random, one per channel.

Stacked MNIST (Metz et al. 2016; VEEGAN, Srivastava et al. 2017; PacGAN, Lin et al. 2018)
stacks three MNIST digits as the red, green and blue channels of one image: 10^3 = 1000
modes, one for each tuple of digits, which a GAN's samples should cover evenly.
``stacked`` builds such a set from any labeled single-channel images;
``tfgan_lite.eval.stacked_modes`` reads the modes of generated images back.
"""

import numpy as np

from tfgan_lite import checks


def encode_modes(digits, num_classes=10):
    """The mode id of each row of class ids (n, channels): the digits read as a number in
    base ``num_classes``, the first channel the most significant (for 3 channels of 10
    classes, ``100 * d0 + 10 * d1 + d2``)."""
    digits = np.asarray(digits, np.int64)
    channels = digits.shape[-1]
    weights = num_classes ** np.arange(channels - 1, -1, -1, dtype=np.int64)
    return digits @ weights


def decode_modes(modes, channels=3, num_classes=10):
    """The class ids (n, channels) of mode ids, the inverse of ``encode_modes``."""
    modes = np.asarray(modes, np.int64)
    weights = num_classes ** np.arange(channels - 1, -1, -1, dtype=np.int64)
    return (modes[..., None] // weights) % num_classes


def stacked(images, labels, channels=3, num_examples=None, seed=0, num_classes=None):
    """A stacked set: each example is ``channels`` images drawn at random as its channels.

    Every channel of every example is an index drawn uniformly from ``images``,
    independently and with replacement; the example's mode is its channels' labels read
    as a number in base ``num_classes`` (``encode_modes``): ``100 * d0 + 10 * d1 + d2``
    for 3 channels of 10 classes, 1000 modes.

    Args:
        images: (n, H, W) or (n, H, W, 1) single-channel images in any range (such as
            ``mnist_5000()``'s [-1, 1]).
        labels: (n,) integer class ids in ``[0, num_classes)``.
        channels: the images per example (3: Stacked MNIST).
        num_examples: the examples to draw (default n, as many as there are images).
        seed: seeds the draw; the same seed gives the same set.
        num_classes: the number of classes, the base of the mode ids (default the
            largest label + 1).

    Returns:
        ``(stacked_images, modes)``: (num_examples, H, W, channels) float32 with the input's
        values (so in its range), and (num_examples,) int64 mode ids in
        ``[0, num_classes ** channels)``.
    """
    x = np.asarray(images)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 3 or 0 in x.shape:
        raise ValueError(
            f"images has shape {checks.shape_str(x.shape)}; stacked() takes single-channel "
            "images, (num_images, height, width) or (num_images, height, width, 1), and "
            "stacks them along a new channel axis."
        )
    if x.dtype.kind not in "uif":
        raise ValueError(f"images must hold numbers, got dtype {x.dtype}.")
    y = np.asarray(labels)
    if num_classes is None:
        integer = np.issubdtype(y.dtype, np.integer) and y.size
        num_classes = max(int(y.max()) + 1, 1) if integer else 10
    else:
        checks.integer(num_classes, "num_classes", hint=" (the base of the mode ids)")
    y = checks.labels(y, "labels", num_classes, num_examples=len(x), model="stacked()")
    channels = checks.integer(channels, "channels", hint=" (images stacked per example)")
    if num_examples is None:
        num_examples = len(x)
    num_examples = checks.integer(num_examples, "num_examples")
    rng = np.random.default_rng(seed)
    index = rng.integers(0, len(x), size=(num_examples, channels))
    stacked_images = np.moveaxis(x[index], 1, -1).astype(np.float32)
    return stacked_images, encode_modes(y[index], num_classes)
