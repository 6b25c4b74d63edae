"""Train a GAN on a toy density and report how well it covers it.

    python examples/train.py --dataset=ring8 --loss=non_saturating --steps=5000
    python examples/train.py --model=unrolled --unroll_steps=5
    python examples/train.py --model=conditional        # labels: the mode of each example
    python examples/train.py --model=semi_supervised --labels_per_class=5

Writes into --output_dir:
  samples.png   generated samples over the true modes (a histogram for 1-D toys)
  metrics.json  the flags, the final losses, mode coverage, divergences and timings
  gan.keras     the trained model (keras.models.load_model reads it back)
  saved_model/  the generator for TF Serving, a new version directory each run
  generator.tflite (+ .json)  the generator for LiteRT
and prints a `python -m tfgan_lite.generate` command to sample from the export.
"""

import json
import os
import sys
import time

from absl import app, flags

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
    "Which GAN: plain, conditional on the mode, semi-supervised mode classifier, or unrolled.",
)
flags.DEFINE_integer("unroll_steps", 5, "Discriminator steps the unrolled generator looks ahead.")
flags.DEFINE_integer("labels_per_class", 10, "Labeled examples per mode (semi_supervised).")
flags.DEFINE_integer("num_examples", 10000, "Training set size for semi_supervised.")
flags.DEFINE_enum("dataset", "ring8", list(tfgan.data.toy_names()), "Toy density to learn.")
flags.DEFINE_enum("loss", "non_saturating", list(tfgan.losses.names()), "GAN objective.")
flags.DEFINE_enum("prior", "normal", list(tfgan.priors.names()), "Noise prior p(z).")
flags.DEFINE_integer("latent_dim", 16, "Size of z.")
flags.DEFINE_integer("discriminator_steps", 1, "k: discriminator updates per generator update.")
flags.DEFINE_float("gradient_penalty", 0.0, "WGAN-GP weight lambda (0: off).")
flags.DEFINE_float("clip_weights", None, "WGAN weight clipping bound c (unset: off).")
flags.DEFINE_integer("batch_size", 256, "Examples per discriminator step.")
flags.DEFINE_integer("steps", 5000, "Generator updates.")
flags.DEFINE_float("learning_rate", 1e-3, "Adam learning rate of both networks.")
flags.DEFINE_float("beta_1", 0.5, "Adam beta_1 of both networks.")
flags.DEFINE_list("hidden", ["128", "128"], "Hidden layer widths of both MLPs.")
flags.DEFINE_integer("steps_per_execution", 50, "Train steps per compiled call.")
flags.DEFINE_integer("num_samples", 2500, "Samples drawn for the diagnostics.")
flags.DEFINE_integer("seed", 0, "Seed of weights, data and noise.")
flags.DEFINE_string("output_dir", "outputs/train", "Where samples.png and metrics.json go.")


def build_gan(dataset):
    """The MLP GAN of the flags for a toy density."""
    data_dim = dataset.event_shape[0]
    num_modes = dataset.mixture_distribution.probs_parameter().shape[0]
    hidden = tuple(int(h) for h in FLAGS.hidden)
    options = {
        "latent_dim": FLAGS.latent_dim,
        "prior": FLAGS.prior,
        "loss": FLAGS.loss,
        "discriminator_steps": FLAGS.discriminator_steps,
        "gradient_penalty": FLAGS.gradient_penalty,
        "clip_weights": FLAGS.clip_weights,
        "seed": FLAGS.seed,
    }
    if FLAGS.model == "conditional":
        networks = tfgan.networks.conditional_mlp_gan(FLAGS.latent_dim, data_dim, num_modes, hidden)
        gan = tfgan.ConditionalGAN(*networks, num_classes=num_modes, **options)
    elif FLAGS.model == "semi_supervised":
        generator, _ = tfgan.networks.mlp_gan(FLAGS.latent_dim, data_dim, hidden)
        classifier = tfgan.networks.mlp(data_dim, num_modes, hidden, name="classifier")
        gan = tfgan.SemiSupervisedGAN(generator, classifier, num_classes=num_modes, **options)
    else:
        networks = tfgan.networks.mlp_gan(FLAGS.latent_dim, data_dim, hidden)
        if FLAGS.model == "unrolled":
            gan = tfgan.UnrolledGAN(*networks, unroll_steps=FLAGS.unroll_steps, **options)
        else:
            gan = tfgan.GAN(*networks, **options)
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(FLAGS.learning_rate, beta_1=FLAGS.beta_1),
        discriminator_optimizer=keras.optimizers.Adam(FLAGS.learning_rate, beta_1=FLAGS.beta_1),
        steps_per_execution=FLAGS.steps_per_execution,
    )
    return gan


