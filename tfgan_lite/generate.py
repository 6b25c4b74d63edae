"""Sample from a trained generator, or translate images with an image-to-image model: a
SavedModel directory, a .tflite file or a .keras file.

    python -m tfgan_lite.generate --model models/faces/1 --num 64 --seed 0 --out grid.png
    python -m tfgan_lite.generate --model gan.tflite --num 1000 --out samples.npy
    python -m tfgan_lite.generate --model cgan.keras --num 100 --labels 0,1,2 --out grid.png

``--out`` ending in ``.npy`` saves the raw samples; ``.png`` draws a grid for images, a
scatter plot for 2-D samples and a histogram for 1-D ones. ``--labels`` (conditional models)
is one class id for all samples, or a list repeated to ``--num``; an export that recorded
``class_names`` takes the names too (``--labels cat,dog``), and the command prints them.
Mistakes (a missing model, labels for an unconditional model, a class id outside
``[0, num_classes)``, a ``--num`` above a SavedModel's ``max_samples``, an unknown output type)
end with a one-line error and exit status 2. Labels are checked against the metadata's
``num_classes`` before the model runs (a .tflite file has no checks of its own); a
SavedModel's signatures check them again in the graph, and the InvalidArgument error they
raise (a SavedModel copied without its metadata) becomes the same one-line error. An
InfoGAN's codes are drawn from their priors, as its ``sample`` signature draws them.

Image-to-image models (a Pix2Pix or CycleGAN .keras file, or an export of one) translate
``--input`` instead of sampling:

    python -m tfgan_lite.generate --model models/edges/1 --input photos/ --out pairs.png
    python -m tfgan_lite.generate --model cg.keras --direction b_to_a --input b.npy --out a.npy

``--input`` is an ``.npy`` array ``(n, H, W, C)`` (or one image ``(H, W, C)``), an image
file (PNG, JPEG, BMP, GIF), or a folder of them (read recursively, each folder's files in
sorted order before its subfolders', the order of the outputs). Image files and uint8 arrays
hold 0-255; float arrays hold values in the model's value range (the export's
``value_range``; [-1, 1] for a .keras file); each is mapped to what the model takes. Files
are decoded to the model's channels (gray and RGB convert) and never resized: an image of
another size is refused, naming its size. ``--direction`` (a_to_b or b_to_a) picks a
CycleGAN .keras file's generator; an export holds one direction, and a ``--direction`` that
differs is refused. ``--seed`` draws z for a Pix2Pix generator of [source, z]. ``--out``
.npy holds the translated images (in the export's encoding: uint8 for a uint8 export); .png
draws each input beside its translation. One-line errors, exit status 2: ``--input`` for a
model that samples from z, no ``--input`` for one that translates, ``--num`` or ``--labels``
with ``--input``, unreadable input, a wrong shape or size, float values out of range.
"""

import argparse
import dataclasses
import functools
import json
import os
import sys

import numpy as np

# num_samples is an int32 in a SavedModel's sample signature.
INT32_MAX = 2**31 - 1
DIRECTIONS = ("a_to_b", "b_to_a")  # a CycleGAN's, as tfgan_lite.models.cyclegan names them


class UsageError(Exception):
    """A mistake in the command line, reported in one line."""


def _metadata_for(path):
    for candidate in (os.path.join(path, "assets.extra", "tfgan_lite.json"), path + ".json"):
        if os.path.isfile(candidate):
            with open(candidate) as f:
                return json.load(f)
    return None


def _class_id(token, spec, class_names):
    """One ``--labels`` entry, a class id or (with the metadata's class names) a name."""
    try:
        return int(token)
    except ValueError:
        pass
    if class_names and token in class_names:
        return class_names.index(token)
    known = f"; this model's classes are {', '.join(class_names)}" if class_names else ""
    raise UsageError(f"--labels={spec!r}: give class ids such as 3 or 0,1,2{known}.")


