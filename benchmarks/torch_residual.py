"""speed.py's residual workload: R3GAN's step outside tfgan_lite, in PyTorch and plain Keras.

``torch_residual(image_shape, latent_dim, width)`` builds, from PyTorch modules, the same
(generator, discriminator) as ``tfgan_lite.networks.residual(image_shape, latent_dim,
width=width)`` with its other defaults (``max_width`` 256, one block a stage, 16 channels a
group): the same layers with the same parameters (speed.py checks the counts), NCHW. The
[1, 2, 1] resampling is written the PyTorch way, as fixed depthwise (transposed)
convolutions with stride 2, which compute the same values as the Keras layers'
polyphase form (``check_resampling``). Initialisation follows the Keras builder's scales
where it matters for speed (the zero-initialised last 1x1 of each branch); timing does not
depend on the rest.

``TorchR3GANRow`` trains them with R3GAN's step as its authors write it in PyTorch: the
relativistic pairing loss ``softplus(D(fake) - D(real))``, R1 on the reals and R2 on the
fakes by double backprop (``torch.autograd.grad(..., create_graph=True)`` of the same
forward passes the loss uses), each ``gamma / 2 * E||grad||^2``; then the generator's
update on ``softplus(D(real) - D(fake))`` with the generator's forward pass of the
discriminator update (as tfgan_lite shares it); Adam(beta_1 = 0, beta_2 = 0.9) for both;
and the generator average (an EMA of its weights) after each step, as the recipe keeps one.
The recipe's cosine schedules (learning rate, beta_2, gamma) are held at their initial
values: a schedule costs a few scalar ops a step.

``KerasR3GAN`` is the same step as a plain Keras model, written as the Keras DCGAN guide
writes a GAN (a ``keras.Model`` with its own ``train_step`` and GradientTapes), with
nested tapes for R1 and R2 on the loss's own forward passes, and Keras's compile defaults.
"""

import importlib
import time

import keras
import numpy as np
import tensorflow as tf
import torch
import torch.nn.functional as F
from torch import nn

# The module (tfgan_lite.networks.residual is also the name of its builder function).
keras_residual = importlib.import_module("tfgan_lite.networks.residual")

GAMMA = 0.05
LR, BETA_1, BETA_2 = 2e-4, 0.0, 0.9
EMA_BETA = 0.999


# --------------------------------------------------------------------------- networks
class _Resample(nn.Module):
    """2x up- or downsampling with the separable [1, 2, 1] filter, depthwise."""

    def __init__(self, channels, up):
        super().__init__()
        taps = torch.tensor([1.0, 2.0, 1.0])
        kernel = torch.outer(taps, taps) / (4.0 if up else 16.0)  # up: x2 per axis, 4 in all
        self.register_buffer("kernel", kernel.expand(channels, 1, 3, 3).contiguous())
        self.channels, self.up = channels, up

    def forward(self, x):
        if self.up:  # y[2i] = x[i], y[2i + 1] = (x[i] + x[i + 1]) / 2, zero past the end
            return F.conv_transpose2d(
                x, self.kernel, stride=2, padding=1, output_padding=1, groups=self.channels
            )
        # y[i] = (x[2i - 1] + 2 x[2i] + x[2i + 1]) / 4 per axis, zero before the start
        return F.conv2d(x, self.kernel, stride=2, padding=1, groups=self.channels)


class _Block(nn.Module):
    """x + (1x1 expand, bias, leaky ReLU, grouped 3x3, bias, leaky ReLU, 1x1 back)(x)."""

    def __init__(self, channels, group_channels=16):
        super().__init__()
        wide = keras_residual.EXPANSION * channels
        groups = keras_residual._groups(wide, group_channels)
        self.expand = nn.Conv2d(channels, wide, 1)
        self.grouped = nn.Conv2d(wide, wide, 3, padding=1, groups=groups)
        self.project = nn.Conv2d(wide, channels, 1, bias=False)
        nn.init.zeros_(self.project.weight)
        self.slope = keras_residual.NEGATIVE_SLOPE

    def forward(self, x):
        y = F.leaky_relu(self.expand(x), self.slope)
        y = F.leaky_relu(self.grouped(y), self.slope)
        return x + self.project(y)


