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
    if not isinstance(inputs, keras.KerasTensor):  # a Sequential model keeps its input here
        try:
            inputs = gan.generator.inputs
        except (AttributeError, ValueError):
            inputs = None
        inputs = inputs[0] if isinstance(inputs, list | tuple) and len(inputs) == 1 else inputs
    width = gan._generator_width()
    if isinstance(inputs, keras.KerasTensor) and inputs.shape[-1] not in (None, width):
        if width == gan.latent_dim:
            fix = f"set latent_dim={inputs.shape[-1]} or give the generator"
        else:  # z and codes side by side (InfoGAN)
            fix = (
                f"z ({gan.latent_dim}) and the codes ({width - gan.latent_dim}) make {width} "
                "features: change latent_dim or the codes, or give the generator"
            )
        raise ValueError(
            f"generator takes inputs of shape {shape_str(inputs.shape)} but "
            f"latent_dim={gan.latent_dim}; {fix} an input of shape ({width},)."
        )
    n = 2 * gan.pack  # two of what the discriminator judges at once
    z = tf.zeros([n, gan.latent_dim])
    condition = gan._probe_condition(n)
    try:
        fake = gan._generate(z, condition, training=False)
    except Exception as error:
        raise ValueError(
            f"generator cannot be called on z of shape (batch, {gan.latent_dim}): {error}\n"
            f"Make its input take {width} features (latent_dim={gan.latent_dim}"
            + (")." if width == gan.latent_dim else " and the codes).")
        ) from error
    if not isinstance(fake, tf.Tensor | np.ndarray):
        raise ValueError(f"generator must return one tensor of samples, got {type(fake).__name__}.")
    sample_shape = tuple(fake.shape[1:])
    check_packed_input(gan, sample_shape)
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


def check_packed_input(gan, sample_shape):
    """Refuses a discriminator whose input does not take ``pack`` samples side by side."""
    if gan.pack == 1 or not sample_shape:
        return
    packed = (*sample_shape[:-1], gan.pack * sample_shape[-1])
    try:  # a functional or Sequential model knows its input; a subclassed one may not
        inputs = gan.discriminator.inputs
    except (AttributeError, ValueError):
        inputs = None
    inputs = inputs[0] if isinstance(inputs, list | tuple) and len(inputs) == 1 else inputs
    if isinstance(inputs, keras.KerasTensor) and tuple(inputs.shape[1:]) != packed:
        raise ValueError(
            f"pack={gan.pack} concatenates {gan.pack} samples of shape {shape_str(sample_shape)} "
            f"along their last axis into {shape_str(packed)}, but the discriminator takes "
            f"{shape_str(tuple(inputs.shape[1:]))}; build it for {shape_str(packed)} (the "
            f"tfgan_lite.networks builders take pack={gan.pack})."
        )


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
    if batch_size is None and isinstance(x, tf.data.Dataset):
        spec = tf.nest.flatten(x.element_spec)[0]
        batch_size = spec.shape[0] if spec.shape.rank else None
    if batch_size is not None and gan.pack > 1 and (batch_size // k) % gan.pack:
        raise ValueError(
            f"pack={gan.pack} needs each discriminator step's batch to divide by {gan.pack}, "
            f"but batch_size={batch_size} with discriminator_steps={k} gives steps of "
            f"{batch_size // k}; use a batch_size that is a multiple of {k * gan.pack}."
        )
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


# Layers that only move values around: the range of their output is their input's.
_SHAPE_LAYERS = (
    keras.layers.Reshape,
    keras.layers.Flatten,
    keras.layers.Permute,
    keras.layers.Cropping1D,
    keras.layers.Cropping2D,
    keras.layers.Cropping3D,
)
_BOUNDS = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}


def _output_layer(model):
    """The layer that makes a single-output model's output, or None."""
    if isinstance(model, keras.Sequential):
        return model.layers[-1] if model.layers else None
    outputs = getattr(model, "outputs", None)
    if not outputs or len(outputs) != 1:
        return None
    history = getattr(outputs[0], "_keras_history", None)
    return history.operation if history is not None else None


def output_range(model):
    """``(low, high, layer_name, activation)`` when the model's last layer bounds its output
    with tanh ([-1, 1]) or sigmoid ([0, 1]), looking through layers that only reshape;
    None when its output is not bounded or cannot be told."""
    layer = _output_layer(model)
    previous = {id(b): a for a, b in zip(model.layers, model.layers[1:], strict=False)}
    for _ in range(len(getattr(model, "layers", ())) + 1):
        if layer is None:
            return None
        activation = getattr(getattr(layer, "activation", None), "__name__", None)
        if activation in _BOUNDS:
            return (*_BOUNDS[activation], layer.name, activation)
        if not isinstance(layer, _SHAPE_LAYERS):
            return None
        if isinstance(model, keras.Sequential):
            layer = previous.get(id(layer))
        else:
            history = getattr(layer.input, "_keras_history", None)
            layer = history.operation if history is not None else None
    return None


def _examples(element):
    """The examples of one element of data: the first item of a tuple, ``"x"`` of a dict."""
    if isinstance(element, dict):
        return element.get("x")
    if isinstance(element, tuple | list):
        return element[0] if element else None
    return element


