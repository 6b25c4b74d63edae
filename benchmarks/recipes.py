"""What each training tool buys: the recipes against the plain GAN, one tool at a time.

    python benchmarks/recipes.py  # the docs/benchmarks.md tables (about 90 min on 2 cores)
    python benchmarks/recipes.py --only=toys     # ring8 and grid25 only (about 40 min)
    python benchmarks/recipes.py --seeds=1 --toy_steps=500 --image_steps=200   # smoke
    python benchmarks/recipes.py --resume        # keep the (row, seed) runs already done

Toys: the protocol of ``toy_objectives.py`` (G 16 -> 128 -> 128 -> 2, D 2 -> 128 -> 128 ->
1, ReLU, batch 256, Adam(1e-3, beta_1 = 0.5), ring8 5000 and grid25 10000 generator updates,
2,500 samples scored by ``tfgan_lite.eval.mode_coverage``), non-saturating loss; each row
adds tools to it, and the recipe rows also train 2x (ring8) and 3x (grid25) longer, the
second with PacGAN's network sizes. Digits: the protocol of ``images.py`` (DCGAN-28 width
32, latent 64, batch 64, Adam(2e-4, beta_1 = 0.5), 3,000 generator updates), scored on the
shipped digits feature network with 540 generated images against the 540 test digits; the
floor is 540 training digits against the same test digits. Every row: 3 seeds
(initialisation and noise), mean ± std, and the training time per generator update. Writes
benchmarks/results/recipes_toys and recipes_digits (.json, .md).
"""

import json
import os
import sys
import time

from absl import app, flags

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from common import COVERAGE_COLUMNS, coverage_cells, load, machine, mean_std, write  # noqa: E402

import tfgan_lite as tfgan  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_integer("seeds", 3, "Seeds per row.")
flags.DEFINE_integer("toy_steps", None, "Generator updates on both toys (default 5000 / 10000).")
flags.DEFINE_integer("image_steps", 3000, "Generator updates on digits.")
flags.DEFINE_enum("only", None, ["toys", "digits"], "Run one of the two tables.")
flags.DEFINE_string("output_dir", "benchmarks/results", "Where the JSON and Markdown go.")
flags.DEFINE_multi_string(
    "rows", [], "Run only the digits rows whose names contain one of these (repeatable)."
)
flags.DEFINE_bool(
    "resume", False, "Keep the runs of an earlier recipes_*.json (same row and seed)."
)

TOY_STEPS = {"ring8": 5000, "grid25": 10000}

# The rows: name -> GAN keyword arguments, plus "networks" (hidden widths of G and D),
# "learning_rate", "beta_2", "lr_decay" (tfgan.schedules.LinearDecay's fraction) and "steps"
# (dataset -> generator updates, where a row trains longer) where a row changes them.
# "recipe" rows are the example script's defaults.
PACGAN_NETWORKS = {"networks": ((400, 400, 400, 400), (200, 200, 200))}  # PacGAN's sizes
TOY_RECIPE = {"pack": 2, "ema": 0.999, "r1_penalty": 1.0, "lr_decay": 0.5}
LONGER = {"steps": {"ring8": 10000, "grid25": 30000}}
TOY_ROWS = {
    "plain (non_saturating)": {},
    "+ ema 0.999": {"ema": 0.999},
    "+ pack 2": {"pack": 2},
    "+ r1 1": {"r1_penalty": 1.0},
    "+ linear decay over the last half": {"lr_decay": 0.5},
    "pack 2 + ema 0.999": {"pack": 2, "ema": 0.999},
    "recipe: pack 2 + ema + r1 1 + decay": TOY_RECIPE,
    "recipe, 2x / 3x the steps": {**TOY_RECIPE, **LONGER},
    "recipe, PacGAN-size MLPs, 2x the steps": {**TOY_RECIPE, **LONGER, **PACGAN_NETWORKS},
    "wgan_gp + ema 0.999": {
        "loss": "wasserstein",
        "gradient_penalty": 0.1,
        "discriminator_steps": 5,
        "ema": 0.999,
        "beta_2": 0.9,
    },
}
AUGMENT = {"augment": "translation", "augment_probability": 0.5}
IMAGE_ROWS = {
    "plain (non_saturating, Adam 2e-4)": {},
    "+ ema 0.999": {"ema": 0.999},
    "+ r1 0.1 (no batch norm in D)": {"r1_penalty": 0.1},
    "+ augment translation, p = 0.5": AUGMENT,
    "augment + Adam 5e-4": {**AUGMENT, "learning_rate": 5e-4},
    "recipe: translation + cutout, Adam 5e-4, batch 128": {
        "augment": "translation,cutout",
        "augment_probability": 0.5,
        "learning_rate": 5e-4,
        "batch_size": 128,
    },
}