def _labels(spec, num, num_classes, conditional=None, class_names=None):
    """``--labels`` as ``num`` class ids (each class in turn without it); None if unconditional.

    Entries are class ids, or class names when the export recorded ``class_names``.

    ``conditional`` defaults to whether ``num_classes`` is known; a conditional model of
    unknown ``num_classes`` (a SavedModel without its metadata) takes the ids unchecked here,
    since its graph checks them.
    """
    if conditional is None:
        conditional = num_classes is not None
    if not conditional:
        if spec is not None:
            raise UsageError("--labels given, but the model is not conditional; drop --labels.")
        return None
    if spec is None:
        if num_classes is None:
            raise UsageError(
                "the model is conditional and its metadata (num_classes) is missing: pass "
                "--labels, such as --labels 0."
            )
        return (np.arange(num) % num_classes).astype(np.int32)
    try:
        values = np.array(
            [_class_id(v.strip(), spec, class_names) for v in spec.split(",")], np.int32
        )
    except OverflowError as error:
        raise UsageError(f"--labels={spec!r}: give class ids such as 3 or 0,1,2.") from error
    if num_classes is not None and (values.min() < 0 or values.max() >= num_classes):
        raise UsageError(f"--labels={spec!r}: class ids must be in [0, {num_classes}).")
    return np.resize(values, num)


def _refusal(error):
    """The reason in a SavedModel's InvalidArgumentError, on one line.

    An assert of the exported graph reads "assertion failed: [labels must be class ids in
    [0, 3) (num_classes=3); got] [7]" among TensorFlow's lines about nodes and stacks.
    """
    lines = [line.strip() for line in str(error.message).splitlines() if line.strip()]
    for line in lines:
        if line.startswith("assertion failed:"):
            return line[len("assertion failed:") :].strip()
    preamble = ("Graph execution error", "Detected at node", "<stack traces", "[[")
    reasons = [line for line in lines if not line.startswith(preamble)]
    return (reasons or lines or [type(error).__name__])[0].split(" [[")[0]


@functools.lru_cache
def _load_saved_model(path):
    import tensorflow as tf

    return tf.saved_model.load(path)


@functools.lru_cache
def _load_keras(path):
    import keras

    import tfgan_lite  # noqa: F401 (registers the models' classes)

    return keras.models.load_model(path)


def _format(model):
    """``"saved_model"``, ``"tflite"`` or ``"keras"``: what ``--model`` points at."""
    if not os.path.exists(model):
        raise UsageError(f"--model {model} does not exist.")
    if os.path.isdir(model):
        if not os.path.isfile(os.path.join(model, "saved_model.pb")):
            raise UsageError(
                f"--model {model} is a directory without saved_model.pb; point at a version "
                "directory such as models/name/1."
            )
        return "saved_model"
    if model.endswith(".tflite"):
        return "tflite"
    if model.endswith(".keras"):
        return "keras"
    raise UsageError(f"--model {model}: expected a SavedModel directory, .tflite or .keras file.")


def _from_saved_model(path, num, seed, label_spec):
    import tensorflow as tf

    metadata = _metadata_for(path) or {}
    max_samples = metadata.get("max_samples")
    if num > INT32_MAX:
        raise UsageError(f"--num {num} is above {INT32_MAX}, the most a SavedModel takes.")
    if max_samples is not None and num > max_samples:
        raise UsageError(
            f"--num {num} is above this model's max_samples={max_samples}, the most one call "
            f"of its sample signature gives: ask for at most {max_samples}, or export again "
            "with tfgan_lite.export.saved_model(..., max_samples=...)."
        )
    signature = _load_saved_model(path).signatures["sample"]
    conditional = "labels" in signature.structured_input_signature[1]
    labels = _labels(
        label_spec, num, metadata.get("num_classes"), conditional, metadata.get("class_names")
    )
    inputs = {"num_samples": tf.constant(num, tf.int32), "seed": tf.constant(seed, tf.int64)}
    if labels is not None:
        inputs["labels"] = tf.constant(labels)
    try:
        samples = signature(**inputs)["samples"].numpy()
    except tf.errors.InvalidArgumentError as error:
        raise UsageError(f"--model {path} refused the request: {_refusal(error)}") from error
    return samples, metadata


