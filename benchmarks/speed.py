"""Milliseconds per GAN training step: tfgan_lite against a plain Keras GAN and PyTorch.

    python benchmarks/speed.py          # DCGAN-28 and MLP-2D, 5 to 8 minutes on 2 CPU cores
    python benchmarks/speed.py --workloads=residual --repeats=3   # the R3GAN step, opt-in
    python benchmarks/speed.py --workloads=mlp --repeats=3 --mlp_steps=500   # a quick look
    python benchmarks/speed.py --workloads=dcgan --inter_op_threads=1   # TF's thread pools

Times one training step (one discriminator update and one generator update on a batch) of
the same networks, data, optimizers and loss in three implementations, in one process:

* tfgan_lite: ``GAN(G, D, latent_dim).compile(Adam, Adam)`` and ``fit`` over a repeated
  dataset with ``steps_per_epoch``: one row with whatever its defaults are (the row names
  what they resolved to), then one row for each setting the defaults choose between, each
  spelled out in full: ``jit_compile`` False or True times ``steps_per_execution`` 1 or 50
  in float32, and the ``mixed_bfloat16`` policy (set while the row is built, compiled and
  traced, float32 again after) with 1 or 50 steps per execution, without XLA. Two more rows
  take the defaults with the data as users write a pipeline,
  ``Dataset.from_tensor_slices(x).batch(B).cache().repeat()`` and no prefetch: as ``fit``
  runs it (it adds a prefetch to a dataset that has none), and with that prefetch turned off.
* "Keras guide": a plain Keras GAN written as the Keras DCGAN guide ("GAN overriding
  Model.train_step") writes it: a ``keras.Model`` subclass with its own ``train_step``, two
  GradientTapes, real and fake images concatenated into one discriminator call, the
  generator run twice per step (for the D update, then again for the G update), ``compile``
  with two optimizers and Keras's default settings (jit_compile="auto", one step per
  execution). Unlike the guide it passes ``training=True`` (the generator has batch norm)
  and leaves out the guide's label noise, so that its loss is the same non-saturating one.
* PyTorch: the PyTorch DCGAN tutorial's loop (D on real, then on ``fake.detach()``, one G
  forward shared with the G update, ``BCEWithLogitsLoss``, ``.item()`` of D's mean outputs),
  eager, in two rows: PyTorch's default thread count (``torch.get_num_threads()`` before
  anything sets it, the 2 cores here; --torch_threads overrides it) and 1 thread.

Workloads (Adam(2e-4, beta_1=0.5) for both networks, the non-saturating loss):

* DCGAN-28: latent 64, batch 64, the bundled digits resized to 28x28
  (``tfgan_lite.data.images("digits", "train", 64, 28)``). G: Dense 7*7*128 (no bias),
  BatchNorm, ReLU, Conv2DTranspose 64 (kernel 4, stride 2, 'same', no bias), BatchNorm,
  ReLU, Conv2DTranspose 1 (kernel 4, stride 2, 'same'), tanh. D: Conv2D 64 and Conv2D 128
  (kernel 4, stride 2, 'same'), each with LeakyReLU 0.2, Flatten, Dense 1. Both Keras rows
  build these networks here from Keras layers (``tfgan_lite.networks.dcgan`` puts a batch
  norm after D's second convolution by default; with ``batch_norm=False`` it has the same
  parameters as these, which the script checks, as it checks PyTorch's).
* MLP-2D: latent 16, batch 256, ring8 samples; ``tfgan_lite.networks.mlp_gan(16, 2,
  (128, 128), discriminator_hidden=(128,))``: G 16-128-128-2, D 2-128-1, ReLU.
* Residual-32, the modern recipe's step: latent 64, batch --residual_batch, the digits
  resized to 32x32 and repeated to RGB; ``tfgan_lite.networks.residual((32, 32, 3), 64,
  width=--residual_width)`` (1x1 expand, grouped 3x3, 1x1 blocks, [1, 2, 1] filtered
  resampling, leaky ReLU, a learned 4x4 basis). tfgan_lite's row is
  ``tfgan_lite.recipes.r3gan((32, 32, 3), 64, width=W, seed=0)``, compiled as the recipe
  compiles it: relativistic pairing loss, R1 and R2 on every step, Adam(beta_1 = 0), the
  generator average. Against it, the same networks and step in PyTorch and as a plain Keras
  GAN (benchmarks/torch_residual.py: the PyTorch modules, whose parameter counts this script
  checks against the Keras networks', and both steps). This workload has no bfloat16, XLA or
  user-data rows, and no Keras-guide row of the DCGAN kind: its "keras" row is the plain
  Keras R3GAN step.

TensorFlow's thread pools can be set for a run (--intra_op_threads, --inter_op_threads,
through ``tf.config.threading`` before any op runs); environment variables that must be
set before TensorFlow loads (``TF_ENABLE_ONEDNN_OPTS``, ``ONEDNN_MAX_CPU_ISA``) are set by
the caller, as benchmarks/cpu_isa.py does, which runs this script in fresh processes.

Every implementation sees the same fixed batches (drawn once, then repeated). Each row is
warmed up (traced and run), then the rows take turns for --repeats timed runs of N steps
(--dcgan_steps, --mlp_steps), so that load from other jobs falls on all of them alike; a row
reports the median ms per step, half the range of its runs and its fastest run. A Keras run
is one ``fit`` epoch timed from ``on_epoch_begin`` to ``on_epoch_end``. Load from other jobs
can make a run several times slower (PyTorch with 2 threads most, whose workers wait for each
other), which the best run shows.

FLOPs of a step are counted analytically: the multiply-adds (2 FLOPs each) of the Dense and
convolution layers of one example's forward pass, times the passes a step makes, a backward
pass counting as 2 forwards; batch norm, activations, losses and the optimizer are left out.
tfgan_lite and PyTorch run G forward once and D forward three times (real, fake, fake for
the G loss), so a step is 3 G + 9 D forwards per example; the Keras-guide step runs G twice,
so it is 4 G + 9 D. This is the algorithm's count, not what each framework executes:
TensorFlow prunes D's weight gradients in the G update (about 8% of a DCGAN-28 step) and
nobody computes the gradient of the data. GFLOP/s is that count over the median time; the
fraction is of the machine's
matmul peak, the better of TensorFlow's and PyTorch's median GFLOP/s on a float32
--matmul_size square matmul. Writes benchmarks/results/speed.{json,md}.

This script defines the flags and the rows, and times them. The networks, the Keras-guide
GAN and the row runners are in baselines.py, the FLOP counts and the matmul peak in
flops.py, the JSON rows, Markdown tables and header in tables.py.
"""

