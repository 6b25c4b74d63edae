"""Exported generators: file size, error against Keras and speed, per TFLite quantization.

    python benchmarks/export.py

Two generators: the ring8 MLP (16 -> 128 -> 128 -> 2) and the digits MLP of the conditional
benchmark (32 + label -> 256 -> 256 -> 64), both trained briefly. For each form (Keras,
SavedModel, TFLite float32 / float16 / dynamic-range int8): the size on disk, the largest
absolute difference from the Keras generator on 1,024 random z, and the median time to
generate a batch of 256 over 50 runs after warm-up. Writes benchmarks/results/export.md.
"""

import os
import statistics
import sys
import tempfile
import time

from absl import app, flags

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from common import machine, write  # noqa: E402

import tfgan_lite as tfgan  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_integer("repeats", 50, "Timed batches per form.")
flags.DEFINE_string("output_dir", "benchmarks/results", "Where export.md goes.")


def models():
    keras.utils.set_random_seed(0)
    ring = tfgan.GAN(*tfgan.networks.mlp_gan(16, 2), latent_dim=16, seed=0)
    ring.compile()
    ring.fit(tfgan.data.toy_dataset("ring8", 256), steps_per_epoch=500, verbose=0)
    x, y = tfgan.data.digits("train")
    networks = tfgan.networks.conditional_mlp_gan(32, 64, 10, (256, 256))
    digits = tfgan.ConditionalGAN(*networks, num_classes=10, latent_dim=32, seed=0)
    digits.compile()
    digits.fit(x, y, batch_size=64, epochs=5, verbose=0)
    return {"ring8 MLP": ring, "digits conditional MLP": digits}


def size(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(path) for f in fs)


def median_ms(fn):
    fn()
    times = []
    for _ in range(FLAGS.repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def measure(name, gan, directory):
    z = np.asarray(gan.sample_latent(1024, 0), np.float32)
    labels = gan.default_labels(1024)  # each class in turn, or None
    conditional = labels is not None
    reference = np.asarray(gan._generate(z, labels, training=False))
    batch_z, batch_labels = z[:256], labels[:256] if conditional else None
    os.makedirs(directory)
    keras_path = os.path.join(directory, "g.keras")
    gan.generator.save(keras_path)
    rows = [
        (
            name,
            "Keras generator, eager call",
            size(keras_path),
            0.0,
            median_ms(lambda: gan._generate(batch_z, batch_labels, training=False)),
        )
    ]
    saved = tfgan.export.saved_model(gan, os.path.join(directory, "sm"))
    serve = tf.saved_model.load(saved).signatures["serving_default"]
    feed_tf = {"z": tf.constant(z)} | ({"labels": tf.constant(labels)} if conditional else {})
    batch_tf = {k: v[:256] for k, v in feed_tf.items()}
    error = np.max(np.abs(serve(**feed_tf)["samples"].numpy() - reference))
    rows.append((name, "SavedModel", size(saved), error, median_ms(lambda: serve(**batch_tf))))
    for quantize in tfgan.export.QUANTIZATIONS:
        path = tfgan.export.tflite(gan, os.path.join(directory, f"{quantize}.tflite"), quantize)
        error = np.max(np.abs(tfgan.export.run_tflite(path, z, labels) - reference))
        from ai_edge_litert.interpreter import Interpreter

        runner = Interpreter(model_path=path).get_signature_runner()
        inputs = {"z": z[:256]} | ({"labels": labels[:256]} if conditional else {})
        rows.append(
            (
                name,
                f"TFLite {quantize or 'float32'}",
                size(path),
                error,
                median_ms(lambda runner=runner, inputs=inputs: runner(**inputs)),
            )
        )
    return rows


def main(argv):
    del argv
    lines = [
        "| generator | form | size (KB) | max abs error vs Keras | ms per batch of 256 |",
        "|---|---|---|---|---|",
    ]
    results = []
    with tempfile.TemporaryDirectory() as directory:
        for name, gan in models().items():
            for generator, form, nbytes, error, ms in measure(
                name, gan, os.path.join(directory, name.replace(" ", "_"))
            ):
                results.append(
                    {
                        "generator": generator,
                        "form": form,
                        "bytes": int(nbytes),
                        "error": float(error),
                        "ms": float(ms),
                    }
                )
                lines.append(
                    f"| {generator} | {form} | {nbytes / 1024:.0f} | {error:.2g} | {ms:.2f} |"
                )
                print(lines[-1], flush=True)
    header = f"Median of {FLAGS.repeats} batches after warm-up; {machine()}."
    write(FLAGS.output_dir, "export", header, results, "\n".join(lines))


if __name__ == "__main__":
    app.run(main)
