"""Exporting a trained generator: SavedModel in TF Serving's layout, and TFLite.

``saved_model(gan, base_dir)`` writes ``base_dir/<version>/``, a SavedModel that plain
TensorFlow loads (no tfgan_lite at serving time), with two signatures (and the metadata
``generate`` reads in ``assets.extra/tfgan_lite.json``):

* ``serving_default``: ``z`` (float32, [None, latent_dim]) and, for a conditional model,
  ``labels`` (int32, [None]) -> ``samples``;
* ``sample``: ``num_samples`` (int32 scalar) and ``seed`` (int64 scalar), and ``labels``
  for a conditional model -> ``samples``, with z drawn from the model's prior in the graph.

An ``InfoGAN``'s ``serving_default`` takes its codes beside z: ``categorical_codes`` (int32,
[None, number of categorical codes], column i in [0, size i)) and ``continuous_codes``
(float32, [None, continuous_codes]), each when the model has such codes; its ``sample``
draws them from their priors with z. The TFLite file takes the same inputs as
``serving_default``, and the metadata records the code sizes.

With generator averaging (``GAN(ema=...)``) the exports hold the averaged generator.
Both signatures refuse a bad request in the graph, before the generator runs, with an
InvalidArgument error (TF Serving answers it with status 400): ``labels`` outside
``[0, num_classes)`` (the message names ``labels``, the range and the offending ids), a
``labels`` whose length differs from z's batch (``serving_default``) or from
``num_samples`` (``sample``), and ``num_samples`` outside ``[1, max_samples]``
(``max_samples=`` at export, 4096 by default, recorded in the metadata). The checks are
explicit assert ops under control dependencies, so they hold on every device: on CPU an
out-of-range label would otherwise reach the embedding's gather as a raw GatherV2 error,
and on GPU the gather silently returns zeros, a wrong sample answered as a right one.

``tflite(gan, path, quantize=None | "float16" | "dynamic_range")`` converts the generator
with TFLite builtin ops only (z is the input; sampling stays outside, since the pip LiteRT
runtime has no select TF ops), checks it against the Keras generator with the LiteRT
interpreter, and writes ``path`` and ``path + ".json"``, the metadata ``generate`` needs
to draw z (latent size, prior, classes, value range). The converter strips assert ops
(TFLite has no Assert builtin), so the TFLite graph carries no label checks: whoever calls
it checks labels against ``num_classes`` from the ``.json`` first, as ``generate`` does.

Image-to-image models. A ``Pix2Pix``, or one direction of a ``CycleGAN``
(``direction="a_to_b"`` or ``"b_to_a"``, required for a CycleGAN and a ValueError for any
other model), exports its translator, the averaged generator when the model averages (as
``translate`` runs by default):

* ``serving_default`` alone (no ``sample`` signature): ``images`` [None, H, W, C] ->
  ``images`` [None, H', W', C'], the shapes fixed by the model (a Pix2Pix's
  ``source_shape`` and ``sample_shape``, a CycleGAN's ``shape_a`` and ``shape_b``). With
  ``output="float"`` both are float32 in ``value_range``; with ``output="uint8"`` both are
  uint8 0-255, the input mapped linearly onto ``value_range`` in the graph
  (``uint8_to_range`` is its NumPy twin) and the output as for generators. One
  ``value_range`` serves both sides: the source and target data share it.
* A Pix2Pix generator of ``[source, z]`` takes ``seed`` (int64 scalar) beside the images,
  and z is drawn in the graph from the prior as ``translate(images, seed=seed)`` draws it:
  the same seed, the same images.
* Graph checks, as for generators (explicit asserts under control dependencies, an
  InvalidArgument error before the generator runs): images of another shape than
  (n, H, W, C) (a concrete function called with another shape falls back to its flat
  signature and would run the graph on it), and float images with a value outside
  ``value_range`` by more than ``RANGE_SLACK`` of its width, or NaN; the message names
  ``images``, the range and the values found. uint8 images are in range by construction.
* Metadata (``assets.extra/tfgan_lite.json``, or ``path + ".json"``): ``"kind":
  "image_to_image"`` (generator exports say ``"kind": "generator"``), ``"model"``
  ("Pix2Pix" or "CycleGAN"), ``"direction"`` (None for a Pix2Pix), ``"input_shape"``,
  ``"output_shape"``, ``"latent_dim"`` and ``"prior"`` (a Pix2Pix of [source, z]; None
  otherwise), ``"output"``, ``"value_range"``, ``"generator"`` (live or averaged), and
  for TFLite ``"quantize"``.
* TFLite: builtin ops only, from ``images`` (and ``z`` [None, latent_dim] for a Pix2Pix of
  [source, z], which ``translate(..., seed=s)`` draws as ``gan.sample_latent(n, s)``) to
  ``images``; verified on 16 random images (uniform in the range, or uint8) against the
  model's ``translate`` within ``TOLERANCES`` (uint8 outputs within 1, a rounding step),
  and nothing is written on failure. ``run_tflite_images(path, images, z=None)`` runs it.
  The file checks nothing, neither shape nor range.

``max_samples`` and ``class_names`` are refused for these exports (no sample signature, no
classes).

Every model says what its exports take and return through one public method,
``model.serving_contract(direction=None)``, a ``tfgan_lite.serving.Contract``: its kind
(samples from noise, or image translation), its inputs (z and its prior's sampler, labels
and their classes, codes and their sizes, images and their shape), the function that
computes the output, the network whose weights are written, the model's metadata and the
reference a TFLite file is verified against. This module reads the contract alone: it
names no model class, and a new model family exports by implementing the method.
"""