import os
import sys
import time

from absl import app, flags

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tables  # noqa: E402
import tensorflow as tf  # noqa: E402
import torch  # noqa: E402
from baselines import (  # noqa: E402
    TORCH_DEFAULT_THREADS,
    KerasGuideGAN,
    KerasRow,
    TorchRow,
    UserDataRow,
    adam,
    keras_dcgan28,
    keras_mlp2d,
    torch_dcgan28,
    torch_mlp2d,
)
from common import load, write  # noqa: E402
from flops import (  # noqa: E402
    D_FORWARDS,
    forward_flops,
    keras_trainable_counts,
    matmul_gflops,
    step_flops,
    torch_trainable_counts,
)
from torch_residual import (  # noqa: E402
    KerasR3GAN,
    TorchR3GANRow,
    check_resampling,
    torch_residual,
)

import tfgan_lite as tfgan  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_list(
    "workloads",
    ["dcgan", "mlp"],
    "Workloads to time: dcgan, mlp, residual (opt-in: PyTorch's R3GAN step took 6 s or more "
    "a step on 2 shared cores).",
)
flags.DEFINE_integer("dcgan_steps", 50, "DCGAN-28 steps per timed run (a multiple of 50).")
flags.DEFINE_integer("mlp_steps", 1000, "MLP-2D steps per timed run (a multiple of 50).")
flags.DEFINE_integer("residual_steps", 50, "Residual-32 steps per timed run (a multiple of 50).")
flags.DEFINE_integer("residual_width", 16, "networks.residual's width for Residual-32.")
flags.DEFINE_integer("residual_batch", 32, "Residual-32's batch size.")
flags.DEFINE_integer(
    "intra_op_threads", 0, "TensorFlow's intra-op threads (tf.config.threading); 0: its default."
)
flags.DEFINE_integer(
    "inter_op_threads", 0, "TensorFlow's inter-op threads (tf.config.threading); 0: its default."
)
flags.DEFINE_integer("repeats", 7, "Timed runs per row; the median is reported.")
flags.DEFINE_integer(
    "torch_threads", 0, "Threads of the main PyTorch row; 0 keeps PyTorch's default."
)
flags.DEFINE_integer("matmul_size", 2048, "Side of the float32 matmul that measures the peak.")
flags.DEFINE_integer("matmul_repeats", 20, "Timed matmuls per framework; the median is used.")
flags.DEFINE_list(
    "only",
    [],
    "Only these rows (defaults always runs): xla0_spe1, xla1_spe1, xla0_spe50, xla1_spe50, "
    "bf16_spe1, bf16_spe50, user_data, user_data_no_prefetch, keras, torch, torch1.",
)
flags.DEFINE_string("output_dir", "benchmarks/results", "Where speed.json and speed.md go.")
flags.DEFINE_bool(
    "keep_other_workloads",
    True,
    "Keep the tables of the workloads not in --workloads from the previous speed.json/.md.",
)

