"""Heads the discriminators put on their features: the projection discriminator's class
projection (``conditional_mlp_gan`` and ``dcgan``) and InfoGAN's Q head, with the sizes of
an InfoGAN pair (``infogan_mlp`` and ``infogan_dcgan``)."""

import keras

from tfgan_lite import checks
from tfgan_lite.networks.common import BN_MOMENTUM, dcgan_init, label_embedding, spectral


def projection_logit(logit, features, labels, num_classes, spectral_norm=False, named=True):
    """``logit + <embed(labels), features>``: a projection discriminator's logit (Miyato &
    Koyama 2018), the class embedding named "class_projection" and as wide as ``features``.

    With ``spectral_norm`` the embedding is a spectrally normalized bias-free Dense on the
    one-hot labels (N(0, 0.02) kernel); otherwise an ``Embedding``. ``named=False`` leaves
    the Dot and Add layers Keras's default names (the MLP's), else "projection" and
    "logit_plus_projection" (the DCGAN's).
    """
    dim = features.shape[-1]
    if spectral_norm:
        # keras.layers.SpectralNormalization casts its output to its input's dtype,
        # which makes a wrapped Embedding return int32; a one-hot label times a
        # spectrally normalized bias-free Dense is the same embedding, normalized.
        one_hot = keras.layers.CategoryEncoding(
            num_classes, output_mode="one_hot", name="label_one_hot"
        )(labels)
        embedding = spectral(
            keras.layers.Dense(
                dim,
                use_bias=False,
                kernel_initializer=dcgan_init(),
                name="class_projection",
            ),
            True,
        )(one_hot)
    else:
        embedding = label_embedding(labels, num_classes, dim, "class_projection")
    inner = keras.layers.Dot(axes=1, name="projection" if named else None)([embedding, features])
    return keras.layers.Add(name="logit_plus_projection" if named else None)([logit, inner])


def info_sizes(latent_dim, categorical_codes, continuous_codes, log_variances):
    """(generator input width, Q head units) of an InfoGAN pair, after checking the codes."""
    checks.integer(latent_dim, "latent_dim")
    if isinstance(categorical_codes, int):
        categorical_codes = [categorical_codes]
    sizes = [checks.integer(k, "categorical_codes", minimum=2) for k in categorical_codes]
    continuous = checks.integer(continuous_codes, "continuous_codes", minimum=0)
    code_size = sum(sizes) + continuous
    return latent_dim + code_size, code_size + (continuous if log_variances else 0)


def q_head(features, units):
    """InfoGAN's Q head on D's features: Dense(128), batch norm, LeakyReLU(0.1), Dense(units)
    (Chen et al. 2016, Table 1)."""
    h = keras.layers.Dense(128, kernel_initializer=dcgan_init(), name="q_hidden")(features)
    h = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, name="q_bn")(h)
    h = keras.layers.LeakyReLU(negative_slope=0.1, name="q_lrelu")(h)
    return keras.layers.Dense(units, kernel_initializer=dcgan_init(), name="q")(h)
