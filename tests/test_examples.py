"""examples/train.py end to end: outputs written, model reloadable, bad flags refused."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

import tfgan_lite as tfgan

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "examples", "train.py")


def run(*args):
    return subprocess.run(
        [sys.executable, SCRIPT, *args], capture_output=True, text=True, timeout=300
    )


def test_train_script_writes_samples_metrics_and_model(tmp_path):
    out = tmp_path / "run"
    result = run(
        "--dataset=grid25",
        "--loss=hinge",
        "--steps=120",
        "--steps_per_execution=40",
        "--num_samples=400",
        f"--output_dir={out}",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "modes" in result.stdout and str(out) in result.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["steps_completed"] == 120
    assert metrics["flags"]["loss"] == "hinge"
    assert metrics["mode_coverage"]["num_modes"] == 25
    assert 0 <= metrics["js_divergence"] <= np.log(2) + 0.05
    assert (out / "samples.png").stat().st_size > 1000
    gan = keras.models.load_model(out / "gan.keras")
    assert isinstance(gan, tfgan.GAN) and gan.objective.name == "hinge"
    assert gan.generate(5, seed=0).shape == (5, 2)
    assert (out / "saved_model" / "1" / "saved_model.pb").exists()
    assert (out / "generator.tflite").stat().st_size > 1000
    assert "python -m tfgan_lite.generate --model" in result.stdout


@pytest.mark.parametrize(
    "model, cls, extra, metric",
    [
        ("conditional", tfgan.ConditionalGAN, [], "on_label_mode"),
        ("semi_supervised", tfgan.SemiSupervisedGAN, ["--labels_per_class=3"], "test_accuracy"),
        ("unrolled", tfgan.UnrolledGAN, ["--unroll_steps=2"], None),
    ],
)
def test_train_script_trains_each_variant(tmp_path, model, cls, extra, metric):
    out = tmp_path / model
    result = run(
        "--dataset=ring8",
        f"--model={model}",
        "--steps=100",
        "--steps_per_execution=50",
        "--num_samples=400",
        "--num_examples=2560",
        f"--output_dir={out}",
        *extra,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["flags"]["model"] == model
    if metric:
        assert 0 <= metrics[metric] <= 1
    assert isinstance(keras.models.load_model(out / "gan.keras"), cls)


@pytest.mark.parametrize("model", ["gan", "conditional", "semi_supervised"])
def test_train_script_on_digits_evaluates_against_floor_and_ceiling(tmp_path, model):
    out = tmp_path / model
    result = run(
        "--dataset=digits",
        f"--model={model}",
        "--image_size=16",
        "--width=8",
        "--steps=40",
        "--eval_every=20",
        "--steps_per_execution=20",
        "--labels_per_class=5",
        f"--output_dir={out}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = json.loads((out / "metrics.json").read_text())
    for key in ("final_metrics", "real_vs_real_floor", "untrained_generator_ceiling"):
        assert set(metrics[key]) >= {"fid", "kid", "precision", "recall", "density", "coverage"}
    assert len(metrics["evaluations"]) == 2
    assert metrics["real_vs_real_floor"]["fid"] < metrics["untrained_generator_ceiling"]["fid"]
    assert len(list((out / "grids").glob("samples_epoch_*.png"))) == 2
    assert (out / "samples.png").stat().st_size > 1000
    assert (out / "saved_model" / "1" / "saved_model.pb").exists()
    if model == "conditional":
        assert 0 <= metrics["label_accuracy"] <= 1
    if model == "semi_supervised":
        assert 0 <= metrics["test_accuracy"] <= 1
    assert "fid" in result.stdout and "real floor" in result.stdout


def test_train_script_refuses_an_unknown_loss_before_training(tmp_path):
    result = run("--loss=nope", f"--output_dir={tmp_path / 'x'}")
    assert result.returncode != 0
    assert "--loss" in result.stderr and "non_saturating" in result.stderr
    assert not (tmp_path / "x").exists()


def test_train_script_under_a_mirrored_strategy(tmp_path):
    out = tmp_path / "mirrored"
    result = run("--dataset=ring8", "--strategy=mirrored", "--steps=100", f"--output_dir={out}")
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["flags"]["strategy"] == "mirrored" and metrics["steps_completed"] == 100