# Steps per execution of the steps_per_execution rows; timed runs are multiples of it.
SPE = 50


def _setting(jit_compile, steps_per_execution, policy="float32"):
    return {"jit_compile": jit_compile, "steps_per_execution": steps_per_execution}, policy


# key -> (compile keyword arguments, dtype policy) of the tfgan_lite rows. Every row but the
# first spells out both settings, so that it keeps its meaning whatever the defaults are.
TFGAN_ROWS = {
    "defaults": ({}, "float32"),
    "xla0_spe1": _setting(False, 1),
    "xla1_spe1": _setting(True, 1),
    "xla0_spe50": _setting(False, SPE),
    "xla1_spe50": _setting(True, SPE),
    "bf16_spe1": _setting(False, 1, "mixed_bfloat16"),
    "bf16_spe50": _setting(False, SPE, "mixed_bfloat16"),
}
# tfgan_lite's defaults fed as users write a pipeline: from_tensor_slices(x).batch(B).cache()
# (repeated for steps_per_epoch), with no prefetch; fit adds one. The second row turns
# fit's prefetch off, to show what it saves.
USER_ROWS = ("user_data", "user_data_no_prefetch")
ROWS = [*TFGAN_ROWS, *USER_ROWS, "keras", "torch", "torch1"]
# The rows of the residual workload: the r3gan recipe (its "defaults"), plain Keras, PyTorch.
RESIDUAL_ROWS = ("defaults", "keras", "torch", "torch1")
RESIDUAL_SHAPE = (32, 32, 3)
# D's forward-pass equivalents per example in the R3GAN step, counted as PyTorch runs it:
# real and fake each a forward (1), R1's or R2's input gradient (2) and the weight gradient
# through both (2 x 3), 9 each; then the G update's D on the fakes, forward and backward
# (3), and on the reals, forward only (1). G: one forward and its backward (3).
RESIDUAL_D_FORWARDS = 2 * 9 + 3 + 1
# Warm-up steps of the residual workload's one-step rows (tfgan_lite's runs one execution).
RESIDUAL_WARMUP = 5


# --------------------------------------------------------------------------- workloads
def dcgan_batches(batch_size):
    """One epoch of the bundled digits at 28x28, as fixed batches (n, batch, 28, 28, 1)."""
    dataset = tfgan.data.images("digits", "train", batch_size, 28)
    return np.stack([batch.numpy() for batch in dataset])


def residual_batches(batch_size):
    """One epoch of the bundled digits at 32x32, repeated to RGB: (n, batch, 32, 32, 3)."""
    dataset = tfgan.data.images("digits", "train", batch_size, 32, channels=3)
    return np.stack([batch.numpy() for batch in dataset])


def keras_residual32(latent_dim):
    return tfgan.networks.residual(RESIDUAL_SHAPE, latent_dim, width=FLAGS.residual_width)


