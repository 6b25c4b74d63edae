"""What ``fit`` adds to a user's tf.data pipeline: a prefetch, when it has none at its end.

With a small model the per-step fetch dominates: the toy MLP GAN trains at 1.27 ms a step
from ``Dataset.from_tensor_slices(x).batch(256).cache()`` and at 0.89 ms from the same
dataset with ``.prefetch(AUTOTUNE)`` (2 cores; ``benchmarks/speed.py`` has the row). Every
pipeline ``tfgan_lite.data`` builds already ends in a prefetch.
"""

import tensorflow as tf

# Transformations that change no element: a prefetch before them still feeds the step.
_TRANSPARENT = ("_OptionsDataset",)


def is_prefetched(dataset):
    """Whether ``dataset``'s last transformation (options aside) is a prefetch."""
    while type(dataset).__name__ in _TRANSPARENT:
        dataset = dataset._input_dataset
    return type(dataset).__name__ == "_PrefetchDataset"


def prefetched(dataset):
    """``dataset`` itself if it ends in a prefetch, else ``dataset.prefetch(AUTOTUNE)``."""
    if is_prefetched(dataset):
        return dataset
    return dataset.prefetch(tf.data.AUTOTUNE)
