"""ConditionalGAN: samples land on their label's mode; labels are checked; saving."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_lite as tfgan
from tfgan_lite.networks import conditional_mlp_gan

RING = tfgan.data.toy("ring8")
LOCS = np.asarray(RING.components_distribution.mean())


def labeled_ring(n=512, seed=0):
    x, y = tfgan.data.sample_labeled(RING, n, (seed, 0))
    return np.asarray(x), np.asarray(y)


def make_cgan(projection=False, **kwargs):
    generator, discriminator = conditional_mlp_gan(8, 2, 8, (32,), projection=projection)
    kwargs.setdefault("seed", 0)
    return tfgan.ConditionalGAN(generator, discriminator, num_classes=8, latent_dim=8, **kwargs)


def test_labeled_toy_samples_come_from_their_component():
    x, y = labeled_ring(4000)
    assert y.dtype == np.int32 and set(np.unique(y)) == set(range(8))
    nearest = np.argmin(((x[:, None] - LOCS[None]) ** 2).sum(-1), 1)
    np.testing.assert_array_equal(nearest, y)
    assert np.std(x - LOCS[y]) == pytest.approx(0.02, rel=0.05)


@pytest.mark.parametrize("jit_compile", [False, True])
def test_conditional_gan_trains_on_arrays_and_datasets(jit_compile):
    cgan = make_cgan(discriminator_steps=2)
    cgan.compile(jit_compile=jit_compile)
    x, y = labeled_ring(512)
    history = cgan.fit(x, y, epochs=2, batch_size=128, verbose=0).history
    assert all(np.all(np.isfinite(v)) for v in history.values())
    assert int(cgan.discriminator_optimizer.iterations) == 16
    dataset = tfgan.data.toy_dataset("ring8", 64, labels=True)
    history = cgan.fit(dataset, steps_per_epoch=5, verbose=0).history
    assert np.isfinite(history["g_loss"][-1])


@pytest.mark.parametrize("projection", [False, True])
def test_samples_land_on_their_labels_mode(projection):
    keras.utils.set_random_seed(0)
    generator, discriminator = conditional_mlp_gan(16, 2, 8, projection=projection)
    cgan = tfgan.ConditionalGAN(generator, discriminator, num_classes=8, latent_dim=16, seed=0)
    cgan.compile(
        generator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        steps_per_execution=50,
    )
    cgan.fit(tfgan.data.toy_dataset(RING, 256, labels=True), steps_per_epoch=2000, verbose=0)
    labels = np.repeat(np.arange(8), 200)
    samples = cgan.generate(len(labels), labels=labels, seed=1)
    nearest = np.argmin(((samples[:, None] - LOCS[None]) ** 2).sum(-1), 1)
    # Measured after 2,000 steps: 100% on the label's mode, both discriminators.
    assert np.mean(nearest == labels) >= 0.95
    one_class = cgan.generate(100, labels=3, seed=2)
    assert np.mean(np.argmin(((one_class[:, None] - LOCS[None]) ** 2).sum(-1), 1) == 3) >= 0.95


def test_generate_takes_an_int_or_an_array_of_labels_and_refuses_none():
    cgan = make_cgan()
    np.testing.assert_array_equal(
        cgan.generate(6, labels=2, seed=0), cgan.generate(6, labels=np.full(6, 2), seed=0)
    )
    # One signature for every model: the second positional argument is the seed.
    np.testing.assert_array_equal(cgan.generate(6, 4, labels=2), cgan.generate(6, seed=4, labels=2))
    assert not np.allclose(cgan.generate(6, 4, labels=2), cgan.generate(6, 5, labels=2))
    with pytest.raises(TypeError):
        cgan.generate(6, 0, 2)  # labels are keyword-only
    with pytest.raises(ValueError, match="pass labels="):
        cgan.generate(10, seed=0)
    np.testing.assert_array_equal(cgan.default_labels(10), np.arange(10) % 8)
    assert cgan.generate(10, seed=0, labels=cgan.default_labels(10)).shape == (10, 2)
    with pytest.raises(ValueError, match=r"labels holds labels from 0 to 8, outside \[0, 8\)"):
        cgan.generate(3, labels=[0, 1, 8])
    with pytest.raises(ValueError, match="labels has shape"):
        cgan.generate(3, labels=[0, 1])


def test_bad_labels_are_refused_before_training():
    cgan = make_cgan()
    cgan.compile()
    x, y = labeled_ring(64)
    cases = [
        ((x, None), "needs labels"),
        ((x, y.astype("float32")), "dtype float32.*astype"),
        ((x, y + 1), r"from 1 to 8, outside \[0, 8\)"),
        ((x, y[:10]), r"shape \(10,\)"),
        ((x, np.stack([y, y], 1)), r"shape \(64, 2\)"),
    ]
    for (xs, ys), message in cases:
        with pytest.raises(ValueError, match=message):
            cgan.fit(xs, ys, batch_size=32, verbose=0)
    unlabeled = tf.data.Dataset.from_tensor_slices(x).batch(16)
    with pytest.raises(ValueError, match="needs labels"):
        cgan.fit(unlabeled, verbose=0)
    out_of_range = tf.data.Dataset.from_tensor_slices((x, y + 5)).batch(16)
    with pytest.raises(ValueError, match="the dataset's labels holds labels"):
        cgan.fit(out_of_range, verbose=0)
    assert int(cgan.discriminator_optimizer.iterations) == 0
    with pytest.raises(ValueError, match="num_classes"):
        tfgan.ConditionalGAN(*conditional_mlp_gan(8, 2, 8), num_classes=1, latent_dim=8)


def test_conditional_gan_round_trips_through_keras_files(tmp_path):
    cgan = make_cgan(projection=True, loss="hinge")
    cgan.compile()
    x, y = labeled_ring(256)
    cgan.fit(x, y, batch_size=64, verbose=0)
    cgan.save(tmp_path / "c.keras")
    loaded = keras.models.load_model(tmp_path / "c.keras")
    assert isinstance(loaded, tfgan.ConditionalGAN) and loaded.num_classes == 8
    np.testing.assert_array_equal(
        cgan.generate(16, labels=5, seed=3), loaded.generate(16, labels=5, seed=3)
    )
    cgan.fit(x, y, batch_size=64, shuffle=False, verbose=0)
    loaded.fit(x, y, batch_size=64, shuffle=False, verbose=0)
    for a, b in zip(cgan.weights, loaded.weights, strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)
