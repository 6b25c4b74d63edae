"""SampleGrid and Evaluate: files, TensorBoard summaries, metrics in the history."""

import numpy as np
import pytest
import tensorflow as tf

import tfgan_lite as tfgan


def small_gan(conditional=False):
    networks = tfgan.networks.dcgan(
        (16, 16, 1), 8, num_classes=10 if conditional else None, width=8
    )
    if conditional:
        gan = tfgan.ConditionalGAN(*networks, num_classes=10, latent_dim=8, seed=0)
    else:
        gan = tfgan.GAN(*networks, latent_dim=8, seed=0)
    gan.compile()
    return gan


def digits(labels=False):
    return tfgan.data.images("digits", "train", 32, 16, labels=labels).repeat()


def summaries(directory):
    """(tag, step, value or image shape) of every summary written under a directory."""
    found = []
    for path in tf.io.gfile.glob(f"{directory}/events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                tensor = tf.make_ndarray(value.tensor)
                found.append((value.tag, event.step, tensor))
    return found


def test_sample_grid_writes_a_png_every_n_epochs_from_the_same_z(tmp_path):
    gan = small_gan()
    grid = tfgan.callbacks.SampleGrid(
        tmp_path / "grids", every=2, num_samples=16, tensorboard_dir=str(tmp_path / "tb")
    )
    gan.fit(digits(), steps_per_epoch=2, epochs=4, callbacks=[grid], verbose=0)
    assert [p.name for p in sorted((tmp_path / "grids").iterdir())] == [
        "samples_epoch_0002.png",
        "samples_epoch_0004.png",
    ]
    first, second = (grid.draw(str(tmp_path / f"{i}.png")) for i in range(2))
    np.testing.assert_array_equal(first, second)  # the same z every time
    images = [(tag, step) for tag, step, _ in summaries(tmp_path / "tb")]
    assert images == [("samples", 2), ("samples", 4)]


def test_sample_grid_of_a_conditional_gan_has_a_row_per_class(tmp_path):
    grid = tfgan.callbacks.SampleGrid(tmp_path, num_samples=30)
    grid.set_model(small_gan(conditional=True))
    samples = grid.draw(str(tmp_path / "labeled.png"))
    assert samples.shape == (30, 16, 16, 1)  # 3 per class, one row per class
    assert (tmp_path / "labeled.png").stat().st_size > 1000


def test_evaluate_puts_the_metrics_in_the_history_and_tensorboard(tmp_path, capsys):
    gan = small_gan()
    real = next(iter(tfgan.data.images("digits", "test", 200, 16))).numpy()
    assert real.shape == (200, 16, 16, 1)
    net = tfgan.eval.FeatureNet.digits()
    evaluate = tfgan.callbacks.Evaluate(real, net, num_samples=100, tensorboard_dir=str(tmp_path))
    history = gan.fit(digits(), steps_per_epoch=2, epochs=2, callbacks=[evaluate], verbose=0)
    for name in ("fid", "kid", "precision", "recall", "density", "coverage"):
        assert len(history.history[name]) == 2
    expected = tfgan.eval.all_metrics(net.features(real), net.features(gan.generate(100, seed=0)))
    for name, value in expected.items():
        assert history.history[name][-1] == pytest.approx(value, rel=1e-6, abs=1e-9)
    scalars = {(tag, step) for tag, step, _ in summaries(tmp_path)}
    assert ("eval/fid", 2) in scalars and ("eval/coverage", 1) in scalars
    assert "Evaluate after epoch 2: fid" in capsys.readouterr().out


def test_callbacks_refuse_every_below_one(tmp_path):
    with pytest.raises(ValueError, match="every"):
        tfgan.callbacks.SampleGrid(tmp_path, every=0)
