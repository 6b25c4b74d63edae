"""What the toy and the image job of examples/train.py share.

The model of the settings around a (generator, discriminator) pair, a fit that checkpoints
and resumes, and the outputs every run writes (metrics.json, loss.png, gan.keras and the
exports). Every function takes the run's settings (the flags of train.py, read once there)
as an argument.
"""

import json
import os
import shlex
import sys
from typing import NamedTuple

import keras

import tfgan_lite as tfgan
from tfgan_lite import plotting

# The pictures a run may leave in its output directory, named when it ends.
PICTURES = ("samples.png", "loss.png", "metrics.png")


class Result(NamedTuple):
    """What a job hands back to train.py's main for the outputs."""

    gan: keras.Model
    history: keras.callbacks.History
    resumed: int  # the step training resumed at (0: a fresh run)
    seconds: float  # the training time
    metrics: dict  # the job's own entries of metrics.json
    class_names: list | None = None  # a conditional model's class names, for the exports
    inputs: str | None = None  # an image-to-image model's .npy of sources, for the Try line


def augmentation(settings):
    """The DiffAugment of ``--augment`` and ``--augment_probability``; None without one."""
    probability = settings.augment_probability
    if probability != "adaptive":
        try:
            probability = float(probability)
        except ValueError:
            raise ValueError(
                f"probability must be a number in [0, 1] or 'adaptive', got {probability!r}."
            ) from None
    return tfgan.augment.DiffAugment(settings.augment, probability) if settings.augment else None


def make_model(generator, discriminator, num_classes, settings):
    """The ``settings.model`` variant around a (generator, discriminator) pair, compiled."""
    options = {
        "latent_dim": settings.latent_dim,
        "prior": settings.prior,
        "loss": tfgan.losses.get(settings.loss, label_smoothing=settings.label_smoothing)
        if settings.label_smoothing
        else settings.loss,
        "discriminator_steps": settings.discriminator_steps,
        "gradient_penalty": settings.gradient_penalty,
        "r1_penalty": settings.r1,
        "penalty_every": settings.penalty_every,
        **({"pack": settings.pack} if settings.pack > 1 else {}),
        "clip_weights": settings.clip_weights,
        **({"ema": settings.ema, "ema_start": settings.ema_start} if settings.ema else {}),
        "augment": augmentation(settings),
        "seed": settings.seed,
    }
    if settings.model == "conditional":
        gan = tfgan.ConditionalGAN(generator, discriminator, num_classes=num_classes, **options)
    elif settings.model == "semi_supervised":
        gan = tfgan.SemiSupervisedGAN(generator, discriminator, num_classes=num_classes, **options)
    elif settings.model == "unrolled":
        gan = tfgan.UnrolledGAN(
            generator, discriminator, unroll_steps=settings.unroll_steps, **options
        )
    elif settings.model == "acgan":
        gan = tfgan.ACGAN(generator, discriminator, num_classes=num_classes, **options)
    elif settings.model == "infogan":  # one categorical code of num_classes values
        gan = tfgan.InfoGAN(
            generator,
            discriminator,
            categorical_codes=[num_classes],
            continuous_codes=settings.continuous_codes,
            continuous_weight=0.1,  # benchmarks/infogan.py's
            **options,
        )
    elif settings.model == "pix2pix":  # a U-Net of the source alone: no z
        del options["latent_dim"], options["prior"]
        gan = tfgan.Pix2Pix(generator, discriminator, l1_weight=settings.l1_weight, **options)
    elif settings.model == "cyclegan":  # (G, F) and (D_A, D_B); the core's keywords alone
        kept = ("loss", "gradient_penalty", "r1_penalty", "penalty_every", "ema", "ema_start")
        options = {name: options[name] for name in (*kept, "seed") if name in options}
        gan = tfgan.CycleGAN(
            *generator,
            *discriminator,
            cycle_weight=settings.cycle_weight,
            identity_weight=0.0,  # it would hold thickened digits as they are
            **options,
        )
    else:
        gan = tfgan.GAN(generator, discriminator, **options)

    def adam(updates):
        """Adam, its rate decaying over the last lr_decay of the ``updates`` it makes."""
        learning_rate = settings.learning_rate
        if settings.lr_decay:
            learning_rate = tfgan.schedules.LinearDecay(learning_rate, updates, settings.lr_decay)
        return keras.optimizers.Adam(learning_rate, beta_1=settings.beta_1)

    gan.compile(
        generator_optimizer=adam(settings.steps),
        discriminator_optimizer=adam(settings.steps * getattr(gan, "discriminator_steps", 1)),
        steps_per_execution=settings.steps_per_execution,
    )
    return gan


