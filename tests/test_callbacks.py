"""SampleGrid and Evaluate: files, TensorBoard summaries, metrics in the history.

The grids are read back as pictures and compared with the samples they should show.
"""

import keras
import matplotlib.image
import numpy as np
import pytest
import tensorflow as tf

import tfgan_lite as tfgan


def small_gan():
    gan = tfgan.GAN(*tfgan.networks.dcgan((16, 16, 1), 8, width=8), latent_dim=8, seed=0)
    gan.compile()
    return gan


def digits(labels=False):
    return tfgan.data.images("digits", "train", 32, 16, labels=labels).repeat()


# A conditional GAN whose generator paints class k as a flat 16 x 16 image of gray
# LEVELS[k] (whatever z), so that each class is recognisable in the picture. The grays
# are apart from the padding's 0.5 and from the black and white of the figure.
CLASSES, PER_ROW, SIDE = 5, 3, 16
LEVELS = np.array([0.1, 0.3, 0.7, 0.9, 0.2])


def label_painter():
    latent_dim = 4
    z = keras.Input((latent_dim,))
    labels = keras.Input((), dtype="int32")
    table = np.repeat(2 * LEVELS[:, None] - 1, SIDE * SIDE, axis=1)  # from [0, 1] to [-1, 1]
    paint = keras.layers.Embedding(
        CLASSES, SIDE * SIDE, embeddings_initializer=keras.initializers.Constant(table)
    )(labels)
    ignore_z = keras.layers.Dense(SIDE * SIDE, kernel_initializer="zeros", use_bias=False)(z)
    image = keras.layers.Reshape((SIDE, SIDE, 1))(keras.layers.Add()([paint, ignore_z]))
    generator = keras.Model([z, labels], image)
    x = keras.Input((SIDE, SIDE, 1))
    d_labels = keras.Input((), dtype="int32")
    features = [keras.layers.Flatten()(x), keras.layers.Embedding(CLASSES, 1)(d_labels)]
    discriminator = keras.Model(
        [x, d_labels], keras.layers.Dense(1)(keras.layers.Concatenate()(features))
    )
    return tfgan.ConditionalGAN(
        generator, discriminator, num_classes=CLASSES, latent_dim=latent_dim, seed=0
    )


# ---------------------------------------------------------------- reading pictures back

GRAY = 2.0 / 255  # a PNG pixel holds a gray level to within the colormap's 256 steps


def read_gray(path):
    """A PNG written by the grids as an array of gray levels in [0, 1]."""
    png = matplotlib.image.imread(str(path))
    np.testing.assert_array_equal(png[..., 0], png[..., 1])  # gray: R = G = B
    np.testing.assert_array_equal(png[..., 0], png[..., 2])
    return png[..., 0]


