"""Keras callbacks for GANs: sample grids, evaluation, checkpoints, non-finite losses.

* ``SampleGrid``: every N epochs, a PNG grid of samples from the same z (labeled rows for
  a ``ConditionalGAN``), and the grid as a TensorBoard image when ``tensorboard_dir`` is set.
* ``Evaluate``: every N epochs, FID, KID, precision, recall, density and coverage of
  generated images against real ones on a feature network; the values go into the
  epoch's logs (so ``history.history`` holds them), into TensorBoard, one printed line, and
  (with ``plot_dir``) a PNG of every metric against the step.
* ``Checkpoint``: the whole training state every N steps, atomically, restored on start.
* ``TerminateOnNonFinite``: stops at the first NaN or infinite loss, naming step and loss.
"""

import os

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite import plotting


def _due(epoch, every):
    return (epoch + 1) % every == 0


class SampleGrid(keras.callbacks.Callback):
    """Writes ``directory/samples_epoch_0001.png`` (and so on) every ``every`` epochs.

    The samples come from the same z every time (``seed``), so the grids show the
    generator's progress. A ``ConditionalGAN``'s grid has a row per class, labeled with its
    id, or with its name from ``class_names`` (e.g. ``tfgan.data.class_names(folder)``).
    """

    def __init__(
        self,
        directory,
        every=1,
        num_samples=64,
        seed=0,
        tensorboard_dir=None,
        value_range=(-1.0, 1.0),
        class_names=None,
    ):
        super().__init__()
        if every < 1:
            raise ValueError(f"every must be >= 1, got {every}.")
        self.directory, self.every, self.value_range = directory, every, value_range
        self.num_samples, self.seed = num_samples, seed
        self.class_names = None if class_names is None else [str(n) for n in class_names]
        self.writer = tf.summary.create_file_writer(tensorboard_dir) if tensorboard_dir else None
        self.paths = []

    def draw(self, path):
        """Writes the grid of the current generator to ``path``; returns the images."""
        gan = self.model
        n, cols, row_labels, labels = self.num_samples, None, None, None
        if gan.conditional:  # a row per class, labeled
            cols = max(1, n // gan.num_classes)
            row_labels = list(range(gan.num_classes))
            if self.class_names is not None:
                if len(self.class_names) != gan.num_classes:
                    raise ValueError(
                        f"class_names has {len(self.class_names)} names but the model has "
                        f"{gan.num_classes} classes; give one name per class id."
                    )
                row_labels = self.class_names
            labels = np.repeat(np.arange(gan.num_classes), cols)
            n = len(labels)
        samples = gan.generate(n, seed=self.seed, labels=labels)
        if samples.ndim >= 3:
            plotting.save_image_grid(samples, path, cols, row_labels, self.value_range)
        return samples

    def on_epoch_end(self, epoch, logs=None):
        if not _due(epoch, self.every):
            return
        os.makedirs(self.directory, exist_ok=True)
        path = os.path.join(self.directory, f"samples_epoch_{epoch + 1:04d}.png")
        samples = self.draw(path)
        self.paths.append(path)
        if self.writer is not None and samples.ndim >= 3:
            unit = plotting.to_unit(samples, self.value_range)
            grid = plotting.tile(unit, int(np.ceil(np.sqrt(len(unit)))))
            grid = grid[..., None] if grid.ndim == 2 else grid
            with self.writer.as_default():
                tf.summary.image("samples", grid[None], step=epoch + 1)
            self.writer.flush()


class Evaluate(keras.callbacks.Callback):
    """Image metrics of the generator every ``every`` epochs.

    Args:
        real_images: real images (n, H, W, C) in [-1, 1] to compare against.
        feature_net: a ``tfgan_lite.eval.FeatureNet`` (default: the shipped digits network).
        every: evaluate after every ``every`` epochs (and the logs of other epochs lack them).
        num_samples: generated images per evaluation (default: as many as real images).
        k: the neighbourhood size of precision/recall and density/coverage.
        tensorboard_dir: also write the metrics as TensorBoard scalars.
        verbose: print one line per evaluation.
        plot_dir: also write ``plot_dir/metrics.png`` after every evaluation: a panel per
            metric against the training step, replaced atomically each time.
        floor: an optional dict of metric -> value (e.g. ``tfgan_lite.eval.all_metrics`` of
            real images against other real images), drawn as a dashed line in the plot.
        reference_split: which split ``real_images`` come from (e.g. ``"test"``), recorded
            in the provenance.
        bootstrap: None, or the number of bootstrap resamples of a 95% interval of every
            metric at each evaluation (``tfgan_lite.eval.all_metrics(..., bootstrap=n)``;
            about 2 s for 200 resamples of 540 samples on the digits network).

    ``results`` holds a dict per evaluation: its ``epoch`` (1-based), its ``step`` (the
    model's train steps so far, resumed ones included), the metrics (floats, as in the
    logs), with ``bootstrap`` their ``intervals`` (metric -> ``{"value", "mean", "std",
    "low", "high"}``), and the ``provenance``: the feature network's name and weights
    hash, the numbers of real and generated samples, the reference split, the seed and
    the bootstrap resamples (also ``self.provenance``).
    """

    def __init__(
        self,
        real_images,
        feature_net=None,
        every=1,
        num_samples=None,
        k=5,
        seed=0,
        tensorboard_dir=None,
        verbose=1,
        plot_dir=None,
        floor=None,
        reference_split=None,
        bootstrap=None,
    ):
        super().__init__()
        from tfgan_lite.eval import bootstrap as resampling
        from tfgan_lite.eval.feature_net import FeatureNet

        if every < 1:
            raise ValueError(f"every must be >= 1, got {every}.")
        if bootstrap is not None:
            bootstrap = resampling.check(bootstrap)
        self.feature_net = feature_net or FeatureNet.digits()
        self.real_features = self.feature_net.features(real_images)
        self.num_samples = num_samples or len(real_images)
        self.every, self.k, self.seed, self.verbose = every, k, seed, verbose
        self.bootstrap = bootstrap
        self.provenance = self.feature_net.provenance(
            num_real=len(self.real_features),
            num_generated=self.num_samples,
            reference_split=reference_split,
            seed=seed,
            bootstrap=bootstrap,
        )
        self.writer = tf.summary.create_file_writer(tensorboard_dir) if tensorboard_dir else None
        self.plot_dir = plot_dir
        self.floor = {name: float(value) for name, value in (floor or {}).items()}
        self.results = []

    def evaluate(self, bootstrap=None):
        """The metrics of the current generator, as a dict of floats; with ``bootstrap=n``
        (resamples, seeded by ``seed``), a dict of ``{"value", "mean", "std", "low",
        "high"}`` per metric."""
        from tfgan_lite.eval.features import all_metrics

        n = self.num_samples
        samples = self.model.generate(n, seed=self.seed, labels=self.model.default_labels(n))
        fake_features = self.feature_net.features(samples)
        return all_metrics(
            self.real_features, fake_features, k=self.k, bootstrap=bootstrap, seed=self.seed
        )

    def on_epoch_end(self, epoch, logs=None):
        if not _due(epoch, self.every):
            return
        scores = self.evaluate(self.bootstrap)
        intervals = scores if self.bootstrap else None
        if intervals:
            scores = {name: interval["value"] for name, interval in intervals.items()}
        metrics = {name: float(value) for name, value in scores.items()}
        result = {"epoch": epoch + 1, "step": _step(self.model), **metrics}
        if intervals:
            result["intervals"] = intervals
        self.results.append({**result, "provenance": self.provenance})
        if logs is not None:
            logs.update(metrics)
        if self.plot_dir is not None:
            self.plot(os.path.join(self.plot_dir, "metrics.png"))
        if self.writer is not None:
            with self.writer.as_default():
                for name, value in metrics.items():
                    tf.summary.scalar(f"eval/{name}", value, step=epoch + 1)
            self.writer.flush()
        if self.verbose:
            text = ", ".join(
                f"{name} {value:.4g}"
                + (
                    f" [{intervals[name]['low']:.4g}, {intervals[name]['high']:.4g}]"
                    if intervals
                    else ""
                )
                for name, value in metrics.items()
            )
            print(f"Evaluate after epoch {epoch + 1}: {text}", flush=True)

    def plot(self, path):
        """Writes the metrics of every evaluation so far against the step as a PNG, with
        the floor as a dashed line where it is known; returns ``path``."""
        steps = [result["step"] for result in self.results]
        # The metrics are the floats (the epoch and step are ints, provenance is not a float).
        names = [name for name, value in self.results[-1].items() if isinstance(value, float)]
        series = {name: (steps, [result[name] for result in self.results]) for name in names}
        title = f"generator metrics, {len(steps)} evaluations"
        return plotting.save_curves(series, path, floors=self.floor, title=title)


def _step(gan):
    # The noise counter advances once per train step whether or not a network is frozen.
    return int(gan.noise_step.numpy())


class Checkpoint(keras.callbacks.Callback):
    """Saves the whole training state every ``every`` steps (or at every epoch's end when
    ``every`` is None), and restores it at the start of training.

    The state is the GAN's weights (both networks and the noise counter) and both
    optimizers' slots and step counts, written with ``tf.train.CheckpointManager``: the
    index file that names the latest checkpoint is replaced atomically, so a process killed
    while saving leaves the previous checkpoint usable. A step whose losses are not finite
    is never saved. ``restored_step`` is the step a run resumed from (0 for a fresh start).
    With ``every``, saving happens at the end of the compiled calls that reach a multiple
    of it, so ``every`` should be a multiple of ``steps_per_execution``; saving at epoch ends
    lets a resumed ``fit`` start at ``initial_epoch = restored_step // steps_per_epoch``.

    Not built on ``keras.callbacks.BackupAndRestore``: that callback keeps a single backup
    (deleted when training ends, by default) and saves whatever state it finds, a step
    with NaN losses included; a GAN run needs numbered checkpoints that outlive the run,
    skip non-finite steps and say the step they hold, which ``tf.train.CheckpointManager``
    gives.
    """

    def __init__(self, directory, every=None, max_to_keep=2):
        super().__init__()
        if every is not None and every < 1:
            raise ValueError(f"every must be >= 1 or None, got {every}.")
        self.directory, self.every, self.max_to_keep = str(directory), every, max_to_keep
        self.manager = None
        self.restored_step = 0
        self.saved_step = None

    def _manager(self):
        if self.manager is None:
            state = tf.train.Checkpoint(gan=self.model)
            self.manager = tf.train.CheckpointManager(state, self.directory, self.max_to_keep)
        return self.manager

    def restore(self):
        """Restores the latest checkpoint, if any; returns its step (0 when none)."""
        manager = self._manager()
        if manager.latest_checkpoint:
            manager.checkpoint.restore(manager.latest_checkpoint).assert_existing_objects_matched()
            self.restored_step = self.saved_step = _step(self.model)
        return self.restored_step

    def save(self):
        step = _step(self.model)
        if step != self.saved_step:
            self._manager().save(checkpoint_number=step)
            self.saved_step = step

    def on_train_begin(self, logs=None):
        if self.saved_step is None:
            self.restore()

    def _finite(self, logs):
        finite = all(np.isfinite(v) for v in (logs or {}).values() if np.ndim(v) == 0)
        return finite and getattr(self.model, "non_finite", None) is None

    def on_train_batch_end(self, batch, logs=None):
        due = self.every is not None and _step(self.model) - (self.saved_step or 0) >= self.every
        if due and self._finite(logs):
            self.save()

    def on_epoch_end(self, epoch, logs=None):
        if self.every is None and self._finite(logs):
            self.save()

    def on_train_end(self, logs=None):
        if getattr(self.model, "non_finite", None) is None:
            self.save()


class TerminateOnNonFinite(keras.callbacks.Callback):
    """Stops training at the first non-finite loss, and says where and which.

    Sets ``model.non_finite`` to a message naming the step and the loss (None while all is
    well) and ``message`` on itself; a ``Checkpoint`` callback then keeps the last good
    checkpoint instead of saving the broken state. Not ``keras.callbacks.TerminateOnNaN``,
    which reads only ``logs["loss"]``: a GAN logs ``d_loss`` and ``g_loss``, and no ``loss``.
    """

    def __init__(self, checkpoint=None):
        super().__init__()
        self.checkpoint = checkpoint
        self.message = None

    def on_train_begin(self, logs=None):
        self.model.non_finite = None

    def on_train_batch_end(self, batch, logs=None):
        for name, value in (logs or {}).items():
            if np.ndim(value) == 0 and not np.isfinite(value) and name.endswith("loss"):
                kept = ""
                if self.checkpoint is not None and self.checkpoint.saved_step is not None:
                    kept = (
                        f"; the last good checkpoint, step {self.checkpoint.saved_step}, "
                        f"is kept in {self.checkpoint.directory}"
                    )
                self.message = (
                    f"training stopped: {name} is {float(value)} at step {_step(self.model)}{kept}."
                )
                self.model.non_finite = self.message
                self.model.stop_training = True
                return
