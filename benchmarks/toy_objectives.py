"""Mode coverage of every objective on ring8 and grid25, mean +- std over seeds.

    python benchmarks/toy_objectives.py  # the docs/benchmarks.md table (about 40 min)
    python benchmarks/toy_objectives.py --seeds=1 --ring8_steps=500 --grid25_steps=500  # smoke
    python benchmarks/toy_objectives.py --only=fgan_neyman,hinge  # rerun some rows

For each objective, dataset and seed: the same MLPs (G 16 -> 128 -> 128 -> 2,
D 2 -> 128 -> 128 -> 1, ReLU), batch 256, the same number of generator updates; then
2,500 samples are scored with ``tfgan_lite.eval.mode_coverage`` (the VEEGAN protocol:
modes with a sample within 3 std, the fraction of such high-quality samples, and the
reverse KL of the mode histogram). A run whose samples are not finite has diverged and
is counted as such. Writes benchmarks/results/toy_objectives.{json,md}; a run with
--only replaces those rows of an existing JSON and rewrites the table from all rows.
"""

import json
import os
import sys

from absl import app, flags

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
from common import (  # noqa: E402
    COVERAGE_COLUMNS,
    coverage_cells,
    load,
    machine,
    train_and_score,
    write,
)

import tfgan_lite as tfgan  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_integer("seeds", 3, "Seeds per objective and dataset.")
flags.DEFINE_integer("ring8_steps", 5000, "Generator updates on ring8.")
flags.DEFINE_integer("grid25_steps", 10000, "Generator updates on grid25.")
flags.DEFINE_list("only", [], "Run only these configurations (names in the table).")
flags.DEFINE_string("output_dir", "benchmarks/results", "Where the JSON and Markdown go.")


def adam(lr=1e-3, beta_2=0.999):
    return keras.optimizers.Adam(lr, beta_1=0.5, beta_2=beta_2)


# The f-GANs whose output activation is exponential: their critic's optimum is unbounded
# off the data (reverse KL: log(p/q)) and the generator's loss is exp(-v) on generated
# samples, so without a penalty the critic's logits run to -40 or so, the generator's
# gradient (about exp(40)) squares to inf in Adam's second moment and the weights become
# NaN or stop moving (Neyman also gets stuck at large positive logits, where both its
# losses have no gradient). R1 (Mescheder et al. 2018) with gamma = 1 keeps the critic flat
# on the data; all other settings as for the other objectives.
FGAN_OPTIONS = {d: {"r1_penalty": 1.0} for d in ("reverse_kl", "neyman", "squared_hellinger")}

# name -> (GAN keyword arguments, generator optimizer, discriminator optimizer)
CONFIGS = {
    "minimax": ({"loss": "minimax"}, adam, adam),
    "non_saturating": ({"loss": "non_saturating"}, adam, adam),
    "maximum_likelihood": ({"loss": "maximum_likelihood"}, adam, adam),
    "least_squares": ({"loss": "least_squares"}, adam, adam),
    "hinge": ({"loss": "hinge"}, adam, adam),
    # Jolicoeur-Martineau 2018: the generator's loss reads D's real logits too.
    "relativistic": ({"loss": "relativistic"}, adam, adam),
    "relativistic_average": ({"loss": "relativistic_average"}, adam, adam),
    # WGAN: the paper's clipping c = 0.01, 5 critic steps and RMSprop (momentum made
    # clipped critics unstable in the paper); learning rate raised from 5e-5 to 5e-4 so
    # the run fits the same number of generator updates.
    "wgan_clip": (
        {"loss": "wasserstein", "clip_weights": 0.01, "discriminator_steps": 5},
        lambda: keras.optimizers.RMSprop(5e-4),
        lambda: keras.optimizers.RMSprop(5e-4),
    ),
    # WGAN-GP: 5 critic steps, Adam(beta 0.5, 0.9) and lambda = 0.1 as in the paper's
    # toy script (gan_toy.py); learning rate 1e-3 as for the others.
    "wgan_gp": (
        {"loss": "wasserstein", "gradient_penalty": 0.1, "discriminator_steps": 5},
        lambda: adam(beta_2=0.9),
        lambda: adam(beta_2=0.9),
    ),
    **{
        f"fgan_{d}": ({"loss": f"fgan_{d}", **FGAN_OPTIONS.get(d, {})}, adam, adam)
        for d in tfgan.losses.DIVERGENCES
    },
}


def run(name, dataset_name, steps, seed):
    kwargs, g_opt, d_opt = CONFIGS[name]
    keras.utils.set_random_seed(seed)
    generator, discriminator = tfgan.networks.mlp_gan(16, 2, (128, 128))
    gan = tfgan.GAN(generator, discriminator, latent_dim=16, seed=seed, **kwargs)
    gan.compile(
        generator_optimizer=g_opt(), discriminator_optimizer=d_opt(), steps_per_execution=50
    )
    row = train_and_score(gan, tfgan.data.toy(dataset_name), steps, seed)
    return {"config": name, "dataset": dataset_name, "seed": seed, **row}


def table(results):
    lines = [f"| objective | dataset | {COVERAGE_COLUMNS}", "|---|---|---|---|---|---|"]
    for name in CONFIGS:
        for dataset_name in ("ring8", "grid25"):
            rows = [r for r in results if r["config"] == name and r["dataset"] == dataset_name]
            if rows:
                lines.append(f"| {name} | {dataset_name} | {coverage_cells(rows)}")
    return "\n".join(lines)


def main(argv):
    del argv
    steps = {"ring8": FLAGS.ring8_steps, "grid25": FLAGS.grid25_steps}
    names = FLAGS.only or list(CONFIGS)
    unknown = sorted(set(names) - set(CONFIGS))
    if unknown:
        raise app.UsageError(f"--only names unknown configurations {unknown}; use {list(CONFIGS)}")
    results = load(FLAGS.output_dir, "toy_objectives") if FLAGS.only else []
    for name in names:
        for dataset_name in ("ring8", "grid25"):
            for seed in range(FLAGS.seeds):
                result = run(name, dataset_name, steps[dataset_name], seed)
                key = (name, dataset_name, seed)
                results = [r for r in results if (r["config"], r["dataset"], r["seed"]) != key]
                results.append(result)
                print(json.dumps(result), flush=True)
    header = (
        f"{FLAGS.seeds} seeds; ring8 {steps['ring8']} and grid25 {steps['grid25']} generator "
        f"updates; batch 256; {machine()}."
    )
    write(FLAGS.output_dir, "toy_objectives", header, results, table(results))


if __name__ == "__main__":
    app.run(main)