class _Generator(nn.Module):
    def __init__(self, latent_dim, widths, channels):
        super().__init__()
        side = keras_residual.BASIS_SIDE
        self.modulation = nn.Linear(latent_dim, widths[side], bias=False)
        self.basis = nn.Parameter(torch.randn(widths[side], side, side))
        layers, have = [], widths[side]
        for side in sorted(widths):
            if side > keras_residual.BASIS_SIDE:
                if widths[side] != have:
                    layers.append(nn.Conv2d(have, widths[side], 1, bias=False))
                layers.append(_Resample(widths[side], up=True))
                have = widths[side]
            layers.append(_Block(have))
        layers += [nn.Conv2d(have, channels, 1), nn.Tanh()]
        self.stages = nn.Sequential(*layers)

    def forward(self, z):
        return self.stages(self.basis[None] * self.modulation(z)[:, :, None, None])


class _Discriminator(nn.Module):
    def __init__(self, widths, size, channels):
        super().__init__()
        layers = [nn.Conv2d(channels, widths[size], 1, bias=False)]
        for side in sorted(widths, reverse=True):
            layers.append(_Block(widths[side]))
            if side > keras_residual.BASIS_SIDE:
                layers.append(_Resample(widths[side], up=False))
                if widths[side // 2] != widths[side]:
                    layers.append(nn.Conv2d(widths[side], widths[side // 2], 1, bias=False))
        last = widths[keras_residual.BASIS_SIDE]
        side = keras_residual.BASIS_SIDE
        layers += [nn.Conv2d(last, last, side, groups=last, bias=False), nn.Flatten()]
        layers.append(nn.Linear(last, 1, bias=False))
        self.stages = nn.Sequential(*layers)

    def forward(self, x):
        return self.stages(x)


def torch_residual(image_shape, latent_dim, width):
    """``networks.residual(image_shape, latent_dim, width=width)`` in PyTorch, NCHW."""
    size, _, channels = image_shape
    widths = keras_residual.stage_widths(size, width)
    return _Generator(latent_dim, widths, channels), _Discriminator(widths, size, channels)


def check_resampling(channels=8, side=8):
    """The PyTorch resampling computes the Keras layers' values (max abs difference)."""
    x = np.random.default_rng(0).standard_normal((2, side, side, channels)).astype(np.float32)
    worst = 0.0
    for keras_layer, up in (
        (keras_residual.FilteredUpsample(), True),
        (keras_residual.FilteredDownsample(), False),
    ):
        expected = np.asarray(keras_layer(x))
        got = _Resample(channels, up)(torch.from_numpy(x).permute(0, 3, 1, 2))
        worst = max(worst, float(np.abs(got.permute(0, 2, 3, 1).numpy() - expected).max()))
    if worst > 1e-5:
        raise AssertionError(f"PyTorch resampling differs from Keras's by {worst}")
    return worst


# --------------------------------------------------------------------------- PyTorch's step
def _squared_gradient(logits, x):
    """||grad_x sum(logits)||^2 per example, differentiable (double backprop)."""
    (grad,) = torch.autograd.grad(logits.sum(), x, create_graph=True)
    return grad.square().sum(dim=(1, 2, 3))


class TorchR3GANRow:
    """R3GAN's step in PyTorch (see the module docstring), eager."""

    def __init__(self, generator, discriminator, batches, latent_dim, threads):
        self.threads = threads
        self.generator, self.discriminator = generator.train(), discriminator.train()
        self.average = [p.detach().clone() for p in generator.parameters()]
        self.latent_dim = latent_dim
        self.opt_g = torch.optim.Adam(generator.parameters(), lr=LR, betas=(BETA_1, BETA_2))
        self.opt_d = torch.optim.Adam(discriminator.parameters(), lr=LR, betas=(BETA_1, BETA_2))
        batches = np.ascontiguousarray(np.moveaxis(batches, -1, 2))
        self.batches = [torch.from_numpy(b) for b in batches]
        self.index = 0

    def step(self):
        real = self.batches[self.index % len(self.batches)].detach().requires_grad_(True)
        self.index += 1
        noise = torch.randn(real.shape[0], self.latent_dim)
        fake = self.generator(noise)
        # Discriminator: relativistic pairing loss + R1 (real) + R2 (fake).
        fake_input = fake.detach().requires_grad_(True)
        real_logits = self.discriminator(real).view(-1)
        fake_logits = self.discriminator(fake_input).view(-1)
        r1 = _squared_gradient(real_logits, real)
        r2 = _squared_gradient(fake_logits, fake_input)
        d_loss = F.softplus(fake_logits - real_logits) + GAMMA / 2 * (r1 + r2)
        self.opt_d.zero_grad(set_to_none=True)
        d_loss.mean().backward()
        self.opt_d.step()
        # Generator, on the same fakes.
        with torch.no_grad():
            real_logits = self.discriminator(real.detach()).view(-1)
        g_loss = F.softplus(real_logits - self.discriminator(fake).view(-1)).mean()
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        with torch.no_grad():
            for average, live in zip(self.average, self.generator.parameters(), strict=True):
                average.lerp_(live, 1.0 - EMA_BETA)
        return d_loss.detach().mean().item(), g_loss.item()

    def run(self, steps):
        """Seconds of ``steps`` steps on the row's thread count."""
        torch.set_num_threads(self.threads)
        start = time.perf_counter()
        for _ in range(steps):
            self.step()
        return time.perf_counter() - start


# --------------------------------------------------------------------------- plain Keras
def _keras_adam():
    return keras.optimizers.Adam(LR, beta_1=BETA_1, beta_2=BETA_2)


class KerasR3GAN(keras.Model):
    """R3GAN's step as a plain Keras GAN (the Keras guide's pattern, see the docstring)."""

    def __init__(self, generator, discriminator, latent_dim):
        super().__init__()
        self.generator, self.discriminator = generator, discriminator
        self.latent_dim = latent_dim
        self.seed_generator = keras.random.SeedGenerator(1337)

    def compile(self):
        super().compile()
        self.d_optimizer, self.g_optimizer = _keras_adam(), _keras_adam()
        self.average = [tf.Variable(v, trainable=False) for v in self.generator.trainable_variables]

    def train_step(self, real):
        batch_size = tf.shape(real)[0]
        z = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        with tf.GradientTape() as g_tape:
            fake = self.generator(z, training=True)
            with tf.GradientTape() as d_tape:
                with tf.GradientTape(persistent=True) as x_tape:
                    x_tape.watch(real)
                    x_tape.watch(fake)
                    real_logits = self.discriminator(real, training=True)
                    fake_logits = self.discriminator(fake, training=True)
                penalties = [
                    tf.reduce_sum(tf.square(x_tape.gradient(logits, x)), axis=[1, 2, 3])
                    for logits, x in ((real_logits, real), (fake_logits, fake))
                ]
                d_loss = tf.reduce_mean(
                    tf.nn.softplus(fake_logits - real_logits)[:, 0]
                    + GAMMA / 2 * (penalties[0] + penalties[1])
                )
            d_vars = self.discriminator.trainable_variables
            with g_tape.stop_recording():
                grads = d_tape.gradient(d_loss, d_vars)
                self.d_optimizer.apply_gradients(zip(grads, d_vars, strict=True))
            real_logits = tf.stop_gradient(self.discriminator(real, training=True))
            fake_logits = self.discriminator(fake, training=True)
            g_loss = tf.reduce_mean(tf.nn.softplus(real_logits - fake_logits))
        g_vars = self.generator.trainable_variables
        grads = g_tape.gradient(g_loss, g_vars)
        self.g_optimizer.apply_gradients(zip(grads, g_vars, strict=True))
        for average, live in zip(self.average, g_vars, strict=True):
            average.assign(average + (1.0 - EMA_BETA) * (live - average))
        return {"d_loss": d_loss, "g_loss": g_loss}
