"""Image-to-image exports: a Pix2Pix and a CycleGAN (each direction) as SavedModel and
TFLite, equal to the models' translate number for number, their range checks, and
``generate --input`` on .npy arrays, image files and folders, in the three formats."""

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_lite as tfgan
from tfgan_lite import export, generate
from tfgan_lite.networks import mlp_gan, patch_discriminator, unet

SHAPE = (32, 32, 1)  # the Pix2Pix's source and target
SHAPE_A, SHAPE_B = (16, 16, 1), (16, 16, 3)  # the CycleGAN's domains: gray, color


def small_net(shape, channels, name):
    x = keras.Input(shape)
    h = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(x)
    out = keras.layers.Conv2D(channels, 3, padding="same", activation="tanh")(h)
    return keras.Model(x, out, name=name)


def small_critic(shape, name):
    x = keras.Input(shape)
    h = keras.layers.Conv2D(4, 4, strides=2, padding="same")(x)
    return keras.Model(x, keras.layers.Conv2D(1, 4, padding="same")(h), name=name)


def images(shape, n, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, *shape)).astype(np.float32)


@pytest.fixture(scope="module")
def models():
    """A Pix2Pix of the source alone, one of [source, z] that averages its generator, and a
    CycleGAN with averaging between a gray and a color domain, each trained for 2 steps (so
    that batch norm's statistics and the averages have moved)."""
    keras.utils.set_random_seed(0)
    pix2pix = tfgan.Pix2Pix(
        unet(SHAPE, SHAPE, width=4), patch_discriminator(SHAPE, SHAPE, width=4, layers=2), seed=0
    )
    pix2pix_z = tfgan.Pix2Pix(
        unet(SHAPE, SHAPE, width=4, latent_dim=3),
        patch_discriminator(SHAPE, SHAPE, width=4, layers=2),
        ema=0.5,
        seed=0,
    )
    for gan in (pix2pix, pix2pix_z):
        gan.compile()
        gan.fit(images(SHAPE, 8, 1), images(SHAPE, 8, 2), batch_size=4, epochs=1, verbose=0)
    cyclegan = tfgan.CycleGAN(
        small_net(SHAPE_A, 3, "g"),
        small_net(SHAPE_B, 1, "f"),
        small_critic(SHAPE_A, "d_a"),
        small_critic(SHAPE_B, "d_b"),
        identity_weight=0.0,
        ema=0.5,
        seed=0,
    )
    cyclegan.compile(steps_per_execution=1)
    cyclegan.fit(images(SHAPE_A, 4, 3), images(SHAPE_B, 4, 4), batch_size=2, verbose=0)
    return {"pix2pix": pix2pix, "pix2pix_z": pix2pix_z, "cyclegan": cyclegan}


# (model, direction, input shape, output shape)
CASES = {
    "pix2pix": ("pix2pix", None, SHAPE, SHAPE),
    "pix2pix_z": ("pix2pix_z", None, SHAPE, SHAPE),
    "a_to_b": ("cyclegan", "a_to_b", SHAPE_A, SHAPE_B),
    "b_to_a": ("cyclegan", "b_to_a", SHAPE_B, SHAPE_A),
}


def translate(models, case, x, seed=0):
    name, direction, _, _ = CASES[case]
    if direction is None:
        return models[name].translate(x, seed=seed)
    return models[name].translate(x, direction)


def to_uint8(x):
    return np.round((np.clip(x, -1, 1) + 1) / 2 * 255).astype(np.uint8)


@pytest.fixture(scope="module")
def saved(models, tmp_path_factory):
    """Every case exported once as a float SavedModel."""
    base = tmp_path_factory.mktemp("saved")
    return {
        case: export.saved_model(models[name], str(base / case), direction=direction)
        for case, (name, direction, _, _) in CASES.items()
    }


