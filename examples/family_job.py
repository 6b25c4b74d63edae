"""The job of examples/train.py for the model families beyond the DCGAN's variants.

* ``acgan``: ``tfgan.ACGAN`` on any labeled image dataset, the DCGAN pair with a class
  head; samples.png has a row per class. Scored as benchmarks/acgan.py scores it: FID on
  the feature network (beside the real-vs-real floor) and how often that network reads
  the label each sample was asked for.
* ``infogan``: ``tfgan.InfoGAN`` on any image dataset, labels unused, with one categorical
  code of a value per class (10 for an unlabeled folder) and ``--continuous_codes``;
  samples.png has a row per code value and the first continuous code swept from -1 to 1
  along the columns. Scored as benchmarks/infogan.py does: FID, and under the best
  matching of code values to classes how often Q reads the test images' classes and the
  feature network reads samples as their code.
* ``pix2pix`` and ``cyclegan``: on the digits at 32x32 (or --image_size=64), the tasks of
  benchmarks/image_to_image.py (``tfgan_lite.data.digit_tasks``): Pix2Pix inpaints a digit
  from its top quarter; CycleGAN translates digits <-> thickened digits, unpaired.
  samples.png shows test sources over their translations (and the targets); the scores
  are those of the benchmark. These models cannot sample from noise, so no grid or
  evaluation runs during training: --eval_every is the checkpoint interval.

Flags left unset take the benchmarks' settings (``RECIPES``): no augmentation, Adam at
2e-4, and their batch sizes.
"""

import os
import time
import types

import numpy as np
import tensorflow as tf
from absl import app

import tfgan_lite as tfgan
from tfgan_lite.data import digit_tasks

# examples/, on sys.path when train.py runs
import common
import image_job

MODELS = ("acgan", "infogan", "pix2pix", "cyclegan")
TRANSLATORS = ("pix2pix", "cyclegan")
# What the benchmarks ran, for the flags the command line leaves unset.
_BENCHMARK = {"learning_rate": 2e-4, "augment": ""}
RECIPES = {
    "acgan": {**_BENCHMARK, "batch_size": 64},
    "infogan": {**_BENCHMARK, "batch_size": 64},
    "pix2pix": {**_BENCHMARK, "batch_size": 32},
    "cyclegan": {**_BENCHMARK, "batch_size": 16},
}
COLUMNS = 10  # of the pictures


def check(settings):
    """The flag combinations these models refuse, said before anything is built."""
    model, dataset = settings.model, settings.dataset
    if settings.toy:
        images = "digits" if model in TRANSLATORS else "digits, a folder or a TFDS image name"
        raise app.UsageError(
            f"--model={model} trains on images; --dataset={dataset} is a toy density: use "
            f"--dataset={images}, or --model=gan, conditional, semi_supervised or unrolled "
            "on toys."
        )
    if settings.pack > 1:
        raise app.UsageError(
            f"--pack={settings.pack} is for --model=gan or unrolled: a {model} discriminator "
            "judges each example on its own (drop --pack)."
        )
    if model in TRANSLATORS and dataset != "digits":
        raise app.UsageError(
            f"--model={model} trains on the image-to-image task it has on --dataset=digits "
            f"(pix2pix: inpainting from the top quarter; cyclegan: digits <-> thickened "
            f"digits); --dataset={dataset} has no such task. Use --dataset=digits."
        )
    if model in TRANSLATORS and settings.flags["augment"] not in (None, "none", ""):
        raise app.UsageError(
            f"--augment={settings.augment} would move the image the discriminator judges "
            f"but not its source; --model={model} takes no augmentation: drop --augment."
        )
    if model == "cyclegan":
        for name, value, fix in (
            ("discriminator_steps", settings.discriminator_steps != 1, "1"),
            ("clip_weights", settings.clip_weights is not None, "unset"),
        ):
            if value:
                raise app.UsageError(
                    f"--{name} is not a CycleGAN setting (it updates both pairs once a step): "
                    f"leave --{name} {fix}."
                )
    if model == "acgan" and not image_job.labeled(settings):
        raise app.UsageError(
            f"--model=acgan needs labels: put each class's images in a subfolder of "
            f"{dataset} named after the class (or use --model=infogan, which needs none)."
        )


def side(settings):
    """The image side of the image-to-image tasks: the U-Net takes multiples of 32, so
    the default --image_size=28 becomes 32."""
    return settings.image_size if settings.image_size % 32 == 0 else 32


def with_recipe(settings):
    """``settings`` with RECIPES' values for the flags the command line left unset."""
    values = vars(settings).copy()
    for name, value in RECIPES[settings.model].items():
        if settings.flags[name] is None:
            values[name] = value
    return types.SimpleNamespace(**values)


def run(settings):
    """Trains and scores the model of ``settings``; draws samples.png."""
    settings = with_recipe(settings)
    if settings.model in TRANSLATORS:
        return run_translator(settings)
    return run_sampler(settings)