import json
import os
import re
import shutil
import tempfile

import numpy as np
import tensorflow as tf

from tfgan_lite import checks, serving

QUANTIZATIONS = (None, "float16", "dynamic_range")
OUTPUTS = ("float", "uint8")
# Largest |TFLite - Keras| accepted on random z, per quantization. Float32 must agree to
# 1e-5; the quantized bounds cover the errors measured on the test models (README).
TOLERANCES = {None: 1e-5, "float16": 1e-2, "dynamic_range": 1e-1}
# Where a SavedModel keeps tfgan_lite's metadata (TF Serving's place for extra files).
METADATA = os.path.join("assets.extra", "tfgan_lite.json")
# The most samples one call of the ``sample`` signature gives unless export says otherwise.
MAX_SAMPLES = 4096
# How many offending label ids an error message shows.
_SHOWN = 5
INT32_MAX = 2**31 - 1
# How far outside value_range (as a fraction of its width) a float image may stray before an
# image-to-image export refuses it: the rounding of a rescale, not another range.
RANGE_SLACK = 1e-3


def _after(asserts, tensor):
    """``tensor`` once the ``asserts`` ops have passed: ops that use it wait for them."""
    with tf.control_dependencies(asserts):
        return tf.identity(tensor)


def _checked_labels(labels, count, count_text, fix, num_classes, name="labels"):
    """``labels`` after graph checks: ``count`` entries, each in ``[0, num_classes)``.

    ``count_text`` and ``fix`` word the length error: "[labels has] [3] [entries, z has]
    [2] [rows (give one label per row of z)]".
    """
    given = tf.shape(labels)[0]
    length = tf.debugging.Assert(
        tf.equal(given, count), [f"{name} has", given, f"entries, {count_text}", count, fix]
    )
    labels = _after([length], labels)
    valid = tf.logical_and(labels >= 0, labels < num_classes)
    in_range = tf.debugging.Assert(
        tf.reduce_all(valid),
        [
            f"{name} must be class ids in [0, {num_classes}) (num_classes={num_classes}); got",
            tf.boolean_mask(labels, tf.logical_not(valid)),
        ],
        summarize=_SHOWN,
    )
    return _after([in_range], labels)


