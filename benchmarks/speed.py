"""Milliseconds per GAN training step: tfgan_lite against a plain Keras GAN and PyTorch.

    python benchmarks/speed.py          # both workloads, 5 to 8 minutes on 2 CPU cores
    python benchmarks/speed.py --workloads=mlp --repeats=3 --mlp_steps=500   # a quick look

Times one training step (one discriminator update and one generator update on a batch) of
the same networks, data, optimizers and loss in three implementations, in one process:

* tfgan_lite: ``GAN(G, D, latent_dim).compile(Adam, Adam)`` and ``fit`` over a repeated
  dataset with ``steps_per_epoch``: one row with whatever its defaults are (the row names
  what they resolved to), then one row for each setting the defaults choose between, each
  spelled out in full: ``jit_compile`` False or True times ``steps_per_execution`` 1 or 50
  in float32, and the ``mixed_bfloat16`` policy (set while the row is built, compiled and
  traced, float32 again after) with 1 or 50 steps per execution, without XLA.
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
"""

import os
import platform
import sys
import time

from absl import app, flags

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import torch  # noqa: E402
from common import machine, write  # noqa: E402
from torch import nn  # noqa: E402

import tfgan_lite as tfgan  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_list("workloads", ["dcgan", "mlp"], "Workloads to time: dcgan, mlp.")
flags.DEFINE_integer("dcgan_steps", 50, "DCGAN-28 steps per timed run (a multiple of 50).")
flags.DEFINE_integer("mlp_steps", 1000, "MLP-2D steps per timed run (a multiple of 50).")
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
    "bf16_spe1, bf16_spe50, keras, torch, torch1.",
)
flags.DEFINE_string("output_dir", "benchmarks/results", "Where speed.json and speed.md go.")

LR, BETA_1, BETA_2 = 2e-4, 0.5, 0.999
# PyTorch's own thread count (the physical cores), before anything sets it.
TORCH_DEFAULT_THREADS = torch.get_num_threads()
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
ROWS = [*TFGAN_ROWS, "keras", "torch", "torch1"]


# --------------------------------------------------------------------------- networks
def _normal_init():
    return keras.initializers.RandomNormal(stddev=0.02)


def _stride2(layer_class, filters, **kwargs):
    return layer_class(
        filters, 4, strides=2, padding="same", kernel_initializer=_normal_init(), **kwargs
    )


def keras_dcgan28(latent_dim):
    """DCGAN-28's (generator, discriminator) from Keras layers, exactly as specified."""
    generator = keras.Sequential(
        [
            keras.Input((latent_dim,)),
            keras.layers.Dense(7 * 7 * 128, use_bias=False, kernel_initializer=_normal_init()),
            keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5),
            keras.layers.ReLU(),
            keras.layers.Reshape((7, 7, 128)),
            _stride2(keras.layers.Conv2DTranspose, 64, use_bias=False),
            keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5),
            keras.layers.ReLU(),
            _stride2(keras.layers.Conv2DTranspose, 1, activation="tanh"),
        ],
        name="generator",
    )
    discriminator = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            _stride2(keras.layers.Conv2D, 64),
            keras.layers.LeakyReLU(negative_slope=0.2),
            _stride2(keras.layers.Conv2D, 128),
            keras.layers.LeakyReLU(negative_slope=0.2),
            keras.layers.Flatten(),
            keras.layers.Dense(1, kernel_initializer=_normal_init()),
        ],
        name="discriminator",
    )
    return generator, discriminator


def keras_mlp2d(latent_dim):
    return tfgan.networks.mlp_gan(latent_dim, 2, (128, 128), discriminator_hidden=(128,))


def torch_dcgan28(latent_dim):
    """DCGAN-28 in PyTorch: the Keras networks' layers, 'same' padding as padding=1."""
    generator = nn.Sequential(
        nn.Linear(latent_dim, 7 * 7 * 128, bias=False),
        nn.BatchNorm1d(7 * 7 * 128),
        nn.ReLU(),
        nn.Unflatten(1, (128, 7, 7)),
        nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False),
        nn.BatchNorm2d(64),
        nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, 2, 1),
        nn.Tanh(),
    )
    discriminator = nn.Sequential(
        nn.Conv2d(1, 64, 4, 2, 1),
        nn.LeakyReLU(0.2),
        nn.Conv2d(64, 128, 4, 2, 1),
        nn.LeakyReLU(0.2),
        nn.Flatten(),
        nn.Linear(7 * 7 * 128, 1),
    )
    for module in [*generator.modules(), *discriminator.modules()]:
        if isinstance(module, nn.Linear | nn.Conv2d | nn.ConvTranspose2d):
            nn.init.normal_(module.weight, 0.0, 0.02)  # the tutorial's weights_init
    return generator, discriminator