def torch_residual32(latent_dim):
    return torch_residual(RESIDUAL_SHAPE, latent_dim, FLAGS.residual_width)


def mlp_batches(batch_size, num_batches=64):
    samples = tfgan.data.toy("ring8").sample(batch_size * num_batches, seed=(0, 0))
    return samples.numpy().reshape(num_batches, batch_size, 2)


WORKLOADS = {
    # name -> (title, latent_dim, batch, Keras networks, PyTorch networks, batches, channels_first)
    "dcgan": ("DCGAN-28", 64, 64, keras_dcgan28, torch_dcgan28, dcgan_batches, True),
    "mlp": ("MLP-2D", 16, 256, keras_mlp2d, torch_mlp2d, mlp_batches, False),
    # batch None: --residual_batch
    "residual": (
        "Residual-32, R3GAN step",
        64,
        None,
        keras_residual32,
        torch_residual32,
        residual_batches,
        True,
    ),
}


def batch_size_of(workload):
    return WORKLOADS[workload][2] or FLAGS.residual_batch


def steps_of(workload):
    return {
        "dcgan": FLAGS.dcgan_steps,
        "mlp": FLAGS.mlp_steps,
        "residual": FLAGS.residual_steps,
    }[workload]


def check_networks(workload):
    """The two Keras builds and the PyTorch build have the same trainable parameters.

    Returns G's and D's forward FLOPs per example and their trainable parameters.
    """
    _, latent_dim, _, keras_nets, torch_nets, _, _ = WORKLOADS[workload]
    keras_pair = keras_nets(latent_dim)
    keras_counts = keras_trainable_counts(keras_pair)
    torch_counts = torch_trainable_counts(torch_nets(latent_dim))
    if keras_counts != torch_counts:
        raise AssertionError(f"{workload}: Keras {keras_counts} != PyTorch {torch_counts}")
    if workload == "dcgan":
        library = tfgan.networks.dcgan((28, 28, 1), latent_dim, width=64, batch_norm=False)
        library_counts = keras_trainable_counts(library)
        if library_counts != keras_counts:
            raise AssertionError(f"dcgan(batch_norm=False) {library_counts} != {keras_counts}")
    if workload == "residual":
        check_resampling()
    return [forward_flops(model) for model in keras_pair], keras_counts


