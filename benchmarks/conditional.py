"""Conditional GAN: samples on their label's mode (ring8), and labeled digits.

    python benchmarks/conditional.py  # the docs/benchmarks.md table and grid (about 5 min, 2 cores)

ring8: ``conditional_mlp_gan`` (G and D 128 -> 128 ReLU, label embeddings of 16) with
the label concatenated or a projection discriminator, 5,000 steps of batch 256, Adam(1e-3,
beta_1 = 0.5); the score is the fraction of 2,500 samples, 1/8 of each label, whose nearest
mode is their label's. digits: the same networks with 256 -> 256 units on the 64 pixels,
batch 64; the score is the accuracy of a logistic regression trained on the real training
digits at recognising the label each sample was asked for (on real test digits it scores
the "real" row). Writes benchmarks/results/conditional.{json,md} and
docs/images/conditional_digits.png (a row per label).
"""

import os
import sys
import time

from absl import app, flags

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from common import machine, mean_std, write  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

import tfgan_lite as tfgan  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_integer("seeds", 3, "Seeds per setting.")
flags.DEFINE_integer("ring8_steps", 5000, "Generator updates on ring8.")
flags.DEFINE_integer("digits_steps", 6000, "Generator updates on digits.")
flags.DEFINE_string("output_dir", "benchmarks/results", "Where the JSON and Markdown go.")
flags.DEFINE_string("grid", "docs/images/conditional_digits.png", "The labeled digit grid.")


def train(data, data_dim, num_classes, hidden, projection, steps, seed, latent_dim=16):
    keras.utils.set_random_seed(seed)
    networks = tfgan.networks.conditional_mlp_gan(
        latent_dim, data_dim, num_classes, hidden, projection=projection
    )
    gan = tfgan.ConditionalGAN(*networks, num_classes=num_classes, latent_dim=latent_dim, seed=seed)
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        steps_per_execution=50,
    )
    start = time.perf_counter()
    gan.fit(data, steps_per_epoch=steps, verbose=0)
    return gan, time.perf_counter() - start


def ring8(projection, seed):
    ring = tfgan.data.toy("ring8")
    data = tfgan.data.toy_dataset(ring, 256, seed=seed, labels=True)
    gan, seconds = train(data, 2, 8, (128, 128), projection, FLAGS.ring8_steps, seed)
    labels = np.arange(2500) % 8
    samples = gan.generate(2500, labels=labels, seed=seed)
    locs = np.asarray(ring.components_distribution.mean())
    nearest = np.argmin(((samples[:, None] - locs[None]) ** 2).sum(-1), 1)
    return float(np.mean(nearest == labels)), seconds


def digits(projection, seed, reader):
    x, y = tfgan.data.digits("train")
    data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed).repeat().batch(64)
    gan, seconds = train(data, 64, 10, (256, 256), projection, FLAGS.digits_steps, seed, 32)
    labels = np.arange(1000) % 10
    samples = np.clip(gan.generate(1000, labels=labels, seed=seed), -1, 1)
    return float(reader.score(samples, labels)), seconds, gan


def save_grid(gan, path):
    samples = np.clip(gan.generate(100, labels=np.repeat(np.arange(10), 10), seed=0), -1, 1)
    fig, axes = plt.subplots(10, 10, figsize=(5, 5))
    for ax, image in zip(axes.ravel(), samples, strict=True):
        ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=-1, vmax=1)
        ax.axis("off")
    fig.suptitle("ConditionalGAN on digits: row k asks for label k")
    fig.tight_layout()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fig.savefig(path, dpi=80)
    plt.close(fig)


def main(argv):
    del argv
    x, y = tfgan.data.digits("train")
    x_test, y_test = tfgan.data.digits("test")
    reader = LogisticRegression(max_iter=2000).fit(x, y)
    real = float(reader.score(x_test, y_test))
    results = []
    for projection in (False, True):
        for seed in range(FLAGS.seeds):
            on_mode, ring_seconds = ring8(projection, seed)
            accuracy, digit_seconds, gan = digits(projection, seed, reader)
            if projection and seed == 0:
                save_grid(gan, FLAGS.grid)
            results.append(
                {
                    "projection": projection,
                    "seed": seed,
                    "ring8_on_label_mode": on_mode,
                    "digits_label_accuracy": accuracy,
                    "ring8_seconds": ring_seconds,
                    "digits_seconds": digit_seconds,
                }
            )
            print(results[-1], flush=True)
    lines = [
        "| discriminator | ring8: samples on their label's mode % | digits: label recognised % "
        "| seconds (ring8 / digits) |",
        "|---|---|---|---|",
    ]
    for projection in (False, True):
        rows = [r for r in results if r["projection"] == projection]
        lines.append(
            f"| {'projection' if projection else 'label concatenated'} | "
            f"{mean_std([100 * r['ring8_on_label_mode'] for r in rows], '{:.1f}')} | "
            f"{mean_std([100 * r['digits_label_accuracy'] for r in rows], '{:.1f}')} | "
            f"{np.mean([r['ring8_seconds'] for r in rows]):.0f} / "
            f"{np.mean([r['digits_seconds'] for r in rows]):.0f} |"
        )
    lines.append(f"| real test digits (the reader's own accuracy) | | {100 * real:.1f} | |")
    header = (
        f"{FLAGS.seeds} seeds; ring8 {FLAGS.ring8_steps} steps of batch 256, digits "
        f"{FLAGS.digits_steps} steps of batch 64; {machine()}."
    )
    write(FLAGS.output_dir, "conditional", header, results, "\n".join(lines))


if __name__ == "__main__":
    app.run(main)
