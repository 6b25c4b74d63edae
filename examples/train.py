"""Train a GAN on images or on a toy density, evaluate it honestly, save and export it.

    python examples/train.py                              # DCGAN on the bundled digits
    python examples/train.py --dataset=mnist --data_dir=~/tensorflow_datasets
    python examples/train.py --dataset=digits --model=conditional
    python examples/train.py --dataset=ring8 --loss=hinge --steps=5000
    python examples/train.py --dataset=ring8 --model=unrolled --unroll_steps=5
    python examples/train.py --dataset=ring8 --model=semi_supervised --labels_per_class=5

Images (digits, or any TFDS image dataset prepared under --data_dir) train a DCGAN and
are scored every --eval_every steps with FID, KID, precision, recall, density and
coverage on a feature network, next to the real-vs-real floor and the untrained
generator's ceiling. Toy densities train MLPs and are scored with mode coverage and
divergences. Writes into --output_dir:
  samples.png   generated samples (an image grid; a scatter over the modes for toys)
  grids/        for images, the grid of the same z after every evaluation
  metrics.json  the flags, the final losses, the metrics and timings
  gan.keras     the trained model (keras.models.load_model reads it back)
  saved_model/  the generator for TF Serving, a new version directory each run
  generator.tflite (+ .json)  the generator for LiteRT
and prints a `python -m tfgan_lite.generate` command to sample from the export.
"""

import json
import os
import sys
import time

from absl import app, flags, logging

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import tfgan_lite as tfgan  # noqa: E402

FLAGS = flags.FLAGS
MODELS = ["gan", "conditional", "semi_supervised", "unrolled"]
flags.DEFINE_enum(
    "model",
    "gan",
    MODELS,
    "Which GAN: plain, conditional on the label (the mode for toys), semi-supervised, unrolled.",
)
flags.DEFINE_integer("unroll_steps", 5, "Discriminator steps the unrolled generator looks ahead.")
flags.DEFINE_integer("labels_per_class", 10, "Labeled examples per class (semi_supervised).")
flags.DEFINE_integer("num_examples", 10000, "Toy training set size for semi_supervised.")
flags.DEFINE_string(
    "dataset",
    "digits",
    f"'digits' (bundled), a TFDS image name, or a toy: {', '.join(tfgan.data.toy_names())}.",
)
flags.DEFINE_string("data_dir", None, "TFDS data directory for TFDS datasets.")
flags.DEFINE_integer("image_size", 28, "Image side (16, 28, 32 or 64) for image datasets.")
flags.DEFINE_integer("width", 32, "DCGAN channel width for image datasets.")
flags.DEFINE_bool("spectral_norm", False, "Spectral normalization in the DCGAN discriminator.")
flags.DEFINE_integer("eval_every", 500, "Steps between evaluations and grids (images).")
flags.DEFINE_integer("eval_samples", 540, "Real and generated images per evaluation.")
flags.DEFINE_enum("loss", "non_saturating", list(tfgan.losses.names()), "GAN objective.")
flags.DEFINE_enum("prior", "normal", list(tfgan.priors.names()), "Noise prior p(z).")
flags.DEFINE_integer("latent_dim", None, "Size of z (default 16 for toys, 64 for images).")
flags.DEFINE_integer("discriminator_steps", 1, "k: discriminator updates per generator update.")
flags.DEFINE_float("gradient_penalty", 0.0, "WGAN-GP weight lambda (0: off).")
flags.DEFINE_float("clip_weights", None, "WGAN weight clipping bound c (unset: off).")
flags.DEFINE_integer("batch_size", None, "Examples per discriminator step (256 toys, 64 images).")
flags.DEFINE_integer("steps", None, "Generator updates (5000 toys, 3000 images).")
flags.DEFINE_float(
    "learning_rate", None, "Adam learning rate of both nets (1e-3 toys, 2e-4 images)."
)
flags.DEFINE_float("beta_1", 0.5, "Adam beta_1 of both networks.")
flags.DEFINE_list("hidden", ["128", "128"], "Hidden layer widths of both MLPs (toys).")
flags.DEFINE_integer(
    "steps_per_execution", None, "Train steps per compiled call (default 50; 1 under --strategy)."
)
flags.DEFINE_integer("num_samples", 2500, "Samples drawn for the toy diagnostics.")
flags.DEFINE_integer("seed", 0, "Seed of weights, data and noise.")
flags.DEFINE_integer(
    "checkpoint_every",
    None,
    "Toy steps between checkpoints (default 500, or --steps when 500 does not divide it); "
    "images checkpoint at every evaluation, every --eval_every steps.",
)
flags.DEFINE_enum(
    "strategy", "default", ["default", "mirrored", "multi_worker", "tpu"], "tf.distribute strategy."
)
flags.DEFINE_string("output_dir", "outputs/train", "Where samples.png and metrics.json go.")