def _from_tflite(path, num, seed, label_spec):
    from tfgan_lite import export, priors

    metadata = _tflite_metadata(path)
    if metadata["prior"] is None:
        raise UsageError(f"{path} was exported with a custom prior; sample z yourself.")
    prior = priors.get(metadata["prior"], metadata["latent_dim"])
    z = np.asarray(prior.sample(num, seed=(seed, 0)), np.float32)
    # The only label check a .tflite file gets: its converted graph has no asserts.
    labels = _labels(
        label_spec, num, metadata.get("num_classes"), class_names=metadata.get("class_names")
    )
    return export.run_tflite(path, z, labels, **_drawn_codes(metadata, num, seed)), metadata


def _tflite_metadata(path):
    metadata = _metadata_for(path)
    if metadata is None:
        raise UsageError(
            f"{path}.json is missing: it holds what the .tflite file needs (the latent size "
            "and prior, or the image shape and value range); export with "
            "tfgan_lite.export.tflite, which writes it."
        )
    return metadata


def _drawn_codes(metadata, num, seed):
    """An InfoGAN export's codes drawn from their priors (uniform classes, uniform on
    [-1, 1]), as the .tflite file's inputs; {} for other models."""
    rng = np.random.default_rng(seed)
    codes = {}
    if metadata.get("categorical_codes"):
        sizes = metadata["categorical_codes"]
        codes["categorical_codes"] = np.stack([rng.integers(0, k, num) for k in sizes], 1)
    if metadata.get("continuous_codes"):
        shape = (num, metadata["continuous_codes"])
        codes["continuous_codes"] = rng.uniform(-1, 1, shape).astype(np.float32)
    return codes


def _keras_contract(path, direction=None):
    """The serving contract of the model in a .keras file (``tfgan_lite.serving``)."""
    from tfgan_lite import serving

    model = _load_keras(path)
    if not hasattr(model, "serving_contract"):
        raise UsageError(
            f"--model {path} holds a {type(model).__name__}, not a tfgan_lite model (it has no "
            "serving_contract method)."
        )
    return serving.contract_of(model, direction)


def _from_keras(path, num, seed, label_spec):
    contract = _keras_contract(path)
    classes = contract.classes
    drawn = [spec.name for spec in contract.inputs[1:] if spec.drawn]
    if drawn and classes is None and label_spec is not None:
        raise UsageError(
            f"--labels is for conditional models; this {contract.name} draws its "
            f"{' and '.join(drawn)}."
        )
    labels = _labels(label_spec, num, None if classes is None else classes.num_classes)
    inputs = contract.draw(num, seed)
    if classes is not None:
        inputs[classes.name] = labels
    samples = contract.keras_outputs(inputs, seed)
    return samples, {"output": "float", "value_range": [-1.0, 1.0]}


def sample(model, num, seed=0, labels=None):
    """``(samples, metadata)`` from a SavedModel directory, a .tflite or a .keras file."""
    run = {"saved_model": _from_saved_model, "tflite": _from_tflite, "keras": _from_keras}
    return run[_format(model)](model, num, seed, labels)


# ---------------------------------------------------------------- image-to-image
@dataclasses.dataclass(frozen=True)
class Translator:
    """An image-to-image model as the command runs it: images in, images out.

    ``uint8``: whether it takes (and gives) uint8 images 0-255 rather than floats in
    ``value_range``.
    """

    run: object  # images (n, *input_shape) in the model's encoding -> translated images
    input_shape: tuple
    uint8: bool
    value_range: tuple
    metadata: dict


def _serving_inputs(path):
    signature = _load_saved_model(path).signatures["serving_default"]
    return signature.structured_input_signature[1]


def translates(model):
    """Whether ``model`` (a path) is an image-to-image model: a Pix2Pix, a CycleGAN, or an
    export of one (its metadata's ``kind``, or a SavedModel's ``images`` input)."""
    from tfgan_lite import serving

    kind = _format(model)
    if kind == "keras":
        directions = serving.directions_of(_load_keras(model))
        contract = _keras_contract(model, directions[0] if directions else None)
        return contract.kind == serving.IMAGE_TO_IMAGE
    if kind == "tflite":
        return _tflite_metadata(model).get("kind") == "image_to_image"
    metadata = _metadata_for(model) or {}
    if "kind" in metadata:
        return metadata["kind"] == "image_to_image"
    return "images" in _serving_inputs(model)