def torch_mlp2d(latent_dim):
    generator = nn.Sequential(
        nn.Linear(latent_dim, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 2)
    )
    discriminator = nn.Sequential(nn.Linear(2, 128), nn.ReLU(), nn.Linear(128, 1))
    return generator, discriminator


def forward_flops(model):
    """FLOPs (2 per multiply-add) of one example through the Dense and conv layers."""
    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            total += 2 * int(np.prod(layer.kernel.shape))
        elif isinstance(layer, keras.layers.Conv2DTranspose):
            # Every input pixel meets the whole kernel: in_h * in_w * k * k * c_in * c_out.
            total += 2 * int(np.prod(layer.input.shape[1:3])) * int(np.prod(layer.kernel.shape))
        elif isinstance(layer, keras.layers.Conv2D):
            total += 2 * int(np.prod(layer.output.shape[1:3])) * int(np.prod(layer.kernel.shape))
    return total


def _trainable_counts(keras_pair, torch_pair):
    keras_counts = [sum(int(np.prod(v.shape)) for v in m.trainable_variables) for m in keras_pair]
    torch_counts = [sum(p.numel() for p in m.parameters()) for m in torch_pair]
    return keras_counts, torch_counts


# --------------------------------------------------------------------------- data
def dcgan_batches(batch_size):
    """One epoch of the bundled digits at 28x28, as fixed batches (n, batch, 28, 28, 1)."""
    dataset = tfgan.data.images("digits", "train", batch_size, 28)
    return np.stack([batch.numpy() for batch in dataset])


def mlp_batches(batch_size, num_batches=64):
    samples = tfgan.data.toy("ring8").sample(batch_size * num_batches, seed=(0, 0))
    return samples.numpy().reshape(num_batches, batch_size, 2)


def repeated(batches):
    return tf.data.Dataset.from_tensor_slices(batches).repeat().prefetch(tf.data.AUTOTUNE)


# --------------------------------------------------------------------------- the Keras guide
class KerasGuideGAN(keras.Model):
    """The Keras DCGAN guide's GAN (keras.io/guides/custom_train_step_in_tensorflow)."""

    def __init__(self, discriminator, generator, latent_dim):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.seed_generator = keras.random.SeedGenerator(1337)

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn
        self.d_loss_metric = keras.metrics.Mean(name="d_loss")
        self.g_loss_metric = keras.metrics.Mean(name="g_loss")

    @property
    def metrics(self):
        return [self.d_loss_metric, self.g_loss_metric]

    def train_step(self, real_images):
        batch_size = tf.shape(real_images)[0]
        random_latent_vectors = keras.random.normal(
            (batch_size, self.latent_dim), seed=self.seed_generator
        )
        generated_images = self.generator(random_latent_vectors, training=True)
        combined_images = tf.concat([generated_images, real_images], axis=0)
        labels = tf.concat([tf.zeros((batch_size, 1)), tf.ones((batch_size, 1))], axis=0)
        with tf.GradientTape() as tape:
            predictions = self.discriminator(combined_images, training=True)
            d_loss = self.loss_fn(labels, predictions)
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(
            zip(grads, self.discriminator.trainable_weights, strict=True)
        )

        random_latent_vectors = keras.random.normal(
            (batch_size, self.latent_dim), seed=self.seed_generator
        )
        misleading_labels = tf.ones((batch_size, 1))
        with tf.GradientTape() as tape:
            fake = self.generator(random_latent_vectors, training=True)
            predictions = self.discriminator(fake, training=True)
            g_loss = self.loss_fn(misleading_labels, predictions)
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights, strict=True))

        self.d_loss_metric.update_state(d_loss)
        self.g_loss_metric.update_state(g_loss)
        return {"d_loss": self.d_loss_metric.result(), "g_loss": self.g_loss_metric.result()}


# --------------------------------------------------------------------------- rows
def _adam():
    return keras.optimizers.Adam(LR, beta_1=BETA_1, beta_2=BETA_2)


