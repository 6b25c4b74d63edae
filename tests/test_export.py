"""Export: SavedModel for TF Serving, TFLite through LiteRT, and the generate command."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf

import tfgan_lite as tfgan
from tfgan_lite import export
from tfgan_lite.networks import conditional_mlp_gan, mlp_gan


@pytest.fixture(scope="module")
def gans():
    """A trained-for-a-moment unconditional and conditional GAN, and a .keras copy of each."""
    plain = tfgan.GAN(*mlp_gan(4, 2, (32, 32)), latent_dim=4, seed=0)
    conditional = tfgan.ConditionalGAN(
        *conditional_mlp_gan(4, 2, 8, (32, 32)), num_classes=8, latent_dim=4, seed=0
    )
    for gan in (plain, conditional):
        gan.compile()
    plain.fit(tfgan.data.toy_dataset("ring8", 64), steps_per_epoch=20, verbose=0)
    conditional.fit(tfgan.data.toy_dataset("ring8", 64, labels=True), steps_per_epoch=20, verbose=0)
    return {"plain": plain, "conditional": conditional}


def inputs(gan, n, seed=0):
    z = np.random.default_rng(seed).normal(size=(n, gan.latent_dim)).astype(np.float32)
    labels = (np.arange(n) % 8).astype(np.int32) if hasattr(gan, "num_classes") else None
    return z, labels


def keras_samples(gan, z, labels):
    return np.asarray(gan.generator([z, labels] if labels is not None else z, training=False))


def tree_digest(path):
    digest = hashlib.sha256()
    for root, _, files in sorted(os.walk(path)):
        for name in sorted(files):
            digest.update(os.path.relpath(os.path.join(root, name), path).encode())
            with open(os.path.join(root, name), "rb") as f:
                digest.update(f.read())
    return digest.hexdigest()


# A fresh interpreter that never imports tfgan_lite: what TF Serving or a user script sees.
PLAIN_TF = textwrap.dedent(
    """
    import sys, numpy as np, tensorflow as tf
    model = tf.saved_model.load(sys.argv[1])
    z = np.load(sys.argv[2])
    feed = {"z": tf.constant(z)}
    if len(sys.argv) > 4:
        feed["labels"] = tf.constant(np.load(sys.argv[4]))
    samples = model.signatures["serving_default"](**feed)["samples"].numpy()
    np.save(sys.argv[3], samples)
    assert not any(name.startswith("tfgan_lite") for name in sys.modules), "imported tfgan_lite"
    """
)


@pytest.mark.parametrize("kind", ["plain", "conditional"])
def test_saved_model_round_trip_in_a_process_without_tfgan_lite(gans, kind, tmp_path):
    gan = gans[kind]
    path = export.saved_model(gan, str(tmp_path / "models"))
    assert path == str(tmp_path / "models" / "1")
    for n in (1, 16):
        z, labels = inputs(gan, n)
        np.save(tmp_path / "z.npy", z)
        args = [
            sys.executable,
            "-c",
            PLAIN_TF,
            path,
            str(tmp_path / "z.npy"),
            str(tmp_path / "o.npy"),
        ]
        if labels is not None:
            np.save(tmp_path / "labels.npy", labels)
            args.append(str(tmp_path / "labels.npy"))
        result = subprocess.run(args, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        np.testing.assert_allclose(
            np.load(tmp_path / "o.npy"), keras_samples(gan, z, labels), rtol=1e-6, atol=1e-6
        )


def test_saved_model_cli_lists_both_signatures(gans, tmp_path):
    path = export.saved_model(gans["conditional"], str(tmp_path / "m"))
    cli = shutil.which("saved_model_cli") or os.path.join(
        os.path.dirname(sys.executable), "saved_model_cli"
    )
    result = subprocess.run(
        [cli, "show", "--dir", path, "--all"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for text in ("signature_def['serving_default']", "signature_def['sample']", "num_samples"):
        assert text in result.stdout
    for name in ("z", "labels", "seed", "samples"):
        assert f"['{name}']" in result.stdout


def test_sample_signature_is_deterministic_per_seed_and_matches_generate(gans, tmp_path):
    gan = gans["plain"]
    signature = tf.saved_model.load(export.saved_model(gan, str(tmp_path))).signatures["sample"]

    def draw(seed):
        out = signature(num_samples=tf.constant(50), seed=tf.constant(seed, tf.int64))
        return out["samples"].numpy()

    np.testing.assert_array_equal(draw(3), draw(3))
    assert not np.allclose(draw(3), draw(4))
    np.testing.assert_allclose(draw(3), gan.generate(50, seed=3), rtol=1e-6, atol=1e-6)


def test_uint8_output_maps_the_value_range_onto_0_255(gans, tmp_path):
    gan = gans["plain"]
    model = tf.saved_model.load(export.saved_model(gan, str(tmp_path), output="uint8"))
    z, _ = inputs(gan, 64)
    out = model.signatures["serving_default"](z=tf.constant(z))["samples"].numpy()
    assert out.dtype == np.uint8
    expected = np.round((np.clip(keras_samples(gan, z, None), -1, 1) + 1) / 2 * 255)
    np.testing.assert_array_equal(out, expected.astype(np.uint8))


def test_versions_are_never_overwritten_and_a_failed_export_leaves_nothing(
    gans, tmp_path, monkeypatch
):
    base = str(tmp_path / "models")
    first = export.saved_model(gans["plain"], base)
    before = tree_digest(first)
    second = export.saved_model(gans["plain"], base)
    assert second == os.path.join(base, "2")
    assert tree_digest(first) == before
    with pytest.raises(ValueError, match="never overwritten"):
        export.saved_model(gans["plain"], base, version=1)

    class Broken:
        def write_out(self, path, verbose=False):
            with open(os.path.join(path, "saved_model.pb"), "w") as f:
                f.write("half")
            raise OSError("disk full")

    monkeypatch.setattr(export, "_archive", lambda *args, **kwargs: Broken())
    with pytest.raises(OSError, match="disk full"):
        export.saved_model(gans["plain"], base)
    assert sorted(os.listdir(base)) == ["1", "2"]
    assert tree_digest(first) == before


@pytest.mark.parametrize("kind", ["plain", "conditional"])
def test_tflite_float32_equals_keras_for_batch_1_and_16(gans, kind, tmp_path):
    gan = gans[kind]
    path = export.tflite(gan, str(tmp_path / "g.tflite"))
    with open(path + ".json") as f:
        metadata = json.load(f)
    assert metadata["latent_dim"] == 4 and metadata["prior"] == "normal"
    for n in (1, 16):
        z, labels = inputs(gan, n, seed=n)
        actual = export.run_tflite(path, z, labels)
        np.testing.assert_allclose(actual, keras_samples(gan, z, labels), rtol=0, atol=1e-5)


@pytest.mark.parametrize("quantize", ["float16", "dynamic_range"])
def test_quantized_tflite_stays_within_its_stated_tolerance(gans, quantize, tmp_path):
    gan = gans["plain"]
    path = export.tflite(gan, str(tmp_path / "q.tflite"), quantize=quantize)
    z, _ = inputs(gan, 16)
    error = np.max(np.abs(export.run_tflite(path, z) - keras_samples(gan, z, None)))
    assert error <= export.TOLERANCES[quantize]


def test_bad_export_options_are_refused(gans, tmp_path):
    with pytest.raises(ValueError, match="quantize='int4'"):
        export.tflite(gans["plain"], str(tmp_path / "x.tflite"), quantize="int4")
    with pytest.raises(ValueError, match="output='png'"):
        export.saved_model(gans["plain"], str(tmp_path), output="png")
    with pytest.raises(ValueError, match="version must be a positive integer"):
        export.saved_model(gans["plain"], str(tmp_path), version=0)
    assert not os.path.exists(tmp_path / "x.tflite")


def generate(*args):
    return subprocess.run(
        [sys.executable, "-m", "tfgan_lite.generate", *args],
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_generate_command_on_all_three_formats(gans, tmp_path):
    gan = gans["conditional"]
    formats = {
        "saved_model": export.saved_model(gan, str(tmp_path / "m")),
        "tflite": export.tflite(gan, str(tmp_path / "g.tflite")),
        "keras": str(tmp_path / "g.keras"),
    }
    gan.save(formats["keras"])
    results = {}
    for name, model in formats.items():
        out = tmp_path / f"{name}.npy"
        result = generate(
            "--model", model, "--num", "12", "--seed", "5", "--labels", "3", "--out", str(out)
        )
        assert result.returncode == 0, result.stderr[-2000:]
        results[name] = np.load(out)
        assert results[name].shape == (12, 2)
    np.testing.assert_allclose(results["saved_model"], results["keras"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(results["tflite"], results["keras"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(results["keras"], gan.generate(12, labels=3, seed=5), atol=1e-6)
    png = tmp_path / "scatter.png"
    assert generate("--model", formats["saved_model"], "--out", str(png)).returncode == 0
    assert png.stat().st_size > 1000


def test_generate_command_gives_one_line_errors(gans, tmp_path):
    plain = export.saved_model(gans["plain"], str(tmp_path / "m"))
    cases = [
        (["--model", str(tmp_path / "nope"), "--out", "x.npy"], "does not exist"),
        (["--model", plain, "--labels", "1", "--out", str(tmp_path / "x.npy")], "not conditional"),
        (["--model", plain, "--out", str(tmp_path / "x.gif")], ".png picture or a .npy"),
        (["--model", str(tmp_path / "m"), "--out", str(tmp_path / "x.npy")], "version directory"),
    ]
    for args, message in cases:
        result = generate(*args)
        assert result.returncode == 2
        # One line of ours, the last; TensorFlow's own start-up lines may stand above it.
        lines = result.stderr.strip().splitlines()
        assert lines[-1].startswith("error: ") and message in lines[-1]
        assert sum(line.startswith("error: ") for line in lines) == 1
        assert "Traceback" not in result.stderr


@pytest.mark.skipif(
    shutil.which("tensorflow_model_server") is None,
    reason="tensorflow_model_server is not on PATH (TF Serving ships as a Docker image or "
    "Google's apt repository, neither reachable here)",
)
def test_tensorflow_serving_answers_both_signatures_over_rest(gans, tmp_path):
    import socket
    import time
    import urllib.request

    base = str(tmp_path / "models")
    export.saved_model(gans["plain"], base)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [
            "tensorflow_model_server",
            f"--rest_api_port={port}",
            "--port=0",
            "--model_name=gan",
            f"--model_base_path={base}",
        ]
    )
    try:
        url = f"http://127.0.0.1:{port}/v1/models/gan:predict"

        def post(body):
            request = urllib.request.Request(url, json.dumps(body).encode(), method="POST")
            with urllib.request.urlopen(request, timeout=5) as response:
                return json.loads(response.read())["outputs"]

        z, _ = inputs(gans["plain"], 3)
        for _ in range(60):
            try:
                outputs = post({"inputs": {"z": z.tolist()}})
                break
            except OSError:
                time.sleep(0.5)
        np.testing.assert_allclose(outputs, keras_samples(gans["plain"], z, None), atol=1e-5)
        sampled = post({"signature_name": "sample", "inputs": {"num_samples": 4, "seed": 1}})
        assert np.asarray(sampled).shape == (4, 2)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_generate_draws_an_image_grid_from_a_uint8_export(tmp_path):
    import keras
    import matplotlib.pyplot as plt

    generator = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(64, activation="tanh"),
            keras.layers.Reshape((8, 8, 1)),
        ]
    )
    discriminator = keras.Sequential(
        [keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(1)]
    )
    gan = tfgan.GAN(generator, discriminator, latent_dim=4, seed=0)
    path = export.saved_model(gan, str(tmp_path / "m"), output="uint8")
    png = tmp_path / "grid.png"
    result = generate("--model", path, "--num", "10", "--seed", "2", "--out", str(png))
    assert result.returncode == 0, result.stderr[-2000:]
    grid = plt.imread(png)
    # 10 images of 8 x 8 on 3 rows of 4, 1 pixel apart (26 x 35), scaled 12 times to >= 400 wide.
    assert grid.shape[:2] == (26 * 12, 35 * 12)
    first = np.round(grid[:96:12, :96:12, 0] * 255)
    expected = np.round((np.clip(gan.generate(10, seed=2)[0, ..., 0], -1, 1) + 1) / 2 * 255)
    np.testing.assert_allclose(first, expected, atol=1)