TOY_DEFAULTS = {"latent_dim": 16, "batch_size": 256, "steps": 5000, "learning_rate": 1e-3}
IMAGE_DEFAULTS = {"latent_dim": 64, "batch_size": 64, "steps": 3000, "learning_rate": 2e-4}


def setting(name):
    """A flag's value, or the default of the kind of data (toy or images) when unset."""
    value = FLAGS[name].value
    if value is not None:
        return value
    toy = FLAGS.dataset in tfgan.data.toy_names()
    return (TOY_DEFAULTS if toy else IMAGE_DEFAULTS)[name]


def gan_options():
    return {
        "latent_dim": setting("latent_dim"),
        "prior": FLAGS.prior,
        "loss": FLAGS.loss,
        "discriminator_steps": FLAGS.discriminator_steps,
        "gradient_penalty": FLAGS.gradient_penalty,
        "clip_weights": FLAGS.clip_weights,
        "seed": FLAGS.seed,
    }


def make_model(generator, discriminator, num_classes):
    """The --model variant around a (generator, discriminator) pair, compiled."""
    options = gan_options()
    if FLAGS.model == "conditional":
        gan = tfgan.ConditionalGAN(generator, discriminator, num_classes=num_classes, **options)
    elif FLAGS.model == "semi_supervised":
        gan = tfgan.SemiSupervisedGAN(generator, discriminator, num_classes=num_classes, **options)
    elif FLAGS.model == "unrolled":
        gan = tfgan.UnrolledGAN(
            generator, discriminator, unroll_steps=FLAGS.unroll_steps, **options
        )
    else:
        gan = tfgan.GAN(generator, discriminator, **options)
    learning_rate = setting("learning_rate")
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(learning_rate, beta_1=FLAGS.beta_1),
        discriminator_optimizer=keras.optimizers.Adam(learning_rate, beta_1=FLAGS.beta_1),
        steps_per_execution=steps_per_execution(),
    )
    return gan


def build_gan(dataset):
    """The MLP GAN of the flags for a toy density."""
    data_dim = dataset.event_shape[0]
    num_modes = dataset.mixture_distribution.probs_parameter().shape[0]
    hidden = tuple(int(h) for h in FLAGS.hidden)
    latent_dim = setting("latent_dim")
    if FLAGS.model == "conditional":
        networks = tfgan.networks.conditional_mlp_gan(latent_dim, data_dim, num_modes, hidden)
    else:
        networks = tfgan.networks.mlp_gan(latent_dim, data_dim, hidden)
    if FLAGS.model == "semi_supervised":
        networks = (networks[0], tfgan.networks.mlp(data_dim, num_modes, hidden, name="classifier"))
    return make_model(*networks, num_modes)


def steps_per_execution():
    """GAN.compile's own default: 50 on one device, 1 under a tf.distribute strategy."""
    if FLAGS.steps_per_execution is not None:
        return FLAGS.steps_per_execution
    return 50 if FLAGS.strategy == "default" else 1


def checkpoint_every():
    if FLAGS.checkpoint_every is not None:
        return FLAGS.checkpoint_every
    return 500 if setting("steps") % 500 == 0 else setting("steps")


def fit_resumable(gan, make_data, steps_per_epoch, callbacks=(), **kwargs):
    """``gan.fit`` that checkpoints at every epoch's end, resumes from the last checkpoint in
    --output_dir/checkpoints, and stops at the first non-finite loss.

    ``make_data(step)`` gives the data from the step training resumes at, so a resumed
    run sees the batches it would have seen. Returns the history and the resumed step.
    """
    checkpoint = tfgan.callbacks.Checkpoint(os.path.join(FLAGS.output_dir, "checkpoints"))
    checkpoint.set_model(gan)
    resumed = checkpoint.restore()
    total = setting("steps")
    if resumed:
        print(f"resumed from step {resumed} of {total}, from {checkpoint.directory}")
    stop = tfgan.callbacks.TerminateOnNonFinite(checkpoint)
    x, y = make_data(resumed)
    history = gan.fit(
        x,
        y,
        steps_per_epoch=steps_per_epoch if y is None else None,
        epochs=total // steps_per_epoch,
        initial_epoch=resumed // steps_per_epoch,
        callbacks=[*callbacks, checkpoint, stop],
        **kwargs,
    )
    if stop.message:
        sys.exit(stop.message)
    return history, resumed


