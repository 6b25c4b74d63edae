"""plotting.save_curves and save_history: PNGs of curves against the step, read back.

The pictures are checked for what can be seen in them: a real PNG of a sensible size, not
blank, a dashed floor where one was given, and no crash on NaN or a lone point.
"""

import os

import keras
import matplotlib.figure
import matplotlib.image
import numpy as np
import pytest

from tfgan_lite import plotting

FLOOR_GRAY = 128 / 255  # matplotlib's "gray", the floor line's colour


def read_png(path):
    """The RGB(A) pixels of a PNG, checked to be a picture with something drawn on it."""
    png = matplotlib.image.imread(str(path))
    assert png.ndim == 3 and png.shape[0] > 100 and png.shape[1] > 100
    colours = np.unique(png[..., :3].reshape(-1, 3), axis=0)
    assert len(colours) > 10, "a blank picture"
    return png


def floor_pixels(png):
    """How many pixels are exactly the floor line's gray."""
    return int(np.all(np.abs(png[..., :3] - FLOOR_GRAY) < 1 / 255, axis=-1).sum())


def test_save_curves_draws_a_panel_per_series_with_floors_nans_and_a_lone_point(tmp_path):
    steps = [100, 200, 300, 400]
    series = {
        "fid": (steps, [80.0, np.nan, 30.0, 12.0]),  # a NaN is left out of the line
        "kid": (steps, [np.nan] * 4),  # nothing finite: a panel that says so
        "coverage": ([100], [0.4]),  # a lone point: a marker
    }
    path = tmp_path / "deep" / "curves.png"  # the directory is made
    assert plotting.save_curves(series, str(path), title="t") == str(path)
    plain = read_png(path)
    # Three panels in a row: wider than tall.
    assert plain.shape[1] > 2 * plain.shape[0]
    plotting.save_curves(series, str(path), floors={"fid": 1.9, "coverage": 0.96})
    floored = read_png(path)
    # The two dashed floors add lines of their gray (the grid is lighter, the text black).
    assert floor_pixels(floored) > floor_pixels(plain) + 100
    assert [p.name for p in path.parent.iterdir()] == ["curves.png"]  # no temporary left


def test_save_curves_shares_panels_and_refuses_mismatched_or_empty_series(tmp_path):
    steps = np.arange(1, 201)  # many points: lines without markers
    two = {"a": (steps, np.sin(steps / 10)), "b": (steps, np.cos(steps / 10))}
    plotting.save_curves(two, str(tmp_path / "shared.png"), panels=[("a", "b", "absent")])
    plotting.save_curves(two, str(tmp_path / "apart.png"))
    shared, apart = (read_png(tmp_path / f"{name}.png") for name in ("shared", "apart"))
    assert apart.shape[1] > 1.5 * shared.shape[1]  # one panel against two
    with pytest.raises(ValueError, match=r"series\['a'\] has 2 steps for 3 values"):
        plotting.save_curves({"a": ([1, 2], [1, 2, 3])}, str(tmp_path / "x.png"))
    with pytest.raises(ValueError, match="empty"):
        plotting.save_curves({}, str(tmp_path / "x.png"))
    assert not (tmp_path / "x.png").exists()


def test_save_curves_leaves_the_old_picture_when_drawing_fails(tmp_path, monkeypatch):
    path = tmp_path / "m.png"
    plotting.save_curves({"a": ([1, 2], [1.0, 2.0])}, str(path))
    before = path.read_bytes()

    def crash(self, fname, **kwargs):  # half a PNG written, then the disk is full
        with open(fname, "wb") as f:
            f.write(b"\x89PNG half")
        raise OSError("disk full")

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", crash)
    with pytest.raises(OSError, match="disk full"):
        plotting.save_curves({"a": ([1, 2], [3.0, 4.0])}, str(path))
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.png"]


def fake_history(epochs, steps_per_epoch, logs):
    history = keras.callbacks.History()
    history.epoch = list(epochs)
    history.params = {"steps": steps_per_epoch}
    history.history = logs
    return history


def test_save_history_draws_the_gan_losses_against_steps(tmp_path):
    logs = {
        "d_loss": [1.3, 1.2, np.nan],  # the epoch the run turned NaN
        "g_loss": [0.7, 0.8, np.nan],
        "d_real": [0.6, 0.55, 0.5],
        "d_fake": [0.4, 0.45, 0.5],
        "fid": [50.0],  # evaluated once in three epochs: cannot be placed, left out
        "val_d_loss": [1.0, 1.0, 1.0],
    }
    # A resumed fit: epochs 4-6 of 100 steps, so steps 500, 600, 700.
    history = fake_history([4, 5, 6], 100, logs)
    path = tmp_path / "loss.png"
    assert plotting.save_history(history, str(path), title="losses") == str(path)
    png = read_png(path)
    assert png.shape[1] > 1.5 * png.shape[0]  # two panels: the losses, D's outputs
    # Only the named logs, one panel each when they are not a pair.
    plotting.save_history(history, str(tmp_path / "one.png"), names=["d_loss"])
    assert read_png(tmp_path / "one.png").shape[1] < png.shape[1]


def test_save_history_writes_nothing_for_a_history_without_epochs(tmp_path):
    path = tmp_path / "loss.png"
    path.write_bytes(b"an earlier run's picture")
    assert plotting.save_history(fake_history([], 100, {}), str(path)) is None
    assert path.read_bytes() == b"an earlier run's picture"


def test_save_history_of_a_real_fit(tmp_path):
    import tfgan_lite as tfgan

    gan = tfgan.GAN(*tfgan.networks.mlp_gan(4, 2, (8,)), latent_dim=4, seed=0)
    gan.compile(steps_per_execution=3)  # a divisor of steps_per_epoch: params["steps"] holds
    data = tfgan.data.toy_dataset(tfgan.data.toy("ring8"), 32, seed=0)
    history = gan.fit(data, steps_per_epoch=3, epochs=2, verbose=0)
    assert int(gan.noise_step.numpy()) == 2 * history.params["steps"]
    path = tmp_path / "loss.png"
    plotting.save_history(history, str(path))
    read_png(path)
