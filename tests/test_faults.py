"""Faults: checkpoints that resume exactly, a NaN that stops training and keeps the last good
checkpoint, a training process killed with SIGKILL and rerun, Keras's BackupAndRestore."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import tensorflow as tf

import tfgan_lite as tfgan
from tfgan_lite.networks import mlp_gan

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "examples", "train.py")


def make_gan():
    keras.utils.set_random_seed(0)  # the same initial weights every time
    gan = tfgan.GAN(*mlp_gan(4, 2, (16,)), latent_dim=4, seed=0)
    gan.compile(steps_per_execution=5)
    return gan


def ring(n=64 * 40):
    return np.array(tfgan.data.toy("ring8").sample(n, seed=(0, 0)))


def test_checkpoint_resumes_to_the_same_weights_as_an_uninterrupted_run(tmp_path):
    data = tf.data.Dataset.from_tensor_slices(ring()).batch(64)
    straight = make_gan()
    straight.fit(data, epochs=1, verbose=0)

    first = make_gan()
    checkpoint = tfgan.callbacks.Checkpoint(tmp_path, every=20)
    first.fit(data.take(20), epochs=1, callbacks=[checkpoint], verbose=0)
    assert checkpoint.saved_step == 20

    resumed = make_gan()
    again = tfgan.callbacks.Checkpoint(tmp_path, every=20)
    resumed.fit(data.skip(20), epochs=1, callbacks=[again], verbose=0)
    assert again.restored_step == 20 and int(resumed.noise_step.numpy()) == 40
    for a, b in zip(straight.weights, resumed.weights, strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)
    for a, b in zip(
        straight.discriminator_optimizer.variables,
        resumed.discriminator_optimizer.variables,
        strict=True,
    ):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)


def test_a_nan_in_the_data_stops_training_and_keeps_the_last_good_checkpoint(tmp_path):
    x = ring()
    x[64 * 27 + 3] = np.nan  # a NaN in the 28th batch
    data = tf.data.Dataset.from_tensor_slices(x).batch(64).repeat()
    gan = make_gan()
    checkpoint = tfgan.callbacks.Checkpoint(tmp_path)  # at every epoch's end
    stop = tfgan.callbacks.TerminateOnNonFinite(checkpoint)
    gan.fit(data, steps_per_epoch=10, epochs=4, callbacks=[checkpoint, stop], verbose=0)
    assert stop.message.startswith("training stopped: d_loss is nan at step 30")
    assert "last good checkpoint, step 20" in stop.message
    assert checkpoint.saved_step == 20
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("ckpt-20")
    restored = make_gan()
    state = tfgan.callbacks.Checkpoint(tmp_path)
    state.set_model(restored)
    assert state.restore() == 20
    assert all(np.all(np.isfinite(np.asarray(w))) for w in restored.weights)


def test_keras_backup_and_restore_resumes_a_gan(tmp_path):
    data = tf.data.Dataset.from_tensor_slices(ring(64 * 4)).batch(64).repeat()

    class Crash(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("crash")

    gan = make_gan()
    backup = keras.callbacks.BackupAndRestore(str(tmp_path))
    with contextlib.suppress(RuntimeError):
        gan.fit(data, steps_per_epoch=5, epochs=4, callbacks=[backup, Crash()], verbose=0)
    crashed_weights = [np.asarray(w) for w in gan.discriminator.weights]
    crashed_iterations = int(gan.discriminator_optimizer.iterations)

    fresh = make_gan()
    history = fresh.fit(
        data,
        steps_per_epoch=5,
        epochs=4,
        callbacks=[keras.callbacks.BackupAndRestore(str(tmp_path))],
        verbose=0,
    )
    assert len(history.history["d_loss"]) == 2  # epochs 3 and 4 only
    assert crashed_iterations == 10
    assert int(fresh.discriminator_optimizer.iterations) == crashed_iterations + 10
    assert not all(
        np.allclose(a, np.asarray(b))
        for a, b in zip(crashed_weights, fresh.discriminator.weights, strict=True)
    )


def test_a_killed_training_run_resumes_and_finishes_the_requested_steps(tmp_path):
    out = tmp_path / "run"
    command = [
        sys.executable,
        SCRIPT,
        "--dataset=ring8",
        "--steps=3000",
        "--checkpoint_every=100",
        "--steps_per_execution=50",
        "--num_samples=300",
        f"--output_dir={out}",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and not (out / "checkpoints" / "checkpoint").exists():
        time.sleep(0.2)
    time.sleep(0.5)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert (out / "checkpoints" / "checkpoint").exists(), "no checkpoint within 120 s"
    assert not (out / "metrics.json").exists()

    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["steps_completed"] == 3000
    assert 0 < metrics["resumed_from_step"] < 3000
    assert "resumed from step" in result.stdout