def train(gan, dataset):
    """Fits the model of the flags on a toy density; returns its history."""
    batch = setting("batch_size") * FLAGS.discriminator_steps
    if FLAGS.model != "semi_supervised":

        def stream(start):
            labels = FLAGS.model == "conditional"
            data = tfgan.data.toy_dataset(
                dataset, batch, seed=FLAGS.seed, labels=labels, start=start
            )
            return data, None

        return fit_resumable(gan, stream, checkpoint_every(), verbose=1)
    # A fixed training set of which labels_per_class examples per mode keep their label.
    x, y = (
        np.asarray(t)
        for t in tfgan.data.sample_labeled(dataset, FLAGS.num_examples, (FLAGS.seed, 1))
    )
    rng = np.random.default_rng(FLAGS.seed)
    keep = np.concatenate(
        [
            rng.choice(
                np.flatnonzero(y == c), min(FLAGS.labels_per_class, np.sum(y == c)), replace=False
            )
            for c in np.unique(y)
        ]
    )
    y_semi = np.full_like(y, -1)
    y_semi[keep] = y[keep]
    return fit_resumable(
        gan, lambda start: (x, y_semi), FLAGS.num_examples // batch, batch_size=batch, verbose=2
    )


def model_metrics(gan, dataset):
    """What the conditional and semi-supervised models add to the diagnostics."""
    if FLAGS.model == "conditional":
        num_modes = gan.num_classes
        labels = np.arange(FLAGS.num_samples) % num_modes
        samples = gan.generate(FLAGS.num_samples, labels=labels, seed=FLAGS.seed + 1)
        locs = np.asarray(dataset.components_distribution.mean())
        nearest = np.argmin(((samples[:, None] - locs[None]) ** 2).sum(-1), 1)
        return {"on_label_mode": float(np.mean(nearest == labels))}
    if FLAGS.model == "semi_supervised":
        x, y = tfgan.data.sample_labeled(dataset, FLAGS.num_samples, (FLAGS.seed, 2))
        return {"test_accuracy": float(np.mean(gan.classify(np.asarray(x)) == np.asarray(y)))}
    return {}


def plot(samples, dataset, path):
    """Samples over the true density: a scatter in 2-D, a histogram in 1-D."""
    fig, ax = plt.subplots(figsize=(5, 5))
    locs = np.asarray(dataset.components_distribution.mean())
    if locs.shape[1] == 1:
        grid = np.linspace(samples.min() - 1, samples.max() + 1, 400, dtype=np.float32)[:, None]
        ax.hist(samples[:, 0], bins=100, density=True, alpha=0.6, label="generated")
        ax.plot(grid[:, 0], np.exp(dataset.log_prob(grid)), "k", label="data density")
        ax.legend()
    else:
        ax.scatter(samples[:, 0], samples[:, 1], s=2, alpha=0.4, label="generated")
        ax.scatter(locs[:, 0], locs[:, 1], marker="x", c="red", s=40, label="true modes")
        ax.set_aspect("equal")
        ax.legend(loc="upper right")
    ax.set_title(f"{FLAGS.model} on {FLAGS.dataset}, {FLAGS.loss}, {setting('steps')} steps")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def real_images(split, n, labels=False):
    """Up to n images (and labels) of a split of the image dataset, in a fixed shuffled order."""
    data = tfgan.data.images(
        FLAGS.dataset,
        split,
        batch_size=256,
        image_size=FLAGS.image_size,
        data_dir=FLAGS.data_dir,
        labels=True,
        seed=FLAGS.seed + 1,
        drop_remainder=False,
    )
    x, y = [], []
    for images, classes in data:
        x.append(images.numpy())
        y.append(classes.numpy())
        if sum(len(batch) for batch in x) >= n:
            break
    x, y = np.concatenate(x)[:n], np.concatenate(y)[:n]
    return (x, y) if labels else x