def adam(options, updates, default_lr):
    """Adam(beta_1 = 0.5) with a row's rate, beta_2 and decay over the optimizer's updates."""
    lr = options.get("learning_rate", default_lr)
    if options.get("lr_decay"):
        lr = tfgan.schedules.LinearDecay(lr, updates, options["lr_decay"])
    return keras.optimizers.Adam(lr, beta_1=0.5, beta_2=options.get("beta_2", 0.999))


def compile_row(gan, options, steps, default_lr):
    """Compiles a row's GAN: each network's Adam decays over that network's own updates."""
    updates = (steps, steps * gan.discriminator_steps)
    gan.compile(*(adam(options, n, default_lr) for n in updates), steps_per_execution=50)


def gan_options(options):
    """The GAN keyword arguments of a row; the rest of the row configures what is around."""
    options = dict(options)
    for key in ("networks", "learning_rate", "beta_2", "lr_decay", "steps", "batch_size"):
        options.pop(key, None)
    if "augment_probability" in options:
        probability = options.pop("augment_probability")
        options["augment"] = tfgan.augment.DiffAugment(options["augment"], probability)
    return options


def toy_run(options, dataset, steps, seed):
    keras.utils.set_random_seed(seed)
    hidden, discriminator_hidden = options.get("networks", ((128, 128), None))
    generator, discriminator = tfgan.networks.mlp_gan(
        16, 2, hidden, discriminator_hidden=discriminator_hidden, pack=options.get("pack", 1)
    )
    gan = tfgan.GAN(generator, discriminator, latent_dim=16, seed=seed, **gan_options(options))
    compile_row(gan, options, steps, 1e-3)
    data = tfgan.data.toy_dataset(dataset, 256 * gan.discriminator_steps, seed=seed)
    start = time.perf_counter()
    gan.fit(data, steps_per_epoch=steps, verbose=0)
    seconds = time.perf_counter() - start
    samples = gan.generate(2500, seed=seed)
    coverage = tfgan.eval.mode_coverage(samples, tfgan.data.toy(dataset))
    return {
        "steps": steps,
        "seconds": seconds,
        "diverged": bool(not np.all(np.isfinite(samples))),
        **{k: coverage[k] for k in ("modes", "num_modes", "high_quality", "reverse_kl")},
    }


def image_run(options, steps, seed, reference, net):
    keras.utils.set_random_seed(seed)
    batch_norm = not options.get("r1_penalty")  # a per-example penalty and batch norm clash
    networks = tfgan.networks.dcgan((28, 28, 1), 64, width=32, batch_norm=batch_norm)
    gan = tfgan.GAN(*networks, latent_dim=64, seed=seed, **gan_options(options))
    compile_row(gan, options, steps, 2e-4)
    batch_size = options.get("batch_size", 64)
    data = tfgan.data.images("digits", "train", batch_size, 28, seed=seed).repeat()
    start = time.perf_counter()
    gan.fit(data, steps_per_epoch=steps, verbose=0)
    seconds = time.perf_counter() - start
    scores = tfgan.eval.all_metrics(net.features(reference), net.features(gan.generate(540, seed)))
    return {"steps": steps, "seconds": seconds, **scores}


def ms_per_step(rows):
    return mean_std([1000 * r["seconds"] / r["steps"] for r in rows], "{:.1f}")


def toy_steps(options, dataset):
    """A row's generator updates: --toy_steps for all (a smoke run), else the row's own."""
    return FLAGS.toy_steps or options.get("steps", {}).get(dataset) or TOY_STEPS[dataset]


