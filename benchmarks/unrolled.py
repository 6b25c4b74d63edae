"""Unrolled GAN (1, 5, 10 steps) against a plain GAN on ring8 and grid25.

    python benchmarks/unrolled.py  # the docs/benchmarks.md table (about 15 min on 2 cores)

Same networks for all (G 16 -> 128 -> 128 -> 2, D 2 -> 128 -> 1, ReLU: the discriminator
of Metz et al. has one hidden layer), non-saturating loss, Adam(1e-3, beta_1 = 0.5) for
both, batch 256, the same number of generator updates; 2,500 samples scored with
``tfgan_lite.eval.mode_coverage``. Writes benchmarks/results/unrolled.{json,md}.
"""

import os
import sys

from absl import app, flags

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
from common import COVERAGE_COLUMNS, coverage_cells, machine, train_and_score, write  # noqa: E402

import tfgan_lite as tfgan  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_integer("seeds", 3, "Seeds per setting and dataset.")
flags.DEFINE_list("unroll_steps", ["0", "1", "5", "10"], "Unroll depths; 0 is the plain GAN.")
flags.DEFINE_integer("ring8_steps", 5000, "Generator updates on ring8.")
flags.DEFINE_integer("grid25_steps", 10000, "Generator updates on grid25.")
flags.DEFINE_string("output_dir", "benchmarks/results", "Where the JSON and Markdown go.")


def run(unroll_steps, dataset_name, steps, seed):
    keras.utils.set_random_seed(seed)
    networks = tfgan.networks.mlp_gan(16, 2, (128, 128), discriminator_hidden=(128,))
    if unroll_steps:
        gan = tfgan.UnrolledGAN(*networks, latent_dim=16, unroll_steps=unroll_steps, seed=seed)
    else:
        gan = tfgan.GAN(*networks, latent_dim=16, seed=seed)
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        steps_per_execution=50,
    )
    row = train_and_score(gan, tfgan.data.toy(dataset_name), steps, seed)
    return {"unroll_steps": unroll_steps, "dataset": dataset_name, "seed": seed, **row}


def table(results):
    lines = [f"| model | dataset | {COVERAGE_COLUMNS}", "|---|---|---|---|---|---|"]
    for dataset_name in ("ring8", "grid25"):
        for k in sorted({r["unroll_steps"] for r in results}):
            rows = [r for r in results if r["unroll_steps"] == k and r["dataset"] == dataset_name]
            name = f"unrolled, {k} step{'s' if k > 1 else ''}" if k else "plain GAN"
            lines.append(f"| {name} | {dataset_name} | {coverage_cells(rows)}")
    return "\n".join(lines)


def main(argv):
    del argv
    steps = {"ring8": FLAGS.ring8_steps, "grid25": FLAGS.grid25_steps}
    results = []
    for dataset_name in ("ring8", "grid25"):
        for k in (int(k) for k in FLAGS.unroll_steps):
            for seed in range(FLAGS.seeds):
                results.append(run(k, dataset_name, steps[dataset_name], seed))
                print(results[-1], flush=True)
    header = (
        f"{FLAGS.seeds} seeds; ring8 {steps['ring8']} and grid25 {steps['grid25']} generator "
        f"updates; batch 256; {machine()}."
    )
    write(FLAGS.output_dir, "unrolled", header, results, table(results))


if __name__ == "__main__":
    app.run(main)