def num_classes():
    if FLAGS.dataset == "digits":
        return 10
    import tensorflow_datasets as tfds

    builder = tfds.builder(FLAGS.dataset, data_dir=FLAGS.data_dir)
    return builder.info.features["label"].num_classes


def build_image_gan(shape, classes):
    """The DCGAN of the flags for images of ``shape``."""
    generator, discriminator = tfgan.networks.dcgan(
        shape,
        setting("latent_dim"),
        num_classes=classes if FLAGS.model == "conditional" else None,
        width=FLAGS.width,
        spectral_norm=FLAGS.spectral_norm,
        batch_norm=not FLAGS.gradient_penalty,  # a per-example penalty and batch norm clash
    )
    if FLAGS.model == "semi_supervised":
        features = discriminator.get_layer("flatten").output
        logits = keras.layers.Dense(classes, name="class_logits")(features)
        discriminator = keras.Model(discriminator.inputs, logits, name="classifier")
    return make_model(generator, discriminator, classes)


def train_images(gan, reference, feature_net):
    """Fits a DCGAN, with a grid and an evaluation every --eval_every steps."""
    batch = setting("batch_size") * FLAGS.discriminator_steps
    callbacks = [
        tfgan.callbacks.SampleGrid(os.path.join(FLAGS.output_dir, "grids"), seed=FLAGS.seed),
        tfgan.callbacks.Evaluate(reference, feature_net, seed=FLAGS.seed),
    ]
    if FLAGS.model == "semi_supervised":
        x, y = real_images("train", 10**9, labels=True)
        keep = tfgan.data.labeled_subset(y, FLAGS.labels_per_class, seed=FLAGS.seed)
        y_semi = np.full_like(y, -1)
        y_semi[keep] = y[keep]
        history, resumed = fit_resumable(
            gan, lambda start: (x, y_semi), len(x) // batch, callbacks, batch_size=batch, verbose=1
        )
        return history, resumed, callbacks
    data = tfgan.data.images(
        FLAGS.dataset,
        "train",
        batch_size=batch,
        image_size=FLAGS.image_size,
        data_dir=FLAGS.data_dir,
        labels=FLAGS.model == "conditional",
        seed=FLAGS.seed,
    )
    history, resumed = fit_resumable(
        gan, lambda start: (data.repeat().skip(start), None), FLAGS.eval_every, callbacks, verbose=1
    )
    return history, resumed, callbacks


def image_job():
    """Images: DCGAN, grids, FID and friends against their floor and ceiling."""
    shape = tfgan.data.image_shape(FLAGS.dataset, FLAGS.image_size, data_dir=FLAGS.data_dir)
    classes = num_classes() if FLAGS.model in ("conditional", "semi_supervised") else None
    gan = build_image_gan(shape, classes)
    reference, reference_labels = real_images("test", FLAGS.eval_samples, labels=True)
    if FLAGS.dataset == "digits":
        feature_net = tfgan.eval.FeatureNet.digits()
    else:
        feature_net = tfgan.eval.FeatureNet.for_dataset(
            FLAGS.dataset, FLAGS.image_size, data_dir=FLAGS.data_dir
        )
    real_features = feature_net.features(reference)
    floor = tfgan.eval.all_metrics(
        real_features, feature_net.features(real_images("train", len(reference)))
    )
    untrained = gan.generate(len(reference), seed=FLAGS.seed)
    ceiling = tfgan.eval.all_metrics(real_features, feature_net.features(untrained))

    start = time.perf_counter()
    history, resumed, callbacks = train_images(gan, reference, feature_net)
    seconds = time.perf_counter() - start

    grid = callbacks[0]
    grid.draw(os.path.join(FLAGS.output_dir, "samples.png"))
    final = callbacks[1].results[-1]
    metrics = {
        "final_metrics": final,
        "evaluations": callbacks[1].results,
        "real_vs_real_floor": floor,
        "untrained_generator_ceiling": ceiling,
        "feature_net_accuracy_on_reference": float(
            np.mean(feature_net.predict(reference) == reference_labels)
        ),
    }
    if FLAGS.model == "conditional":
        labels = np.arange(len(reference)) % classes
        samples = gan.generate(len(labels), labels=labels, seed=FLAGS.seed + 1)
        metrics["label_accuracy"] = float(np.mean(feature_net.predict(samples) == labels))
    if FLAGS.model == "semi_supervised":
        metrics["test_accuracy"] = float(np.mean(gan.classify(reference) == reference_labels))
    names = ("fid", "kid", "precision", "recall", "coverage")
    print("\n" + "metric      " + "".join(f"{n:>11}" for n in names))
    for label, values in (("trained", final), ("real floor", floor), ("untrained", ceiling)):
        print(f"{label:<12}" + "".join(f"{values[n]:>11.4g}" for n in names))
    for name in ("label_accuracy", "test_accuracy"):
        if name in metrics:
            print(f"{name}: {metrics[name]:.3f}")
    return gan, history, resumed, seconds, metrics