def serve(path, x, seed=None):
    signature = tf.saved_model.load(path).signatures["serving_default"]
    feed = {"images": tf.constant(x)}
    if seed is not None:
        feed["seed"] = tf.constant(seed, tf.int64)
    return signature(**feed)["images"].numpy()


@pytest.mark.parametrize("case", sorted(CASES))
def test_saved_model_equals_translate_and_records_its_metadata(models, saved, case):
    name, direction, shape_in, shape_out = CASES[case]
    loaded = tf.saved_model.load(saved[case])
    assert sorted(loaded.signatures) == ["serving_default"]
    inputs = loaded.signatures["serving_default"].structured_input_signature[1]
    assert sorted(inputs) == (["images", "seed"] if case == "pix2pix_z" else ["images"])
    assert inputs["images"].shape.as_list() == [None, *shape_in]
    for n in (1, 5):
        x = images(shape_in, n, seed=n)
        seed = 7 if case == "pix2pix_z" else None
        out = serve(saved[case], x, seed)
        assert out.shape == (n, *shape_out) and out.dtype == np.float32
        np.testing.assert_allclose(out, translate(models, case, x, seed=7), rtol=0, atol=1e-5)
    with open(os.path.join(saved[case], "assets.extra", "tfgan_lite.json")) as f:
        metadata = json.load(f)
    assert metadata["kind"] == "image_to_image"
    assert metadata["model"] == ("CycleGAN" if direction else "Pix2Pix")
    assert metadata["direction"] == direction
    assert metadata["input_shape"] == list(shape_in)
    assert metadata["output_shape"] == list(shape_out)
    assert metadata["output"] == "float" and metadata["value_range"] == [-1.0, 1.0]
    assert metadata["latent_dim"] == (3 if case == "pix2pix_z" else None)
    averaged = case != "pix2pix"
    assert metadata["generator"] == ("averaged (ema=0.5)" if averaged else "live")


def test_exports_hold_the_averaged_generators(models, saved):
    x = images(SHAPE_A, 4)
    live = models["cyclegan"].translate(x, "a_to_b", averaged=False)
    assert not np.allclose(serve(saved["a_to_b"], x), live, atol=1e-5)
    z_source = images(SHAPE, 4)
    live = models["pix2pix_z"].translate(z_source, seed=1, averaged=False)
    assert not np.allclose(serve(saved["pix2pix_z"], z_source, 1), live, atol=1e-5)


def test_the_seed_draws_z_as_translate_draws_it(models, saved):
    x = images(SHAPE, 6)
    np.testing.assert_array_equal(serve(saved["pix2pix_z"], x, 3), serve(saved["pix2pix_z"], x, 3))
    assert not np.allclose(serve(saved["pix2pix_z"], x, 3), serve(saved["pix2pix_z"], x, 4))


@pytest.mark.parametrize("case", ["pix2pix", "b_to_a"])
def test_uint8_exports_take_and_give_0_255(models, case, tmp_path):
    name, direction, shape_in, _ = CASES[case]
    path = export.saved_model(models[name], str(tmp_path), output="uint8", direction=direction)
    x = np.random.default_rng(0).integers(0, 256, (6, *shape_in)).astype(np.uint8)
    out = serve(path, x)
    assert out.dtype == np.uint8
    expected = to_uint8(translate(models, case, export.uint8_to_range(x)))
    assert np.max(np.abs(out.astype(int) - expected.astype(int))) <= 1
    with pytest.raises(tf.errors.InvalidArgumentError, match="expected to be a uint8"):
        serve(path, images(shape_in, 2))


# A fresh interpreter that never imports tfgan_lite: what TF Serving or a user script sees.
PLAIN_TF = textwrap.dedent(
    """
    import sys, numpy as np, tensorflow as tf
    signature = tf.saved_model.load(sys.argv[1]).signatures["serving_default"]
    x = np.load(sys.argv[2])
    out = signature(images=tf.constant(x), seed=tf.constant(5, tf.int64))["images"].numpy()
    np.save(sys.argv[3], out)
    try:
        signature(images=tf.constant(x * 3), seed=tf.constant(5, tf.int64))
        print("ANSWERED")
    except tf.errors.InvalidArgumentError as error:
        print(error.message)
    assert not any(name.startswith("tfgan_lite") for name in sys.modules), "imported tfgan_lite"
    """
)