def _check_direction(direction, metadata):
    """``--direction`` against the one direction an export holds."""
    if direction is None:
        return
    recorded = metadata.get("direction")
    if "model" in metadata and recorded is None:
        raise UsageError(
            f"--direction is for a CycleGAN; this {metadata['model']} translates one way: drop "
            "--direction."
        )
    if recorded is not None and recorded != direction:
        raise UsageError(
            f"--direction {direction}: this export holds the CycleGAN's {recorded} generator "
            f"only; drop --direction, or export with direction={direction!r}."
        )


def _saved_model_translator(path, seed, direction):
    import tensorflow as tf

    metadata = _metadata_for(path) or {}
    _check_direction(direction, metadata)
    inputs = _serving_inputs(path)
    signature = _load_saved_model(path).signatures["serving_default"]
    spec = inputs["images"]
    uint8 = spec.dtype == tf.uint8

    def run(images):
        feed = {"images": tf.constant(images)}
        if "seed" in inputs:
            feed["seed"] = tf.constant(seed, tf.int64)
        try:
            return signature(**feed)["images"].numpy()
        except tf.errors.InvalidArgumentError as error:
            raise UsageError(f"--model {path} refused the images: {_refusal(error)}") from error

    value_range = tuple(metadata.get("value_range", (-1.0, 1.0)))
    metadata = {**metadata, "output": "uint8" if uint8 else "float"}
    return Translator(run, tuple(spec.shape[1:]), uint8, value_range, metadata)


def _tflite_translator(path, seed, direction):
    from tfgan_lite import export, priors

    metadata = _tflite_metadata(path)
    _check_direction(direction, metadata)
    latent_dim = metadata.get("latent_dim")
    if latent_dim and metadata.get("prior") is None:
        raise UsageError(f"{path} was exported with a custom prior; draw z yourself.")

    def run(images):
        z = None
        if latent_dim:  # as translate(images, seed=seed) draws it
            prior = priors.get(metadata["prior"], latent_dim)
            z = np.asarray(prior.sample(len(images), seed=(seed, 0)), np.float32)
        return export.run_tflite_images(path, images, z)

    uint8 = metadata["output"] == "uint8"
    value_range = tuple(metadata["value_range"])
    return Translator(run, tuple(metadata["input_shape"]), uint8, value_range, metadata)


def _keras_translator(path, seed, direction):
    from tfgan_lite import serving

    model = _load_keras(path)
    metadata = {"output": "float", "value_range": [-1.0, 1.0]}
    if serving.directions_of(model):
        if direction is None:
            raise UsageError(
                f"--model {path} is a {type(model).__name__}, which translates both ways: pass "
                "--direction a_to_b (domain A images to B) or --direction b_to_a."
            )
        contract = _keras_contract(path, direction)
    else:
        contract = _keras_contract(path)
        _check_direction(direction, {"model": contract.name, "direction": None})
    images = next(spec for spec in contract.inputs if spec.image)

    def run(batch):
        inputs = {**contract.draw(len(batch), seed), images.name: batch}
        return contract.keras_outputs(inputs, seed)

    return Translator(run, tuple(images.shape), False, (-1.0, 1.0), metadata)


def translator(model, seed=0, direction=None):
    """The ``Translator`` of an image-to-image ``model`` (a path); see ``translates``."""
    make = {
        "saved_model": _saved_model_translator,
        "tflite": _tflite_translator,
        "keras": _keras_translator,
    }
    return make[_format(model)](model, seed, direction)


def _size_text(shape):
    return "x".join(str(d) for d in shape)


def _decoded(path, channels):
    import tensorflow as tf

    from tfgan_lite.data import folders

    try:
        return folders.decode(tf.io.read_file(path), channels).numpy()
    except (tf.errors.OpError, ValueError) as error:
        raise UsageError(f"--input {path} is not a readable image.") from error


def _refuse_size(path, found, shape):
    text = _size_text(found[:2])
    if tuple(found[:2]) == tuple(shape[:2]):
        text = f"{text} with {found[-1]} channels"
    raise UsageError(
        f"--input {path} is {text}, but the model takes {_size_text(shape)} images (height x "
        "width x channels); resize it (generate does not resize)."
    )