# --------------------------------------------------------------------------- rows
def build_rows(workload, keys):
    """{key: (implementation, setting, row, G forwards per example per step)}, warmed up."""
    title, latent_dim, _, keras_nets, torch_nets, make_batches, channels_first = WORKLOADS[workload]
    batch_size = batch_size_of(workload)
    batches = make_batches(batch_size)
    warmup = {"dcgan": SPE, "mlp": 4 * SPE, "residual": SPE}[workload]
    if workload == "residual":
        return build_residual_rows(title, latent_dim, batches, keys, warmup)
    rows = {}
    for key in keys:
        if key in TFGAN_ROWS:
            kwargs, policy = TFGAN_ROWS[key]
            keras.mixed_precision.set_global_policy(policy)
            try:
                generator, discriminator = keras_nets(latent_dim)
                gan = tfgan.GAN(generator, discriminator, latent_dim=latent_dim, seed=0)
                gan.compile(adam(), adam(), **kwargs)
                spe = gan.steps_per_execution
                label = f"jit_compile={gan.jit_compile}, steps_per_execution={spe}, {policy}"
                if key == "defaults":
                    label = (
                        f"defaults: jit_compile='auto' (= {gan.jit_compile} here), "
                        f"steps_per_execution={spe}, {policy}"
                    )
                row = KerasRow(gan, batches)
                row.run(-(-warmup // spe) * spe)
            finally:
                keras.mixed_precision.set_global_policy("float32")
            rows[key] = ("tfgan_lite", label, row, 3)
        elif key in USER_ROWS:
            generator, discriminator = keras_nets(latent_dim)
            gan = tfgan.GAN(generator, discriminator, latent_dim=latent_dim, seed=0)
            gan.compile(adam(), adam())
            prefetch = key == "user_data"
            row = UserDataRow(gan, batches, prefetch)
            row.run(-(-warmup // gan.steps_per_execution) * gan.steps_per_execution)
            label = "defaults, data from_tensor_slices(x).batch(B).cache(): " + (
                "fit adds the prefetch" if prefetch else "fit's prefetch turned off"
            )
            rows[key] = ("tfgan_lite", label, row, 3)
        elif key == "keras":
            generator, discriminator = keras_nets(latent_dim)
            model = KerasGuideGAN(discriminator, generator, latent_dim)
            model.compile(adam(), adam(), keras.losses.BinaryCrossentropy(from_logits=True))
            row = KerasRow(model, batches)
            row.run(warmup)
            label = f"compile() defaults: jit_compile='auto' (= {model.jit_compile} here)"
            rows[key] = ("Keras guide", label, row, 4)
        elif key in ("torch", "torch1"):
            torch.manual_seed(0)
            generator, discriminator = torch_nets(latent_dim)
            threads, label = torch_threads(key)
            row = TorchRow(generator, discriminator, batches, latent_dim, channels_first, threads)
            row.run(warmup)
            rows[key] = ("PyTorch", label, row, 3)
        print(f"{title}: {key} warmed up", flush=True)
    return rows


def torch_threads(key):
    """The threads of PyTorch's row ``key`` (torch1: one) and its table label."""
    threads = 1 if key == "torch1" else FLAGS.torch_threads or TORCH_DEFAULT_THREADS
    label = f"eager, {threads} thread{'s' if threads > 1 else ''}"
    if threads == TORCH_DEFAULT_THREADS:
        label += " (its default here)"
    return threads, label


def build_residual_rows(title, latent_dim, batches, keys, warmup):
    """build_rows for the residual workload: the r3gan recipe, plain Keras and PyTorch."""
    rows = {}
    for key in [key for key in keys if key in RESIDUAL_ROWS]:
        if key == "defaults":
            gan = tfgan.recipes.r3gan(
                RESIDUAL_SHAPE, latent_dim, width=FLAGS.residual_width, seed=0
            )
            row = KerasRow(gan, batches)
            row.run(-(-warmup // gan.steps_per_execution) * gan.steps_per_execution)
            label = (
                f"recipes.r3gan: relativistic, R1 + R2 every step, EMA; jit_compile='auto' "
                f"(= {gan.jit_compile} here), steps_per_execution={gan.steps_per_execution}"
            )
            rows[key] = ("tfgan_lite", label, row, 3)
        elif key == "keras":
            generator, discriminator = keras_residual32(latent_dim)
            model = KerasR3GAN(generator, discriminator, latent_dim)
            model.compile()
            row = KerasRow(model, batches)
            row.run(RESIDUAL_WARMUP)
            label = (
                f"the same step in a train_step, compile() defaults: jit_compile='auto' "
                f"(= {model.jit_compile} here)"
            )
            rows[key] = ("plain Keras", label, row, 3)
        else:
            torch.manual_seed(0)
            generator, discriminator = torch_residual32(latent_dim)
            threads, label = torch_threads(key)
            row = TorchR3GANRow(generator, discriminator, batches, latent_dim, threads)
            row.run(RESIDUAL_WARMUP)
            rows[key] = ("PyTorch", label, row, 3)
        print(f"{title}: {key} warmed up", flush=True)
    return rows


def _step_flops(workload, batch_size, g_flops, d_flops, g_forwards):
    if workload == "residual":
        return batch_size * (g_forwards * g_flops + RESIDUAL_D_FORWARDS * d_flops)
    assert D_FORWARDS == 9
    return step_flops(batch_size, g_flops, d_flops, g_forwards)


RESIDUAL_NOTE = (
    "Residual-32's FLOPs are counted as PyTorch's step runs it, 3 G + {d} D forwards per "
    "example: real and fake each a D forward, its input gradient for R1 or R2 and the weight "
    "gradient through both (9 each), then the G update's D on the fakes (3) and on the reals "
    "(1, no gradient). tfgan_lite's penalties run D on the reals and the fakes again for "
    "their input gradients, so it executes about 2 x 9 D forwards more than counted here "
    "(see docs/benchmarks.md)."
)


# --------------------------------------------------------------------------- timing
def time_workload(workload, keys, machine_peak):
    """The workload's result rows and its Markdown table."""
    title = WORKLOADS[workload][0]
    batch_size = batch_size_of(workload)
    steps = steps_of(workload)
    (g_flops, d_flops), params = check_networks(workload)
    rows = build_rows(workload, keys)
    times = {key: [] for key in rows}
    for repeat in range(FLAGS.repeats):
        for key, (_, _, row, _) in rows.items():
            times[key].append(row.run(steps) / steps * 1000)
        print(f"{title}: run {repeat + 1} of {FLAGS.repeats} of every row done", flush=True)
    counted = {
        key: (
            implementation,
            setting,
            _step_flops(workload, batch_size, g_flops, d_flops, g_forwards),
        )
        for key, (implementation, setting, _, g_forwards) in rows.items()
    }
    results = tables.result_rows(title, batch_size, steps, counted, times, machine_peak)
    table = tables.workload_table(results, (g_flops, d_flops), params)
    if workload == "residual":
        table += "\n\n" + RESIDUAL_NOTE.format(d=RESIDUAL_D_FORWARDS)
    return results, table


def main(argv):
    del argv
    unknown = set(FLAGS.workloads) - set(WORKLOADS) | set(FLAGS.only) - set(ROWS)
    if unknown:
        raise app.UsageError(f"unknown workloads or rows: {sorted(unknown)}")
    if FLAGS.dcgan_steps % SPE or FLAGS.mlp_steps % SPE or FLAGS.residual_steps % SPE:
        raise app.UsageError(
            f"--dcgan_steps, --mlp_steps and --residual_steps must be multiples of {SPE}."
        )
    if FLAGS.intra_op_threads:
        tf.config.threading.set_intra_op_parallelism_threads(FLAGS.intra_op_threads)
    if FLAGS.inter_op_threads:
        tf.config.threading.set_inter_op_parallelism_threads(FLAGS.inter_op_threads)
    keys = [key for key in ROWS if key == "defaults" or not FLAGS.only or key in FLAGS.only]
    started = time.perf_counter()

    peak = matmul_gflops(
        FLAGS.matmul_size, FLAGS.matmul_repeats, FLAGS.torch_threads or TORCH_DEFAULT_THREADS
    )
    machine_peak = max(median for median, _ in peak.values())
    print(f"matmul GFLOP/s (median, best): {peak}", flush=True)
    results = tables.peak_rows(peak, FLAGS.matmul_size)
    sections = {}
    for workload in FLAGS.workloads:
        rows, table = time_workload(workload, keys, machine_peak)
        results += rows
        sections[WORKLOADS[workload][0]] = table
    minutes = (time.perf_counter() - started) / 60
    header = tables.header(
        peak, FLAGS.matmul_size, FLAGS.matmul_repeats, TORCH_DEFAULT_THREADS, minutes
    )
    if FLAGS.keep_other_workloads:
        kept_rows, kept = kept_workloads(FLAGS.output_dir, set(sections))
        if kept:
            results += kept_rows
            sections.update(kept)
            header += (
                f" The {' and '.join(kept)} table{'s are' if len(kept) > 1 else ' is'} kept "
                f"from the previous run of this script (its own machine peak and load); this "
                f"run timed {', '.join(FLAGS.workloads)}."
            )
    titles = [WORKLOADS[w][0] for w in WORKLOADS if WORKLOADS[w][0] in sections]
    markdown = "\n\n".join(sections[title] for title in titles)
    write(FLAGS.output_dir, "speed", header, results, markdown)


def kept_workloads(output_dir, timed):
    """The previous speed.json's rows and speed.md's tables of the workloads not timed now:
    (rows, {title: Markdown section})."""
    rows = [r for r in load(output_dir, "speed") if "row" in r and r["workload"] not in timed]
    path = os.path.join(output_dir, "speed.md")
    if not rows or not os.path.exists(path):
        return [], {}
    with open(path) as f:
        text = f.read()
    titles = {r["workload"] for r in rows}
    kept = {}
    for section in text.split("\n#### ")[1:]:
        title = section.split(":", 1)[0]
        if title in titles:
            kept[title] = "#### " + section.strip()
    return [r for r in rows if r["workload"] in kept], kept


if __name__ == "__main__":
    app.run(main)