# ----------------------------------------------------------------- ACGAN and InfoGAN
def run_sampler(settings):
    labeled = image_job.labeled(settings)
    classes = image_job.num_classes(settings) if labeled else 10
    shape = tfgan.data.image_shape(
        settings.dataset, settings.image_size, data_dir=settings.data_dir, labels=labeled
    )
    gan = common.make_model(*networks(shape, classes, settings), classes, settings)
    reference, labels = image_job.real_images("test", settings.eval_samples, settings, True)
    net = image_job.make_feature_net(settings)
    train_images = image_job.real_images("train", len(reference), settings)
    floor = tfgan.eval.all_metrics(net.features(reference), net.features(train_images))
    grid = tfgan.callbacks.SampleGrid(
        os.path.join(settings.output_dir, "grids"),
        seed=settings.seed,
        class_names=image_job.class_names(settings),
    )
    evaluate = tfgan.callbacks.Evaluate(
        reference,
        net,
        seed=settings.seed,
        plot_dir=settings.output_dir,
        floor=floor,
        reference_split="test",
    )
    data = tfgan.data.images(
        settings.dataset,
        "train",
        batch_size=settings.batch_size * settings.discriminator_steps,
        image_size=settings.image_size,
        data_dir=settings.data_dir,
        labels=settings.model == "acgan",
        seed=settings.seed,
    )
    start = time.perf_counter()
    history, resumed = common.fit_resumable(
        gan,
        lambda step: (data.repeat().skip(step), None),
        settings.eval_every,
        settings,
        [grid, evaluate],
        verbose=1,
    )
    seconds = time.perf_counter() - start
    samples_png = os.path.join(settings.output_dir, "samples.png")
    final = evaluate.results[-1]
    metrics = {"final_metrics": final, "evaluations": evaluate.results, "real_vs_real_floor": floor}
    n = len(reference)
    if settings.model == "acgan":
        grid.draw(samples_png)  # a row per class
        asked = np.arange(n) % classes
        samples = gan.generate(n, seed=settings.seed + 1, labels=asked)
        metrics["label_accuracy"] = float(np.mean(net.predict(samples) == asked))
    else:
        code_sweep(gan, samples_png, settings.seed)
        metrics["mutual_information"] = float(history.history["mutual_information"][-1])
        if labels is not None:  # matched to the classes, which training never saw
            read = gan.predict_codes(reference)["categorical"][:, 0]
            metrics["q_accuracy_on_test"] = tfgan.eval.matched_accuracy(read, labels, classes)
            codes = np.arange(n) % classes
            others = [None] * gan.continuous_codes
            samples = gan.generate(n, seed=settings.seed + 1, codes=[codes, *others])
            metrics["samples_read_as_code"] = tfgan.eval.matched_accuracy(
                codes, net.predict(samples), classes
            )
    print(f"\n{'':<12}{'fid':>10}{'precision':>10}{'recall':>10}")
    for name, values in (("trained", final), ("real floor", floor)):
        print(
            f"{name:<12}" + "".join(f"{values[k]:>10.4g}" for k in ("fid", "precision", "recall"))
        )
    names = ("label_accuracy", "q_accuracy_on_test", "samples_read_as_code", "mutual_information")
    common.print_scores(metrics, names)
    class_names = image_job.class_names(settings) if settings.model == "acgan" else None
    return common.Result(gan, history, resumed, seconds, metrics, class_names)


def networks(shape, classes, settings):
    """The DCGAN pair of the model: with a class head (ACGAN) or a Q head (InfoGAN)."""
    options = {
        "width": settings.width,
        "spectral_norm": settings.spectral_norm,
        # A per-example gradient penalty and batch norm clash.
        "batch_norm": not (settings.gradient_penalty or settings.r1),
    }
    if settings.model == "acgan":
        return tfgan.networks.dcgan(
            shape, settings.latent_dim, num_classes=classes, acgan=True, **options
        )
    return tfgan.networks.infogan_dcgan(
        shape,
        settings.latent_dim,
        [classes],
        settings.continuous_codes,
        hidden=settings.info_hidden or None,
        **options,
    )


