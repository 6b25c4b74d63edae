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
"""

import dataclasses
import json
import os
import re
import shutil
import tempfile

import numpy as np
import tensorflow as tf

from tfgan_lite import checks, priors

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


def _code_sizes(gan):
    """An InfoGAN's ``(categorical code sizes, number of continuous codes)``; None for
    other models."""
    if not hasattr(gan, "categorical_codes"):
        return None
    return list(gan.categorical_codes), gan.continuous_codes


def _condition_specs(gan):
    """The inputs beside z: ``labels`` (conditional models), an InfoGAN's
    ``categorical_codes`` and ``continuous_codes`` (each when it has such codes), or none."""
    if gan.conditional:
        return [tf.TensorSpec([None], tf.int32, name="labels")]
    sizes = _code_sizes(gan)
    if sizes is None:
        return []
    categorical, continuous = sizes
    specs = []
    if categorical:
        specs.append(tf.TensorSpec([None, len(categorical)], tf.int32, name="categorical_codes"))
    if continuous:
        specs.append(tf.TensorSpec([None, continuous], tf.float32, name="continuous_codes"))
    return specs


def _signatures(gan):
    return [tf.TensorSpec([None, gan.latent_dim], tf.float32, name="z"), *_condition_specs(gan)]


def _codes_condition(gan, inputs, count, check):
    """An InfoGAN's condition from the ``categorical_codes`` / ``continuous_codes`` inputs
    (in ``_condition_specs``'s order), after graph checks with ``check``."""
    categorical_sizes, continuous = _code_sizes(gan)
    inputs = list(inputs)
    condition = {
        "categorical": tf.zeros([count, 0], tf.int32),
        "continuous": tf.zeros([count, 0], tf.float32),
    }
    if categorical_sizes:
        codes = inputs.pop(0)
        if check:
            codes = _checked_codes(codes, count, categorical_sizes)
        condition["categorical"] = codes
    if continuous:
        codes = inputs.pop(0)
        if check:
            rows = tf.debugging.Assert(
                tf.equal(tf.shape(codes)[0], count),
                ["continuous_codes has", tf.shape(codes)[0], "rows, z has", count],
            )
            codes = _after([rows], codes)
        condition["continuous"] = codes
    return condition


def _checked_codes(codes, count, sizes):
    """Categorical codes ``(count, len(sizes))`` after graph checks: code i in [0, sizes[i])."""
    rows = tf.debugging.Assert(
        tf.equal(tf.shape(codes)[0], count),
        ["categorical_codes has", tf.shape(codes)[0], "rows, z has", count],
    )
    codes = _after([rows], codes)
    valid = tf.logical_and(codes >= 0, codes < tf.constant(sizes, tf.int32))
    in_range = tf.debugging.Assert(
        tf.reduce_all(valid),
        [f"categorical_codes: column i must lie in [0, size i), sizes {sizes}; got", codes],
        summarize=_SHOWN,
    )
    return _after([in_range], codes)


def _after(asserts, tensor):
    """``tensor`` once the ``asserts`` ops have passed: ops that use it wait for them."""
    with tf.control_dependencies(asserts):
        return tf.identity(tensor)


def _checked_labels(labels, count, count_text, fix, num_classes):
    """``labels`` after graph checks: ``count`` entries, each in ``[0, num_classes)``.

    ``count_text`` and ``fix`` word the length error: "[labels has] [3] [entries, z has]
    [2] [rows (give one label per row of z)]".
    """
    given = tf.shape(labels)[0]
    length = tf.debugging.Assert(
        tf.equal(given, count), ["labels has", given, f"entries, {count_text}", count, fix]
    )
    labels = _after([length], labels)
    valid = tf.logical_and(labels >= 0, labels < num_classes)
    in_range = tf.debugging.Assert(
        tf.reduce_all(valid),
        [
            f"labels must be class ids in [0, {num_classes}) (num_classes={num_classes}); got",
            tf.boolean_mask(labels, tf.logical_not(valid)),
        ],
        summarize=_SHOWN,
    )
    return _after([in_range], labels)


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


def _check_class_names(gan, class_names):
    """``class_names`` as a list of strings, one per class of a conditional model, or None."""
    if class_names is None:
        return None
    if not gan.conditional:
        raise ValueError(
            f"class_names= is for conditional models; this {type(gan).__name__} takes no "
            "labels. Drop class_names."
        )
    names = list(class_names)
    if len(names) != gan.num_classes or not all(isinstance(n, str) and n for n in names):
        raise ValueError(
            f"class_names must be {gan.num_classes} non-empty strings, one per class id "
            f"(e.g. tfgan.data.class_names(folder)), got {class_names!r}."
        )
    return names


def _metadata(gan, output, value_range, class_names=None):
    return {
        "class_names": class_names,
        "latent_dim": gan.latent_dim,
        "prior": priors.name_of(gan.prior) if gan.prior is not None else None,
        "num_classes": gan.num_classes if gan.conditional else None,
        "categorical_codes": None if _code_sizes(gan) is None else _code_sizes(gan)[0],
        "continuous_codes": None if _code_sizes(gan) is None else _code_sizes(gan)[1],
        "sample_shape": list(gan.sample_shape),
        "output": output,
        "value_range": list(value_range),
        "generator": f"averaged (ema={gan.ema})" if gan.ema else "live",
        "kind": "generator",
    }


def _check_options(output, value_range):
    if output not in OUTPUTS:
        raise ValueError(f"output={output!r} is unknown; use one of {', '.join(OUTPUTS)}.")
    low, high = value_range
    if not low < high:
        raise ValueError(f"value_range={value_range!r} must be (low, high) with low < high.")


def _archive(gan, output, value_range, for_tflite=False, max_samples=MAX_SAMPLES):
    """A Keras ExportArchive of the generator: serving_default and sample, checked.

    ``for_tflite``: serving_default alone and without checks, the graph TFLite converts
    (its converter strips assert ops, and sampling needs ops the LiteRT runtime lacks).
    """
    import keras

    labeled = gan.conditional
    codes = _code_sizes(gan) is not None
    prior = gan.prior

    def generate(z, condition):
        # The model's own generator hook: the exported graph makes what generate() makes.
        samples = gan._generate(z, condition, training=False, averaged=True)
        return {"samples": _to_output(samples, output, value_range)}

    def serve(z, *inputs):
        condition = inputs[0] if labeled else None
        if labeled and not for_tflite:
            condition = _checked_labels(
                condition,
                tf.shape(z)[0],
                "z has",
                "rows (give one label per row of z)",
                gan.num_classes,
            )
        if codes:
            condition = _codes_condition(gan, inputs, tf.shape(z)[0], check=not for_tflite)
        return generate(z, condition)

    def sample(num_samples, seed, labels=None):
        num_samples = _checked_count(num_samples, max_samples)
        if labeled:
            labels = _checked_labels(
                labels,
                num_samples,
                "num_samples is",
                "(give one label per sample)",
                gan.num_classes,
            )
        stateless = tf.stack([tf.cast(seed, tf.int32), tf.constant(0, tf.int32)])
        z = tf.cast(prior.sample(num_samples, seed=stateless), tf.float32)
        if codes:  # drawn from their priors, as generate() draws them
            labels = gan._draw_codes(num_samples, stateless + tf.constant([0, 1]))
        return generate(z, labels)

    archive = keras.export.ExportArchive()
    archive.track(gan.ema_generator if gan.ema else gan.generator)
    archive.add_endpoint("serving_default", serve, input_signature=_signatures(gan))
    if not for_tflite:
        sample_signature = [
            tf.TensorSpec([], tf.int32, name="num_samples"),
            tf.TensorSpec([], tf.int64, name="seed"),
        ]
        if labeled:
            sample_signature.append(tf.TensorSpec([None], tf.int32, name="labels"))
        archive.add_endpoint("sample", sample, input_signature=sample_signature)
    return archive


# ---------------------------------------------------------------- image-to-image
@dataclasses.dataclass(frozen=True)
class _Translation:
    """What an image-to-image export serves: one generator, from input to output images."""

    model: object  # the Pix2Pix or CycleGAN
    name: str  # "Pix2Pix" or "CycleGAN", the class it is (or derives from)
    direction: str | None  # a CycleGAN's "a_to_b" or "b_to_a"; None for a Pix2Pix
    network: object  # the keras.Model the export holds (the averaged one with ema)
    input_shape: tuple
    output_shape: tuple
    latent_dim: int | None  # z's size for a Pix2Pix generator of [source, z]; else None
    ema: float | None

    def run(self, images, z=None):
        """The generated images of float ``images`` in value_range (and z), in the graph."""
        if self.direction is None:  # Pix2Pix's own generator hook, as translate calls it
            dtype = self.model.compute_dtype
            z = None if z is None else tf.cast(z, dtype)
            return self.model._generate(z, tf.cast(images, dtype), training=False, averaged=True)
        return self.network(images, training=False)

    def translate(self, images, seed=0):
        """The Keras model's ``translate`` of float ``images`` (z drawn with ``seed``)."""
        if self.direction is None:
            return np.asarray(self.model.translate(images, seed=seed), np.float32)
        return np.asarray(self.model.translate(images, self.direction), np.float32)

    def sample_latent(self, n, seed):
        """The z that ``translate(images, seed=seed)`` draws for n images."""
        return np.asarray(self.model.sample_latent(n, seed), np.float32)


def _translation(model, direction):
    """A Pix2Pix's or a CycleGAN direction's ``_Translation``; None for other models.

    ``direction`` is required for a CycleGAN and refused for every other model.
    """
    from tfgan_lite.models.cyclegan import DIRECTIONS, CycleGAN
    from tfgan_lite.models.pix2pix import Pix2Pix

    if isinstance(model, CycleGAN):
        if direction not in DIRECTIONS:
            given = f"direction={direction!r} is unknown"
            if direction is None:
                given = "direction is missing"
            raise ValueError(
                f"{given}: a CycleGAN exports one of its two generators; pass "
                "direction='a_to_b' (generator_a_to_b, domain A images to B) or "
                "direction='b_to_a' (generator_b_to_a, B to A)."
            )
        shapes = (model.shape_a, model.shape_b)
        if direction == "b_to_a":
            shapes = shapes[::-1]
        return _Translation(
            model,
            "CycleGAN",
            direction,
            model.translator(direction, averaged=True),
            tuple(shapes[0]),
            tuple(shapes[1]),
            None,
            model.ema or None,
        )
    if direction is not None:
        raise ValueError(
            f"direction={direction!r} is for a CycleGAN, which holds two generators; this "
            f"{type(model).__name__} has one: drop direction."
        )
    if not isinstance(model, Pix2Pix):
        return None
    if model.takes_z:
        model._require_prior()
    return _Translation(
        model,
        "Pix2Pix",
        None,
        model.ema_generator if model.ema else model.generator,
        tuple(model.source_shape),
        tuple(model.sample_shape),
        model.latent_dim if model.takes_z else None,
        model.ema or None,
    )


def _refuse_generator_options(translation, max_samples=None, class_names=None):
    what = f"a {translation.name} export translates images"
    if max_samples is not None:
        raise ValueError(
            f"max_samples= bounds a sample signature, and {what} (it has no sample "
            "signature): drop max_samples."
        )
    if class_names is not None:
        raise ValueError(f"class_names= is for conditional models, and {what}: drop class_names.")


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


def _image_archive(translation, output, value_range, for_tflite=False):
    """A Keras ExportArchive of the translator: serving_default alone, from ``images``
    (and, for a Pix2Pix generator of [source, z], ``seed`` or with ``for_tflite`` ``z``).

    ``for_tflite``: no range check (the converter strips asserts) and z as an input
    (sampling needs ops the LiteRT runtime lacks).
    """
    import keras

    dtype = tf.uint8 if output == "uint8" else tf.float32
    specs = [tf.TensorSpec([None, *translation.input_shape], dtype, name="images")]
    if translation.latent_dim:
        if for_tflite:
            specs.append(tf.TensorSpec([None, translation.latent_dim], tf.float32, name="z"))
        else:
            specs.append(tf.TensorSpec([], tf.int64, name="seed"))

    def serve(images, *extra):
        if not for_tflite:
            images = _checked_shape(images, translation.input_shape)
        if output == "uint8":
            images = _from_uint8(images, value_range)
        elif not for_tflite:
            images = _checked_images(images, value_range)
        z = None
        if translation.latent_dim:
            z = extra[0]
            if not for_tflite:  # drawn as translate(seed=seed) draws it
                stateless = tf.stack([tf.cast(z, tf.int32), tf.constant(0, tf.int32)])
                prior = translation.model.prior
                z = tf.cast(prior.sample(tf.shape(images)[0], seed=stateless), tf.float32)
        generated = translation.run(images, z)
        return {"images": _to_output(generated, output, value_range)}

    archive = keras.export.ExportArchive()
    archive.track(translation.network)
    archive.add_endpoint("serving_default", serve, input_signature=specs)
    return archive


def _image_metadata(translation, output, value_range):
    model = translation.model
    return {
        "kind": "image_to_image",
        "model": translation.name,
        "direction": translation.direction,
        "input_shape": list(translation.input_shape),
        "output_shape": list(translation.output_shape),
        "latent_dim": translation.latent_dim,
        "prior": priors.name_of(model.prior) if translation.latent_dim else None,
        "output": output,
        "value_range": list(value_range),
        "generator": f"averaged (ema={translation.ema})" if translation.ema else "live",
    }


def _random_images(translation, n, output, value_range, seed):
    """n random input images in the export's encoding: uint8 0-255, or float in range."""
    rng = np.random.default_rng(seed)
    shape = (n, *translation.input_shape)
    if output == "uint8":
        return rng.integers(0, 256, shape).astype(np.uint8)
    low, high = value_range
    return rng.uniform(low, high, shape).astype(np.float32)


def _expected_images(translation, images, output, value_range, seed=0):
    """What the Keras model's ``translate`` makes of ``images`` in the export's encoding."""
    floats = uint8_to_range(images, value_range) if output == "uint8" else images
    generated = translation.translate(floats, seed=seed)
    return _to_output(generated, output, value_range).numpy()


def _verify_translation(translation, flatbuffer, output, value_range, n=16, seed=0):
    """Largest |TFLite - Keras translate| on n random images (and z from ``seed``)."""
    images = _random_images(translation, n, output, value_range, seed)
    z = translation.sample_latent(n, seed) if translation.latent_dim else None
    expected = _expected_images(translation, images, output, value_range, seed)
    actual = run_tflite_images(flatbuffer, images, z)
    return float(np.max(np.abs(actual.astype(np.float64) - expected.astype(np.float64))))


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
    translation = _translation(model, direction)
    if translation is not None:
        _refuse_generator_options(translation, max_samples, class_names)

        def write(staging):
            _image_archive(translation, output, value_range).write_out(staging, verbose=False)
            _write_metadata(staging, _image_metadata(translation, output, value_range))

        return _write_version(base_dir, version, write)
    gan = model
    class_names = _check_class_names(gan, class_names)
    max_samples = MAX_SAMPLES if max_samples is None else max_samples
    max_samples = checks.integer(
        max_samples, "max_samples", hint=" (the most samples one sample call may ask for)"
    )
    if max_samples > INT32_MAX:
        raise ValueError(
            f"max_samples must be at most {INT32_MAX} (num_samples is an int32), got {max_samples}."
        )
    gan._require_prior()

    def write(staging):
        archive = _archive(gan, output, value_range, max_samples=max_samples)
        archive.write_out(staging, verbose=False)
        metadata = {**_metadata(gan, output, value_range, class_names), "max_samples": max_samples}
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
    translation = _translation(model, direction)
    scale = 255 if output == "uint8" else 1
    if translation is not None:
        _refuse_generator_options(translation, class_names=class_names)
        archive = _image_archive(translation, output, value_range, for_tflite=True)
        flatbuffer = _convert(archive, quantize)
        metadata = _image_metadata(translation, output, value_range)
        # uint8 outputs: a float difference of 1e-6 at a rounding boundary is one step.
        tolerance = max(TOLERANCES[quantize] * scale, 1 if output == "uint8" else 0)
        error = 0
        if verify:
            error = _verify_translation(translation, flatbuffer, output, value_range, seed=seed)
        what = f"the {translation.name}'s translate"
    else:
        gan = model
        class_names = _check_class_names(gan, class_names)
        flatbuffer = _convert(_archive(gan, output, value_range, for_tflite=True), quantize)
        metadata = _metadata(gan, output, value_range, class_names)
        tolerance = TOLERANCES[quantize] * scale
        error = verify_tflite(gan, flatbuffer, output, value_range, seed=seed) if verify else 0
        what = "the Keras generator"
    if verify and not error <= tolerance:
        raise ValueError(
            f"the TFLite model differs from {what} by {error:.3g}, above the tolerance "
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
    from ai_edge_litert.interpreter import Interpreter

    if isinstance(model, bytes):
        interpreter = Interpreter(model_content=model)
    else:
        interpreter = Interpreter(model_path=str(model))
    return interpreter.get_signature_runner()


def run_tflite(model, z, labels=None, categorical_codes=None, continuous_codes=None):
    """Runs a TFLite generator (a path or flatbuffer bytes) on z, and labels if conditional
    (or an InfoGAN's codes: int ``(n, number of categorical codes)`` and float ``(n,
    continuous_codes)``)."""
    runner = _signature_runner(model)
    inputs = {"z": np.asarray(z, np.float32)}
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


def verify_tflite(gan, model, output="float", value_range=(-1.0, 1.0), n=16, seed=0):
    """Largest |TFLite - Keras| over the generator's outputs on n random z."""
    z = np.asarray(gan.sample_latent(n, seed), np.float32)
    labels, codes = gan.default_labels(n), {}
    condition = labels
    sizes = _code_sizes(gan)
    if sizes is not None:
        condition = gan._codes_for(n, None, seed)
        if sizes[0]:
            codes["categorical_codes"] = condition["categorical"].numpy()
        if sizes[1]:
            codes["continuous_codes"] = condition["continuous"].numpy()
    expected = gan._generate(z, condition, training=False, averaged=True)
    expected = _to_output(expected, output, value_range).numpy()
    actual = run_tflite(model, z, labels, **codes)
    return float(np.max(np.abs(actual.astype(np.float64) - expected.astype(np.float64))))