def expected_grid(samples, cols, pad):
    """Samples in [-1, 1] tiled by hand, ``cols`` across, ``pad`` pixels of 0.5 between."""
    unit = (np.asarray(samples[..., 0], np.float64) + 1) / 2
    n, h, w = unit.shape
    rows = -(-n // cols)
    grid = np.full((rows * (h + pad) - pad, cols * (w + pad) - pad), 0.5)
    for i, image in enumerate(unit):
        r, c = divmod(i, cols)
        grid[r * (h + pad) : r * (h + pad) + h, c * (w + pad) : c * (w + pad) + w] = image
    return grid


def runs(mask):
    """(start, stop) of each run of True in a 1-D mask."""
    edges = np.diff(np.concatenate([[0], mask.astype(int), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def glyph(gray):
    """The dark pixels of a picture of text, cropped to their bounding box."""
    dark = gray < 0.5
    assert dark.any(), "no text"
    rows, cols = np.flatnonzero(dark.any(1)), np.flatnonzero(dark.any(0))
    return dark[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def mismatch(a, b):
    """How many pixels differ between two glyphs aligned at their top-left corners."""
    shape = np.maximum(a.shape, b.shape)
    padded = [np.pad(g, [(0, shape[0] - g.shape[0]), (0, shape[1] - g.shape[1])]) for g in (a, b)]
    return int((padded[0] != padded[1]).sum())


def summaries(directory):
    """(tag, step, value or image shape) of every summary written under a directory."""
    found = []
    for path in tf.io.gfile.glob(f"{directory}/events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                tensor = tf.make_ndarray(value.tensor)
                found.append((value.tag, event.step, tensor))
    return found


# ---------------------------------------------------------------- SampleGrid


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
    # The last grid shows the trained generator's samples from z of seed 0: 4 x 4 tiles
    # 1 pixel apart (67 pixels), each pixel scaled up 6 times (to 402, about 400 wide).
    samples = gan.generate(16, seed=0)
    png = read_gray(tmp_path / "grids" / "samples_epoch_0004.png")
    assert png.shape == (402, 402)
    blocks = png.reshape(67, 6, 67, 6)
    np.testing.assert_array_equal(blocks, blocks[:, :1, :, :1].repeat(6, 1).repeat(6, 3))
    np.testing.assert_allclose(png[::6, ::6], expected_grid(samples, 4, 1), atol=GRAY)
    # draw() makes the same picture from the same z, and returns its samples.
    np.testing.assert_array_equal(grid.draw(str(tmp_path / "again.png")), samples)
    np.testing.assert_array_equal(read_gray(tmp_path / "again.png"), png)
    images = summaries(tmp_path / "tb")
    assert [(tag, step) for tag, step, _ in images] == [("samples", 2), ("samples", 4)]
    # TensorBoard's image: the same samples, 4 x 4 without padding, as 8-bit gray.
    width, height, encoded = images[-1][2]
    assert (width, height) == (b"64", b"64")
    decoded = tf.io.decode_png(encoded).numpy()[..., 0] / 255.0
    np.testing.assert_allclose(decoded, expected_grid(samples, 4, 0), atol=1.0 / 255)


def test_sample_grid_of_a_conditional_gan_has_a_labeled_row_per_class(tmp_path):
    grid = tfgan.callbacks.SampleGrid(tmp_path, num_samples=CLASSES * PER_ROW)
    grid.set_model(label_painter())
    grid.draw(str(tmp_path / "labeled.png"))
    png = read_gray(tmp_path / "labeled.png")

    # The grid is where the pixels hold the tiles' grays or the padding's 0.5.
    on_grid = np.abs(png[..., None] - np.array([*LEVELS, 0.5])).min(-1) < GRAY
    rows, cols = np.flatnonzero(on_grid.mean(1) > 0.5), np.flatnonzero(on_grid.mean(0) > 0.5)
    top, left = rows[0], cols[0]
    box = png[top : rows[-1] + 1, left : cols[-1] + 1]
    padding = np.abs(box - 0.5) < GRAY
    row_spans, col_spans = runs(~padding.all(1)), runs(~padding.all(0))
    # One row per class, in class order, of PER_ROW tiles each of its class's gray.
    assert len(row_spans) == CLASSES and len(col_spans) == PER_ROW
    for k, (y0, y1) in enumerate(row_spans):
        for x0, x1 in col_spans:
            tile = box[y0 + 2 : y1 - 2, x0 + 2 : x1 - 2]  # off the resampled edges
            np.testing.assert_allclose(tile, LEVELS[k], atol=GRAY, err_msg=f"row {k}")
    # Square tiles of one size, 1/17 of a tile pitch apart (16-pixel images 1 pixel apart).
    sizes = [b - a for a, b in row_spans + col_spans]
    assert max(sizes) - min(sizes) <= 3, sizes
    pitch = np.median(np.diff([a for a, _ in row_spans]))
    assert np.median(sizes) / pitch == pytest.approx(SIDE / (SIDE + 1), abs=0.01)

    # A tick on the left edge of each row, inside the row, and by each a different label:
    # the dark glyphs of two labels differ in >= 11 pixels where they are different digits,
    # in <= 2 (anti-aliasing) where they are the same.
    ticks = [(a + b - 1) // 2 for a, b in runs((png[:, left - 6 : left - 3] < 0.5).all(1))]
    assert len(ticks) == CLASSES, ticks
    glyphs = []
    for tick, (y0, y1) in zip(ticks, row_spans, strict=True):
        assert top + y0 <= tick < top + y1, (tick, top + y0, top + y1)
        glyphs.append(glyph(png[tick - 10 : tick + 11, : left - 8]))
    apart = [mismatch(a, b) for i, a in enumerate(glyphs) for b in glyphs[i + 1 :]]
    assert min(apart) > 6, apart


def test_sample_grid_rows_can_carry_class_names(tmp_path):
    names = [f"class {chr(65 + k)}" for k in range(CLASSES)]
    ids = tfgan.callbacks.SampleGrid(tmp_path, num_samples=CLASSES * PER_ROW)
    named = tfgan.callbacks.SampleGrid(tmp_path, num_samples=CLASSES * PER_ROW, class_names=names)
    for grid, name in ((ids, "ids.png"), (named, "names.png")):
        grid.set_model(label_painter())
        grid.draw(str(tmp_path / name))
    by_id, by_name = read_gray(tmp_path / "ids.png"), read_gray(tmp_path / "names.png")
    # The same rows of samples; the labels beside them are other glyphs.
    assert by_id.shape[0] == by_name.shape[0]
    assert (by_name < 0.5).sum() != (by_id < 0.5).sum()
    wrong = tfgan.callbacks.SampleGrid(tmp_path, class_names=names[:-1])
    wrong.set_model(label_painter())
    with pytest.raises(ValueError, match=f"class_names has {CLASSES - 1} names"):
        wrong.draw(str(tmp_path / "wrong.png"))


# ---------------------------------------------------------------- Evaluate


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


def test_evaluate_plots_every_metric_against_the_step_after_each_evaluation(tmp_path):
    gan = small_gan()
    real = next(iter(tfgan.data.images("digits", "test", 100, 16))).numpy()
    floor = {"fid": 2.0, "coverage": 0.95}
    evaluate = tfgan.callbacks.Evaluate(
        real, num_samples=50, verbose=0, plot_dir=str(tmp_path / "plots"), floor=floor
    )
    path = tmp_path / "plots" / "metrics.png"
    pictures, steps = [], []  # the PNG as it stands after each epoch, and the model's step

    class Look(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            pictures.append(matplotlib.image.imread(str(path)))
            steps.append(int(self.model.noise_step.numpy()))

    gan.fit(digits(), steps_per_epoch=2, epochs=2, callbacks=[evaluate, Look()], verbose=0)
    # The results say the step of each evaluation, as the model counts it (50 per epoch
    # here: Keras runs whole compiled calls of steps_per_execution=50, the GAN's default,
    # even where steps_per_epoch is 2); the plot is replaced after each.
    assert [(r["epoch"], r["step"]) for r in evaluate.results] == [(1, steps[0]), (2, steps[1])]
    assert steps[0] > 0 and steps[1] == 2 * steps[0]
    first, second = pictures
    assert first.shape == second.shape and first.shape[0] > 200 and first.shape[1] > 600
    for png in (first, second):  # not blank: axes, text, curves, floors
        assert len(np.unique(png[..., :3].reshape(-1, 3), axis=0)) > 10
    assert not np.array_equal(first, second)  # a second point on every curve
    assert sorted(p.name for p in path.parent.iterdir()) == ["metrics.png"]  # no temporary
    # plot() draws the same picture on demand.
    evaluate.plot(str(tmp_path / "again.png"))
    np.testing.assert_array_equal(matplotlib.image.imread(str(tmp_path / "again.png")), second)


def test_callbacks_refuse_every_below_one(tmp_path):
    with pytest.raises(ValueError, match="every"):
        tfgan.callbacks.SampleGrid(tmp_path, every=0)
