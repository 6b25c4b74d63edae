"""What benchmarks/speed.py times: the networks, the Keras-guide GAN and the row runners.

The same DCGAN-28 and MLP-2D networks built from Keras layers and from PyTorch modules, the
GAN the Keras DCGAN guide writes (``KerasGuideGAN``), and the two kinds of row a timed run
calls: ``KerasRow`` fits a compiled Keras model (tfgan_lite's ``GAN`` or the guide's) over a
repeated dataset, ``TorchRow`` runs the PyTorch DCGAN tutorial's loop. All of them train with
``adam()``'s settings. speed.py's docstring says what each of them stands for.
"""

import time

import keras
import numpy as np
import tensorflow as tf
import torch
from torch import nn

import tfgan_lite as tfgan
from tfgan_lite.data import pipeline

LR, BETA_1, BETA_2 = 2e-4, 0.5, 0.999
# PyTorch's own thread count (the physical cores), read on import, before anything sets it.
TORCH_DEFAULT_THREADS = torch.get_num_threads()


def adam():
    """The Keras optimizer of every network: Adam(LR, BETA_1, BETA_2)."""
    return keras.optimizers.Adam(LR, beta_1=BETA_1, beta_2=BETA_2)


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
def repeated(batches):
    """The fixed batches as an endless, prefetched tf.data pipeline."""
    return tf.data.Dataset.from_tensor_slices(batches).repeat().prefetch(tf.data.AUTOTUNE)


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
        """Seconds of one ``fit`` epoch of ``steps`` steps, from its first to its last step."""
        timer = _EpochTimer()
        self.model.fit(
            self.data, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False, callbacks=[timer]
        )
        return timer.seconds


class UserDataRow(KerasRow):
    """tfgan_lite on the batches as a user's unprefetched pipeline; with ``prefetch=False``
    fit's own prefetch is turned off too, to measure what it saves."""

    def __init__(self, model, batches, prefetch):
        super().__init__(model, batches)
        examples = batches.reshape(-1, *batches.shape[2:])
        self.data = (
            tf.data.Dataset.from_tensor_slices(examples).batch(len(batches[0])).cache().repeat()
        )
        self.prefetch = prefetch

    def run(self, steps):
        if self.prefetch:
            return super().run(steps)
        original = pipeline.prefetched
        pipeline.prefetched = lambda dataset: dataset
        try:
            return super().run(steps)
        finally:
            pipeline.prefetched = original


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
        """Seconds of ``steps`` steps on the row's thread count."""
        torch.set_num_threads(self.threads)
        start = time.perf_counter()
        for _ in range(steps):
            self.step()
        return time.perf_counter() - start