class _EpochTimer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds = time.perf_counter() - self.start


class KerasRow:
    """A compiled Keras model (tfgan_lite's or the guide's) fitting a repeated dataset."""

    def __init__(self, model, batches):
        self.model = model
        self.data = repeated(batches)

    def run(self, steps):
        timer = _EpochTimer()
        self.model.fit(
            self.data, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False, callbacks=[timer]
        )
        return timer.seconds


class TorchRow:
    """The PyTorch DCGAN tutorial's training loop."""

    def __init__(self, generator, discriminator, batches, latent_dim, channels_first, threads):
        self.threads = threads
        self.generator, self.discriminator = generator.train(), discriminator.train()
        self.latent_dim = latent_dim
        self.opt_g = torch.optim.Adam(generator.parameters(), lr=LR, betas=(BETA_1, BETA_2))
        self.opt_d = torch.optim.Adam(discriminator.parameters(), lr=LR, betas=(BETA_1, BETA_2))
        self.criterion = nn.BCEWithLogitsLoss()
        if channels_first:
            batches = np.ascontiguousarray(np.moveaxis(batches, -1, 2))
        self.batches = [torch.from_numpy(b) for b in batches]
        self.real_label = torch.ones(len(batches[0]))
        self.fake_label = torch.zeros(len(batches[0]))
        self.index = 0

    def step(self):
        real = self.batches[self.index % len(self.batches)]
        self.index += 1
        # (1) Update D: maximize log(D(x)) + log(1 - D(G(z)))
        self.discriminator.zero_grad()
        output = self.discriminator(real).view(-1)
        err_d_real = self.criterion(output, self.real_label)
        err_d_real.backward()
        d_x = output.mean().item()
        noise = torch.randn(real.shape[0], self.latent_dim)
        fake = self.generator(noise)
        output = self.discriminator(fake.detach()).view(-1)
        err_d_fake = self.criterion(output, self.fake_label)
        err_d_fake.backward()
        d_g_z1 = output.mean().item()
        self.opt_d.step()
        # (2) Update G: maximize log(D(G(z)))
        self.generator.zero_grad()
        output = self.discriminator(fake).view(-1)
        err_g = self.criterion(output, self.real_label)
        err_g.backward()
        d_g_z2 = output.mean().item()
        self.opt_g.step()
        return d_x, d_g_z1, d_g_z2

    def run(self, steps):
        torch.set_num_threads(self.threads)
        start = time.perf_counter()
        for _ in range(steps):
            self.step()
        return time.perf_counter() - start


WORKLOADS = {
    # name -> (title, latent_dim, batch, Keras networks, PyTorch networks, batches, channels_first)
    "dcgan": ("DCGAN-28", 64, 64, keras_dcgan28, torch_dcgan28, dcgan_batches, True),
    "mlp": ("MLP-2D", 16, 256, keras_mlp2d, torch_mlp2d, mlp_batches, False),
}


def build_rows(workload, keys):
    """{key: (implementation, setting, row, G forwards per example per step)}, warmed up."""
    title, latent_dim, batch_size, keras_nets, torch_nets, make_batches, channels_first = WORKLOADS[
        workload
    ]
    batches = make_batches(batch_size)
    warmup = {"dcgan": SPE, "mlp": 4 * SPE}[workload]
    rows = {}
    for key in keys:
        if key in TFGAN_ROWS:
            kwargs, policy = TFGAN_ROWS[key]
            keras.mixed_precision.set_global_policy(policy)
            try:
                generator, discriminator = keras_nets(latent_dim)
                gan = tfgan.GAN(generator, discriminator, latent_dim=latent_dim, seed=0)
                gan.compile(_adam(), _adam(), **kwargs)
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
        elif key == "keras":
            generator, discriminator = keras_nets(latent_dim)
            model = KerasGuideGAN(discriminator, generator, latent_dim)
            model.compile(_adam(), _adam(), keras.losses.BinaryCrossentropy(from_logits=True))
            row = KerasRow(model, batches)
            row.run(warmup)
            label = f"compile() defaults: jit_compile='auto' (= {model.jit_compile} here)"
            rows[key] = ("Keras guide", label, row, 4)
        elif key in ("torch", "torch1"):
            torch.manual_seed(0)
            generator, discriminator = torch_nets(latent_dim)
            threads = 1 if key == "torch1" else FLAGS.torch_threads or TORCH_DEFAULT_THREADS
            row = TorchRow(generator, discriminator, batches, latent_dim, channels_first, threads)
            row.run(warmup)
            label = f"eager, {threads} thread{'s' if threads > 1 else ''}"
            if threads == TORCH_DEFAULT_THREADS:
                label += " (its default here)"
            rows[key] = ("PyTorch", label, row, 3)
        print(f"{title}: {key} warmed up", flush=True)
    return rows


