"""Named training recipes: every setting of a published method in one place.

``r3gan``: the modern baseline of Huang et al. (NeurIPS 2024, "The GAN is dead; long live
the GAN! A Modern GAN Baseline"): the relativistic pairing objective with R1 and R2 on
every step, no normalisation and no tricks, on a plain residual network. ``R3GAN`` below
holds its settings; the function builds the compiled model from them, so the code, the
docs and a benchmark's row name one and the same recipe.
"""

from tfgan_lite import augment as augmentation
from tfgan_lite import networks, optimizers, penalties
from tfgan_lite.models import GAN, ConditionalGAN
from tfgan_lite.schedules import Cosine

# R3GAN's settings (its paper and code; its CIFAR-10 values where they depend on the data).
# A pair (initial, final) is a cosine schedule over the run's steps.
R3GAN = {
    "loss": "relativistic",  # RpGAN: each real paired with one fake
    "gamma": (0.05, 0.005),  # R1 and R2, gamma / 2 * E||grad D||^2, on every step
    "learning_rate": (2e-4, 5e-5),  # the same for both networks
    "beta_1": 0.0,
    "beta_2": (0.9, 0.99),
    # The generator average by a half-life in images, with StyleGAN's 0.05 ramp.
    "ema_half_life": 10_000,
    "ema_ramp": 0.05,
    # A fixed cosine ramp of the augmentation probability (not ADA's adaptive one); None
    # for no augmentation (R3GAN augments on small sets such as CIFAR-10).
    "augment_policy": "translation,cutout",
    "augment_probability": None,
}


def _cosine(value, steps):
    if isinstance(value, tuple | list):
        initial, final = value
        return Cosine(initial, final, steps)
    return value


def r3gan(
    image_shape, latent_dim=64, num_classes=None, steps=100_000, width=32, seed=None, **settings
):
    """A compiled ``GAN`` (``ConditionalGAN`` with ``num_classes``) with R3GAN's recipe.

    Args:
        image_shape: ``(H, W, C)`` for ``tfgan_lite.networks.residual`` (16 to 256 px).
        latent_dim: the size of z.
        num_classes: None, or the classes of a conditional model (class embedding into G,
            projection in D).
        steps: the run's length, over which every ``(initial, final)`` setting follows a
            cosine (``tfgan_lite.schedules.Cosine``), then stays at its final value.
        width: the residual networks' width (``networks.residual``); R3GAN's CIFAR-10 model
            is far wider (768), the default keeps a CPU step short.
        seed: the model's seed (``GAN(seed=)``); None picks one.
        **settings: any key of ``R3GAN`` to change, e.g. ``gamma=(1.0, 0.1)`` for a set
            whose gradients need a stronger penalty, or ``augment_probability=0.5`` for
            translation and cutout ramped from 0 to 0.5.

    Returns:
        The model, compiled with ``tfgan_lite.optimizers.Adam`` (beta_1 = 0, beta_2 and the
        learning rate on their cosines) for both networks; call ``fit``.
    """
    unknown = sorted(set(settings) - set(R3GAN))
    if unknown:
        raise ValueError(
            f"r3gan: unknown settings {unknown}; the recipe's settings are {sorted(R3GAN)}."
        )
    recipe = {**R3GAN, **settings}
    generator, discriminator = networks.residual(image_shape, latent_dim, num_classes, width)
    augment = None
    if recipe["augment_probability"]:
        probability = Cosine(0.0, recipe["augment_probability"], steps)
        augment = augmentation.DiffAugment(recipe["augment_policy"], probability=probability)
    options = {
        "latent_dim": latent_dim,
        "loss": recipe["loss"],
        "penalties": [
            penalties.R1(_cosine(recipe["gamma"], steps)),
            penalties.R2(_cosine(recipe["gamma"], steps)),
        ],
        "ema_half_life": recipe["ema_half_life"],
        "ema_ramp": recipe["ema_ramp"],
        "augment": augment,
        "seed": seed,
    }
    if num_classes is None:
        model = GAN(generator, discriminator, **options)
    else:
        model = ConditionalGAN(generator, discriminator, num_classes=num_classes, **options)

    def adam():
        return optimizers.Adam(
            _cosine(recipe["learning_rate"], steps),
            beta_1=recipe["beta_1"],
            beta_2=_cosine(recipe["beta_2"], steps),
        )

    model.compile(generator_optimizer=adam(), discriminator_optimizer=adam())
    return model
