"""MLPs for toy densities and small data: ``mlp``, the (generator, discriminator) pairs
``mlp_gan`` and ``conditional_mlp_gan`` (label-conditioned, by concatenation or projection;
``acgan=True`` for ``ACGAN``), ``infogan_mlp`` for ``InfoGAN``, and ``semi_supervised_mlp``,
the (generator, classifier) pair of ``SemiSupervisedGAN``.
"""

import keras

from tfgan_lite import checks
from tfgan_lite.networks.common import label_embedding
from tfgan_lite.networks.heads import info_sizes, projection_logit


def mlp(input_dim, output_dim, hidden=(128, 128), activation="relu", name=None):
    """A Sequential MLP from ``input_dim`` features to ``output_dim`` linear outputs."""
    layers = [keras.Input((input_dim,))]
    layers += [keras.layers.Dense(units, activation=activation) for units in hidden]
    layers.append(keras.layers.Dense(output_dim))
    return keras.Sequential(layers, name=name)


def mlp_gan(
    latent_dim,
    data_dim,
    hidden=(128, 128),
    discriminator_hidden=None,
    activation="relu",
    pack=1,
):
    """A (generator, discriminator) pair of MLPs for data of ``data_dim`` features.

    The generator maps ``latent_dim`` to ``data_dim`` linearly at the end; the
    discriminator returns one logit per example (per ``pack`` examples: it takes
    ``pack * data_dim`` features, for ``GAN(..., pack=pack)``). ``discriminator_hidden``
    defaults to ``hidden``.
    """
    discriminator_hidden = hidden if discriminator_hidden is None else discriminator_hidden
    pack = checks.integer(pack, "pack")
    return (
        mlp(latent_dim, data_dim, hidden, activation, name="generator"),
        mlp(pack * data_dim, 1, discriminator_hidden, activation, name="discriminator"),
    )


def conditional_mlp_gan(
    latent_dim,
    data_dim,
    num_classes,
    hidden=(128, 128),
    embedding_dim=16,
    projection=False,
    activation="relu",
    acgan=False,
):
    """A label-conditioned (generator, discriminator) pair of MLPs.

    The generator takes ``[z, labels]`` and concatenates a learned label embedding to z.
    The discriminator takes ``[x, labels]``: with ``projection=False`` it concatenates a
    label embedding to x; with ``projection=True`` it is a projection discriminator
    (Miyato & Koyama 2018): logit = psi(phi(x)) + <embed(y), phi(x)>, where phi(x) is the
    last hidden layer. Labels are integer class ids, shape ``(batch,)``. With
    ``acgan=True`` the discriminator takes x alone and returns ``[logit, class_logits]``
    (``num_classes`` of them) from its last hidden layer, for ``ACGAN``.
    """
    if acgan and projection:
        raise ValueError("acgan=True takes projection=False: an ACGAN's D does not take labels.")
    z = keras.Input((latent_dim,), name="z")
    g_labels = keras.Input((), dtype="int32", name="labels")
    h = keras.layers.Concatenate()(
        [z, label_embedding(g_labels, num_classes, embedding_dim, "label_embedding")]
    )
    for units in hidden:
        h = keras.layers.Dense(units, activation=activation)(h)
    generator = keras.Model([z, g_labels], keras.layers.Dense(data_dim)(h), name="generator")

    x = keras.Input((data_dim,), name="x")
    if acgan:
        h = x
        for units in hidden:
            h = keras.layers.Dense(units, activation=activation)(h)
        outputs = [keras.layers.Dense(1, name="logit")(h)]
        outputs.append(keras.layers.Dense(num_classes, name="class_logits")(h))
        return generator, keras.Model(x, outputs, name="discriminator")
    d_labels = keras.Input((), dtype="int32", name="labels")
    h = x
    if not projection:
        embedding = label_embedding(d_labels, num_classes, embedding_dim, "label_embedding")
        h = keras.layers.Concatenate()([x, embedding])
    for units in hidden:
        h = keras.layers.Dense(units, activation=activation)(h)
    logit = keras.layers.Dense(1)(h)
    if projection:
        logit = projection_logit(logit, h, d_labels, num_classes, named=False)
    discriminator = keras.Model([x, d_labels], logit, name="discriminator")
    return generator, discriminator


def infogan_mlp(
    latent_dim,
    data_dim,
    categorical_codes=(10,),
    continuous_codes=0,
    hidden=(128, 128),
    log_variances=False,
    activation="relu",
):
    """An (generator, discriminator) pair of MLPs for ``InfoGAN``.

    The generator takes ``latent_dim + sum(categorical_codes) + continuous_codes`` features
    (z, then the codes); the discriminator returns ``[logit, q]``, both linear heads on its
    last hidden layer, q with ``sum(categorical_codes) + continuous_codes`` units (plus
    ``continuous_codes`` log-variances with ``log_variances=True``).
    """
    width, q_units = info_sizes(latent_dim, categorical_codes, continuous_codes, log_variances)
    generator = mlp(width, data_dim, hidden, activation, name="generator")
    x = keras.Input((data_dim,), name="x")
    h = x
    for units in hidden:
        h = keras.layers.Dense(units, activation=activation)(h)
    outputs = [keras.layers.Dense(1, name="logit")(h), keras.layers.Dense(q_units, name="q")(h)]
    return generator, keras.Model(x, outputs, name="discriminator")


# ----------------------------------------------------------------- SemiSupervisedGAN
# The classifier returns its logits alone; SemiSupervisedGAN reads the features that
# feature matching compares from one of its layers (its ``feature_layer``; by default the
# input of the classifier's last layer).
def semi_supervised_mlp(latent_dim, data_dim, num_classes, hidden=(256, 128), noise=(0.3, 0.5)):
    """A (generator, classifier) pair after Salimans et al. 2016's MNIST networks, scaled down.

    The classifier adds Gaussian noise to its input (std ``noise[0]``) and to each hidden
    layer (std ``noise[1]``), as the paper's does, and returns ``num_classes`` logits. The
    generator uses batch normalization and softplus, with a tanh output for data in [-1, 1].
    """
    generator = keras.Sequential(name="generator")
    generator.add(keras.Input((latent_dim,)))
    for units in reversed(hidden):
        generator.add(keras.layers.Dense(units, use_bias=False))
        generator.add(keras.layers.BatchNormalization())
        generator.add(keras.layers.Activation("softplus"))
    generator.add(keras.layers.Dense(data_dim, activation="tanh"))

    classifier = keras.Sequential(name="classifier")
    classifier.add(keras.Input((data_dim,)))
    classifier.add(keras.layers.GaussianNoise(noise[0]))
    for units in hidden:
        classifier.add(keras.layers.Dense(units, activation="relu"))
        classifier.add(keras.layers.GaussianNoise(noise[1]))
    classifier.add(keras.layers.Dense(num_classes))
    return generator, classifier
