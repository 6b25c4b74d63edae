"""InfoGAN on digits: does its 10-way code find the digits without labels?

    python benchmarks/infogan.py  # the docs/benchmarks.md table and grid (about an hour on 2 cores)

Digits at 28x28, ``tfgan_lite.networks.infogan_dcgan(width=64, hidden=1024)``, Chen et
al.'s MNIST networks (their Table 1: the DCGAN convolutions with batch norm and a shared
Dense(1024) with batch norm in both networks; Q head Dense(128), batch norm, LeakyReLU).
Without the Dense(1024) layer, at width 32, Q matched 51-69% of the test digits after
4,000 steps (3 seeds). z of 62, one 10-way categorical code and 2 continuous codes as in
the paper, batch 64, Adam(2e-4, beta_1 = 0.5) for D and Q and Adam(1e-3, beta_1 = 0.5) for
G (the paper's rates), info_weight 1, continuous_weight 0.1 (at 1 seed 0 matched 85.9%,
against 84.8%), ``--steps`` generator updates, 3 seeds. The labels are never seen in
training. Scores, each under the best one-to-one matching of code values to digits
(Hungarian algorithm):

* Q accuracy: Q's categorical code for each of the 540 test digits, against their labels
  (the paper's 5% error on MNIST is this, 95%);
* samples: 100 samples per code value, read by the shipped digits CNN;
* FID of 540 samples against the test digits on that CNN, and the bound L_I at the end.

Writes benchmarks/results/infogan.{json,md} and docs/images/infogan_digits.png (seed 0: a
row per code value, the first continuous code from -1 to 1 along the columns, z and the
other code fixed per row).
"""

import os
import sys
import time

from absl import app, flags

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from common import load, machine, mean_std, write  # noqa: E402

import tfgan_lite as tfgan  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_integer("seeds", 3, "Seeds.")
flags.DEFINE_integer("steps", 2000, "Generator updates per run.")
flags.DEFINE_integer("width", 64, "infogan_dcgan's width.")
flags.DEFINE_integer("hidden", 1024, "infogan_dcgan's fully connected layer (0: none).")
flags.DEFINE_integer("latent", 62, "The size of z, the incompressible noise.")
flags.DEFINE_float("info_weight", 1.0, "lambda, the weight of the mutual-information penalty.")
flags.DEFINE_float("continuous_weight", 0.1, "The continuous codes' part of the penalty.")
flags.DEFINE_integer("first_seed", 0, "Run seeds first_seed to seeds - 1 (to split a run).")
flags.DEFINE_bool("batch_norm", True, "Batch norm in the discriminator's convolutions.")
flags.DEFINE_bool("resume", False, "Keep the rows of an earlier run and add the missing ones.")
flags.DEFINE_string("output_dir", "benchmarks/results", "Where the JSON and Markdown go.")
flags.DEFINE_string("grid", "docs/images/infogan_digits.png", "The code-by-code grid.")

SHAPE = (28, 28, 1)
CATEGORIES, CONTINUOUS = 10, 2


def build(seed):
    keras.utils.set_random_seed(seed)
    networks = tfgan.networks.infogan_dcgan(
        SHAPE,
        FLAGS.latent,
        [CATEGORIES],
        CONTINUOUS,
        width=FLAGS.width,
        batch_norm=FLAGS.batch_norm,
        hidden=FLAGS.hidden or None,
    )
    gan = tfgan.InfoGAN(
        *networks,
        latent_dim=FLAGS.latent,
        info_weight=FLAGS.info_weight,
        continuous_weight=FLAGS.continuous_weight,
        categorical_codes=[CATEGORIES],
        continuous_codes=CONTINUOUS,
        seed=seed,
    )
    gan.compile(
        keras.optimizers.Adam(1e-3, beta_1=0.5),
        keras.optimizers.Adam(2e-4, beta_1=0.5),
        steps_per_execution=50,
    )
    return gan


def save_grid(gan, path, columns=10):
    """Row c: code value c; columns: the first continuous code from -1 to 1."""
    sweep = np.tile(np.linspace(-1, 1, columns), CATEGORIES).astype(np.float32)
    codes = [np.repeat(np.arange(CATEGORIES), columns), sweep, 0.0]
    z_rows = gan.sample_latent(CATEGORIES, 0).numpy()
    # Same z along a row: generate with a seed, then overwrite z by hand.
    condition = gan._codes_for(len(sweep), codes, 0)
    z = np.repeat(z_rows, columns, axis=0)
    images = np.asarray(gan._generate(z, condition, training=False, averaged=True))
    labels = [f"code {c}" for c in range(CATEGORIES)]
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tfgan.plotting.save_image_grid(images, path, cols=columns, row_labels=labels)