def code_sweep(gan, path, seed):
    """An InfoGAN's samples.png: row c holds categorical code value c, the first continuous
    code goes from -1 to 1 along the columns, and z (and any other code, at 0) stays fixed
    along a row. Drawn through the model's serving contract, the function its exports serve."""
    k = gan.categorical_codes[0]
    categorical = np.repeat(np.arange(k, dtype=np.int32), COLUMNS)[:, None]
    if gan.continuous_codes:
        z = np.repeat(np.asarray(gan.sample_latent(k, seed)), COLUMNS, axis=0)
        continuous = np.zeros((k * COLUMNS, gan.continuous_codes), np.float32)
        continuous[:, 0] = np.tile(np.linspace(-1, 1, COLUMNS), k)
    else:  # no code to sweep: another z in each column
        z = np.asarray(gan.sample_latent(k * COLUMNS, seed))
        continuous = np.zeros((k * COLUMNS, 0), np.float32)
    tensors = {
        "z": tf.constant(z, tf.float32),
        "categorical_codes": tf.constant(categorical),
        "continuous_codes": tf.constant(continuous),
    }
    images = np.asarray(gan.serving_contract().compute(tensors))
    labels = [f"code {c}" for c in range(k)]
    tfgan.plotting.save_image_grid(images, path, cols=COLUMNS, row_labels=labels)


# ----------------------------------------------------------------- Pix2Pix and CycleGAN
def run_translator(settings):
    size = side(settings)
    shape = (size, size, 1)
    train_x, _ = digit_tasks.split("train", size)
    test_x, test_y = (x[: settings.eval_samples] for x in digit_tasks.split("test", size))
    net = tfgan.eval.FeatureNet.digits()
    unet = lambda: tfgan.networks.unet(shape, shape, width=max(1, settings.width // 2))  # noqa: E731
    kept_rows = size // 4  # the top quarter
    if settings.model == "pix2pix":
        patches = tfgan.networks.patch_discriminator(shape, shape, width=settings.width, layers=2)
        gan = common.make_model(unet(), patches, None, settings)
        pairs = tf.data.Dataset.from_tensor_slices(
            (digit_tasks.top_rows(train_x, kept_rows), train_x)
        )
        pairs = pairs.shuffle(len(train_x), seed=settings.seed).repeat()
        pairs = pairs.batch(settings.batch_size, drop_remainder=True)
        make_data = lambda step: (pairs.skip(step), None)  # noqa: E731
    else:
        critics = [
            tfgan.networks.patch_discriminator(None, shape, width=settings.width, layers=2)
            for _ in range(2)
        ]
        gan = common.make_model((unet(), unet()), critics, None, settings)
        streams = [
            tf.data.Dataset.from_tensor_slices(x)
            .shuffle(len(x), seed=settings.seed + i)
            .repeat()
            .batch(settings.batch_size, drop_remainder=True)
            for i, x in enumerate(digit_tasks.unpaired_domains(train_x))
        ]
        make_data = lambda step: tuple(s.skip(step) for s in streams)  # noqa: E731
    start = time.perf_counter()
    history, resumed = common.fit_resumable(
        gan, make_data, settings.eval_every, settings, verbose=1
    )
    seconds = time.perf_counter() - start
    samples_png = os.path.join(settings.output_dir, "samples.png")
    if settings.model == "pix2pix":
        sources = digit_tasks.top_rows(test_x, kept_rows)
        translated = gan.translate(sources)
        rows = {"source": sources, "Pix2Pix": translated, "true digit": test_x}
        floor = tfgan.eval.frechet_distance(
            net.features(test_x), net.features(train_x[: len(test_x)])
        )
        metrics = {
            "task": f"inpainting: the top {kept_rows} of {size} rows -> the digit",
            "l1_to_target": float(np.abs(translated - test_x).mean()),
            "fid": float(
                tfgan.eval.frechet_distance(net.features(test_x), net.features(translated))
            ),
            "real_vs_real_fid": float(floor),
            "read_as_source": float(np.mean(net.predict(translated) == test_y)),
        }
        names = ("l1_to_target", "fid", "real_vs_real_fid", "read_as_source")
    else:
        sources = test_x
        forward = gan.translate(test_x)
        thick = digit_tasks.thickened(test_x)
        rows = {"a: digit": test_x, "G(a)": forward, "b: thickened": thick}
        rows["F(b)"] = gan.translate(thick[:COLUMNS], "b_to_a")
        metrics = {
            "task": "digits <-> thickened digits (3x3 maximum), unpaired",
            "cycle_l1": float(np.abs(gan.translate(forward, "b_to_a") - test_x).mean()),
            "l1_to_thickened": float(np.abs(forward - thick).mean()),
            "unchanged_l1_to_thickened": float(np.abs(test_x - thick).mean()),
            "read_as_source": float(np.mean(net.predict(forward) == test_y)),
        }
        names = ("cycle_l1", "l1_to_thickened", "unchanged_l1_to_thickened", "read_as_source")
    images = np.concatenate([x[:COLUMNS] for x in rows.values()])
    tfgan.plotting.save_image_grid(images, samples_png, cols=COLUMNS, row_labels=list(rows))
    inputs = os.path.join(settings.output_dir, "sources.npy")  # for generate --input
    np.save(inputs, sources[:16])
    print(f"\n{settings.model} on {metrics['task']}, {len(test_x)} test digits:")
    common.print_scores(metrics, names)
    return common.Result(gan, history, resumed, seconds, metrics, inputs=inputs)
