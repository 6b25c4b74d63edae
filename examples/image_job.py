"""The image job of examples/train.py: a DCGAN, a grid of the same z after every evaluation,
and FID, KID, precision, recall, density and coverage on a feature network, next to the
real-vs-real floor and the untrained generator's ceiling. The final scores and the floor
come with 95% bootstrap intervals, and metrics.json says what they were computed on (the
"provenance": feature network and weights hash, sample counts, splits, seed)."""

import os
import time

import keras
import numpy as np
import tensorflow as tf

import tfgan_lite as tfgan

# examples/, on sys.path when train.py runs
import common

# Resamples of the bootstrap intervals of the final scores and the floor (about 2 s each
# for 540 digits).
BOOTSTRAP = 200


def run(settings):
    """Trains and scores the DCGAN of ``settings``; draws samples.png from its last grid."""
    shape = tfgan.data.image_shape(
        settings.dataset, settings.image_size, data_dir=settings.data_dir, labels=labeled(settings)
    )
    classes = None
    if settings.model in ("conditional", "semi_supervised"):
        classes = num_classes(settings)
    gan = build_gan(shape, classes, settings)
    reference, reference_labels = real_images("test", settings.eval_samples, settings, True)
    if len(reference) < settings.eval_samples:
        print(f"Scoring against the {len(reference)} images of the test split.")
    feature_net = make_feature_net(settings)
    real_features = feature_net.features(reference)
    train_features = feature_net.features(real_images("train", len(reference), settings))
    floor_intervals = tfgan.eval.all_metrics(
        real_features, train_features, bootstrap=BOOTSTRAP, seed=settings.seed
    )
    floor = {name: interval["value"] for name, interval in floor_intervals.items()}
    n = len(reference)
    untrained = gan.generate(n, seed=settings.seed, labels=gan.default_labels(n))
    ceiling = tfgan.eval.all_metrics(real_features, feature_net.features(untrained))

    start = time.perf_counter()
    history, resumed, grid, evaluate = train(gan, reference, feature_net, settings, floor)
    seconds = time.perf_counter() - start

    grid.draw(os.path.join(settings.output_dir, "samples.png"))
    final = evaluate.results[-1]
    # The last evaluation's samples again (same seed, same generator), resampled.
    final_intervals = evaluate.evaluate(bootstrap=BOOTSTRAP)
    metrics = {
        "provenance": feature_net.provenance(
            num_real=len(reference),
            num_generated=evaluate.num_samples,
            reference_split="test",
            floor_split="train",
            seed=settings.seed,
            bootstrap=BOOTSTRAP,
        ),
        "final_metrics": final,
        "evaluations": evaluate.results,
        "real_vs_real_floor": floor,
        "untrained_generator_ceiling": ceiling,
        "intervals": {"final_metrics": final_intervals, "real_vs_real_floor": floor_intervals},
    }
    if reference_labels is not None:  # a folder without class subfolders has no labels
        accuracy = np.mean(feature_net.predict(reference) == reference_labels)
        metrics["feature_net_accuracy_on_reference"] = float(accuracy)
    if settings.model == "conditional":
        labels = np.arange(len(reference)) % classes
        samples = gan.generate(len(labels), seed=settings.seed + 1, labels=labels)
        metrics["label_accuracy"] = float(np.mean(feature_net.predict(samples) == labels))
    if settings.model == "semi_supervised":
        metrics["test_accuracy"] = float(np.mean(gan.classify(reference) == reference_labels))
    names = ("fid", "kid", "precision", "recall", "coverage")
    print("\n" + "metric      " + "".join(f"{n:>11}" for n in names))
    for label, values in (("trained", final), ("real floor", floor), ("untrained", ceiling)):
        print(f"{label:<12}" + "".join(f"{values[n]:>11.4g}" for n in names))
    print_intervals({"trained": final_intervals, "real floor": floor_intervals})
    common.print_scores(metrics, ("label_accuracy", "test_accuracy"))
    return common.Result(gan, history, resumed, seconds, metrics, class_names(settings))


def print_intervals(intervals):
    """A metric a line: the 95% interval of each set of scores in ``intervals``."""
    print(f"\n95% bootstrap intervals ({BOOTSTRAP} resamples; FID's is bias-corrected, so it")
    print("can lie below the value; see tfgan_lite.eval.bootstrap)")
    print("metric      " + "".join(f"{label:>24}" for label in intervals))
    for name in ("fid", "kid", "precision", "recall", "coverage"):
        cells = (f"[{v[name]['low']:.4g}, {v[name]['high']:.4g}]" for v in intervals.values())
        print(f"{name:<12}" + "".join(f"{cell:>24}" for cell in cells))


def is_folder(settings):
    """Whether --dataset names a folder of image files rather than a dataset."""
    return tfgan.data.folders.is_folder_path(settings.dataset)


def labeled(settings):
    """Whether the images come with class labels: a folder only with class subfolders."""
    if not is_folder(settings):
        return True
    try:
        return bool(tfgan.data.class_names(settings.dataset))
    except ValueError:
        return False


