"""Milliseconds per GAN train step on the ring8 MLP, with and without XLA.

    python benchmarks/step_time.py

The measurement behind GAN.compile's jit_compile default: for each setting, a warm-up
fit, then the median of --repeats timed fits of --steps steps. Writes
benchmarks/results/step_time.md. (The comparison against plain Keras and PyTorch GANs
belongs to the speed benchmark of the scale-and-speed work.)
"""

import os
import platform
import time

from absl import app, flags

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

import tfgan_lite as tfgan  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_integer("steps", 2000, "Steps per timed fit.")
flags.DEFINE_integer("repeats", 3, "Timed fits per setting; the median is reported.")
flags.DEFINE_string("output_dir", "benchmarks/results", "Where step_time.md goes.")


def time_setting(jit_compile, steps_per_execution):
    generator, discriminator = tfgan.networks.mlp_gan(16, 2, (128, 128))
    gan = tfgan.GAN(generator, discriminator, latent_dim=16, seed=0)
    gan.compile(jit_compile=jit_compile, steps_per_execution=steps_per_execution)
    data = tfgan.data.toy_dataset("ring8", batch_size=256)
    gan.fit(data, steps_per_epoch=200, verbose=0)
    times = []
    for _ in range(FLAGS.repeats):
        start = time.perf_counter()
        gan.fit(data, steps_per_epoch=FLAGS.steps, verbose=0)
        times.append((time.perf_counter() - start) / FLAGS.steps * 1000)
    return float(np.median(times))


def main(argv):
    del argv
    lines = [
        f"ring8 MLP (G 16-128-128-2, D 2-128-128-1), batch 256, median of {FLAGS.repeats} fits "
        f"of {FLAGS.steps} steps; {platform.machine()}, {os.cpu_count()} cores.",
        "",
        "| jit_compile | steps_per_execution | ms per step |",
        "|---|---|---|",
    ]
    for jit_compile in (False, True):
        for steps_per_execution in (1, 50):
            ms = time_setting(jit_compile, steps_per_execution)
            lines.append(f"| {jit_compile} | {steps_per_execution} | {ms:.2f} |")
            print(lines[-1], flush=True)
    os.makedirs(FLAGS.output_dir, exist_ok=True)
    with open(os.path.join(FLAGS.output_dir, "step_time.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    app.run(main)
