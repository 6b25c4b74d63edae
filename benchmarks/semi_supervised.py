"""Semi-supervised GAN on digits with 10 and 20 labels per class, against labels alone.

    python benchmarks/semi_supervised.py     # the README table (about 5 min on 2 cores)

Digits: scikit-learn's bundled 8x8 set, 70/30 stratified split (1,257 train, 540 test).
Both classifiers are the same network (``tfgan_lite.networks.semi_supervised_mlp``: Gaussian
noise on the input and hidden layers, 256 and 128 ReLU units, 10 logits), trained for the
same number of steps with Adam: alone on the labeled examples with cross-entropy, or as
the discriminator of a ``SemiSupervisedGAN`` that also sees every training image without
its label, with feature matching for the generator. Writes
benchmarks/results/semi_supervised.{json,md}.
"""

import os
import sys
import time

from absl import app, flags

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from common import machine, mean_std, write  # noqa: E402

import tfgan_lite as tfgan  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_integer("seeds", 3, "Seeds (labeled subsets and initialisations) per setting.")
flags.DEFINE_list("labels_per_class", ["10", "20"], "Labeled examples per class.")
flags.DEFINE_integer("steps", 3000, "Training steps of batch 100 for both classifiers.")
flags.DEFINE_string("output_dir", "benchmarks/results", "Where the JSON and Markdown go.")


def labels_alone(x, y, x_test, y_test, seed):
    keras.utils.set_random_seed(seed)
    _, classifier = tfgan.networks.semi_supervised_mlp(64, 64, 10)
    classifier.compile(
        keras.optimizers.Adam(1e-3),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed)
    classifier.fit(data.repeat().batch(100), steps_per_epoch=FLAGS.steps, verbose=0)
    return float(np.mean(np.argmax(classifier.predict(x_test, verbose=0), -1) == y_test))


def semi_supervised(x, y_semi, x_test, y_test, seed):
    keras.utils.set_random_seed(seed)
    generator, classifier = tfgan.networks.semi_supervised_mlp(64, 64, 10)
    gan = tfgan.SemiSupervisedGAN(generator, classifier, num_classes=10, latent_dim=64, seed=seed)
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        steps_per_execution=50,
    )
    gan.fit(x, y_semi, batch_size=100, epochs=FLAGS.steps * 100 // len(x), verbose=0)
    return float(np.mean(gan.classify(x_test) == y_test))


def main(argv):
    del argv
    x, y = tfgan.data.digits("train")
    x_test, y_test = tfgan.data.digits("test")
    results = []
    for per_class in (int(n) for n in FLAGS.labels_per_class):
        for seed in range(FLAGS.seeds):
            chosen = tfgan.data.labeled_subset(y, per_class, seed=seed)
            y_semi = np.full_like(y, -1)
            y_semi[chosen] = y[chosen]
            start = time.perf_counter()
            alone = labels_alone(x[chosen], y[chosen], x_test, y_test, seed)
            middle = time.perf_counter()
            semi = semi_supervised(x, y_semi, x_test, y_test, seed)
            results.append(
                {
                    "labels_per_class": per_class,
                    "seed": seed,
                    "labels_alone": alone,
                    "semi_supervised": semi,
                    "seconds_alone": middle - start,
                    "seconds_semi_supervised": time.perf_counter() - middle,
                }
            )
            print(results[-1], flush=True)
    lines = [
        "| labels per class | labels alone: test accuracy % | semi-supervised GAN: test accuracy % "
        "| gain (points) | seconds (alone / GAN) |",
        "|---|---|---|---|---|",
    ]
    for per_class in sorted({r["labels_per_class"] for r in results}):
        rows = [r for r in results if r["labels_per_class"] == per_class]
        gains = [100 * (r["semi_supervised"] - r["labels_alone"]) for r in rows]
        lines.append(
            f"| {per_class} ({10 * per_class} labels) | "
            f"{mean_std([100 * r['labels_alone'] for r in rows], '{:.1f}')} | "
            f"{mean_std([100 * r['semi_supervised'] for r in rows], '{:.1f}')} | "
            f"{mean_std(gains, '{:.1f}')} | "
            f"{np.mean([r['seconds_alone'] for r in rows]):.0f} / "
            f"{np.mean([r['seconds_semi_supervised'] for r in rows]):.0f} |"
        )
    header = (
        f"{FLAGS.seeds} seeds (labeled subset and initialisation); {FLAGS.steps} steps of batch "
        f"100 for each classifier; {machine()}."
    )
    write(FLAGS.output_dir, "semi_supervised", header, results, "\n".join(lines))


if __name__ == "__main__":
    app.run(main)