def _checked_rows(values, name, count, count_text):
    """``values`` after a graph check that they have ``count`` rows."""
    rows = tf.debugging.Assert(
        tf.equal(tf.shape(values)[0], count),
        [f"{name} has", tf.shape(values)[0], f"rows, {count_text}", count],
    )
    return _after([rows], values)


def _checked_columns(codes, name, sizes):
    """Integer columns after a graph check: column i in [0, sizes[i])."""
    sizes = list(sizes)
    valid = tf.logical_and(codes >= 0, codes < tf.constant(sizes, tf.int32))
    in_range = tf.debugging.Assert(
        tf.reduce_all(valid),
        [f"{name}: column i must lie in [0, size i), sizes {sizes}; got", codes],
        summarize=_SHOWN,
    )
    return _after([in_range], codes)


def _checked_count(num_samples, max_samples):
    """``num_samples`` after a graph check that it lies in ``[1, max_samples]``."""
    in_range = tf.debugging.Assert(
        tf.logical_and(num_samples >= 1, num_samples <= max_samples),
        [
            f"num_samples must be in [1, {max_samples}] (max_samples, set at export); got",
            num_samples,
        ],
    )
    return _after([in_range], num_samples)


def _to_output(samples, output, value_range):
    samples = tf.cast(samples, tf.float32)
    if output == "float":
        return samples
    low, high = value_range
    scaled = (tf.clip_by_value(samples, low, high) - low) / (high - low) * 255.0
    return tf.cast(tf.round(scaled), tf.uint8)


def _next_version(base_dir):
    versions = [int(name) for name in os.listdir(base_dir) if re.fullmatch(r"\d+", name)]
    return max(versions, default=0) + 1


def _contract(model, direction):
    """The model's serving contract (``direction`` for a model that serves several)."""
    return serving.contract_of(model, direction)


def _check_class_names(contract, class_names):
    """``class_names`` as a list of strings, one per class of a conditional model, or None."""
    if class_names is None:
        return None
    classes = contract.classes
    if classes is None:
        raise ValueError(
            f"class_names= is for conditional models; this {contract.name} takes no "
            "labels. Drop class_names."
        )
    names = list(class_names)
    if len(names) != classes.num_classes or not all(isinstance(n, str) and n for n in names):
        raise ValueError(
            f"class_names must be {classes.num_classes} non-empty strings, one per class id "
            f"(e.g. tfgan.data.class_names(folder)), got {class_names!r}."
        )
    return names


def _refuse_generator_options(contract, max_samples=None, class_names=None):
    what = f"a {contract.name} export translates images"
    if max_samples is not None:
        raise ValueError(
            f"max_samples= bounds a sample signature, and {what} (it has no sample "
            "signature): drop max_samples."
        )
    if class_names is not None:
        raise ValueError(f"class_names= is for conditional models, and {what}: drop class_names.")


def _metadata(contract, output, value_range, class_names=None):
    """The metadata file's entries: the contract's, and the export's options."""
    options = {
        "output": output,
        "value_range": list(value_range),
        "generator": contract.generator,
    }
    if contract.kind == serving.GENERATOR:
        return {"class_names": class_names, **contract.metadata, **options, "kind": contract.kind}
    return {"kind": contract.kind, **contract.metadata, **options}


def _check_options(output, value_range):
    if output not in OUTPUTS:
        raise ValueError(f"output={output!r} is unknown; use one of {', '.join(OUTPUTS)}.")
    low, high = value_range
    if not low < high:
        raise ValueError(f"value_range={value_range!r} must be (low, high) with low < high.")


def _spec(spec, output):
    """The TensorSpec of a contract input: images are uint8 in a uint8 export."""
    dtype = tf.uint8 if spec.image and output == "uint8" else tf.as_dtype(spec.dtype)
    return tf.TensorSpec([None, *spec.shape], dtype, name=spec.name)


