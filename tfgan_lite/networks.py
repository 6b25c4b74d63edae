"""Reference networks: small MLPs for toy densities."""

import keras


def mlp(input_dim, output_dim, hidden=(128, 128), activation="relu", name=None):
    """A Sequential MLP from ``input_dim`` features to ``output_dim`` linear outputs."""
    layers = [keras.Input((input_dim,))]
    layers += [keras.layers.Dense(units, activation=activation) for units in hidden]
    layers.append(keras.layers.Dense(output_dim))
    return keras.Sequential(layers, name=name)


def mlp_gan(latent_dim, data_dim, hidden=(128, 128), discriminator_hidden=None, activation="relu"):
    """A (generator, discriminator) pair of MLPs for data of ``data_dim`` features.

    The generator maps ``latent_dim`` to ``data_dim`` linearly at the end; the
    discriminator returns one logit per example. ``discriminator_hidden`` defaults to
    ``hidden``.
    """
    discriminator_hidden = hidden if discriminator_hidden is None else discriminator_hidden
    return (
        mlp(latent_dim, data_dim, hidden, activation, name="generator"),
        mlp(data_dim, 1, discriminator_hidden, activation, name="discriminator"),
    )
