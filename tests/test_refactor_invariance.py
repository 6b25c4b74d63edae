"""Fixed runs whose weights must not change when the train step's code is reorganised.

``tests/fixtures/step_weights.npz`` holds the weights of both networks after 200 train
steps of four models (GAN; GAN with k = 2 and WGAN-GP; ConditionalGAN; UnrolledGAN with
3 unrolled steps) from fixed initial weights, data and seeds. It was written by the code
before the hook-contract refactor (``python tests/test_refactor_invariance.py`` rewrites
it; do that only on purpose). The same runs must give the same weights: to 1e-6, since a
refactor may reorder floating-point operations (the tape order of a fused computation)
without changing the mathematics.
"""

import os
import sys

import keras
import numpy as np
import pytest

import tfgan_lite as tfgan
from tfgan_lite.data.toy import sample_labeled
from tfgan_lite.networks import conditional_mlp_gan, mlp_gan

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "step_weights.npz")
STEPS, BATCH = 200, 64
RUNS = ("gan", "gan_k2_gp", "conditional", "unrolled")


def _model(run):
    keras.utils.set_random_seed(0)
    if run == "conditional":
        g, d = conditional_mlp_gan(4, 2, 8, hidden=(16,), embedding_dim=4)
        return tfgan.ConditionalGAN(g, d, num_classes=8, latent_dim=4, seed=1)
    g, d = mlp_gan(4, 2, hidden=(16,))
    if run == "gan_k2_gp":
        return tfgan.GAN(
            g, d, latent_dim=4, loss="wasserstein", discriminator_steps=2,
            gradient_penalty=1.0, seed=1,
        )  # fmt: skip
    if run == "unrolled":
        return tfgan.UnrolledGAN(g, d, latent_dim=4, unroll_steps=3, seed=1)
    return tfgan.GAN(g, d, latent_dim=4, seed=1)


def _data(run):
    k = 2 if run == "gan_k2_gp" else 1
    x, labels = sample_labeled(tfgan.data.toy("ring8"), 20 * BATCH * k, (3, 0))
    return np.asarray(x), np.asarray(labels), BATCH * k


def train(run, initial=None):
    """The run's model after STEPS steps; ``initial`` (a list of arrays) replaces its
    starting weights, so the fixture does not depend on Keras's initializers."""
    gan = _model(run)
    if initial is not None:
        gan.set_weights(initial)
    start = [np.array(w) for w in gan.get_weights()]
    gan.compile()
    x, labels, batch = _data(run)
    y = labels if run == "conditional" else None
    gan.fit(x, y, batch_size=batch, epochs=STEPS // 20, shuffle=False, verbose=0)
    return start, [np.array(w) for w in gan.get_weights()]


@pytest.mark.parametrize("run", RUNS)
def test_weights_after_200_steps_are_those_recorded_before_the_refactor(run):
    recorded = np.load(FIXTURE)
    count = int(recorded[f"{run}/count"])
    initial = [recorded[f"{run}/initial/{i}"] for i in range(count)]
    _, final = train(run, initial)
    assert len(final) == count
    for i, weight in enumerate(final):
        expected = recorded[f"{run}/final/{i}"]
        np.testing.assert_allclose(weight, expected, rtol=0, atol=1e-6, err_msg=f"weight {i}")
    # The runs moved the weights: equality is not the trivial one of an untrained model.
    assert max(np.abs(a - b).max() for a, b in zip(initial, final, strict=True)) > 1e-2


def record(path=FIXTURE):
    arrays = {}
    for run in RUNS:
        start, final = train(run)
        arrays[f"{run}/count"] = np.array(len(final))
        for i, (a, b) in enumerate(zip(start, final, strict=True)):
            arrays[f"{run}/initial/{i}"], arrays[f"{run}/final/{i}"] = a, b
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.savez(path, **arrays)


if __name__ == "__main__":
    record(sys.argv[1] if len(sys.argv) > 1 else FIXTURE)
