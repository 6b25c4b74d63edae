"""Semi-supervised GAN on digits with 5, 10 and 20 labels per class, against labels alone.

    python benchmarks/semi_supervised.py  # the docs/benchmarks.md table (about 40 min on 2 cores)

Digits: scikit-learn's bundled 8x8 set, 70/30 stratified split (1,257 train, 540 test).
Both classifiers are the same network (``tfgan_lite.networks.semi_supervised_mlp``: Gaussian
noise on the input and hidden layers, 256 and 128 ReLU units, 10 logits) with the same
budget: 20,000 steps of batch 100, Adam at 1e-3 held for the first half and decayed
linearly to 0 over the second, and the test accuracy read from an exponential moving
average (momentum 0.999) of the classifier's weights, as the paper's code evaluates a
Polyak average. The labels-alone classifier is trained on the labeled examples with
cross-entropy; the semi-supervised one is the discriminator of a ``SemiSupervisedGAN`` that
also sees every training image without its label, with a labeled batch drawn beside each
unlabeled one and feature matching for the generator (Adam beta_1 0.5 for both networks).
Settings are compared on a validation split carved from the training images
(``--validation=300``: 300 held out, scored instead of the test set, written to
semi_supervised_validation_<widths>.{json,md}); the test set gives only the final scores.
Writes benchmarks/results/semi_supervised.{json,md}.
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
from sklearn.model_selection import train_test_split  # noqa: E402

import tfgan_lite as tfgan  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_integer("seeds", 3, "Seeds (labeled subsets and initialisations) per setting.")
flags.DEFINE_list("labels_per_class", ["5", "10", "20"], "Labeled examples per class.")
flags.DEFINE_integer("steps", 20000, "Training steps of batch 100 for both classifiers.")
flags.DEFINE_float("learning_rate", 1e-3, "Adam's learning rate for every network.")
flags.DEFINE_float(
    "decay_fraction",
    0.5,
    "The last fraction of the steps over which the "
    "learning rate decays linearly to 0 (0: constant).",
)
flags.DEFINE_float(
    "ema",
    0.999,
    "Momentum of the classifiers' weight average that is evaluated (0: evaluate the last weights).",
)
flags.DEFINE_list("hidden", ["256", "128"], "Hidden widths of the classifier and generator.")
flags.DEFINE_integer(
    "validation",
    0,
    "Hold this many training images out and score on them instead of the test set: "
    "the split the settings were chosen on (300).",
)
flags.DEFINE_string("output_dir", "benchmarks/results", "Where the JSON and Markdown go.")

BATCH = 100


def adam(beta_1, average):
    """Adam with the benchmark's schedule; ``average``: keep the weights' moving average."""
    learning_rate = FLAGS.learning_rate
    if FLAGS.decay_fraction:
        learning_rate = tfgan.schedules.LinearDecay(
            learning_rate, FLAGS.steps, FLAGS.decay_fraction
        )
    ema = {"use_ema": True, "ema_momentum": FLAGS.ema} if average and FLAGS.ema else {}
    return keras.optimizers.Adam(learning_rate, beta_1=beta_1, **ema)


def hidden():
    return tuple(int(units) for units in FLAGS.hidden)


def accuracy(classifier, x, y):
    return float(np.mean(np.argmax(classifier.predict(x, verbose=0), -1) == y))


def labels_alone(x, y, x_test, y_test, seed):
    keras.utils.set_random_seed(seed)
    _, classifier = tfgan.networks.semi_supervised_mlp(64, 64, 10, hidden=hidden())
    classifier.compile(
        adam(beta_1=0.9, average=True),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed)
    # fit ends by putting the averaged weights in the classifier (finalize_variable_values).
    classifier.fit(data.repeat().batch(BATCH), steps_per_epoch=FLAGS.steps, verbose=0)
    return accuracy(classifier, x_test, y_test)


def semi_supervised(x, labeled_x, labeled_y, x_test, y_test, seed):
    keras.utils.set_random_seed(seed)
    generator, classifier = tfgan.networks.semi_supervised_mlp(64, 64, 10, hidden=hidden())
    gan = tfgan.SemiSupervisedGAN(generator, classifier, num_classes=10, latent_dim=64, seed=seed)
    gan.compile(
        generator_optimizer=adam(beta_1=0.5, average=False),
        discriminator_optimizer=adam(beta_1=0.5, average=True),
        steps_per_execution=50,
    )
    # Exactly FLAGS.steps steps, each an unlabeled batch beside a labeled one.
    unlabeled = tf.data.Dataset.from_tensor_slices(x).shuffle(len(x), seed=seed)
    unlabeled = unlabeled.repeat().batch(BATCH, drop_remainder=True)
    gan.fit(
        unlabeled,
        labeled_data=(labeled_x, labeled_y),
        steps_per_epoch=FLAGS.steps,
        verbose=0,
    )
    # The GAN's optimizers are its own, so fit does not swap the average in: do it here.
    gan.discriminator_optimizer.finalize_variable_values(classifier.trainable_variables)
    return accuracy(classifier, x_test, y_test)


def main(argv):
    del argv
    x, y = tfgan.data.digits("train")
    x_test, y_test = tfgan.data.digits("test")
    if FLAGS.validation:  # choose settings on held-out training images, never the test set
        x, x_test, y, y_test = train_test_split(
            x, y, test_size=FLAGS.validation, stratify=y, random_state=0
        )
    results = []
    for per_class in (int(n) for n in FLAGS.labels_per_class):
        for seed in range(FLAGS.seeds):
            chosen = tfgan.data.labeled_subset(y, per_class, seed=seed)
            start = time.perf_counter()
            alone = labels_alone(x[chosen], y[chosen], x_test, y_test, seed)
            middle = time.perf_counter()
            semi = semi_supervised(x, x[chosen], y[chosen], x_test, y_test, seed)
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
    schedule = (
        f"held, then linearly to 0 over the last {FLAGS.decay_fraction:.0%} of the steps"
        if FLAGS.decay_fraction
        else "constant"
    )
    average = (
        f"the weights' moving average (momentum {FLAGS.ema})" if FLAGS.ema else "the last weights"
    )
    widths = "-".join(FLAGS.hidden)
    scored = f"{FLAGS.validation} held-out training images" if FLAGS.validation else "test set"
    header = (
        f"{FLAGS.seeds} seeds (labeled subset and initialisation); hidden widths {widths}; "
        f"{FLAGS.steps} steps of batch {BATCH} for each classifier, Adam at "
        f"{FLAGS.learning_rate:g} {schedule}; accuracy of {average} on the {scored}; {machine()}."
    )
    # A validation run never overwrites the table: it gets a file of its own per width.
    name = f"semi_supervised_validation_{widths}" if FLAGS.validation else "semi_supervised"
    if FLAGS.validation:
        lines[0] = lines[0].replace("test accuracy", "validation accuracy")
    write(FLAGS.output_dir, name, header, results, "\n".join(lines))


if __name__ == "__main__":
    app.run(main)
