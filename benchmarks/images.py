"""DCGAN on the bundled digits: image metrics against steps and time, for several objectives.

    python benchmarks/images.py        # the docs/benchmarks.md table (about 15 min on 2 CPU cores)

Digits at 28x28 (scikit-learn's 8x8 set upsampled), DCGAN width 32, latent 64, batch 64,
Adam(2e-4, beta_1 = 0.5). Every --eval_every steps, ``tfgan_lite.callbacks.Evaluate`` scores
540 generated images against the 540 test digits on the shipped digits feature network:
FID, KID, precision, recall and coverage, each with its 95% bootstrap interval
(``bootstrap=`` resamples, ``tfgan_lite.eval.bootstrap``: bias-corrected "basic" for FID and
KID, "centred" for the k-NN metrics). The first rows are the floor (540 training digits
against the test digits) and the ceiling (the untrained generator of the first model). The
JSON records each score's provenance (feature network, weights hash, sample counts,
reference split, seed).
WGAN-GP uses 5 critic steps, lambda 10, no batch norm in the critic and Adam(1e-4, betas
0.5/0.9) as in its paper. Writes
benchmarks/results/images.{json,md}.
"""

import os
import sys
import time

from absl import app, flags

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
from common import machine, write  # noqa: E402

import tfgan_lite as tfgan  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_integer("steps", 3000, "Generator updates per run.")
flags.DEFINE_integer("eval_every", 1000, "Steps between evaluations.")
flags.DEFINE_list("only", [], "Run only these configurations.")
flags.DEFINE_integer("bootstrap", 200, "Bootstrap resamples of each score's 95% interval.")
flags.DEFINE_string("output_dir", "benchmarks/results", "Where the JSON and Markdown go.")

SHAPE = (28, 28, 1)
METRICS = ("fid", "kid", "precision", "recall", "coverage")


def adam(lr=2e-4, beta_2=0.999):
    return keras.optimizers.Adam(lr, beta_1=0.5, beta_2=beta_2)


# name -> (GAN keyword arguments, conditional, critic batch norm, optimizer factory)
CONFIGS = {
    "non_saturating": ({"loss": "non_saturating"}, False, True, adam),
    "hinge": ({"loss": "hinge"}, False, True, adam),
    "least_squares": ({"loss": "least_squares"}, False, True, adam),
    "wgan_gp": (
        {"loss": "wasserstein", "gradient_penalty": 10.0, "discriminator_steps": 5},
        False,
        False,
        lambda: adam(1e-4, 0.9),
    ),
    "conditional (non_saturating)": ({"loss": "non_saturating"}, True, True, adam),
}


def reference_sets():
    test = next(iter(tfgan.data.images("digits", "test", 540, SHAPE[0]))).numpy()
    train = next(iter(tfgan.data.images("digits", "train", 540, SHAPE[0]))).numpy()
    return test, train


def build(name):
    kwargs, conditional, batch_norm, optimizer = CONFIGS[name]
    keras.utils.set_random_seed(0)
    networks = tfgan.networks.dcgan(
        SHAPE, 64, num_classes=10 if conditional else None, width=32, batch_norm=batch_norm
    )
    if conditional:
        gan = tfgan.ConditionalGAN(*networks, num_classes=10, latent_dim=64, seed=0, **kwargs)
    else:
        gan = tfgan.GAN(*networks, latent_dim=64, seed=0, **kwargs)
    gan.compile(optimizer(), optimizer(), steps_per_execution=50)
    return gan


def run(name, reference, net):
    gan = build(name)
    conditional = CONFIGS[name][1]
    batch = 64 * gan.discriminator_steps
    data = tfgan.data.images("digits", "train", batch, SHAPE[0], labels=conditional).repeat()
    evaluate = tfgan.callbacks.Evaluate(
        reference, net, verbose=0, reference_split="test", bootstrap=FLAGS.bootstrap
    )
    timer = Timer()
    gan.fit(
        data,
        steps_per_epoch=FLAGS.eval_every,
        epochs=FLAGS.steps // FLAGS.eval_every,
        callbacks=[timer, evaluate],
        verbose=0,
    )
    return [
        {"config": name, "steps": r["epoch"] * FLAGS.eval_every, "seconds": s, **r}
        for r, s in zip(evaluate.results, timer.seconds, strict=True)
    ]


class Timer(keras.callbacks.Callback):
    """Training seconds at the end of each epoch, evaluation time excluded."""

    def on_train_begin(self, logs=None):
        self.seconds, self.total = [], 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.total += time.perf_counter() - self.start
        self.seconds.append(self.total)


def cell(value, interval=None):
    """A score and, when there is one, its 95% interval: 11 [10.2, 11.9]."""
    if interval is None:
        return f"{value:.3g}"
    return f"{value:.3g} [{interval['low']:.3g}, {interval['high']:.3g}]"


def row(label, steps, seconds, values, intervals=None):
    intervals = intervals or {}
    cells = " | ".join(cell(values[m], intervals.get(m)) for m in METRICS)
    return f"| {label} | {steps} | {seconds} | {cells} |"


def main(argv):
    del argv
    names = FLAGS.only or list(CONFIGS)
    reference, train = reference_sets()
    net = tfgan.eval.FeatureNet.digits()
    real = net.features(reference)
    floor_intervals = tfgan.eval.all_metrics(
        real, net.features(train), bootstrap=FLAGS.bootstrap, seed=0
    )
    floor = {name: interval["value"] for name, interval in floor_intervals.items()}
    untrained = build(names[0]).generate(len(reference), seed=0)
    ceiling = tfgan.eval.all_metrics(real, net.features(untrained))
    lines = [
        "| model | steps | train seconds | FID | KID | precision | recall | coverage |",
        "|---|---|---|---|---|---|---|---|",
        row("real training digits (floor)", "", "", floor, floor_intervals),
        row(f"untrained generator, {names[0]} (ceiling)", 0, 0, ceiling),
    ]
    results = [
        {"config": "real floor", **floor, "intervals": floor_intervals},
        {"config": "untrained", **ceiling},
    ]
    for name in names:
        for result in run(name, reference, net):
            results.append(result)
            seconds = f"{result['seconds']:.0f}"
            lines.append(row(name, result["steps"], seconds, result, result.get("intervals")))
            print(lines[-1], flush=True)
    header = (
        f"DCGAN-28 (width 32) on digits, batch 64, evaluated on 540 images; {machine()}. "
        "FID and KID: lower is better; precision, recall, coverage: higher is better. "
        f"[low, high]: the 95% bootstrap interval ({FLAGS.bootstrap} resamples; FID and KID "
        "bias-corrected, so an interval can lie below the estimate). Feature network "
        f"{net.name} (weights sha256 {net.weights_hash}), 540 real test digits against 540 "
        "generated images, seed 0."
    )
    write(FLAGS.output_dir, "images", header, results, "\n".join(lines))


if __name__ == "__main__":
    app.run(main)
