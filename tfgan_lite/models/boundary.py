"""What a GAN refuses before its first step: networks that do not fit, data that does not.

Each check raises a ValueError that names the argument and the fix. The model hooks
(``_generate``, ``_discriminate``, ``_check_discriminator_output``) decide what a variant's
networks take and return; these functions call them and read the result.
"""

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite.checks import shape_str


def check_networks(gan):
    """Calls both networks once on zeros through the model's hooks; returns the
    generator's sample shape."""
    inputs = getattr(gan.generator, "_inputs_struct", None)
    if isinstance(inputs, keras.KerasTensor) and inputs.shape[-1] not in (None, gan.latent_dim):
        raise ValueError(
            f"generator takes inputs of shape {shape_str(inputs.shape)} but "
            f"latent_dim={gan.latent_dim}; set latent_dim={inputs.shape[-1]} or give the "
            f"generator an input of shape ({gan.latent_dim},)."
        )
    z = tf.zeros([2, gan.latent_dim])
    condition = gan._probe_condition(2)
    try:
        fake = gan._generate(z, condition, training=False)
    except Exception as error:
        raise ValueError(
            f"generator cannot be called on z of shape (batch, {gan.latent_dim}): {error}\n"
            f"Make its input take latent_dim={gan.latent_dim} features."
        ) from error
    if not isinstance(fake, tf.Tensor | np.ndarray):
        raise ValueError(f"generator must return one tensor of samples, got {type(fake).__name__}.")
    sample_shape = tuple(fake.shape[1:])
    try:
        output = gan._discriminate(fake, condition, training=False)
    except Exception as error:
        raise ValueError(
            f"discriminator cannot take the generator's samples of shape "
            f"{shape_str(sample_shape)}: {error}\nMake the discriminator's input shape "
            f"{shape_str(sample_shape)}, or change the generator's output to the data's shape."
        ) from error
    gan._check_discriminator_output(output)
    last = getattr(gan.discriminator, "layers", [None])[-1:]
    activation = getattr(last[0], "activation", None) if last else None
    if activation in (keras.activations.sigmoid, keras.activations.softmax):
        raise ValueError(
            f"discriminator ends in a {activation.__name__}, but tfgan_lite's objectives "
            "take logits (D(x) = sigmoid(logit) is applied inside the losses); remove the "
            "activation."
        )
    return sample_shape


def one_logit(shape):
    """Refuses a discriminator output shape other than one logit per example."""
    if shape not in ((), (1,)):
        raise ValueError(
            f"discriminator must return one logit per example, shape (batch, 1) or (batch,), "
            f"but returns {shape_str(shape)} per example; end it with "
            "keras.layers.Dense(1) and no activation."
        )


def example_shape(x):
    """The shape of one example of ``x`` (an array, a tuple whose first item is the
    examples, or a dataset of either); None when it cannot be told."""
    if isinstance(x, tf.data.Dataset):
        spec = x.element_spec
        spec = spec[0] if isinstance(spec, tuple | list) else spec
        return tuple(spec.shape[1:]) if hasattr(spec, "shape") else None
    if x is None or isinstance(x, dict):
        return None
    return tuple(np.shape(x[0] if isinstance(x, tuple | list) else x)[1:])


def check_data(gan, x, batch_size):
    """Refuses data whose examples the discriminator cannot take, and a batch smaller
    than k."""
    shape = example_shape(x)
    if shape is not None and (
        len(shape) != len(gan.sample_shape)
        or any(
            a is not None and b is not None and a != b
            for a, b in zip(shape, gan.sample_shape, strict=False)
        )
    ):
        raise ValueError(
            f"x holds examples of shape {shape_str(shape)} but the generator makes samples of "
            f"shape {shape_str(gan.sample_shape)}, which is what the discriminator takes; "
            f"reshape the data to (num_examples,) + {shape_str(gan.sample_shape)} or change "
            "the generator's output shape."
        )
    k = gan.discriminator_steps
    if batch_size is not None and batch_size < k:
        raise ValueError(
            f"batch_size={batch_size} is smaller than discriminator_steps={k}; each "
            f"discriminator step takes batch_size // k examples, so use batch_size = k * m "
            f"(e.g. {k * 64})."
        )


def first_labels(dataset, missing):
    """The labels of a dataset's first element of ``(x, labels, ...)``, as NumPy; a
    ValueError with the message ``missing`` if its elements hold no labels."""
    spec = dataset.element_spec
    if not isinstance(spec, tuple) or len(spec) < 2:
        raise ValueError(missing)
    if not spec[1].dtype.is_integer:
        raise ValueError(
            f"the dataset's labels have dtype {spec[1].dtype.name}; map them to integer class "
            "ids with tf.cast(y, tf.int32)."
        )
    for _, labels, *_ in dataset.take(1):
        return labels.numpy().reshape(-1)
    return np.zeros([0], np.int32)