def _served(spec, tensor, count, wording, output, value_range, check):
    """An input given to a signature as ``compute`` takes it, after the graph checks
    (with ``check``): images of their shape (mapped from uint8, or in the range), class ids
    of their range, and the rows of every other input against ``count``.

    ``wording``: ``(count_text, fix)`` of the row errors, "z has" and "rows (give one
    label per row of z)", or None for the input whose rows are the batch.
    """
    if spec.image:
        if check:
            tensor = _checked_shape(tensor, spec.shape)
        if output == "uint8":
            return _from_uint8(tensor, value_range)
        return _checked_images(tensor, value_range) if check else tensor
    if not check or wording is None:
        return tensor
    count_text, fix = wording
    if spec.num_classes:
        return _checked_labels(tensor, count, count_text, fix, spec.num_classes, spec.name)
    tensor = _checked_rows(tensor, spec.name, count, count_text)
    return _checked_columns(tensor, spec.name, spec.sizes) if spec.sizes else tensor


def _endpoint(contract, layout, output, value_range, check, max_samples=MAX_SAMPLES):
    """A function of the signature inputs named by ``layout`` (in order: contract input
    names, and ``"num_samples"`` and ``"seed"``) returning ``{output name: output}``.

    The contract inputs not in ``layout`` are drawn with their ``sample`` from the stateless
    seed ``[seed, 0]``. The batch is ``num_samples`` (checked against ``max_samples``) when
    the layout has it, else the rows of the first input.
    """

    def endpoint(*tensors):
        values = dict(zip(layout, tensors, strict=True))
        count = values.pop("num_samples", None)
        seed = values.pop("seed", None)
        first = next(iter(values), None)
        if count is not None:
            count = _checked_count(count, max_samples)
            wording = ("num_samples is", "(give one label per sample)")
        else:
            count = tf.shape(values[first])[0]
            wording = (f"{first} has", f"rows (give one label per row of {first})")
        if seed is not None:
            stateless = tf.stack([tf.cast(seed, tf.int32), tf.constant(0, tf.int32)])
        inputs = {}
        for spec in contract.inputs:
            if spec.name not in values:  # drawn, as the Keras model draws it
                inputs[spec.name] = tf.cast(spec.sample(count, stateless), spec.dtype)
                continue
            is_batch = "num_samples" not in layout and spec.name == first
            inputs[spec.name] = _served(
                spec,
                values[spec.name],
                count,
                None if is_batch else wording,
                output,
                value_range,
                check,
            )
        return {contract.output.name: _to_output(contract.compute(inputs), output, value_range)}

    return endpoint


def _archive(contract, output, value_range, for_tflite=False, max_samples=MAX_SAMPLES):
    """A Keras ExportArchive of the contract's signatures, checked.

    A generator: ``serving_default`` (every input) and ``sample`` (``num_samples``,
    ``seed`` and the inputs not drawn). A translator: ``serving_default`` alone, from the
    inputs not drawn and ``seed`` when some are drawn.

    ``for_tflite``: serving_default alone, taking every input, without checks: the graph
    TFLite converts (its converter strips assert ops, and sampling needs ops the LiteRT
    runtime lacks).
    """
    import keras

    archive = keras.export.ExportArchive()
    networks = contract.network
    for network in networks if isinstance(networks, list | tuple) else [networks]:
        archive.track(network)
    given = [spec for spec in contract.inputs if not spec.drawn]
    # A translator's SavedModel draws its drawn inputs from a seed; the rest take them all.
    everything = for_tflite or contract.kind == serving.GENERATOR
    taken = list(contract.inputs) if everything else given
    layout = [spec.name for spec in taken]
    specs = [_spec(spec, output) for spec in taken]
    if len(taken) < len(contract.inputs):
        layout.append("seed")
        specs.append(tf.TensorSpec([], tf.int64, name="seed"))
    serve = _endpoint(contract, layout, output, value_range, check=not for_tflite)
    archive.add_endpoint("serving_default", serve, input_signature=specs)
    if not for_tflite and contract.kind == serving.GENERATOR:
        layout = ["num_samples", "seed", *(spec.name for spec in given)]
        specs = [
            tf.TensorSpec([], tf.int32, name="num_samples"),
            tf.TensorSpec([], tf.int64, name="seed"),
            *(_spec(spec, output) for spec in given),
        ]
        sample = _endpoint(contract, layout, output, value_range, True, max_samples)
        archive.add_endpoint("sample", sample, input_signature=specs)
    return archive