def run(seed, net, reference, test_x, test_y):
    gan = build(seed)
    data = tfgan.data.images("digits", "train", 64, SHAPE[0], seed=seed).repeat()
    start = time.perf_counter()
    history = gan.fit(data, steps_per_epoch=FLAGS.steps, verbose=0).history
    seconds = time.perf_counter() - start
    q_accuracy = tfgan.eval.matched_accuracy(
        gan.predict_codes(test_x)["categorical"][:, 0], test_y, CATEGORIES
    )
    codes = np.arange(1000) % CATEGORIES
    samples = gan.generate(1000, seed=seed, codes=[codes, None, None])
    sample_accuracy = tfgan.eval.matched_accuracy(codes, net.predict(samples), CATEGORIES)
    fid = tfgan.eval.frechet_distance(reference, net.features(samples[:540]))
    if seed == 0:
        save_grid(gan, FLAGS.grid)
    return {
        "seed": seed,
        "q_accuracy": q_accuracy,
        "sample_accuracy": sample_accuracy,
        "fid": float(fid),
        "mutual_information": float(history["mutual_information"][-1]),
        "seconds": seconds,
    }


def table(results, entropy):
    lines = [
        "| seed | Q accuracy on test digits % | samples read as their code % | FID | "
        "L_I (nats) | seconds |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['seed']} | {100 * r['q_accuracy']:.1f} | {100 * r['sample_accuracy']:.1f} | "
            f"{r['fid']:.2f} | {r['mutual_information']:.2f} | {r['seconds']:.0f} |"
        )
    reached = sum(r["q_accuracy"] >= 0.8 for r in results)
    lines.append(
        f"| mean ± std | {mean_std([100 * r['q_accuracy'] for r in results], '{:.1f}')} | "
        f"{mean_std([100 * r['sample_accuracy'] for r in results], '{:.1f}')} | "
        f"{mean_std([r['fid'] for r in results], '{:.2f}')} | "
        f"{mean_std([r['mutual_information'] for r in results], '{:.2f}')} | |"
    )
    lines.append(
        f"\nSeeds with Q accuracy >= 80%: {reached} of {len(results)}. H(c) = {entropy:.2f} "
        "nats bounds L_I (the categorical code's log 10 = 2.30, plus each continuous code's "
        "Gaussian bound, which can be negative)."
    )
    return "\n".join(lines)


def main(argv):
    del argv
    net = tfgan.eval.FeatureNet.digits()
    test_x, test_y = next(iter(tfgan.data.images("digits", "test", 540, SHAPE[0], labels=True)))
    test_x, test_y = test_x.numpy(), test_y.numpy()
    reference = net.features(test_x)
    results = load(FLAGS.output_dir, "infogan") if FLAGS.resume else []
    done = {r["seed"] for r in results}
    entropy = tfgan.models.infogan.code_entropy([CATEGORIES], CONTINUOUS)
    header = (
        f"Digits 28x28, InfoGAN (z {FLAGS.latent}, one 10-way code, 2 continuous codes, "
        f"info_weight {FLAGS.info_weight:g}, continuous_weight "
        f"{FLAGS.continuous_weight:g}), infogan_dcgan width {FLAGS.width}, hidden "
        f"{FLAGS.hidden or 'none'}{'' if FLAGS.batch_norm else ' (no batch norm in D)'}, "
        f"{FLAGS.steps} steps of batch 64, no labels in training; matched accuracies; "
        f"{machine()}."
    )
    for seed in range(FLAGS.first_seed, FLAGS.seeds):
        if seed in done:
            continue
        results.append(run(seed, net, reference, test_x, test_y))
        print(results[-1], flush=True)
        write(FLAGS.output_dir, "infogan", header, results, table(results, entropy))
    results.sort(key=lambda r: r["seed"])
    write(FLAGS.output_dir, "infogan", header, results, table(results, entropy))


if __name__ == "__main__":
    app.run(main)
