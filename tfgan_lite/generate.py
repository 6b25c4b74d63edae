"""Sample from a trained generator: a SavedModel directory, a .tflite file or a .keras file.

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
"""

import argparse
import json
import os
import sys

import numpy as np

# num_samples is an int32 in a SavedModel's sample signature.
INT32_MAX = 2**31 - 1


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
    signature = tf.saved_model.load(path).signatures["sample"]
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

    metadata = _metadata_for(path)
    if metadata is None:
        raise UsageError(
            f"{path}.json is missing: it holds the latent size and prior that the .tflite "
            "file needs; export with tfgan_lite.export.tflite, which writes it."
        )
    if metadata["prior"] is None:
        raise UsageError(f"{path} was exported with a custom prior; sample z yourself.")
    prior = priors.get(metadata["prior"], metadata["latent_dim"])
    z = np.asarray(prior.sample(num, seed=(seed, 0)), np.float32)
    # The only label check a .tflite file gets: its converted graph has no asserts.
    labels = _labels(
        label_spec, num, metadata.get("num_classes"), class_names=metadata.get("class_names")
    )
    return export.run_tflite(path, z, labels, **_drawn_codes(metadata, num, seed)), metadata


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


def _from_keras(path, num, seed, label_spec):
    import keras

    import tfgan_lite

    gan = keras.models.load_model(path)
    if not isinstance(gan, tfgan_lite.GAN):
        raise UsageError(f"--model {path} holds a {type(gan).__name__}, not a tfgan_lite GAN.")
    if hasattr(gan, "categorical_codes") and label_spec is not None:
        raise UsageError("--labels is for conditional models; an InfoGAN's codes are drawn.")
    labels = _labels(label_spec, num, gan.num_classes if gan.conditional else None)
    return gan.generate(num, seed, labels=labels), {"output": "float", "value_range": [-1.0, 1.0]}


def sample(model, num, seed=0, labels=None):
    """``(samples, metadata)`` from a SavedModel directory, a .tflite or a .keras file."""
    if not os.path.exists(model):
        raise UsageError(f"--model {model} does not exist.")
    if os.path.isdir(model):
        if not os.path.isfile(os.path.join(model, "saved_model.pb")):
            raise UsageError(
                f"--model {model} is a directory without saved_model.pb; point at a version "
                "directory such as models/name/1."
            )
        return _from_saved_model(model, num, seed, labels)
    if model.endswith(".tflite"):
        return _from_tflite(model, num, seed, labels)
    if model.endswith(".keras"):
        return _from_keras(model, num, seed, labels)
    raise UsageError(f"--model {model}: expected a SavedModel directory, .tflite or .keras file.")


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


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m tfgan_lite.generate", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--model", required=True, help="SavedModel directory, .tflite or .keras")
    parser.add_argument("--num", type=int, default=64, help="how many samples")
    parser.add_argument("--seed", type=int, default=0, help="seed of z: same seed, same samples")
    parser.add_argument("--labels", default=None, help="class ids for a conditional model")
    parser.add_argument("--out", required=True, help="output file: .png or .npy")
    args = parser.parse_args(argv)
    try:
        if args.num < 1:
            raise UsageError(f"--num must be at least 1, got {args.num}.")
        extension = os.path.splitext(args.out)[1]
        if extension not in (".png", ".npy"):
            raise UsageError(f"--out {args.out}: write a .png picture or a .npy array.")
        samples, metadata = sample(args.model, args.num, args.seed, args.labels)
        directory = os.path.dirname(os.path.abspath(args.out))
        os.makedirs(directory, exist_ok=True)
        if extension == ".npy":
            np.save(args.out, samples)
        else:
            write_png(samples, metadata, args.out)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {len(samples)} samples of shape {samples.shape[1:]} to {args.out}")
    if metadata.get("class_names"):
        names = ", ".join(f"{i} {name}" for i, name in enumerate(metadata["class_names"]))
        print(f"classes: {names}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
