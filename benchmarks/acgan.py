"""ACGAN against ConditionalGAN on digits, with the same networks' bodies and budget.

    python benchmarks/acgan.py  # the docs/benchmarks.md table and grid (about 20 min on 2 cores)

Digits at 28x28, DCGAN width 32, latent 64, batch 64, Adam(2e-4, beta_1 = 0.5), the
non-saturating objective, ``--steps`` generator updates, 3 seeds. ConditionalGAN's
discriminator takes a learned label map beside the image; ACGAN's takes the image alone
and returns class logits beside the logit (``tfgan_lite.networks.dcgan(..., acgan=True)``).
Scores: how often the shipped digits CNN (``tfgan_lite.eval.FeatureNet.digits()``) reads
the label each of 1,000 samples was asked for (100 per class), and FID, precision and
recall of 540 samples against the 540 test digits on that CNN's features. The "real" row
scores the 540 training digits the same way. Writes benchmarks/results/acgan.{json,md} and
docs/images/acgan_digits.png (row k asks for label k).
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
flags.DEFINE_integer("seeds", 3, "Seeds per model.")
flags.DEFINE_integer("steps", 3000, "Generator updates per run.")
flags.DEFINE_list("only", [], "Run only these models (acgan, conditional).")
flags.DEFINE_bool("resume", False, "Keep the rows of an earlier run and add the missing ones.")
flags.DEFINE_string("output_dir", "benchmarks/results", "Where the JSON and Markdown go.")
flags.DEFINE_string("grid", "docs/images/acgan_digits.png", "The labeled ACGAN grid.")

SHAPE = (28, 28, 1)
LATENT = 64
MODELS = {"conditional": "ConditionalGAN (label map into D)", "acgan": "ACGAN (class head on D)"}


def build(model, seed):
    keras.utils.set_random_seed(seed)
    acgan = model == "acgan"
    networks = tfgan.networks.dcgan(SHAPE, LATENT, num_classes=10, width=32, acgan=acgan)
    model_class = tfgan.ACGAN if acgan else tfgan.ConditionalGAN
    gan = model_class(*networks, num_classes=10, latent_dim=LATENT, seed=seed)
    adam = lambda: keras.optimizers.Adam(2e-4, beta_1=0.5)  # noqa: E731
    gan.compile(adam(), adam(), steps_per_execution=50)
    return gan


def score(images, labels, net, reference):
    """Label accuracy on ``images`` (asked for ``labels``) and FID/precision/recall of
    their first 540 against the reference features."""
    accuracy = float(np.mean(net.predict(images) == labels))
    metrics = tfgan.eval.all_metrics(reference, net.features(images[:540]), seed=0)
    return {"label_accuracy": accuracy, **{k: metrics[k] for k in ("fid", "precision", "recall")}}


def run(model, seed, net, reference):
    gan = build(model, seed)
    data = tfgan.data.images("digits", "train", 64, SHAPE[0], labels=True, seed=seed).repeat()
    start = time.perf_counter()
    gan.fit(data, steps_per_epoch=FLAGS.steps, verbose=0)
    seconds = time.perf_counter() - start
    labels = np.arange(1000) % 10
    images = gan.generate(1000, seed=seed, labels=labels)
    scores = score(images, labels, net, reference)
    row = {"model": model, "seed": seed, "seconds": seconds, **scores}
    if model == "acgan" and seed == 0:
        grid = gan.generate(100, seed=0, labels=np.repeat(np.arange(10), 10))
        tfgan.plotting.save_image_grid(grid, FLAGS.grid, cols=10)
    return row


def table(results, real):
    lines = [
        "| model | label recognised % | FID | precision | recall | seconds |",
        "|---|---|---|---|---|---|",
    ]
    for model, label in MODELS.items():
        rows = [r for r in results if r["model"] == model]
        if not rows:
            continue
        cells = [
            mean_std([100 * r["label_accuracy"] for r in rows], "{:.1f}"),
            mean_std([r["fid"] for r in rows], "{:.2f}"),
            mean_std([r["precision"] for r in rows], "{:.3f}"),
            mean_std([r["recall"] for r in rows], "{:.3f}"),
            f"{np.mean([r['seconds'] for r in rows]):.0f}",
        ]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append(
        f"| real training digits | {100 * real['label_accuracy']:.1f} | {real['fid']:.2f} | "
        f"{real['precision']:.3f} | {real['recall']:.3f} | |"
    )
    return "\n".join(lines)


def main(argv):
    del argv
    net = tfgan.eval.FeatureNet.digits()
    test = next(iter(tfgan.data.images("digits", "test", 540, SHAPE[0]))).numpy()
    train_x, train_y = next(iter(tfgan.data.images("digits", "train", 540, SHAPE[0], labels=True)))
    reference = net.features(test)
    real = score(train_x.numpy(), train_y.numpy(), net, reference)
    results = load(FLAGS.output_dir, "acgan") if FLAGS.resume else []
    done = {(r["model"], r["seed"]) for r in results}
    for model in FLAGS.only or list(MODELS):
        for seed in range(FLAGS.seeds):
            if (model, seed) in done:
                continue
            results.append(run(model, seed, net, reference))
            print(results[-1], flush=True)
            header = (
                f"Digits 28x28, DCGAN width 32, {FLAGS.steps} steps of batch 64, "
                f"{FLAGS.seeds} seeds (mean ± std); label accuracy of 1,000 samples and FID "
                f"of 540 against the test digits on the shipped digits CNN; {machine()}."
            )
            write(FLAGS.output_dir, "acgan", header, results, table(results, real))


if __name__ == "__main__":
    app.run(main)
