"""scikit-learn's bundled 8x8 handwritten digits: real data that needs no download."""

import numpy as np

SPLITS = ("train", "test", "all")


def digits(split="train", test_fraction=0.3, seed=0):
    """The 1,797 digits as flat vectors of 64 values in [-1, 1], with int32 labels 0-9.

    ``split`` is ``"train"``, ``"test"`` or ``"all"``; the train/test split is stratified by
    class and fixed by ``seed`` (70/30 by default). Returns ``(x, y)``.

    The pixels (0 to 16) are scaled with NumPy, ``x / 8 - 1``, not with Keras's
    ``Rescaling`` layer: they are a NumPy array and are returned as one, and the division by
    a power of two is exact.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    if split not in SPLITS:
        raise ValueError(f"split={split!r} is unknown; use one of {', '.join(SPLITS)}.")
    data = load_digits()
    x = (data.data / 8.0 - 1.0).astype(np.float32)
    y = data.target.astype(np.int32)
    if split == "all":
        return x, y
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_fraction, random_state=seed, stratify=y
    )
    return (x_train, y_train) if split == "train" else (x_test, y_test)


def labeled_subset(y, per_class, seed=0):
    """Indices of ``per_class`` examples of each class, drawn without replacement."""
    rng = np.random.default_rng(seed)
    return np.concatenate(
        [rng.choice(np.flatnonzero(y == c), per_class, replace=False) for c in np.unique(y)]
    )