def toys():
    """Runs each (row, dataset, seed) that --resume does not find done in recipes_toys.json."""
    done = load(FLAGS.output_dir, "recipes_toys") if FLAGS.resume else []
    results, lines = [], [f"| tools | dataset | steps | {COVERAGE_COLUMNS} ms / step |"]
    lines.append("|---|---|---|---|---|---|---|---|")
    for dataset in ("ring8", "grid25"):
        for name, options in TOY_ROWS.items():
            if dataset == "grid25" and "networks" in options:
                continue  # 30,000 steps of the large MLPs: about 25 min on 2 cores
            steps, rows = toy_steps(options, dataset), []
            for seed in range(FLAGS.seeds):
                key = {"row": name, "dataset": dataset, "seed": seed}
                old = [r for r in done if r.items() >= {**key, "steps": steps}.items()]
                row = old[0] if old else {**key, **toy_run(options, dataset, steps, seed)}
                print(json.dumps(row), flush=True)
                rows.append(row)
            results += rows
            cells = f"{coverage_cells(rows)} {ms_per_step(rows)}"
            lines.append(f"| {name} | {dataset} | {steps} | {cells} |")
    header = (
        f"{FLAGS.seeds} seeds; ring8 {toy_steps({}, 'ring8')} and grid25 "
        f"{toy_steps({}, 'grid25')} generator updates unless a row says otherwise; batch 256; "
        f"{machine()}."
    )
    write(FLAGS.output_dir, "recipes_toys", header, results, "\n".join(lines))


def digits_table(floor, results, header):
    """Writes the digits table from the runs so far; a row shows how many seeds it holds."""
    columns = ("fid", "kid", "precision", "recall", "coverage")
    floor_cells = [f"{floor['fid']:.2f}", "1"] + [f"{floor[c]:.3g}" for c in columns[1:]]
    lines = [
        "| tools | seeds | FID | FID / floor | KID | precision | recall | coverage | ms / step |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| real training digits (floor) | | {' | '.join(floor_cells)} | |",
    ]
    for name in IMAGE_ROWS:
        rows = [r for r in results if r["row"] == name]
        if not rows:
            continue
        cells = [str(len(rows)), mean_std([r["fid"] for r in rows], "{:.2f}")]
        cells.append(mean_std([r["fid"] / floor["fid"] for r in rows], "{:.1f}"))
        cells += [mean_std([r[c] for r in rows], "{:.3f}") for c in columns[1:]]
        lines.append(f"| {name} | {' | '.join(cells)} | {ms_per_step(rows)} |")
    write(FLAGS.output_dir, "recipes_digits", header, [floor, *results], "\n".join(lines))


def digits():
    """Runs each (row, seed) of the digits table that --resume does not find done, writing
    the table after every run, so that a stopped run keeps what it finished."""
    reference = next(iter(tfgan.data.images("digits", "test", 540, 28))).numpy()
    train = next(iter(tfgan.data.images("digits", "train", 540, 28, seed=0))).numpy()
    net = tfgan.eval.FeatureNet.digits()
    floor = {"row": "floor"}
    floor.update(tfgan.eval.all_metrics(net.features(reference), net.features(train)))
    done = load(FLAGS.output_dir, "recipes_digits") if FLAGS.resume else []
    results = [r for r in done if r["row"] in IMAGE_ROWS]
    header = (
        f"Up to {FLAGS.seeds} seeds; DCGAN-28 (width 32) on digits, {FLAGS.image_steps} "
        f"generator updates of batch 64 unless a row says otherwise; feature network "
        f"{net.name} (weights sha256 {net.weights_hash}), 540 generated images against the "
        f"540 test digits; {machine()}."
    )
    for seed in range(FLAGS.seeds):  # seed by seed: a stopped run has every row's first seeds
        for name, options in IMAGE_ROWS.items():
            chosen = not FLAGS.rows or any(part in name for part in FLAGS.rows)
            if not chosen or any(r["row"] == name and r["seed"] == seed for r in results):
                continue
            row = {"row": name, "seed": seed}
            row.update(image_run(options, FLAGS.image_steps, seed, reference, net))
            print(json.dumps(row), flush=True)
            results.append(row)
            digits_table(floor, results, header)


def main(argv):
    del argv
    if FLAGS.only in (None, "toys"):
        toys()
    if FLAGS.only in (None, "digits"):
        digits()


if __name__ == "__main__":
    app.run(main)