def toy_job():
    """Toy densities: MLPs, mode coverage and divergences."""
    dataset = tfgan.data.toy(FLAGS.dataset)
    gan = build_gan(dataset)
    start = time.perf_counter()
    history, resumed = train(gan, dataset)
    seconds = time.perf_counter() - start
    samples = gan.generate(FLAGS.num_samples, seed=FLAGS.seed)
    coverage = tfgan.eval.mode_coverage(samples, dataset)
    metrics = {
        "mode_coverage": coverage,
        "js_divergence": tfgan.eval.js_divergence(dataset, samples, seed=FLAGS.seed),
        "kl_data_to_model": tfgan.eval.kl_divergence(dataset, samples, seed=FLAGS.seed),
        **model_metrics(gan, dataset),
    }
    plot(samples, dataset, os.path.join(FLAGS.output_dir, "samples.png"))
    print(
        f"\n{FLAGS.dataset} with {FLAGS.loss}: {coverage['modes']}/{coverage['num_modes']} modes, "
        f"{100 * coverage['high_quality']:.1f}% high quality, reverse KL "
        f"{coverage['reverse_kl']:.3f}, JSD {metrics['js_divergence']:.3f} nats"
    )
    for name in ("on_label_mode", "test_accuracy"):
        if name in metrics:
            print(f"{name}: {metrics[name]:.3f}")
    return gan, history, resumed, seconds, metrics


def check_flags():
    """Mistakes in the flags, said before anything is built."""
    toy = FLAGS.dataset in tfgan.data.toy_names()
    every = checkpoint_every() if toy else FLAGS.eval_every
    name = "--checkpoint_every" if toy else "--eval_every"
    if FLAGS.model != "semi_supervised" and setting("steps") % every:
        raise app.UsageError(
            f"--steps={setting('steps')} must be a multiple of {name}={every}: training runs "
            "in epochs of that many steps, checkpointed at each end."
        )
    if every % steps_per_execution():
        raise app.UsageError(f"{name}={every} must be a multiple of --steps_per_execution.")


def main(argv):
    del argv
    logging.set_verbosity(logging.WARNING)  # TensorFlow's export chatter
    keras.utils.set_random_seed(FLAGS.seed)
    check_flags()
    toy = FLAGS.dataset in tfgan.data.toy_names()
    os.makedirs(FLAGS.output_dir, exist_ok=True)
    with tfgan.distribute.strategy(FLAGS.strategy).scope():
        gan, history, resumed, seconds, metrics = toy_job() if toy else image_job()
    steps = int(gan.noise_step.numpy())
    metrics = {
        "flags": {f.name: f.value for f in FLAGS.get_key_flags_for_module(sys.argv[0])},
        "steps_completed": steps,
        "resumed_from_step": resumed,
        "train_seconds": round(seconds, 2),
        "final": {name: float(values[-1]) for name, values in history.history.items()},
        **metrics,
    }
    with open(os.path.join(FLAGS.output_dir, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
    gan.save(os.path.join(FLAGS.output_dir, "gan.keras"))
    saved_model = tfgan.export.saved_model(gan, os.path.join(FLAGS.output_dir, "saved_model"))
    lite = tfgan.export.tflite(gan, os.path.join(FLAGS.output_dir, "generator.tflite"))
    print(f"{seconds:.1f} s for {steps} steps")
    print(f"Outputs in {os.path.abspath(FLAGS.output_dir)}: samples.png, metrics.json, gan.keras")
    print(f"Exported: SavedModel {saved_model}, TFLite {lite}")
    labels = " --labels 0,1,2,3" if FLAGS.model == "conditional" else ""
    print(
        f"Try: python -m tfgan_lite.generate --model {saved_model} --num 64 --seed 1"
        f"{labels} --out {os.path.join(FLAGS.output_dir, 'generated.png')}"
    )


if __name__ == "__main__":
    app.run(main)
