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
"""

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


def saved_model(
    gan,
    base_dir,
    version=None,
    output="float",
    value_range=(-1.0, 1.0),
    max_samples=MAX_SAMPLES,
    class_names=None,
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
    ``[1, max_samples]``. ``max_samples`` (a positive integer, at most 2**31 - 1) bounds
    what one ``sample`` call may allocate; the metadata records it for ``generate``.
    ``class_names`` (a conditional model's, e.g. ``tfgan.data.class_names(folder)``) go
    into the metadata too, so that ``generate --labels`` takes names.
    """
    _check_options(output, value_range)
    class_names = _check_class_names(gan, class_names)
    max_samples = checks.integer(
        max_samples, "max_samples", hint=" (the most samples one sample call may ask for)"
    )
    if max_samples > INT32_MAX:
        raise ValueError(
            f"max_samples must be at most {INT32_MAX} (num_samples is an int32), got {max_samples}."
        )
    gan._require_prior()
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
        archive = _archive(gan, output, value_range, max_samples=max_samples)
        archive.write_out(staging, verbose=False)
        os.makedirs(os.path.join(staging, "assets.extra"))
        with open(os.path.join(staging, METADATA), "w") as f:
            metadata = {
                **_metadata(gan, output, value_range, class_names),
                "max_samples": max_samples,
            }
            json.dump(metadata, f, indent=1)
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def tflite(
    gan,
    path,
    quantize=None,
    output="float",
    value_range=(-1.0, 1.0),
    verify=True,
    seed=0,
    class_names=None,
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
    """
    if quantize not in QUANTIZATIONS:
        raise ValueError(
            f"quantize={quantize!r} is unknown; use None, 'float16' or 'dynamic_range'."
        )
    _check_options(output, value_range)
    class_names = _check_class_names(gan, class_names)
    with tempfile.TemporaryDirectory() as staging:
        _archive(gan, output, value_range, for_tflite=True).write_out(staging, verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(staging, ["serving_default"])
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
        if quantize:
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
        if quantize == "float16":
            converter.target_spec.supported_types = [tf.float16]
        flatbuffer = converter.convert()
    if verify:
        error = verify_tflite(gan, flatbuffer, output, value_range, seed=seed)
        if not error <= TOLERANCES[quantize] * (255 if output == "uint8" else 1):
            raise ValueError(
                f"the TFLite model differs from the Keras generator by {error:.3g}, above the "
                f"tolerance {TOLERANCES[quantize]} for quantize={quantize!r}; nothing written."
            )
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with open(path, "wb") as f:
        f.write(flatbuffer)
    with open(path + ".json", "w") as f:
        metadata = _metadata(gan, output, value_range, class_names)
        json.dump({**metadata, "quantize": quantize}, f, indent=1)
    return path


def run_tflite(model, z, labels=None, categorical_codes=None, continuous_codes=None):
    """Runs a TFLite generator (a path or flatbuffer bytes) on z, and labels if conditional
    (or an InfoGAN's codes: int ``(n, number of categorical codes)`` and float ``(n,
    continuous_codes)``)."""
    from ai_edge_litert.interpreter import Interpreter

    if isinstance(model, bytes):
        interpreter = Interpreter(model_content=model)
    else:
        interpreter = Interpreter(model_path=str(model))
    runner = interpreter.get_signature_runner()
    inputs = {"z": np.asarray(z, np.float32)}
    if labels is not None:
        inputs["labels"] = np.asarray(labels, np.int32)
    if categorical_codes is not None:
        inputs["categorical_codes"] = np.asarray(categorical_codes, np.int32)
    if continuous_codes is not None:
        inputs["continuous_codes"] = np.asarray(continuous_codes, np.float32)
    return runner(**inputs)["samples"]


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
