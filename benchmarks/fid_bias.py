"""FID's bias with the sample count, and how often its bootstrap interval covers the truth.

    python benchmarks/fid_bias.py      # the docs/benchmarks.md table (about 5 min on 2 CPU cores)

FID between two sets drawn from one distribution is 0 in truth, but its estimate is above
0 and falls as the sets grow. Measured on the shipped digits feature network (128-d):

* real vs real: the 1,797 digits (train and test) split at random into two disjoint sets
  of n, for n = 250, 500 and 875 (the digits allow no more than 898 a side), --splits
  times;
* Gaussian vs Gaussian: two sets of n drawn from the Gaussian with the mean and covariance
  of the 1,797 digits' features, for n = 250, 500, 1,000 and 2,000, --splits times;
* Gaussian vs a moved Gaussian, where the truth is not 0 (so not at the edge where
  intervals are clipped): the second Gaussian's mean moved along the first principal
  axis by sqrt(2) and its covariance scaled by 1.1^2, true FID 2 + 0.01 Tr S = 4.69.

Each row gives the FID (mean ± std over the draws), the 95% bootstrap interval
(``frechet_distance(..., bootstrap=--resamples)``, bias-corrected) of the first draw, and
the fraction of the draws whose interval holds the true FID. Writes
benchmarks/results/fid_bias.{json,md}.
"""

import os
import sys
import time

from absl import app, flags

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from common import machine, mean_std, write  # noqa: E402

import tfgan_lite as tfgan  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_integer("splits", 50, "Random draws (splits of the digits, Gaussian samples) per n.")
flags.DEFINE_integer("resamples", 200, "Bootstrap resamples of each interval.")
flags.DEFINE_string("output_dir", "benchmarks/results", "Where the JSON and Markdown go.")

REAL_SIZES = (250, 500, 875)
GAUSSIAN_SIZES = (250, 500, 1000, 2000)


def digit_features():
    """Features of all 1,797 digits at 28x28 on the shipped network, and its provenance."""
    data = tfgan.data.images("digits", "all", 2000, 28, shuffle=False, drop_remainder=False)
    net = tfgan.eval.FeatureNet.digits()
    features = net.features(next(iter(data)).numpy())
    return features.astype(np.float64), net


def measure(draw, n, true_fid):
    """The FID of --splits draws of two sets of n, and the bootstrap intervals."""
    fids, covered, first = [], 0, None
    for i in range(FLAGS.splits):
        a, b = draw(i, n)
        score = tfgan.eval.frechet_distance(a, b, bootstrap=FLAGS.resamples, seed=i)
        fids.append(score["value"])
        covered += score["low"] <= true_fid <= score["high"]
        first = first or score
    return {
        "n": n,
        "true_fid": true_fid,
        "fid_mean": float(np.mean(fids)),
        "fid_std": float(np.std(fids)),
        "fids": fids,
        "first_draw": first,
        "covers_true_fid": covered / FLAGS.splits,
    }


def row(source, result):
    first = result["first_draw"]
    return (
        f"| {source} | {result['n']:,} | {result['true_fid']:.2f} | "
        f"{mean_std(result['fids'], '{:.2f}')} | "
        f"{first['value']:.2f} [{first['low']:.2f}, {first['high']:.2f}] | "
        f"{100 * result['covers_true_fid']:.0f}% |"
    )


def main(argv):
    del argv
    start = time.perf_counter()
    features, net = digit_features()
    mean, covariance = features.mean(axis=0), np.cov(features, rowvar=False)

    def real_split(i, n):
        order = np.random.default_rng(i).permutation(len(features))
        return features[order[:n]], features[order[n : 2 * n]]

    def gaussian(i, n):
        rng = np.random.default_rng(1000 + i)
        return (rng.multivariate_normal(mean, covariance, size=n) for _ in range(2))

    eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    shift = np.sqrt(2.0) * eigenvectors[:, -1]
    moved_fid = float(shift @ shift + 0.01 * eigenvalues.clip(0).sum())

    def moved(i, n):
        rng = np.random.default_rng(2000 + i)
        a = rng.multivariate_normal(mean, covariance, size=n)
        return a, rng.multivariate_normal(mean + shift, 1.21 * covariance, size=n)

    results = []
    lines = [
        "| sets | samples per side | true FID | FID, mean ± std over draws "
        "| first draw [95% interval] | intervals holding the true FID |",
        "|---|---|---|---|---|---|",
    ]
    for source, draw, sizes, true_fid in (
        ("real digits vs real digits (disjoint)", real_split, REAL_SIZES, 0.0),
        ("Gaussian vs Gaussian (digits' moments)", gaussian, GAUSSIAN_SIZES, 0.0),
        ("Gaussian vs moved Gaussian", moved, GAUSSIAN_SIZES[1:], moved_fid),
    ):
        for n in sizes:
            result = {"sets": source, **measure(draw, n, true_fid)}
            results.append(result)
            lines.append(row(source, result))
            print(lines[-1], flush=True)
    provenance = net.provenance(
        num_real=len(features), splits=FLAGS.splits, bootstrap=FLAGS.resamples
    )
    results.append({"provenance": provenance, "seconds": time.perf_counter() - start})
    header = (
        f"FID of two sets of samples on the shipped digits network "
        f"({provenance['feature_net']}, weights {provenance['feature_net_weights_sha256']}, "
        f"128-d), {FLAGS.splits} draws per row, intervals from {FLAGS.resamples} bootstrap "
        f"resamples (bias-corrected); {machine()}."
    )
    write(FLAGS.output_dir, "fid_bias", header, results, "\n".join(lines))


if __name__ == "__main__":
    app.run(main)