def train(gan, dataset):
    """Fits the model of the flags; returns its history."""
    batch = FLAGS.batch_size * FLAGS.discriminator_steps
    if FLAGS.model != "semi_supervised":
        data = tfgan.data.toy_dataset(
            dataset, batch_size=batch, seed=FLAGS.seed, labels=FLAGS.model == "conditional"
        )
        return gan.fit(data, steps_per_epoch=FLAGS.steps, epochs=1, verbose=1)
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
    epochs = max(1, round(FLAGS.steps * batch / FLAGS.num_examples))
    return gan.fit(x, y_semi, batch_size=batch, epochs=epochs, verbose=2)


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
    ax.set_title(f"{FLAGS.model} on {FLAGS.dataset}, {FLAGS.loss}, {FLAGS.steps} steps")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv):
    del argv
    keras.utils.set_random_seed(FLAGS.seed)
    os.makedirs(FLAGS.output_dir, exist_ok=True)
    dataset = tfgan.data.toy(FLAGS.dataset)
    gan = build_gan(dataset)
    start = time.perf_counter()
    history = train(gan, dataset)
    seconds = time.perf_counter() - start

    samples = gan.generate(FLAGS.num_samples, seed=FLAGS.seed)
    coverage = tfgan.eval.mode_coverage(samples, dataset)
    metrics = {
        "flags": {f.name: f.value for f in FLAGS.get_key_flags_for_module(sys.argv[0])},
        "steps_completed": int(gan.generator_optimizer.iterations),
        "train_seconds": round(seconds, 2),
        "final": {name: float(values[-1]) for name, values in history.history.items()},
        "mode_coverage": coverage,
        "js_divergence": tfgan.eval.js_divergence(dataset, samples, seed=FLAGS.seed),
        "kl_data_to_model": tfgan.eval.kl_divergence(dataset, samples, seed=FLAGS.seed),
        **model_metrics(gan, dataset),
    }
    plot(samples, dataset, os.path.join(FLAGS.output_dir, "samples.png"))
    with open(os.path.join(FLAGS.output_dir, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
    gan.save(os.path.join(FLAGS.output_dir, "gan.keras"))
    saved_model = tfgan.export.saved_model(gan, os.path.join(FLAGS.output_dir, "saved_model"))
    lite = tfgan.export.tflite(gan, os.path.join(FLAGS.output_dir, "generator.tflite"))

    print(
        f"\n{FLAGS.dataset} with {FLAGS.loss}: {coverage['modes']}/{coverage['num_modes']} modes, "
        f"{100 * coverage['high_quality']:.1f}% high quality, reverse KL "
        f"{coverage['reverse_kl']:.3f}, JSD {metrics['js_divergence']:.3f} nats, "
        f"{seconds:.1f} s for {metrics['steps_completed']} steps"
    )
    for name in ("on_label_mode", "test_accuracy"):
        if name in metrics:
            print(f"{name}: {metrics[name]:.3f}")
    print(f"Outputs in {os.path.abspath(FLAGS.output_dir)}: samples.png, metrics.json, gan.keras")
    print(f"Exported: SavedModel {saved_model}, TFLite {lite}")
    labels = " --labels 0,1,2,3" if FLAGS.model == "conditional" else ""
    print(
        f"Try: python -m tfgan_lite.generate --model {saved_model} --num 1000 --seed 1"
        f"{labels} --out {os.path.join(FLAGS.output_dir, 'generated.png')}"
    )


if __name__ == "__main__":
    app.run(main)
