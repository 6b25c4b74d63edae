"""eval.matched_accuracy against a brute force over every renaming of the ids."""

import itertools

import numpy as np
import pytest

import tfgan_lite as tfgan


def brute_force(predicted, truth, k):
    return max(
        np.mean(np.asarray(permutation)[predicted] == truth)
        for permutation in itertools.permutations(range(k))
    )


@pytest.mark.parametrize("k", [2, 3, 5])
def test_equals_the_best_of_every_renaming(k):
    rng = np.random.default_rng(k)
    for _ in range(20):
        truth = rng.integers(0, k, 40)
        # Ids that follow the classes under a random renaming, with some noise.
        renaming = rng.permutation(k)
        predicted = np.where(rng.random(40) < 0.6, renaming[truth], rng.integers(0, k, 40))
        assert tfgan.eval.matched_accuracy(predicted, truth, k) == pytest.approx(
            brute_force(predicted, truth, k), abs=1e-12
        )


def test_a_renamed_perfect_clustering_scores_one():
    truth = np.arange(30) % 6
    assert tfgan.eval.matched_accuracy((truth + 2) % 6, truth, 6) == 1.0


@pytest.mark.parametrize(
    "predicted, truth, k, match",
    [
        ([0, 1], [0, 1, 1], 2, "same length"),
        ([], [], 2, "non-empty"),
        ([0, 2], [0, 1], 2, r"predicted must hold integer ids in \[0, k=2\)"),
        ([0.0, 1.0], [0, 1], 2, "predicted must hold integer ids"),
        ([0, 1], [0, -1], 2, "truth must hold integer ids"),
        ([0, 1], [0, 1], 0, "k must be a positive integer"),
    ],
)
def test_bad_ids_are_refused_by_name(predicted, truth, k, match):
    with pytest.raises(ValueError, match=match):
        tfgan.eval.matched_accuracy(np.asarray(predicted), np.asarray(truth), k)
