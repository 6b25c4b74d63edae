"""Reference networks: small MLPs for toy densities, plain and label-conditioned."""

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


def _label_embedding(labels, num_classes, dim, name):
    return keras.layers.Embedding(num_classes, dim, name=name)(labels)


def conditional_mlp_gan(
    latent_dim,
    data_dim,
    num_classes,
    hidden=(128, 128),
    embedding_dim=16,
    projection=False,
    activation="relu",
):
    """A label-conditioned (generator, discriminator) pair of MLPs.

    The generator takes ``[z, labels]`` and concatenates a learned label embedding to z.
    The discriminator takes ``[x, labels]``: with ``projection=False`` it concatenates a
    label embedding to x; with ``projection=True`` it is a projection discriminator
    (Miyato & Koyama 2018): logit = psi(phi(x)) + <embed(y), phi(x)>, where phi(x) is the
    last hidden layer. Labels are integer class ids, shape ``(batch,)``.
    """
    z = keras.Input((latent_dim,), name="z")
    g_labels = keras.Input((), dtype="int32", name="labels")
    h = keras.layers.Concatenate()(
        [z, _label_embedding(g_labels, num_classes, embedding_dim, "label_embedding")]
    )
    for units in hidden:
        h = keras.layers.Dense(units, activation=activation)(h)
    generator = keras.Model([z, g_labels], keras.layers.Dense(data_dim)(h), name="generator")

    x = keras.Input((data_dim,), name="x")
    d_labels = keras.Input((), dtype="int32", name="labels")
    h = x
    if not projection:
        embedding = _label_embedding(d_labels, num_classes, embedding_dim, "label_embedding")
        h = keras.layers.Concatenate()([x, embedding])
    for units in hidden:
        h = keras.layers.Dense(units, activation=activation)(h)
    logit = keras.layers.Dense(1)(h)
    if projection:
        embedding = _label_embedding(d_labels, num_classes, hidden[-1], "class_projection")
        inner = keras.layers.Dot(axes=1)([embedding, h])
        logit = keras.layers.Add()([logit, inner])
    discriminator = keras.Model([x, d_labels], logit, name="discriminator")
    return generator, discriminator


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