def test_saved_model_runs_and_refuses_in_a_process_without_tfgan_lite(models, saved, tmp_path):
    x = images(SHAPE, 3)
    np.save(tmp_path / "x.npy", x)
    args = [saved["pix2pix_z"], str(tmp_path / "x.npy"), str(tmp_path / "out.npy")]
    result = subprocess.run(
        [sys.executable, "-c", PLAIN_TF, *args], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    expected = models["pix2pix_z"].translate(x, seed=5)
    np.testing.assert_allclose(np.load(tmp_path / "out.npy"), expected, rtol=0, atol=1e-5)
    assert "ANSWERED" not in result.stdout
    assert "assertion failed: [images must hold values in [-1, 1]" in result.stdout


def test_images_outside_the_value_range_are_an_invalid_argument(models, saved, tmp_path):
    x = images(SHAPE_A, 2)
    for bad in (x * 1.5, np.where(x > 0.9, np.nan, x).astype(np.float32)):
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"images must hold values in"):
            serve(saved["a_to_b"], bad)
    # A rescale's rounding stays within the slack.
    serve(saved["a_to_b"], np.clip(x * 2, -1, 1) * np.float32(1 + 1e-4))
    path = export.saved_model(
        models["cyclegan"], str(tmp_path), value_range=(0.0, 1.0), direction="a_to_b"
    )
    serve(path, (x + 1) / 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[0, 1\] .* got values from"):
        serve(path, x)
    # Shapes the model does not take (a concrete function runs its graph on them).
    for shape in (SHAPE_B, (8, 8, 1), (16, 16)):
        with pytest.raises(
            tf.errors.InvalidArgumentError, match=r"images must have shape \(n, 16, 16, 1\)"
        ):
            serve(path, (images(shape, 2) + 1) / 2)


def test_direction_is_required_for_a_cyclegan_and_refused_for_other_models(models, tmp_path):
    for direction in (None, "both"):
        for write in (export.saved_model, export.tflite):
            with pytest.raises(ValueError, match="'a_to_b'.*'b_to_a'"):
                write(models["cyclegan"], str(tmp_path / "x"), direction=direction)
    plain = tfgan.GAN(*mlp_gan(2, 2, (8,)), latent_dim=2, seed=0)
    for model in (models["pix2pix"], plain):
        with pytest.raises(ValueError, match="direction='a_to_b' is for a CycleGAN"):
            export.saved_model(model, str(tmp_path / "y"), direction="a_to_b")
    with pytest.raises(ValueError, match="max_samples= bounds a sample signature"):
        export.saved_model(models["pix2pix"], str(tmp_path / "z"), max_samples=8)
    with pytest.raises(ValueError, match="class_names= is for conditional models"):
        export.tflite(models["pix2pix"], str(tmp_path / "z.tflite"), class_names=["a"])
    assert os.listdir(tmp_path) == []  # nothing written, not even the base directories


@pytest.fixture(scope="module")
def tflites(models, tmp_path_factory):
    base = tmp_path_factory.mktemp("tflite")
    return {
        case: export.tflite(models[name], str(base / f"{case}.tflite"), direction=direction)
        for case, (name, direction, _, _) in CASES.items()
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_tflite_equals_translate_for_batch_1_and_5(models, tflites, case):
    name, direction, shape_in, _ = CASES[case]
    with open(tflites[case] + ".json") as f:
        metadata = json.load(f)
    assert metadata["kind"] == "image_to_image" and metadata["direction"] == direction
    assert metadata["input_shape"] == list(shape_in) and metadata["quantize"] is None
    for n in (1, 5):
        x = images(shape_in, n, seed=n)
        z = models[name].sample_latent(n, 9) if case == "pix2pix_z" else None
        out = export.run_tflite_images(tflites[case], x, z)
        np.testing.assert_allclose(out, translate(models, case, x, seed=9), rtol=0, atol=1e-5)


def test_tflite_uint8_and_run_tflite_images_refusals(models, tflites, tmp_path, monkeypatch):
    path = export.tflite(models["pix2pix"], str(tmp_path / "u.tflite"), output="uint8")
    x = np.random.default_rng(1).integers(0, 256, (4, *SHAPE)).astype(np.uint8)
    out = export.run_tflite_images(path, x)
    assert out.dtype == np.uint8
    expected = to_uint8(models["pix2pix"].translate(export.uint8_to_range(x)))
    assert np.max(np.abs(out.astype(int) - expected.astype(int))) <= 1
    with pytest.raises(ValueError, match="takes uint8 images"):
        export.run_tflite_images(path, images(SHAPE, 2))
    with pytest.raises(ValueError, match="takes float32 images"):
        export.run_tflite_images(tflites["pix2pix"], x)
    with pytest.raises(ValueError, match="takes z beside the images"):
        export.run_tflite_images(tflites["pix2pix_z"], images(SHAPE, 2))
    # A file that fails verification is not written.
    monkeypatch.setattr(export, "_verify_translation", lambda *args, **kwargs: 0.5)
    with pytest.raises(ValueError, match="differs from the Pix2Pix's translate by 0.5"):
        export.tflite(models["pix2pix"], str(tmp_path / "bad.tflite"))
    assert not os.path.exists(tmp_path / "bad.tflite")


# ---------------------------------------------------------------- the generate command
def run_generate(capsys, *args):
    """generate.main in this process: its exit status, its stderr's lines and its stdout."""
    status = generate.main([str(a) for a in args])
    captured = capsys.readouterr()
    return status, captured.err.strip().splitlines(), captured.out


def write_pngs(folder, x):
    """uint8 images (n, H, W, C) as PNG files 0.png, 1.png, ... in ``folder``."""
    os.makedirs(folder, exist_ok=True)
    for i, image in enumerate(x):
        tf.io.write_file(os.path.join(folder, f"{i:02d}.png"), tf.io.encode_png(image))


def test_generate_translates_npy_input_alike_in_the_three_formats(
    models, saved, tflites, tmp_path, capsys
):
    for case in ("a_to_b", "pix2pix_z"):
        name, direction, shape_in, _ = CASES[case]
        x = images(shape_in, 5)
        np.save(tmp_path / "x.npy", x)
        keras_path = tmp_path / f"{case}.keras"
        models[name].save(keras_path)
        expected = translate(models, case, x, seed=4)
        for model in (saved[case], tflites[case], keras_path):
            out = tmp_path / "out.npy"
            args = ["--model", model, "--input", tmp_path / "x.npy", "--seed", 4, "--out", out]
            if direction and model == keras_path:
                args += ["--direction", direction]
            status, lines, printed = run_generate(capsys, *args)
            assert status == 0, lines
            np.testing.assert_allclose(np.load(out), expected, rtol=0, atol=1e-5)
            assert f"wrote 5 translated images of shape {expected.shape[1:]}" in printed


def test_generate_translates_a_folder_of_pngs_and_draws_pairs(models, saved, tmp_path, capsys):
    x = np.random.default_rng(2).integers(0, 256, (3, *SHAPE_A)).astype(np.uint8)
    write_pngs(tmp_path / "pngs", x)
    uint8_path = export.saved_model(
        models["cyclegan"], str(tmp_path / "u8"), output="uint8", direction="a_to_b"
    )
    expected = models["cyclegan"].translate(export.uint8_to_range(x), "a_to_b")
    args = ["--input", str(tmp_path / "pngs"), "--out", str(tmp_path / "float.npy")]
    assert generate.main(["--model", saved["a_to_b"], *args]) == 0
    got = np.load(tmp_path / "float.npy")
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)
    # A uint8 export gives uint8 images.
    args[-1] = str(tmp_path / "uint8.npy")
    assert generate.main(["--model", uint8_path, *args]) == 0
    assert "wrote 3 translated images of shape (16, 16, 3)" in capsys.readouterr().out
    got = np.load(tmp_path / "uint8.npy")
    assert got.dtype == np.uint8
    assert np.max(np.abs(got.astype(int) - to_uint8(expected).astype(int))) <= 1
    import matplotlib.pyplot as plt

    png = tmp_path / "pairs.png"
    one = str(tmp_path / "pngs" / "01.png")
    assert generate.main(["--model", uint8_path, "--input", one, "--out", str(png)]) == 0
    grid = plt.imread(png)
    # One pair of 16 x 16 images, 1 pixel apart (16 x 33), scaled 13 times to >= 400 wide.
    assert grid.shape[:2] == (16 * 13, 33 * 13)
    np.testing.assert_allclose(np.round(grid[::13, :208:13, 0] * 255), x[1, ..., 0], atol=1)
    right = np.round(grid[::13, 17 * 13 :: 13, :3] * 255)
    np.testing.assert_allclose(right, to_uint8(expected[1]), atol=1)


def test_generate_gives_one_line_errors(models, saved, tflites, tmp_path, capsys):
    plain = export.saved_model(tfgan.GAN(*mlp_gan(2, 2, (8,)), latent_dim=2), str(tmp_path / "g"))
    cyclegan_keras = tmp_path / "c.keras"
    models["cyclegan"].save(cyclegan_keras)
    np.save(tmp_path / "a.npy", images(SHAPE_A, 2))
    np.save(tmp_path / "wide.npy", images(SHAPE_A, 2) * 2)
    np.save(tmp_path / "other.npy", images((16, 8, 1), 2))
    write_pngs(tmp_path / "mixed", np.zeros((2, *SHAPE_A), np.uint8))
    write_pngs(tmp_path / "mixed" / "sub", np.zeros((1, 20, 16, 1), np.uint8))
    out = tmp_path / "out.npy"
    a = tmp_path / "a.npy"
    cases = [
        (["--model", plain, "--input", a], "--input is for image-to-image models"),
        (["--model", saved["a_to_b"]], "translates images: pass --input"),
        (["--model", tflites["pix2pix"]], "translates images: pass --input"),
        (["--model", saved["a_to_b"], "--input", a, "--num", 3], "--num is for sampling"),
        (["--model", saved["a_to_b"], "--input", tmp_path / "nope.npy"], "does not exist"),
        (["--model", saved["a_to_b"], "--input", tmp_path / "other.npy"], "shape (2, 16, 8, 1)"),
        (["--model", saved["a_to_b"], "--input", tmp_path / "wide.npy"], "outside the model's"),
        (["--model", tflites["a_to_b"], "--input", tmp_path / "mixed"], "is 20x16, but the model"),
        (["--model", cyclegan_keras, "--input", a], "pass --direction a_to_b"),
        (["--model", cyclegan_keras, "--input", a, "--direction", "up"], "use a_to_b or b_to_a"),
        (["--model", saved["a_to_b"], "--input", a, "--direction", "b_to_a"], "a_to_b generator"),
        (["--model", saved["pix2pix"], "--input", a, "--direction", "a_to_b"], "for a CycleGAN"),
        (["--model", plain, "--direction", "a_to_b"], "--direction is for image-to-image"),
    ]
    for args, message in cases:
        status, lines, _ = run_generate(capsys, *args, "--out", out)
        assert status == 2, (args, lines)
        assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines
    assert not os.path.exists(out)