def _image_files(spec, shape):
    """The uint8 images of an image file or a folder of them (in scan order), decoded to
    the model's channels (gray and RGB convert; others must match)."""
    from tfgan_lite.data import folders

    channels = shape[-1] if shape[-1] in (1, 3) else 0
    if os.path.isdir(spec):
        try:
            found = folders.scan(spec, on_bad_file="raise")
        except ValueError as error:
            raise UsageError(f"--input {spec}: {str(error).split('; ')[0]}.") from error
        for path, size in zip(found.paths, found.shapes, strict=True):
            if tuple(size[:2]) != tuple(shape[:2]):  # before decoding them all
                _refuse_size(path, size, shape)
        paths = found.paths
    else:
        paths = [spec]
    images = [_decoded(path, channels) for path in paths]
    for path, image in zip(paths, images, strict=True):
        if image.shape != tuple(shape):
            _refuse_size(path, image.shape, shape)
    return np.stack(images)


def _npy_images(spec, shape):
    try:
        images = np.load(spec, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise UsageError(f"--input {spec} is not a readable .npy array.") from error
    if images.shape == tuple(shape):
        images = images[None]
    if images.ndim != 1 + len(shape) or images.shape[1:] != tuple(shape) or not len(images):
        raise UsageError(
            f"--input {spec} holds an array of shape {images.shape}, but the model takes "
            f"images of shape (n, {', '.join(map(str, shape))}) with n >= 1."
        )
    if images.dtype != np.uint8 and not np.issubdtype(images.dtype, np.floating):
        raise UsageError(
            f"--input {spec} holds {images.dtype} values; give uint8 images (0-255) or float "
            "images in the model's value range."
        )
    return images


def read_images(spec, shape, uint8=False, value_range=(-1.0, 1.0)):
    """``--input``'s images, in the model's encoding: an .npy array ``(n, H, W, C)`` (or one
    image ``(H, W, C)``), an image file, or a folder of them (each folder's files
    sorted, before its subfolders').

    uint8 arrays and image files hold 0-255 values, float arrays values in ``value_range``;
    each is mapped to what the model takes (uint8, or float32 in ``value_range``). Images of
    another size than ``shape`` and floats outside the range are refused, as UsageErrors.
    """
    from tfgan_lite import export
    from tfgan_lite.data import folders

    if not os.path.exists(spec):
        raise UsageError(f"--input {spec} does not exist.")
    if os.path.isdir(spec) or spec.lower().endswith(folders.EXTENSIONS):
        images = _image_files(spec, shape)
    elif spec.lower().endswith(".npy"):
        images = _npy_images(spec, shape)
    else:
        raise UsageError(
            f"--input {spec}: expected a .npy array, an image file "
            f"({', '.join(folders.EXTENSIONS)}) or a folder of them."
        )
    low, high = value_range
    if images.dtype == np.uint8:
        return images if uint8 else export.uint8_to_range(images, value_range)
    images = images.astype(np.float32)
    slack = export.RANGE_SLACK * (high - low)
    if not np.all((images >= low - slack) & (images <= high + slack)):
        raise UsageError(
            f"--input {spec} holds values from {np.nanmin(images):g} to {np.nanmax(images):g}"
            f"{' and NaN' if np.isnan(images).any() else ''}, outside the model's value range "
            f"[{low:g}, {high:g}]; give float images in it, or uint8 images (0-255)."
        )
    if not uint8:
        return images
    scaled = (np.clip(images, low, high) - low) / (high - low) * 255.0
    return np.round(scaled).astype(np.uint8)


def write_pairs_png(inputs, outputs, translator, path):
    """A grid of each input image beside its translation (the translations alone when the
    two differ in height or width); gray is repeated to RGB beside color."""
    from tfgan_lite.plotting import save_image_grid, to_unit

    unit = [
        to_unit(images, translator.value_range, translator.uint8) for images in (inputs, outputs)
    ]
    if unit[0].shape[1:3] != unit[1].shape[1:3]:
        save_image_grid(unit[1], path, value_range=(0.0, 1.0))
        return
    if unit[0].shape[-1] != unit[1].shape[-1]:
        unit = [np.repeat(u, 3, axis=-1) if u.shape[-1] == 1 else u for u in unit]
    pairs = np.stack(unit, axis=1).reshape(-1, *unit[0].shape[1:])
    cols = 2 * int(np.ceil(np.sqrt(len(inputs))))
    save_image_grid(pairs, path, cols=cols, value_range=(0.0, 1.0))


def write_png(samples, metadata, path):
    """A grid for images (n, H, W[, C]), a scatter for 2-D samples, a histogram for 1-D."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from tfgan_lite.plotting import save_image_grid

    if samples.ndim >= 3:
        value_range = metadata.get("value_range", [-1.0, 1.0])
        save_image_grid(
            samples, path, value_range=value_range, uint8=metadata.get("output") == "uint8"
        )
        return
    points = samples.reshape(len(samples), -1)
    fig, ax = plt.subplots(figsize=(5, 5))
    if points.shape[1] == 1:
        ax.hist(points[:, 0], bins=100)
    elif points.shape[1] == 2:
        ax.scatter(points[:, 0], points[:, 1], s=2, alpha=0.5)
        ax.set_aspect("equal")
    else:
        plt.close(fig)
        raise UsageError(
            f"samples of shape {samples.shape[1:]} have no picture; write --out to a .npy file."
        )
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _translate(args):
    """``(inputs, outputs, translator)`` for ``--input`` through an image-to-image model."""
    if args.input is None:
        raise UsageError(
            f"--model {args.model} translates images: pass --input FILE_OR_FOLDER (an .npy "
            "array of images, an image file, or a folder of image files)."
        )
    for flag, value in (("--num", args.num), ("--labels", args.labels)):
        if value is not None:
            raise UsageError(
                f"{flag} is for sampling from z; this model translates --input's images (one "
                f"output each): drop {flag}."
            )
    model = translator(args.model, args.seed, args.direction)
    inputs = read_images(args.input, model.input_shape, model.uint8, model.value_range)
    return inputs, np.asarray(model.run(inputs)), model


def _sample(args):
    for flag, value in (("--input", args.input), ("--direction", args.direction)):
        if value is not None:
            raise UsageError(
                f"{flag} is for image-to-image models (Pix2Pix, CycleGAN); --model "
                f"{args.model} samples from z: drop {flag}."
            )
    num = 64 if args.num is None else args.num
    return sample(args.model, num, args.seed, args.labels)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m tfgan_lite.generate", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--model", required=True, help="SavedModel directory, .tflite or .keras")
    parser.add_argument("--num", type=int, default=None, help="how many samples (default 64)")
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of z: same seed, same samples (or outputs)"
    )
    parser.add_argument("--labels", default=None, help="class ids for a conditional model")
    parser.add_argument(
        "--input", default=None, help="images to translate: a .npy array, an image or a folder"
    )
    parser.add_argument(
        "--direction", default=None, help="a CycleGAN .keras file's direction: a_to_b or b_to_a"
    )
    parser.add_argument("--out", required=True, help="output file: .png or .npy")
    args = parser.parse_args(argv)
    inputs = None
    try:
        if args.num is not None and args.num < 1:
            raise UsageError(f"--num must be at least 1, got {args.num}.")
        if args.direction not in (None, *DIRECTIONS):
            raise UsageError(f"--direction {args.direction}: use a_to_b or b_to_a.")
        extension = os.path.splitext(args.out)[1]
        if extension not in (".png", ".npy"):
            raise UsageError(f"--out {args.out}: write a .png picture or a .npy array.")
        if translates(args.model):
            inputs, samples, model = _translate(args)
            metadata = model.metadata
        else:
            samples, metadata = _sample(args)
        directory = os.path.dirname(os.path.abspath(args.out))
        os.makedirs(directory, exist_ok=True)
        if extension == ".npy":
            np.save(args.out, samples)
        elif inputs is not None:
            write_pairs_png(inputs, samples, model, args.out)
        else:
            write_png(samples, metadata, args.out)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if inputs is not None:
        beside = " (each input beside its translation)" if extension == ".png" else ""
        print(
            f"wrote {len(samples)} translated images of shape {samples.shape[1:]} to "
            f"{args.out}{beside}"
        )
        return 0
    print(f"wrote {len(samples)} samples of shape {samples.shape[1:]} to {args.out}")
    if metadata.get("class_names"):
        names = ", ".join(f"{i} {name}" for i, name in enumerate(metadata["class_names"]))
        print(f"classes: {names}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