# ---------------------------------------------------------------- image-to-image
def _from_uint8(images, value_range):
    """uint8 images (0-255) mapped linearly onto ``value_range``, as float32."""
    low, high = value_range
    return tf.cast(images, tf.float32) * np.float32((high - low) / 255.0) + np.float32(low)


def uint8_to_range(images, value_range=(-1.0, 1.0)):
    """NumPy twin of the uint8 exports' input mapping: 0-255 onto ``value_range``, float32."""
    low, high = value_range
    images = np.asarray(images).astype(np.float32)
    return images * np.float32((high - low) / 255.0) + np.float32(low)


def _range_text(value_range):
    low, high = value_range
    return f"[{low:g}, {high:g}]"


def _checked_images(images, value_range):
    """Float ``images`` after a graph check that every value lies in ``value_range``
    (give or take ``RANGE_SLACK`` of its width); NaN is refused too."""
    low, high = value_range
    slack = RANGE_SLACK * (high - low)
    inside = tf.logical_and(images >= low - slack, images <= high + slack)
    in_range = tf.debugging.Assert(
        tf.reduce_all(inside),
        [
            f"images must hold values in {_range_text(value_range)} (the value_range of this "
            "export; a uint8 export takes 0-255 images); got values from",
            tf.reduce_min(images),
            "to",
            tf.reduce_max(images),
        ],
    )
    return _after([in_range], images)


def _checked_shape(images, shape):
    """``images`` after a graph check that they are ``(n, *shape)``. The signature's spec
    alone does not hold: a concrete function called with another shape falls back to its
    flat signature and runs the graph on it."""
    given = tf.shape(images)
    padded = tf.concat([given, tf.zeros([len(shape) + 1], tf.int32)], 0)  # any rank
    fits = tf.logical_and(
        tf.equal(tf.size(given), len(shape) + 1),
        tf.reduce_all(tf.equal(padded[1 : len(shape) + 1], shape)),
    )
    dims = ", ".join(str(d) for d in shape)
    check = tf.debugging.Assert(
        fits,
        [f"images must have shape (n, {dims}) (fixed by the model); got shape", given],
    )
    return _after([check], images)


def _verification_inputs(contract, n, output, value_range, seed):
    """A TFLite file's inputs for verification, and the same as the Keras model takes
    them (float images in the range): the drawn inputs drawn with ``seed``, class ids in
    turn, random images (uniform in the range, or uint8) and standard-normal values."""
    rng = np.random.default_rng(seed)
    drawn = contract.draw(n, seed)
    encoded, floats = {}, {}
    for spec in contract.inputs:
        if spec.drawn:
            value = drawn[spec.name]
        elif spec.image:
            shape = (n, *spec.shape)
            if output == "uint8":
                encoded[spec.name] = rng.integers(0, 256, shape).astype(np.uint8)
                floats[spec.name] = uint8_to_range(encoded[spec.name], value_range)
                continue
            low, high = value_range
            value = rng.uniform(low, high, shape).astype(np.float32)
        elif spec.num_classes:
            value = (np.arange(n) % spec.num_classes).astype(np.int32)
        elif spec.sizes:
            value = np.stack([rng.integers(0, k, n) for k in spec.sizes], 1).astype(np.int32)
        else:
            value = rng.standard_normal((n, *spec.shape)).astype(spec.dtype)
        encoded[spec.name] = floats[spec.name] = value
    return encoded, floats


