"""Workarounds for Keras 3.15's ``fit``, in one place.

The first two are for keras-team/keras issue 20585 under ``MultiWorkerMirroredStrategy``
(open; verified with 2 workers on 127.0.0.1):

1. Keras starts ``fit``/``evaluate`` under a strategy with ``strategy.reduce("MEAN",
   batch)`` on the first PerReplica batch, to build the model symbolically; under
   ``MultiWorkerMirroredStrategy`` that reduce fails for a batch that is a tuple, such as
   ``(x, y)``. A GAN has nothing left to build (the networks are built in ``__init__``,
   both optimizers in ``compile``), so :func:`skip_symbolic_build` says to skip it there.
2. Keras reduces a step's logs there with ``strategy.reduce("MEAN", v, axis=0)``, which
   fails on scalars: :func:`reducible_logs` gives it rank-1 logs, which it reduces back to
   scalars.

The third, :func:`whole_executions`, is for ``steps_per_epoch``: Keras 3.15's epoch
iterator runs ``steps_per_execution`` steps per compiled call however few the epoch has
left, so on an endless dataset ``fit(steps_per_epoch=70)`` with 50 steps per execution
trains 100 steps (and 20 x 2 epochs train 100). Elsewhere Keras's own paths run unchanged.
Remove each workaround when Keras fixes its issue.
"""

import contextlib

import tensorflow as tf


def multi_worker(strategy):
    """Whether Keras reduces a step's logs across workers (as its own check does, in
    keras/src/backend/tensorflow/trainer.py: ``_collective_all_reduce_multi_worker``)."""
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and bool(
        strategy.extended._in_multi_worker_mode()
    )


def skip_symbolic_build(model, optimizers):
    """Whether ``model._maybe_symbolic_build`` should return at once: every layer and
    optimizer is built and the strategy is multi-worker."""
    built = all(layer.built for layer in model._flatten_layers()) and all(
        optimizer is not None and optimizer.built for optimizer in optimizers
    )
    return built and multi_worker(model.distribute_strategy)


def reducible_logs(logs):
    """The logs of a step, rank 1 under a multi-worker strategy (unchanged elsewhere)."""
    if multi_worker(tf.distribute.get_strategy()):
        return {name: tf.reshape(value, [1]) for name, value in logs.items()}
    return logs


def fitting_steps_per_execution(steps_per_epoch, steps_per_execution):
    """The largest number of steps per execution, at most ``steps_per_execution``, that
    divides ``steps_per_epoch`` (1 always does), so every epoch ends on a whole execution."""
    top = min(steps_per_execution, steps_per_epoch)
    return next(steps for steps in range(top, 0, -1) if steps_per_epoch % steps == 0)


@contextlib.contextmanager
def whole_executions(model, steps_per_epoch):
    """Runs ``model.fit`` with a ``steps_per_execution`` that divides ``steps_per_epoch``,
    so that fit trains exactly the steps asked for; the compiled value comes back after."""
    compiled = model.steps_per_execution
    if not steps_per_epoch or compiled <= 1 or steps_per_epoch % compiled == 0:
        yield
        return
    model.steps_per_execution = fitting_steps_per_execution(int(steps_per_epoch), compiled)
    model.train_function = None  # rebuilt with the new count
    try:
        yield
    finally:
        model.steps_per_execution = compiled
        model.train_function = None