def class_names(settings):
    """A labeled folder's class names (its subfolders); None for other datasets."""
    return (
        tfgan.data.class_names(settings.dataset)
        if is_folder(settings) and labeled(settings)
        else None
    )


def num_classes(settings):
    """The number of classes of the image dataset."""
    if settings.dataset == "digits":
        return 10
    if is_folder(settings):
        if not labeled(settings):
            raise ValueError(
                f"--model={settings.model} needs labels: put each class's images in a "
                f"subfolder of {settings.dataset} named after the class."
            )
        return len(tfgan.data.class_names(settings.dataset))
    import tensorflow_datasets as tfds

    builder = tfds.builder(settings.dataset, data_dir=settings.data_dir)
    return builder.info.features["label"].num_classes


def build_gan(shape, classes, settings):
    """The DCGAN of ``settings`` for images of ``shape``; a classifier head for semi_supervised."""
    generator, discriminator = tfgan.networks.dcgan(
        shape,
        settings.latent_dim,
        num_classes=classes if settings.model == "conditional" else None,
        width=settings.width,
        spectral_norm=settings.spectral_norm,
        # A per-example gradient penalty and batch norm clash.
        batch_norm=not (settings.gradient_penalty or settings.r1),
        pack=settings.pack,
    )
    if settings.model == "semi_supervised":
        features = discriminator.get_layer("flatten").output
        logits = keras.layers.Dense(classes, name="class_logits")(features)
        discriminator = keras.Model(discriminator.inputs, logits, name="classifier")
    return common.make_model(generator, discriminator, classes, settings)


def real_images(split, n, settings, labels=False):
    """Up to n images (and labels) of a split of the image dataset, in a fixed shuffled order.

    A folder has no labels without class subfolders: its labels are None."""
    with_labels = labeled(settings)
    data = tfgan.data.images(
        settings.dataset,
        split,
        batch_size=256,
        image_size=settings.image_size,
        data_dir=settings.data_dir,
        labels=with_labels,
        seed=settings.seed + 1,
        drop_remainder=False,
    )
    x, y = [], []
    for batch in data:
        images, classes = batch if with_labels else (batch, None)
        x.append(images.numpy())
        y.append(classes.numpy() if with_labels else None)
        if sum(len(images) for images in x) >= n:
            break
    x = np.concatenate(x)[:n]
    y = np.concatenate(y)[:n] if with_labels else None
    return (x, y) if labels else x


def make_feature_net(settings):
    """The feature network the metrics are computed on: bundled for digits, else trained on
    the labeled training split; an unlabeled folder can only be scored with the digits CNN."""
    if settings.dataset == "digits":
        return tfgan.eval.FeatureNet.digits()
    if is_folder(settings) and not labeled(settings):
        print(
            "The folder has no class subfolders to train a feature network on: scoring with "
            "the digits CNN, so its FIDs compare runs on this folder, not with other data."
        )
        return tfgan.eval.FeatureNet.digits()
    return tfgan.eval.FeatureNet.for_dataset(
        settings.dataset, settings.image_size, data_dir=settings.data_dir
    )


def train(gan, reference, feature_net, settings, floor=None):
    """Fits the DCGAN, with a grid and an evaluation every eval_every steps (one epoch), each
    followed by a checkpoint; metrics.png draws the evaluations so far over their ``floor``.
    Returns the history, the resumed step and the two callbacks.

    Every model trains on a stream of batches, for exactly --steps; the semi-supervised
    one streams the whole training split unlabeled, with a labeled batch beside each from
    the labels_per_class examples per class that keep their labels.
    """
    batch = settings.batch_size * settings.discriminator_steps
    grid = tfgan.callbacks.SampleGrid(
        os.path.join(settings.output_dir, "grids"),
        seed=settings.seed,
        class_names=class_names(settings) if gan.conditional else None,
    )
    evaluate = tfgan.callbacks.Evaluate(
        reference,
        feature_net,
        seed=settings.seed,
        plot_dir=settings.output_dir,
        floor=floor,
        reference_split="test",
    )
    callbacks = [grid, evaluate]
    if settings.model == "semi_supervised":
        x, y = real_images("train", 10**9, settings, labels=True)
        keep = tfgan.data.labeled_subset(y, settings.labels_per_class, seed=settings.seed)
        unlabeled = tf.data.Dataset.from_tensor_slices(x).shuffle(len(x), seed=settings.seed)
        unlabeled = unlabeled.repeat().batch(batch, drop_remainder=True)
        history, resumed = common.fit_resumable(
            gan,
            lambda start: (unlabeled.skip(start), None),
            settings.eval_every,
            settings,
            callbacks,
            labeled_data=(x[keep], y[keep]),
            verbose=1,
        )
        return history, resumed, grid, evaluate
    data = tfgan.data.images(
        settings.dataset,
        "train",
        batch_size=batch,
        image_size=settings.image_size,
        data_dir=settings.data_dir,
        labels=settings.model == "conditional",
        seed=settings.seed,
    )
    history, resumed = common.fit_resumable(
        gan,
        lambda start: (data.repeat().skip(start), None),
        settings.eval_every,
        settings,
        callbacks,
        verbose=1,
    )
    return history, resumed, grid, evaluate
