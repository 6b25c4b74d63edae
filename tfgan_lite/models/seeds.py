"""The train step's random streams: one stateless seed per step and replica, folded by name.

A step's seed is ``(model seed, noise_step)`` folded with the replica id, so every replica
draws its own noise; the step increments ``noise_step`` first, so step n (from 1) draws
from counter n. Every random stream of the step is folded from that seed here, and
nowhere else, by name and index:

* per discriminator slice i (of the k in a step): ``"noise"`` (the slice's z) and
  ``"penalty"`` (the gradient penalty's interpolation), folded with 2i and 2i + 1;
* per step: ``"data"`` (what ``_unpack`` may draw) and ``"unroll"`` (the unrolled
  look-ahead; its index is the look-ahead step), folded with 2**20 + their position, a
  number no slice index reaches, and then with the index;
* per evaluation of the discriminator's loss: ``"augment"``, folded the same way from that
  loss's own seed (a slice's ``"penalty"`` seed, an unrolled step's, the generator's),
  index 0 for the real batch, 1 for the generated one, 2 for the gradient penalty's
  interpolates and 3 on for the extra batches.

``evaluate`` draws from ``(model seed, -1 - noise_step)``: noise of its own that does not
advance the training stream.
"""

import tensorflow as tf

SLICE_STREAMS = ("noise", "penalty")
STEP_STREAMS = ("data", "unroll", "augment")
_STEP_BASE = 2**20


def _fold(seed, value):
    return tf.random.experimental.stateless_fold_in(seed, value)


def _per_replica(seed, counter):
    seed = tf.cast(tf.stack([seed, counter]), tf.int32)
    replica = tf.distribute.get_replica_context()
    return _fold(seed, 0 if replica is None else replica.replica_id_in_sync_group)


def step_seed(seed, step):
    """The seed of train step ``step`` of a model seeded with ``seed``, on this replica."""
    return _per_replica(seed, step)


def evaluation_seed(seed, step):
    """The seed of ``evaluate`` at train step ``step``: apart from every training seed."""
    return _per_replica(seed, -1 - step)


def fold(seed, stream, index=0):
    """The seed of ``stream`` (a name of SLICE_STREAMS or STEP_STREAMS) at ``index``."""
    if stream in SLICE_STREAMS:
        return _fold(seed, len(SLICE_STREAMS) * index + SLICE_STREAMS.index(stream))
    if stream in STEP_STREAMS:
        return _fold(_fold(seed, _STEP_BASE + STEP_STREAMS.index(stream)), index)
    raise ValueError(
        f"unknown random stream {stream!r}; streams are {SLICE_STREAMS + STEP_STREAMS}."
    )