def fit_resumable(gan, make_data, steps_per_epoch, settings, callbacks=(), **kwargs):
    """``gan.fit`` for ``settings.steps`` steps that checkpoints at every epoch's end,
    resumes from the last checkpoint in <output_dir>/checkpoints, and stops at the first
    non-finite loss.

    ``make_data(step)`` gives ``(x, y)`` from the step training resumes at, so a resumed
    run sees the batches it would have seen; ``y=None`` means x is an endless stream of
    batches, and so does a dataset ``y`` (a CycleGAN's second domain, beside x's first).
    Returns the history and the resumed step.
    """
    checkpoint = tfgan.callbacks.Checkpoint(os.path.join(settings.output_dir, "checkpoints"))
    checkpoint.set_model(gan)
    resumed = checkpoint.restore()
    total = settings.steps
    if resumed:
        print(f"resumed from step {resumed} of {total}, from {checkpoint.directory}")
    stop = tfgan.callbacks.TerminateOnNonFinite(checkpoint)
    x, y = make_data(resumed)
    endless = y is None or hasattr(y, "element_spec")  # None, or a tf.data.Dataset
    history = gan.fit(
        x,
        y,
        steps_per_epoch=steps_per_epoch if endless else None,
        epochs=total // steps_per_epoch,
        initial_epoch=resumed // steps_per_epoch,
        callbacks=[*callbacks, checkpoint, stop],
        **kwargs,
    )
    if stop.message:
        sys.exit(stop.message)
    return history, resumed


def print_scores(metrics, names):
    """One ``name: value`` line for each of ``names`` that ``metrics`` holds."""
    for name in names:
        if name in metrics:
            print(f"{name}: {metrics[name]:.3f}")


def plot_losses(result, settings):
    """loss.png in ``settings.output_dir``: d_loss and g_loss, d_real and d_fake (and the
    variant's own logs) per epoch against the step; a resumed run draws the epochs it ran.
    Returns the path, or None when the run trained no epoch (an earlier picture is kept)."""
    title = f"{settings.model} on {settings.dataset}, {settings.loss}"
    if result.resumed:
        title += f", resumed at step {result.resumed}"
    return plotting.save_history(
        result.history,
        os.path.join(settings.output_dir, "loss.png"),
        names=[metric.name for metric in result.gan.metrics],  # not the evaluations
        title=title,
    )


def write_outputs(result, settings):
    """metrics.json, loss.png, gan.keras, the SavedModel and the TFLite generator in
    ``settings.output_dir``, and the lines that say where they are and how to sample."""
    output_dir = settings.output_dir
    gan = result.gan
    steps = int(gan.noise_step.numpy())
    metrics = {
        "flags": settings.flags,
        "steps_completed": steps,
        "resumed_from_step": result.resumed,
        "train_seconds": round(result.seconds, 2),
        "final": {name: float(values[-1]) for name, values in result.history.history.items()},
        **result.metrics,
    }
    with open(os.path.join(output_dir, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
    plot_losses(result, settings)
    gan.save(os.path.join(output_dir, "gan.keras"))
    names = {"class_names": result.class_names} if getattr(gan, "conditional", False) else {}
    # A CycleGAN exports each direction: a_to_b as saved_model/ and generator.tflite, b_to_a
    # as saved_model_b_to_a/ and generator_b_to_a.tflite.
    exports = {}
    for i, direction in enumerate(tfgan.serving.directions_of(gan) or [None]):
        suffix, where = f"_{direction}" if i else "", {"direction": direction, **names}
        base = os.path.join(output_dir, "saved_model" + suffix)
        lite = os.path.join(output_dir, f"generator{suffix}.tflite")
        exports[direction] = (
            tfgan.export.saved_model(gan, base, **where),
            tfgan.export.tflite(gan, lite, **where),
        )
    saved_model = next(iter(exports.values()))[0]
    print(f"{result.seconds:.1f} s for {steps} steps")
    pictures = [name for name in PICTURES if os.path.exists(os.path.join(output_dir, name))]
    outputs = ", ".join([*pictures, "metrics.json", "gan.keras"])
    print(f"Outputs in {os.path.abspath(output_dir)}: {outputs}")
    for direction, (saved, tflite) in exports.items():
        which = f" {direction}" if direction else ""
        print(f"Exported{which}: SavedModel {saved}, TFLite {tflite}")
    if result.inputs:  # an image-to-image model translates images rather than sampling
        out = os.path.join(output_dir, "translated.png")
        inputs = ["--input", result.inputs]
        print(f"Try: {generate_command('--model', saved_model, *inputs, '--out', out)}")
        return
    labels = ["--labels", "0,1,2,3"] if getattr(gan, "conditional", False) else []
    out = os.path.join(output_dir, "generated.png")
    seed = ["--num", "64", "--seed", "1"]
    print(f"Try: {generate_command('--model', saved_model, *seed, *labels, '--out', out)}")


def generate_command(*arguments):
    """The shell line that runs ``python -m tfgan_lite.generate`` with ``arguments`` from
    any directory in a fresh shell: this interpreter by its absolute path (the virtual
    environment's, activated or not), the values of the path options (``--model``,
    ``--input``, ``--out``) made absolute, and every word shell-quoted."""
    words = [os.path.abspath(sys.executable), "-m", "tfgan_lite.generate"]
    for i, argument in enumerate(map(str, arguments)):
        is_path = i and arguments[i - 1] in ("--model", "--input", "--out")
        words.append(os.path.abspath(argument) if is_path else argument)
    return shlex.join(words)