def _range_message(found, dtype, bounds, name="x", network="the generator"):
    low, high, layer, activation = bounds
    if activation == "tanh":
        fix = "x / 127.5 - 1 for values in [0, 255], 2 * x - 1 for values in [0, 1]"
    else:
        fix = "x / 255 for values in [0, 255]"
    return (
        f"{name} holds values from {found} ({dtype}), but {network}'s last layer {layer!r} "
        f"ends in {activation}, so its samples lie in [{low:g}, {high:g}] and the "
        f"discriminator would tell real from fake by range alone. Scale the data into "
        f"[{low:g}, {high:g}]: tfgan.data.images(array) for uint8 images (it maps them to "
        f"[-1, 1]), or {fix}."
    )


def _inside(found_low, found_high, low, high):
    slack = 1e-3 * (high - low)
    return found_low >= low - slack and found_high <= high + slack


def check_range(generator, x, name="x", network="the generator"):
    """Refuses data outside the range ``generator``'s last activation can make.

    A tanh generator makes [-1, 1]; fed uint8 pixels or [0, 255] floats, the discriminator
    tells real from fake by range alone and the run is wasted. An array is read whole; a
    dataset of integers is refused from its element spec. A dataset of floats is not read
    here, since reading it would move its shuffle order: ``range_checked`` checks it as
    it streams. ``name`` and ``network`` name the data and the generator in the message.
    """
    bounds = None if generator is None else output_range(generator)
    if bounds is None:
        return
    low, high = bounds[:2]
    if isinstance(x, tf.data.Dataset):
        spec = _examples(x.element_spec)
        integers = isinstance(spec, tf.TensorSpec) and spec.dtype.is_integer
        if integers and not _inside(spec.dtype.min, spec.dtype.max, low, high):
            found = f"{spec.dtype.min} to {spec.dtype.max}"
            dtype = f"a dataset of {spec.dtype.name}: the range of its dtype"
            raise ValueError(_range_message(found, dtype, bounds, name, network))
        return
    examples = _examples(x)
    if examples is None or isinstance(examples, dict):
        return
    examples = np.asarray(examples)
    if examples.size == 0 or examples.dtype.kind not in "uif":
        return
    found_low, found_high = float(np.min(examples)), float(np.max(examples))
    if not _inside(found_low, found_high, low, high):
        found = f"{found_low:.4g} to {found_high:.4g}"
        raise ValueError(_range_message(found, examples.dtype, bounds, name, network))


# What marks the range check's failure among a step's errors; fit turns it into a ValueError.
_RANGE_MARKER = "tfgan_lite range check: "
_FIELDS = ("name", "network", "dtype", "low", "high", "layer", "activation")


def range_checked(generator, dataset, name="x", network="the generator"):
    """``dataset`` with each batch's examples checked against ``generator``'s range in the
    pipeline (a min and a max per batch), or ``dataset`` itself for an unbounded (or no)
    generator.

    A batch outside the range fails the step that would take it, before any update:
    ``range_refusal`` turns that error into ``check_range``'s message.
    """
    bounds = None if generator is None else output_range(generator)
    spec = _examples(dataset.element_spec)
    if bounds is None or not isinstance(spec, tf.TensorSpec) or not spec.dtype.is_floating:
        return dataset
    low, high = bounds[:2]
    slack = 1e-3 * (high - low)
    # Everything the message needs travels in the assertion, so the refusal needs no model.
    fields = (name, network, spec.dtype.name, low, high, bounds[2], bounds[3])
    info = ";;".join(str(field) for field in fields)

    def check(*element):
        element = element[0] if len(element) == 1 else element
        examples = tf.cast(_examples(element), tf.float32)
        found_low, found_high = tf.reduce_min(examples), tf.reduce_max(examples)
        inside = tf.logical_and(found_low >= low - slack, found_high <= high + slack)
        # The data are only formatted when the assertion fails: nothing per batch but min/max.
        marker = f"{_RANGE_MARKER}{info}##"
        assertion = tf.debugging.Assert(inside, [marker, found_low, found_high, "|"])
        with tf.control_dependencies([assertion]):
            return tf.nest.map_structure(tf.identity, element)

    return dataset.map(check, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)


def range_refusal(error):
    """``check_range``'s message for a step's InvalidArgument ``error`` from
    ``range_checked``, or None when the error is another one."""
    message = str(getattr(error, "message", error))
    start = message.find(_RANGE_MARKER)
    if start < 0:
        return None
    info, _, rest = message[start + len(_RANGE_MARKER) :].partition("##")
    fields = dict(zip(_FIELDS, info.split(";;"), strict=True))
    # "...] [0] [255] [|]": the batch's min and max between the marker and "|".
    values = rest.split("|")[0].replace("[", " ").split("]")
    found_low, found_high = (float(v) for v in values if v.strip())
    bounds = (float(fields["low"]), float(fields["high"]), fields["layer"], fields["activation"])
    return _range_message(
        f"{found_low:.4g} to {found_high:.4g}",
        fields["dtype"],
        bounds,
        fields["name"],
        fields["network"],
    )