def check_networks(workload):
    """The two Keras builds and the PyTorch build have the same trainable parameters."""
    _, latent_dim, _, keras_nets, torch_nets, _, _ = WORKLOADS[workload]
    keras_pair = keras_nets(latent_dim)
    keras_counts, torch_counts = _trainable_counts(keras_pair, torch_nets(latent_dim))
    if keras_counts != torch_counts:
        raise AssertionError(f"{workload}: Keras {keras_counts} != PyTorch {torch_counts}")
    if workload == "dcgan":
        library = tfgan.networks.dcgan((28, 28, 1), latent_dim, width=64, batch_norm=False)
        library_counts, _ = _trainable_counts(library, ())
        if library_counts != keras_counts:
            raise AssertionError(f"dcgan(batch_norm=False) {library_counts} != {keras_counts}")
    return [forward_flops(model) for model in keras_pair], keras_counts


# --------------------------------------------------------------------------- peak
def matmul_gflops():
    """{framework: (median, best) GFLOP/s} of a float32 square matmul, the two alternating."""
    n = FLAGS.matmul_size
    a, b = (np.random.default_rng(i).standard_normal((n, n), np.float32) for i in range(2))
    torch.set_num_threads(FLAGS.torch_threads or TORCH_DEFAULT_THREADS)
    frameworks = {
        "TensorFlow": (tf.matmul, tf.constant(a), tf.constant(b)),
        "PyTorch": (torch.matmul, torch.from_numpy(a), torch.from_numpy(b)),
    }
    times = {name: [] for name in frameworks}
    for repeat in range(3 + FLAGS.matmul_repeats):
        for name, (matmul, x, y) in frameworks.items():
            start = time.perf_counter()
            matmul(x, y)  # eager CPU ops return when done
            if repeat >= 3:  # three warm-up rounds
                times[name].append(time.perf_counter() - start)
    flops = 2 * n**3
    return {
        name: (flops / float(np.median(t)) / 1e9, flops / min(t) / 1e9) for name, t in times.items()
    }


def _cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