def _verify(contract, flatbuffer, output, value_range, n=16, seed=0):
    """Largest |TFLite - Keras| over the output on n verification inputs."""
    encoded, floats = _verification_inputs(contract, n, output, value_range, seed)
    expected = contract.keras_outputs(floats, seed)
    expected = _to_output(expected, output, value_range).numpy()
    actual = _signature_runner(flatbuffer)(**encoded)[contract.output.name]
    return float(np.max(np.abs(actual.astype(np.float64) - expected.astype(np.float64))))


def _verify_translation(contract, flatbuffer, output, value_range, n=16, seed=0):
    """Largest |TFLite - Keras translate| on n random images (and z from ``seed``): an
    image-to-image export's verification."""
    return _verify(contract, flatbuffer, output, value_range, n, seed)


# ---------------------------------------------------------------- the exports
def _write_version(base_dir, version, write):
    """Writes a SavedModel with ``write(staging)`` as ``base_dir/<version>/``, atomically."""
    os.makedirs(base_dir, exist_ok=True)
    if version is None:
        version = _next_version(base_dir)
    version = checks.integer(version, "version")
    target = os.path.join(base_dir, str(version))
    if os.path.exists(target):
        raise ValueError(
            f"{target} exists; a version is never overwritten: pass another version, or "
            "version=None for the next free one."
        )
    staging = tempfile.mkdtemp(prefix=f".{version}.", dir=base_dir)
    try:
        write(staging)
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _write_metadata(staging, metadata):
    os.makedirs(os.path.join(staging, "assets.extra"))
    with open(os.path.join(staging, METADATA), "w") as f:
        json.dump(metadata, f, indent=1)


def saved_model(
    model,
    base_dir,
    version=None,
    output="float",
    value_range=(-1.0, 1.0),
    max_samples=None,
    class_names=None,
    direction=None,
):
    """Writes the generator as ``base_dir/<version>/`` for TF Serving; returns that path.

    ``version`` defaults to the next free integer (1, 2, ...). An existing version is never
    overwritten, and a failed export leaves no version directory behind: the SavedModel is
    written to a temporary directory beside it and renamed into place at the end.
    ``output="uint8"`` maps ``value_range`` (the data's range, [-1, 1] by default) onto
    0-255 integers, for image models; ``"float"`` returns the generator's values.

    The signatures refuse bad requests in the graph with an InvalidArgument error, on every
    device: ``labels`` outside ``[0, num_classes)`` or of another length than z's batch
    (``serving_default``) or ``num_samples`` (``sample``), and ``num_samples`` outside
    ``[1, max_samples]``. ``max_samples`` (a positive integer, at most 2**31 - 1; None:
    ``MAX_SAMPLES``) bounds what one ``sample`` call may allocate; the metadata records it
    for ``generate``. ``class_names`` (a conditional model's, e.g.
    ``tfgan.data.class_names(folder)``) go into the metadata too, so that ``generate
    --labels`` takes names.

    A ``Pix2Pix`` or a ``CycleGAN`` (``direction="a_to_b"`` or ``"b_to_a"``, required for
    it and refused for other models) exports its translator instead: ``serving_default``
    from ``images`` to ``images``, both in ``output``'s encoding (see the module
    docstring); ``max_samples`` and ``class_names`` are refused for them.
    """
    _check_options(output, value_range)
    contract = _contract(model, direction)
    extra = {}
    if contract.kind == serving.IMAGE_TO_IMAGE:
        _refuse_generator_options(contract, max_samples, class_names)
        max_samples = MAX_SAMPLES  # no sample signature to bound
    else:
        class_names = _check_class_names(contract, class_names)
        max_samples = MAX_SAMPLES if max_samples is None else max_samples
        max_samples = checks.integer(
            max_samples, "max_samples", hint=" (the most samples one sample call may ask for)"
        )
        if max_samples > INT32_MAX:
            raise ValueError(
                f"max_samples must be at most {INT32_MAX} (num_samples is an int32), got "
                f"{max_samples}."
            )
        extra["max_samples"] = max_samples
    if contract.check_sampling is not None and any(spec.drawn for spec in contract.inputs):
        contract.check_sampling()

    def write(staging):
        archive = _archive(contract, output, value_range, max_samples=max_samples)
        archive.write_out(staging, verbose=False)
        metadata = {**_metadata(contract, output, value_range, class_names), **extra}
        _write_metadata(staging, metadata)

    return _write_version(base_dir, version, write)


