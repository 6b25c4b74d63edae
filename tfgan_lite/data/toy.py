"""Toy densities with exact log-probabilities, as tensorflow-probability mixtures.

Each toy is a ``tfd.MixtureSameFamily`` of diagonal Gaussians, so its density is exact
(for divergences and the optimal discriminator) and its modes and standard deviations
are known (for mode coverage): see ``tfgan_lite.eval.toy``.
"""

import math

import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp

from tfgan_lite import checks

tfd = tfp.distributions


def gaussian_mixture(locs, scale, weights=None, name="gaussian_mixture"):
    """A mixture of diagonal Gaussians: ``locs`` (K, d) or (K,) for 1-D, ``scale`` > 0.

    ``scale`` is one standard deviation for all, or one per component (K,) or (K, d).
    ``weights`` are the mixture weights (uniform when None).
    """
    locs = np.asarray(locs, dtype=np.float32)
    if locs.ndim == 1:
        locs = locs[:, None]
    if locs.ndim != 2:
        raise ValueError(f"locs must have shape (K, d) or (K,), got {locs.shape}.")
    scale = np.asarray(scale, np.float32)
    scale = np.broadcast_to(scale[:, None] if scale.ndim == 1 else scale, locs.shape).copy()
    if np.any(scale <= 0):
        raise ValueError("scale must be positive.")
    k = locs.shape[0]
    weights = np.full(k, 1.0 / k) if weights is None else np.asarray(weights, np.float64)
    if weights.shape != (k,) or np.any(weights < 0) or not math.isclose(weights.sum(), 1.0):
        raise ValueError(f"weights must be {k} non-negative numbers summing to 1.")
    return tfd.MixtureSameFamily(
        tfd.Categorical(probs=weights.astype(np.float32)),
        tfd.MultivariateNormalDiag(loc=locs, scale_diag=scale),
        name=name,
    )


def _ring8():
    angles = 2 * np.pi * np.arange(8) / 8
    return gaussian_mixture(2.0 * np.stack([np.cos(angles), np.sin(angles)], 1), 0.02, name="ring8")


def _grid25():
    axis = np.array([-4.0, -2.0, 0.0, 2.0, 4.0])
    return gaussian_mixture(
        np.stack(np.meshgrid(axis, axis), -1).reshape(-1, 2), 0.05, name="grid25"
    )


def _gaussian1d():
    return gaussian_mixture([0.0], 1.0, name="gaussian1d")


def _bimodal1d():
    return gaussian_mixture([-2.0, 2.0], 0.5, name="bimodal1d")


_TOYS = {"ring8": _ring8, "grid25": _grid25, "gaussian1d": _gaussian1d, "bimodal1d": _bimodal1d}


def toy_names():
    """The names ``toy`` accepts."""
    return tuple(_TOYS)


def toy(name):
    """A toy density by name.

    * ``ring8``: 8 Gaussians evenly spaced on a circle of radius 2, std 0.02 (Metz et al.).
    * ``grid25``: 25 Gaussians at {-4, -2, 0, 2, 4}^2, std 0.05.
    * ``gaussian1d``: the standard normal in 1-D; ``bimodal1d``: N(-2, 0.5^2) and N(2, 0.5^2).
    """
    if name not in _TOYS:
        raise ValueError(f"dataset={name!r} is not a toy density; use one of {', '.join(_TOYS)}.")
    return _TOYS[name]()


def sample_labeled(distribution, n, seed):
    """n draws from a Gaussian mixture with the index of the component each came from.

    Returns ``(x, labels)``: x of shape (n, d), labels int32 of shape (n,). ``seed`` is a
    stateless seed (a pair of ints or an int tensor of shape [2]).
    """
    seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int32), 2)
    labels = tf.cast(distribution.mixture_distribution.sample(n, seed=seeds[0]), tf.int32)
    components = distribution.components_distribution
    noise = tf.random.stateless_normal(
        [n, distribution.event_shape[0]], seed=seeds[1], dtype=components.dtype
    )
    x = tf.gather(components.mean(), labels) + tf.gather(components.stddev(), labels) * noise
    return x, labels


def toy_dataset(distribution, batch_size, num_examples=None, seed=0, labels=False, start=0):
    """A tf.data pipeline of batches drawn from a toy density (a name or a distribution).

    With ``num_examples=None`` every batch is a fresh draw, an endless stream (give ``fit``
    ``steps_per_epoch``); with a number, a fixed sample of that size, shuffled each epoch.
    With ``labels=True`` the elements are ``(x, mode index)`` pairs, for conditional GANs.
    Deterministic for a seed; ``start`` begins the stream that many batches in, so a run
    resumed from a checkpoint at step ``start`` sees the batches it would have seen.
    """
    if isinstance(distribution, str):
        distribution = toy(distribution)
    batch_size = checks.integer(batch_size, "batch_size")

    def draw(n, draw_seed):
        if labels:
            return sample_labeled(distribution, n, draw_seed)
        return distribution.sample(n, seed=draw_seed)

    if start and num_examples is not None:
        raise ValueError("start applies to the endless stream: leave num_examples=None.")
    if num_examples is None:
        dataset = tf.data.Dataset.counter(start=start).map(
            lambda i: draw(batch_size, tf.cast(tf.stack([seed, i]), tf.int32)),
            num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=True,
        )
    else:
        examples = draw(num_examples, (seed, 0))
        dataset = (
            tf.data.Dataset.from_tensor_slices(examples)
            .shuffle(num_examples, seed=seed, reshuffle_each_iteration=True)
            .batch(batch_size, drop_remainder=True)
        )
    return dataset.prefetch(tf.data.AUTOTUNE)