# --------------------------------------------------------------------------- main
def time_workload(workload, keys, machine_peak):
    """The workload's result rows and its Markdown table."""
    title, _, batch_size, *_ = WORKLOADS[workload]
    steps = {"dcgan": FLAGS.dcgan_steps, "mlp": FLAGS.mlp_steps}[workload]
    (g_flops, d_flops), params = check_networks(workload)
    rows = build_rows(workload, keys)
    times = {key: [] for key in rows}
    for repeat in range(FLAGS.repeats):
        for key, (_, _, row, _) in rows.items():
            times[key].append(row.run(steps) / steps * 1000)
        print(f"{title}: run {repeat + 1} of {FLAGS.repeats} of every row done", flush=True)
    base = float(np.median(times["defaults"]))
    results = []
    lines = [
        f"#### {title}: batch {batch_size}, median of {FLAGS.repeats} runs of {steps} steps",
        "",
        f"Forward FLOPs per example: G {g_flops / 1e6:.3f} M, D {d_flops / 1e6:.3f} M; "
        f"trainable parameters: G {params[0]:,}, D {params[1]:,}.",
        "",
        "| implementation | setting | ms per step | best run | time / tfgan_lite defaults "
        "| GFLOP per step | GFLOP/s | % of matmul peak |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, (implementation, setting, _, g_passes) in rows.items():
        ms = float(np.median(times[key]))
        spread = (max(times[key]) - min(times[key])) / 2
        flops = batch_size * (g_passes * g_flops + 9 * d_flops)
        gflops = flops / ms / 1e6
        results.append(
            {
                "workload": title,
                "implementation": implementation,
                "row": key,
                "setting": setting,
                "batch_size": batch_size,
                "steps": steps,
                "repeats": FLAGS.repeats,
                "ms_per_step": ms,
                "ms_spread": spread,
                "ms_best": min(times[key]),
                "ms_runs": times[key],
                "ratio_to_defaults": ms / base,
                "flops_per_step": flops,
                "gflops": gflops,
                "fraction_of_peak": gflops / machine_peak,
            }
        )
        lines.append(
            f"| {implementation} | {setting} | {ms:.2f} ± {spread:.2f} | {min(times[key]):.2f} "
            f"| {ms / base:.2f} | {flops / 1e9:.3f} | {gflops:.1f} "
            f"| {100 * gflops / machine_peak:.1f} |"
        )
    tfgan_rows = [r for r in results if r["implementation"] == "tfgan_lite"]
    by_median = min(tfgan_rows, key=lambda r: r["ms_per_step"])
    by_best = min(tfgan_rows, key=lambda r: r["ms_best"])
    lines += [
        "",
        f"Fastest tfgan_lite setting: {by_median['setting']} by the median "
        f"({by_median['ms_per_step']:.2f} ms), {by_best['setting']} by the best run "
        f"({by_best['ms_best']:.2f} ms).",
    ]
    torch_rows = [r for r in results if r["implementation"] == "PyTorch"]
    if torch_rows:
        defaults = tfgan_rows[0]
        fastest = min(torch_rows, key=lambda r: r["ms_per_step"])
        lines[-1] += (
            f" PyTorch's faster row ({fastest['setting']}) takes {fastest['ratio_to_defaults']:.2f}"
            f"x the time of tfgan_lite's defaults by the median, "
            f"{min(r['ms_best'] for r in torch_rows) / defaults['ms_best']:.2f}x by the best run."
        )
    return results, "\n".join(lines)


def main(argv):
    del argv
    unknown = set(FLAGS.workloads) - set(WORKLOADS) | set(FLAGS.only) - set(ROWS)
    if unknown:
        raise app.UsageError(f"unknown workloads or rows: {sorted(unknown)}")
    if FLAGS.dcgan_steps % SPE or FLAGS.mlp_steps % SPE:
        raise app.UsageError(f"--dcgan_steps and --mlp_steps must be multiples of {SPE}.")
    keys = [key for key in ROWS if key == "defaults" or not FLAGS.only or key in FLAGS.only]
    started = time.perf_counter()

    peak = matmul_gflops()
    machine_peak = max(median for median, _ in peak.values())
    print(f"matmul GFLOP/s (median, best): {peak}", flush=True)
    results = [
        {
            "workload": f"matmul {FLAGS.matmul_size}",
            "implementation": name,
            "gflops": median,
            "gflops_best": best,
        }
        for name, (median, best) in peak.items()
    ]
    tables = []
    for workload in FLAGS.workloads:
        rows, table = time_workload(workload, keys, machine_peak)
        results += rows
        tables.append(table)
    minutes = (time.perf_counter() - started) / 60
    tf_peak, torch_peak = peak["TensorFlow"], peak["PyTorch"]
    header = (
        f"GAN training step time: tfgan_lite, a Keras-guide GAN and PyTorch "
        f"(benchmarks/speed.py). {machine()}, Keras {keras.__version__}, PyTorch "
        f"{torch.__version__}; {_cpu_name()}; TensorFlow's default thread pools, PyTorch "
        f"{TORCH_DEFAULT_THREADS} threads by default. Float32 {FLAGS.matmul_size}x"
        f"{FLAGS.matmul_size} matmul, median (best) of {FLAGS.matmul_repeats}: TensorFlow "
        f"{tf_peak[0]:.0f} ({tf_peak[1]:.0f}) GFLOP/s, PyTorch {torch_peak[0]:.0f} "
        f"({torch_peak[1]:.0f}) GFLOP/s; the % column is of the better median. "
        f"ms per step: the median over runs ± half their range, the rows taking turns run by "
        f"run; 'best run' is the fastest run (load from other jobs only ever slows a run "
        f"down). time / defaults > 1 is slower than tfgan_lite's defaults. FLOPs: the Dense "
        f"and convolution multiply-adds of one example's forward pass, a backward pass counted "
        f"as 2 forwards, times the passes of a step: 3 G + 9 D forwards per example for "
        f"tfgan_lite and PyTorch, 4 G + 9 D for the Keras guide (it runs G twice). The run "
        f"took {minutes:.1f} min."
    )
    write(FLAGS.output_dir, "speed", header, results, "\n\n".join(tables))


if __name__ == "__main__":
    app.run(main)
