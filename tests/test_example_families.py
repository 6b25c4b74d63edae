"""examples/train.py for ACGAN, InfoGAN, Pix2Pix and CycleGAN: each trains a few steps,
writes its picture, metrics, model and exports (which answer as the Keras model does),
and bad flag combinations are refused before training."""

import json
import os
import re
import subprocess
import sys

import keras
import numpy as np
import pytest

import tfgan_lite as tfgan
from tfgan_lite import export

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "examples", "train.py")
# Tiny runs: 10 steps in two compiled calls, 60 images scored.
TINY = ["--steps=10", "--steps_per_execution=5", "--eval_samples=60", "--batch_size=8"]


def run(*args):
    return subprocess.run(
        [sys.executable, SCRIPT, *args], capture_output=True, text=True, timeout=300
    )


def same(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-5)


def test_acgan_and_infogan_write_their_grids_scores_and_exports(tmp_path):
    rng = np.random.default_rng(0)
    for model, cls, extra, scores in (
        ("acgan", tfgan.ACGAN, [], ["label_accuracy"]),
        (
            "infogan",
            tfgan.InfoGAN,
            ["--info_hidden=16"],
            ["q_accuracy_on_test", "samples_read_as_code"],
        ),
    ):
        out = tmp_path / model
        args = ["--image_size=16", "--width=8", "--latent_dim=8", *TINY, *extra]
        result = run(f"--model={model}", f"--output_dir={out}", *args)
        assert result.returncode == 0, result.stderr[-3000:]
        metrics = json.loads((out / "metrics.json").read_text())
        assert metrics["steps_completed"] == 10 and metrics["flags"]["model"] == model
        assert {"fid", "precision", "recall"} <= set(metrics["final_metrics"])
        assert all(0 <= metrics[name] <= 1 for name in scores)
        assert metrics["real_vs_real_floor"]["fid"] < metrics["final_metrics"]["fid"]
        for picture in ("samples.png", "loss.png", "metrics.png"):
            assert (out / picture).stat().st_size > 1000
        assert (out / "saved_model" / "1" / "saved_model.pb").exists()
        gan = keras.models.load_model(out / "gan.keras")
        assert isinstance(gan, cls)
        z = rng.normal(size=(4, 8)).astype(np.float32)
        if model == "acgan":
            labels = np.array([0, 3, 7, 9], np.int32)
            tflite = export.run_tflite(out / "generator.tflite", z, labels)
            same(tflite, gan.generator([z, labels], training=False))
        else:  # z, the one-hot 10-way code, then the 2 continuous codes
            codes = np.array([[0], [3], [7], [9]], np.int32)
            continuous = rng.uniform(-1, 1, (4, 2)).astype(np.float32)
            tflite = export.run_tflite(out / "generator.tflite", z, None, codes, continuous)
            inputs = np.concatenate([z, np.eye(10, dtype=np.float32)[codes[:, 0]], continuous], 1)
            same(tflite, gan.generator(inputs, training=False))


def test_pix2pix_and_cyclegan_translate_the_digit_tasks_and_export_each_direction(tmp_path):
    for model, cls, scores in (
        ("pix2pix", tfgan.Pix2Pix, ["l1_to_target", "fid", "read_as_source"]),
        ("cyclegan", tfgan.CycleGAN, ["cycle_l1", "l1_to_thickened", "read_as_source"]),
    ):
        out = tmp_path / model
        result = run(f"--model={model}", f"--output_dir={out}", "--width=4", *TINY)
        assert result.returncode == 0, result.stderr[-3000:]
        assert f"--input {out / 'sources.npy'}" in result.stdout  # the generate command
        metrics = json.loads((out / "metrics.json").read_text())
        assert metrics["steps_completed"] == 10 and all(name in metrics for name in scores)
        assert (out / "samples.png").stat().st_size > 1000
        assert (out / "loss.png").stat().st_size > 1000
        assert (out / "saved_model" / "1" / "saved_model.pb").exists()
        gan = keras.models.load_model(out / "gan.keras")
        assert isinstance(gan, cls)
        sources = np.load(out / "sources.npy")[:3]
        assert sources.shape == (3, 32, 32, 1)  # the digits at 32x32
        if model == "pix2pix":  # the top quarter kept, the rest blank
            assert np.all(sources[:, 8:] == -1) and np.any(sources[:, :8] > -1)
            same(
                export.run_tflite_images(out / "generator.tflite", sources), gan.translate(sources)
            )
        else:
            same(
                export.run_tflite_images(out / "generator.tflite", sources), gan.translate(sources)
            )
            backward = export.run_tflite_images(out / "generator_b_to_a.tflite", sources)
            same(backward, gan.translate(sources, "b_to_a"))
            assert (out / "saved_model_b_to_a" / "1" / "saved_model.pb").exists()


@pytest.fixture(scope="module")
def train_module():
    """examples/train.py imported here, its flags parsed per case (cheaper than a process)."""
    sys.path.insert(0, os.path.dirname(SCRIPT))
    try:
        import train
    finally:
        sys.path.pop(0)
    yield train
    train.FLAGS.unparse_flags()


@pytest.mark.parametrize(
    "flags, named",
    [
        (["--model=acgan", "--pack=2"], "--pack=2 is for --model=gan or unrolled"),
        (["--model=infogan", "--dataset=ring8"], "--dataset=digits, a folder or a TFDS"),
        (["--model=pix2pix", "--dataset=mnist"], "--dataset=mnist has no such task"),
        (["--model=pix2pix", "--image_size=28"], "--image_size=28"),
        (["--model=cyclegan", "--augment=translation"], "drop --augment"),
        (["--model=cyclegan", "--discriminator_steps=2"], "--discriminator_steps"),
    ],
)
def test_bad_family_flags_are_refused(train_module, flags, named):
    from absl import app

    train_module.FLAGS.unparse_flags()
    train_module.FLAGS(["train.py", *flags])
    with pytest.raises(app.UsageError, match=re.escape(named)):
        train_module.check(train_module.read_settings())


def test_a_refused_combination_stops_the_script_before_training(tmp_path):
    result = run("--model=cyclegan", "--dataset=ring8", f"--output_dir={tmp_path / 'x'}")
    assert result.returncode != 0
    assert "--model=cyclegan trains on images; --dataset=ring8 is a toy" in result.stderr
    assert not (tmp_path / "x").exists()
