"""Image-to-image tasks built from the bundled digits, for ``Pix2Pix`` and ``CycleGAN``.

``benchmarks/image_to_image.py`` measures both models on them and ``examples/train.py``
trains them (``--model=pix2pix`` or ``cyclegan``):

* inpainting (Pix2Pix, paired): the source is a digit with all but its top ``kept_rows``
  rows blanked to the background, the target the whole digit (``top_rows``);
* thickening (CycleGAN, unpaired): digits <-> the same digits with their strokes dilated
  by a 3x3 maximum (``thickened``); ``unpaired_domains`` makes the two domains from
  disjoint halves of the images, so that no pair is ever shown.

Images are float32 in [-1, 1] (the background is -1), shaped ``(n, H, W, 1)``.
"""

import numpy as np
import tensorflow as tf

from tfgan_lite.data.images import images as image_batches

# The side of the benchmark's tasks: the U-Net takes multiples of 32.
SIZE = 32
# The rows of 32 a Pix2Pix source keeps, from the top: a quarter of the digit.
KEPT_ROWS = 8


def split(name, size=SIZE):
    """The whole ``"train"`` (1,257) or ``"test"`` (540) split of the digits at ``size``
    pixels, in the fixed shuffled order of ``tfgan_lite.data.images`` (seed 0): images and
    labels as NumPy arrays."""
    batch = image_batches("digits", name, 10**5, size, labels=True, drop_remainder=False)
    images, labels = next(iter(batch))
    return images.numpy(), labels.numpy()


def top_rows(images, kept_rows=KEPT_ROWS):
    """Copies of ``images`` with all but their top ``kept_rows`` rows blanked to the
    background (-1): Pix2Pix's sources for inpainting."""
    kept = np.array(images, np.float32, copy=True)
    kept[:, kept_rows:] = -1.0
    return kept


def thickened(images):
    """``images`` with their strokes dilated by a 3x3 maximum, as a NumPy array."""
    return tf.nn.max_pool2d(np.asarray(images, np.float32), 3, 1, "SAME").numpy()


def unpaired_domains(images):
    """CycleGAN's two training domains: the first half of ``images`` as they are (A), the
    second half thickened (B), so that no image appears in both."""
    half = len(images) // 2
    return np.asarray(images[:half], np.float32), thickened(images[half:])
