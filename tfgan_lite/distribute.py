"""A ``tf.distribute`` strategy from a flag: ``default | mirrored | multi_worker | tpu``.

Create the strategy first, then build and compile the GAN inside its scope::

    strategy = tfgan_lite.distribute.strategy("mirrored")
    with strategy.scope():
        generator, discriminator = tfgan_lite.networks.mlp_gan(latent_dim, 2)
        gan = tfgan_lite.GAN(generator, discriminator, latent_dim)
        gan.compile()  # both optimizers are created and built here, inside the scope
    gan.fit(dataset, ...)  # a dataset of *global* batches; each replica gets 1/N of one

What ``GAN.train_step`` does for distribution (tested in ``tests/test_distribute.py``):

* losses (and the gradient penalty) are multiplied by ``1 / num_replicas_in_sync`` before
  the gradient, since Keras sums the replicas' gradients: one step on N replicas makes the
  same update as one step on one device with the same global batch (measured on two
  replicas: within 4e-7, relative, for the non-saturating loss, WGAN-GP and clipping);
* the metric trackers get the unscaled losses, so ``fit`` reports the same numbers;
* the noise seed is folded with the replica id: every replica draws its own z, and the
  step counter behind it advances once per step, not once per replica;
* WGAN weight clipping: each replica clips its own copy of the discriminator's weights,
  which are identical after the synchronised update, so they stay identical.

With ``discriminator_steps=k > 1`` each replica cuts its own share of the batch into k
slices, so discriminator step i sees a different set of the global batch's rows than on
one device (still a global minibatch of ``batch // k`` examples).

``multi_worker`` reads the cluster from the ``TF_CONFIG`` environment variable and must be
created at the start of the program, before TensorFlow runs any op. Keras 3.15's ``fit``
fails under ``MultiWorkerMirroredStrategy`` for every model (keras-team/keras issue 20585):
its symbolic build reduces the first batch (which fails for a tuple batch) and it reduces
scalar logs along axis 0. ``GAN`` skips the build there (it has nothing left to build)
and hands Keras rank-1 logs, which it reduces back to scalars.

``tpu`` is untested here (no TPU on the machines this library is developed on). The train
step uses no op a TPU lacks: the noise is stateless random ops (``stateless_fold_in``, and
TFP's ``sample(seed=...)``, which lowers to ``stateless_normal`` / ``stateless_uniform`` /
``stateless_parameterized_truncated_normal``), the gradient penalty is a nested
``GradientTape``, clipping is ``clip_by_value`` and ``assign``. The whole step compiles with
XLA, which is what a TPU runs (``GAN.compile(jit_compile=True)`` trains on CPU with each
prior, the penalty, clipping and k = 2; a test keeps it so). What to know on a TPU:

* feed batches of a static size (``Dataset.batch(..., drop_remainder=True)``): the k slices
  are cut at ``tf.shape(batch)[0] // k``, static only when the batch size is;
* XLA's stateless kernels draw other numbers than CPU/GPU kernels for the same seed: the
  noise is still deterministic, but not the noise of a CPU/GPU run;
* Keras reports replica 0's logs under ``TPUStrategy`` (its ``reduce_per_replica`` takes
  the first replica's there and the mean of the replicas' elsewhere): the reported losses
  are those of one replica's share of the global batch.
"""

import tensorflow as tf

NAMES = ("default", "mirrored", "multi_worker", "tpu")


def strategy(name="default", devices=None, tpu=""):
    """A ``tf.distribute.Strategy`` by name.

    Args:
        name: ``"default"`` (the default strategy: one device, no replication),
            ``"mirrored"`` (synchronous data parallelism over the GPUs of one machine, or
            the CPU when it has none), ``"multi_worker"`` (synchronous data parallelism
            over machines, from ``TF_CONFIG``) or ``"tpu"``.
        devices: for ``"mirrored"``, the devices to replicate on (default: all GPUs).
        tpu: for ``"tpu"``, the TPU's name or address (``""`` for a TPU VM or Colab).
    """
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy(devices)
    if name == "multi_worker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "tpu":
        # Untested here: there is no TPU on the machines tfgan_lite is developed on.
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu)
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        return tf.distribute.TPUStrategy(resolver)
    raise ValueError(f"strategy name={name!r} is not a strategy; use one of {', '.join(NAMES)}.")