def _convert(archive, quantize):
    """The flatbuffer of an archive's serving_default, TFLite builtin ops only."""
    with tempfile.TemporaryDirectory() as staging:
        archive.write_out(staging, verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(staging, ["serving_default"])
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
        if quantize:
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
        if quantize == "float16":
            converter.target_spec.supported_types = [tf.float16]
        return converter.convert()


def tflite(
    model,
    path,
    quantize=None,
    output="float",
    value_range=(-1.0, 1.0),
    verify=True,
    seed=0,
    class_names=None,
    direction=None,
):
    """Converts the generator to a TFLite file of builtin ops; returns the path.

    ``quantize``: None (float32), ``"float16"`` (weights in float16) or ``"dynamic_range"``
    (weights in int8). The input batch is resizable. With ``verify`` (the default) the file
    is run with the LiteRT interpreter on 16 random z and compared with the Keras generator;
    a difference above ``TOLERANCES[quantize]`` is a ValueError and nothing is written.
    Writes ``path`` and ``path + ".json"`` (latent size, prior, classes and their
    ``class_names`` when given, value range). The file checks no labels (TFLite has no
    Assert builtin and the converter strips asserts): check them against ``num_classes``
    from the ``.json`` before invoking it, as ``generate`` does.

    A ``Pix2Pix`` or a ``CycleGAN`` (with ``direction``, as for ``saved_model``) converts
    its translator, from ``images`` (and z for a Pix2Pix generator of [source, z]) to
    ``images``, verified on 16 random images against the model's ``translate`` (uint8
    outputs within 1 of it); run it with ``run_tflite_images``. Nothing in the file checks
    the images' range.
    """
    if quantize not in QUANTIZATIONS:
        raise ValueError(
            f"quantize={quantize!r} is unknown; use None, 'float16' or 'dynamic_range'."
        )
    _check_options(output, value_range)
    contract = _contract(model, direction)
    translates = contract.kind == serving.IMAGE_TO_IMAGE
    if translates:
        _refuse_generator_options(contract, class_names=class_names)
    else:
        class_names = _check_class_names(contract, class_names)
    flatbuffer = _convert(_archive(contract, output, value_range, for_tflite=True), quantize)
    metadata = _metadata(contract, output, value_range, class_names)
    scale = 255 if output == "uint8" else 1
    tolerance = TOLERANCES[quantize] * scale
    if translates and output == "uint8":
        # A float difference of 1e-6 at a rounding boundary is one step.
        tolerance = max(tolerance, 1)
    error = 0
    if verify:
        check = _verify_translation if translates else _verify
        error = check(contract, flatbuffer, output, value_range, seed=seed)
    if verify and not error <= tolerance:
        raise ValueError(
            f"the TFLite model differs from {contract.reference_name} by {error:.3g}, above "
            "the tolerance "
            f"{TOLERANCES[quantize]} for quantize={quantize!r}; nothing written."
        )
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with open(path, "wb") as f:
        f.write(flatbuffer)
    with open(path + ".json", "w") as f:
        json.dump({**metadata, "quantize": quantize}, f, indent=1)
    return path


def _signature_runner(model):
    """The serving_default runner of a .tflite file (path) or flatbuffer (bytes).

    The interpreter runs LiteRT's builtin kernels without its default delegate: applying
    the XNNPACK delegate makes LiteRT's C++ logger print "INFO: Created TensorFlow Lite
    XNNPACK delegate for CPU." to stderr, a logger that neither TF_CPP_MIN_LOG_LEVEL nor
    absl logging reaches from Python (ai-edge-litert 2.3). The builtin kernels compute the
    same float32 graph; a device app still gets XNNPACK from its own interpreter.
    """
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    quiet = {"experimental_op_resolver_type": OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES}
    if isinstance(model, bytes):
        interpreter = Interpreter(model_content=model, **quiet)
    else:
        interpreter = Interpreter(model_path=str(model), **quiet)
    return interpreter.get_signature_runner()


def run_tflite(model, z, labels=None, categorical_codes=None, continuous_codes=None, **other):
    """Runs a TFLite generator (a path or flatbuffer bytes) on z, and labels if conditional
    (or an InfoGAN's codes: int ``(n, number of categorical codes)`` and float ``(n,
    continuous_codes)``); ``other``: any further inputs a model's contract names, by name."""
    runner = _signature_runner(model)
    inputs = {"z": np.asarray(z, np.float32), **other}
    if labels is not None:
        inputs["labels"] = np.asarray(labels, np.int32)
    if categorical_codes is not None:
        inputs["categorical_codes"] = np.asarray(categorical_codes, np.int32)
    if continuous_codes is not None:
        inputs["continuous_codes"] = np.asarray(continuous_codes, np.float32)
    return runner(**inputs)["samples"]


def run_tflite_images(model, images, z=None):
    """Runs an image-to-image TFLite file (a path or flatbuffer bytes) on ``images``
    ``(n, H, W, C)``: float32 in the export's value range, or uint8 0-255 for a file exported
    with ``output="uint8"``; ``z`` ``(n, latent_dim)`` for a Pix2Pix generator of [source, z]
    (``gan.sample_latent(n, seed)`` is what ``translate(..., seed=seed)`` draws). Returns the
    translated images in the same encoding. The file checks nothing: a ValueError here
    refuses images of the wrong dtype, and z missing or given where the file takes none.
    """
    runner = _signature_runner(model)
    details = runner.get_input_details()
    if "images" not in details:
        raise ValueError(
            "this TFLite file takes no images (a generator of z: use run_tflite(model, z))."
        )
    images = np.asarray(images)
    if details["images"]["dtype"] == np.uint8:
        if images.dtype != np.uint8:
            raise ValueError(
                f"this TFLite file was exported with output='uint8' and takes uint8 images "
                f"(0-255), got {images.dtype}; convert them, e.g. np.round(...).astype(np.uint8)."
            )
    elif images.dtype == np.uint8:
        raise ValueError(
            "this TFLite file takes float32 images in its value_range (it was exported with "
            "output='float'), got uint8; map them, e.g. tfgan_lite.export.uint8_to_range(images)."
        )
    else:
        images = images.astype(np.float32)
    inputs = {"images": images}
    if ("z" in details) != (z is not None):
        raise ValueError(
            "this TFLite file takes z beside the images (a Pix2Pix generator of [source, z]): "
            "pass z of shape (n, latent_dim), e.g. gan.sample_latent(n, seed)."
            if z is None
            else "this TFLite file takes no z: drop z."
        )
    if z is not None:
        inputs["z"] = np.asarray(z, np.float32)
    return runner(**inputs)["images"]


def verify_tflite(
    gan, model, output="float", value_range=(-1.0, 1.0), n=16, seed=0, direction=None
):
    """Largest |TFLite - Keras| over the outputs of a TFLite file (a path or flatbuffer
    bytes) exported from ``gan`` on n verification inputs: z and any drawn inputs from
    ``seed``, each class in turn, random images (see ``tfgan_lite.serving``)."""
    return _verify(_contract(gan, direction), model, output, value_range, n, seed)
