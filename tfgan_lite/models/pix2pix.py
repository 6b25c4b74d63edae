"""``Pix2Pix`` (Isola et al. 2017): paired image-to-image translation with a conditional GAN.

The generator maps a source image s to a target image; the discriminator judges pairs,
``D([s, image])``, real pairs ``(s, t)`` against generated ones ``(s, G(s))``. Its logits may
be one per example or one per patch (a PatchGAN's ``(batch, h, w, 1)``): every objective of
``tfgan_lite.losses`` averages its logits over all axes, the patches with the batch. With
``L1(t, G(s)) = E|t - G(s)|``, the mean over every pixel and channel,

    L_D = objective_D(D(s, t), D(s, G(s)))
    L_G = objective_G(D(s, G(s))) + l1_weight * L1(t, G(s))

which is the paper's G* = arg min_G max_D L_cGAN(G, D) + lambda L_L1(G), lambda = 100, with
the objective's generator loss in place of L_cGAN's (non-saturating by default, as in the
paper's code). The generator's noise
is its dropout, as in the paper; a generator of ``[source, z]`` (``tfgan_lite.networks.unet(
..., latent_dim=L)``) gets z from the prior as well.

Over GAN's hooks: ``_unpack`` returns the target as the real batch and the source as the
condition; ``_generator_inputs`` is the source (or ``[source, z]``), ``_discriminator_inputs``
``[source, image]``. The L1 term is ``_sample_loss``, the hook for a loss on the samples
themselves: the generator's update and ``evaluate`` add it to the adversarial loss (the
unrolled one, when unrolling), and its ``l1`` metric is logged beside the discriminator's,
on the same two batches (the generated batch and its targets).
"""

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite import checks
from tfgan_lite.checks import shape_str
from tfgan_lite.models import boundary
from tfgan_lite.models.gan import GAN


def l1_distance(target, generated):
    """E|target - generated|, the mean over the batch, pixels and channels, in float32."""
    target, generated = (tf.cast(t, tf.float32) for t in (target, generated))
    return tf.reduce_mean(tf.abs(target - generated))


def _network_inputs(model):
    """A functional or Sequential model's input tensors as a list; None when it has none."""
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        return None
    if isinstance(inputs, keras.KerasTensor):
        return [inputs]
    return list(inputs) if inputs else None


def _source_shape(generator):
    """(the source's shape, whether the generator takes z), read from its inputs."""
    inputs = _network_inputs(generator)
    how = (
        "build the generator as a functional or Sequential model on keras.Input((H, W, C)) "
        "(or [keras.Input((H, W, C)), keras.Input((latent_dim,))] to take z), e.g. "
        "tfgan_lite.networks.unet(source_shape, target_shape)"
    )
    if inputs is None or len(inputs) not in (1, 2):
        count = "no known inputs" if inputs is None else f"{len(inputs)} inputs"
        raise ValueError(
            f"a Pix2Pix generator takes the source image, or [source, z]; this one has {count}: "
            f"{how}."
        )
    shape = tuple(inputs[0].shape[1:])
    if len(shape) != 3 or None in shape:
        raise ValueError(
            f"a Pix2Pix generator's first input is the source image, of a fixed shape (H, W, C), "
            f"but it takes {shape_str(shape)} per example: {how}."
        )
    if len(inputs) == 2 and (len(inputs[1].shape) != 2 or inputs[1].shape[-1] is None):
        raise ValueError(
            f"a Pix2Pix generator's second input is z, shape (batch, latent_dim), but it takes "
            f"{shape_str(tuple(inputs[1].shape))}: {how}."
        )
    z_dim = inputs[1].shape[-1] if len(inputs) == 2 else None
    return tuple(int(d) for d in shape), z_dim


def _check_patch_logits(shape):
    """Refuses a discriminator output other than one logit per example or per patch."""
    if shape in ((), (1,)) or (len(shape) == 3 and shape[-1] == 1):
        return
    raise ValueError(
        f"a Pix2Pix discriminator returns one logit per example, shape (batch, 1), or one per "
        f"patch, shape (batch, h, w, 1), but this one returns {shape_str(shape)} per example; "
        "end it with keras.layers.Conv2D(1, 4, padding='same') (a PatchGAN, as "
        "tfgan_lite.networks.patch_discriminator) or keras.layers.Dense(1), and no activation."
    )


def _fits(shape, expected):
    """Whether a known ``shape`` can be ``expected`` (None: anything), dim by dim."""
    if expected is None:
        return True
    return len(shape) == len(expected) and all(
        d is None or d == e for d, e in zip(shape, expected, strict=True)
    )


def _check_pair_inputs(discriminator, source_shape, generator):
    """Refuses a discriminator whose known inputs are not ``[source, image]`` of the
    source's and the generator's shapes (one that hides its inputs is probed later)."""
    inputs = _network_inputs(discriminator)
    if inputs is None:
        return
    outputs = getattr(generator, "outputs", None) or [None]
    image = tuple(outputs[0].shape[1:]) if isinstance(outputs[0], keras.KerasTensor) else None
    shapes = [tuple(t.shape[1:]) for t in inputs]
    expected = [source_shape, image]
    if len(shapes) == 2 and all(map(_fits, shapes, expected)):
        return
    takes = ", ".join(shape_str(shape) for shape in shapes)
    image_text = "the generator's images" if image is None else shape_str(image)
    raise ValueError(
        f"a Pix2Pix discriminator takes [source, image], the source {shape_str(source_shape)} "
        f"and an image {image_text}, but this one takes [{takes}]; build it for the pair, e.g. "
        "tfgan_lite.networks.patch_discriminator(source_shape, target_shape)."
    )


def _named_targets(message):
    """The range check's message, which says x, about the targets."""
    return message.replace("x holds values", "the target images hold values", 1)


def _real_first(source, target):
    """A pair as GAN.fit's checks read it: the real examples (the targets) under "x"."""
    return {"x": target, "source": source}


@keras.saving.register_keras_serializable(package="tfgan_lite")
class Pix2Pix(GAN):
    """A conditional GAN that translates source images into target images, from pairs.

    Args:
        generator: from source images ``(batch, H, W, C)`` to target images ``(batch, H, W,
            C')``, or from ``[source, z]`` with z of shape ``(batch, latent_dim)``. A
            functional or Sequential model, so that the source's shape can be read from
            its input. ``tfgan_lite.networks.unet(source_shape, target_shape)`` builds the
            paper's U-Net.
        discriminator: from ``[source, image]`` to logits, one per example ``(batch, 1)`` or
            one per patch ``(batch, h, w, 1)``, no sigmoid.
            ``tfgan_lite.networks.patch_discriminator(source_shape, target_shape)`` builds the
            paper's PatchGAN.
        l1_weight: lambda, the weight of L1(target, generated) in the generator's loss (100
            in the paper; 0 leaves the adversarial loss alone).
        latent_dim: the size of z for a generator of ``[source, z]``; None reads it from the
            generator's z input. A generator of the source alone draws no z: latent_dim is
            then 1, a placeholder GAN's prior needs, and no other value is taken.
        **kwargs: ``GAN``'s (``loss``, ``prior``, penalties, ``discriminator_steps``, ``ema``,
            ``seed``, ...). ``pack`` and ``augment`` are refused: both would break the pairs.

    ``fit(source, target)`` takes two arrays of paired images, row i of one the source of
    row i of the other, or ``fit(dataset)`` a ``tf.data.Dataset`` of ``(source, target)``
    batches; targets must lie in the generator's output range ([-1, 1] for the U-Net's
    tanh). ``evaluate(source, target)`` likewise. ``translate(source_images)`` returns the
    generated targets; ``generate`` is refused, since every output needs its source.
    ``gan(source)`` calls the generator. ``fit`` and ``evaluate`` report, beside GAN's
    metrics, ``l1``: L1(target, generated) on the batch of the generator's loss (``g_loss``
    is the adversarial loss plus ``l1_weight * l1``).

    Example:

    ```python
    generator = tfgan.networks.unet((32, 32, 1), (32, 32, 1), width=16)
    discriminator = tfgan.networks.patch_discriminator((32, 32, 1), (32, 32, 1), width=16)
    gan = tfgan.Pix2Pix(generator, discriminator, l1_weight=100.0)
    gan.compile()
    gan.fit(sources, targets, batch_size=32, epochs=5)
    translated = gan.translate(new_sources)
    ```
    """

    _packable = False

    def __init__(self, generator, discriminator, l1_weight=100.0, latent_dim=None, **kwargs):
        if isinstance(l1_weight, bool) or not isinstance(l1_weight, int | float) or l1_weight < 0:
            raise ValueError(
                f"l1_weight must be a number >= 0 (100 in pix2pix; 0 drops the L1 term), got "
                f"{l1_weight!r}."
            )
        self.l1_weight = float(l1_weight)
        if kwargs.get("augment") is not None:
            raise ValueError(
                "augment= transforms the image the discriminator judges but not its source, "
                "which breaks the pair; Pix2Pix takes augment=None (augment source and target "
                "together in the data pipeline instead)."
            )
        if not isinstance(generator, keras.Model):
            raise ValueError(
                f"generator must be a keras.Model (Sequential or functional), got "
                f"{type(generator).__name__}."
            )
        self.source_shape, z_dim = _source_shape(generator)
        if isinstance(discriminator, keras.Model):
            _check_pair_inputs(discriminator, self.source_shape, generator)
        self.takes_z = z_dim is not None
        if self.takes_z:
            if latent_dim is not None and latent_dim != z_dim:
                raise ValueError(
                    f"latent_dim={latent_dim!r} but the generator's z input takes {z_dim} "
                    f"features; set latent_dim={z_dim} (or None to read it from the generator)."
                )
            latent_dim = z_dim
        elif latent_dim not in (None, 1):
            raise ValueError(
                f"latent_dim={latent_dim!r}, but the generator takes the source alone, so "
                "Pix2Pix draws no z (dropout is its noise); drop latent_dim, or give the "
                "generator a second input for z (tfgan_lite.networks.unet(..., latent_dim=L))."
            )
        super().__init__(generator, discriminator, latent_dim or 1, **kwargs)

    # ----------------------------------------------------------------- hooks
    def _metric_names(self):
        return super()._metric_names() + ["l1"]

    def _unpack(self, data, seed, training):
        """The targets (the real batch) and the sources (the condition) of a batch: fit's
        ``{"x": target, "source": source}``, or ``(source, target)`` as evaluate feeds it."""
        if isinstance(data, dict):
            return data["x"], data["source"]
        if not isinstance(data, tuple | list) or len(data) < 2:
            raise ValueError(self._missing_targets())
        return data[1], data[0]

    def _generator_inputs(self, z, source):
        return [source, z] if self.takes_z else source

    def _discriminator_inputs(self, x, source):
        return [source, x]

    def _probe_condition(self, n):
        return tf.zeros([n, *self.source_shape])

    def _generator_width(self):
        """The features of the generator's single input: the source's channels (or z's, for
        a generator of ``[source, z]``, whose inputs GAN's probe does not read)."""
        return self.latent_dim if self.takes_z else self.source_shape[-1]

    def _check_discriminator_output(self, output):
        _check_patch_logits(tuple(output.shape[1:]))

    # ----------------------------------------------------------------- the objectives
    def _sample_loss(self, real, fake, condition):
        """``l1_weight`` times the L1 of the generated images to their targets, added to
        G's loss; the L1 itself logged as ``l1``."""
        l1 = l1_distance(real, fake)
        return (self.l1_weight * l1 if self.l1_weight else None), {"l1": l1}

    # ----------------------------------------------------------------- data
    def _missing_targets(self):
        return (
            f"{type(self).__name__} learns from pairs: call fit(source, target) with the "
            f"target images beside the sources (row i of one paired with row i of the other), "
            f"or pass a dataset of (source, target) batches; the sources have shape "
            f"{shape_str(self.source_shape)}, the targets {shape_str(self.sample_shape)}."
        )

    def _check_shape(self, shape, name, expected, what):
        if shape is None:
            return
        if not _fits(tuple(shape), expected):
            raise ValueError(
                f"{name} holds images of shape {shape_str(shape)}, but the {what} has shape "
                f"{shape_str(expected)}; resize the images to (num_examples,) + "
                f"{shape_str(expected)}, or build the networks for "
                f"{shape_str(tuple(shape))} (tfgan_lite.networks.unet and patch_discriminator "
                "take source_shape and target_shape)."
            )

    def _check_pairs(self, x, y):
        """Refuses data that are not (source, target) pairs of the networks' shapes."""
        if isinstance(x, tf.data.Dataset):
            spec = x.element_spec
            if y is not None:
                raise ValueError(
                    "fit(dataset, y): a dataset holds its targets; pass a dataset of (source, "
                    "target) batches and no y."
                )
            if not isinstance(spec, tuple) or len(spec) != 2:
                raise ValueError(self._missing_targets())
            shapes = [tuple(s.shape[1:]) if s.shape.rank else () for s in spec]
        else:
            if y is None or isinstance(x, tuple | list | dict):
                raise ValueError(self._missing_targets())
            x, y = np.asarray(x), np.asarray(y)
            if len(x) != len(y):
                raise ValueError(
                    f"source holds {len(x)} images but target {len(y)}; {type(self).__name__} "
                    "learns from pairs, row i of the sources with row i of the targets: give "
                    "both arrays the same number of images."
                )
            shapes = [x.shape[1:], y.shape[1:]]
        self._check_shape(shapes[0], "source", self.source_shape, "generator's input")
        self._check_shape(shapes[1], "target", self.sample_shape, "generator's output")

    def _check_data(self, x, y, batch_size):
        if isinstance(x, tf.data.Dataset):  # fit's {"x": target, "source": source}: paired
            boundary.check_data(self, x, batch_size)  # the batch size
            try:
                boundary.check_range(self.generator, x)  # integer targets, from the element spec
            except ValueError as error:
                raise ValueError(_named_targets(str(error))) from None
            return
        self._check_pairs(x, y)
        boundary.check_data(self, np.asarray(y), batch_size)
        try:
            boundary.check_range(self.generator, np.asarray(y))
        except ValueError as error:
            raise ValueError(_named_targets(str(error))) from None

    def fit(self, x=None, y=None, batch_size=None, **kwargs):
        """``GAN.fit`` on ``(source, target)`` pairs: two arrays, or a dataset of pairs.

        Before any step it refuses unpaired data (no targets, counts that differ), images
        of shapes the networks do not take, and targets outside the generator's output
        range (a dataset's as they stream, as ``GAN.fit`` checks its examples).
        """
        if isinstance(x, tf.data.Dataset):
            self._check_pairs(x, y)
            x = x.map(_real_first, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
        try:
            return super().fit(x, y, batch_size=batch_size, **kwargs)
        except ValueError as error:
            if "x holds values" not in str(error):
                raise
            raise ValueError(_named_targets(str(error))) from None

    # ----------------------------------------------------------------- use
    def translate(self, source_images, batch_size=32, seed=None, averaged=True):
        """The generated targets of ``source_images`` ``(n, H, W, C)``, as a NumPy array.

        The generator runs at inference (dropout off, batch norm on its moving averages),
        so a generator of the source alone gives the same images every time. A generator
        of ``[source, z]`` draws z from the prior with ``seed`` (the same seed, the same
        images). ``averaged``: from ``ema_generator`` when the model averages its generator.
        """
        source = np.asarray(source_images)
        if source.ndim != 1 + len(self.source_shape):
            raise ValueError(
                f"source_images must be a batch of images, shape (n,) + "
                f"{shape_str(self.source_shape)}, got {shape_str(source.shape)}; for one image "
                "pass image[None]."
            )
        self._check_shape(source.shape[1:], "source_images", self.source_shape, "generator's input")
        batch_size = checks.integer(batch_size, "batch_size")
        n = len(source)
        if self.takes_z:
            seed = int(np.random.randint(2**31 - 1)) if seed is None else int(seed)
            z = np.asarray(self.sample_latent(n, seed)) if n else np.zeros([0, self.latent_dim])
        else:
            z = np.zeros([n, self.latent_dim], np.float32)
        batches = []
        for start in range(0, n, batch_size):
            rows = slice(start, start + batch_size)
            batch = tf.convert_to_tensor(source[rows], self.compute_dtype)
            fake = self._generate(tf.cast(z[rows], self.compute_dtype), batch, False, averaged)
            batches.append(np.asarray(fake))
        if not batches:
            return np.zeros([0, *self.sample_shape], np.float32)
        return np.concatenate(batches)

    def generate(self, n, seed=None, *, labels=None, batch_size=1024, averaged=True):
        raise ValueError(
            "a Pix2Pix model translates source images rather than sampling from noise: call "
            "gan.translate(source_images, batch_size=...) with images of shape (n,) + "
            f"{shape_str(self.source_shape)}."
        )

    def get_config(self):
        return {**super().get_config(), "l1_weight": self.l1_weight}

    # ----------------------------------------------------------------- serving contract
    def serving_contract(self, direction=None):
        """What an export serves (``tfgan_lite.serving``): ``images`` (the sources) to
        ``images`` through the averaged generator when the model averages, as ``translate``
        runs it; a generator of ``[source, z]`` takes z drawn from the prior (from a
        ``seed`` in the SavedModel, as ``translate(images, seed=seed)`` draws it)."""
        from tfgan_lite import priors, serving

        serving.refuse_direction(self, direction)
        inputs = [serving.Input("images", "float32", tuple(self.source_shape), image=True)]
        if self.takes_z:
            self._require_prior()
            inputs.append(
                serving.Input("z", "float32", (self.latent_dim,), sample=self.sample_latent)
            )

        def compute(tensors):
            dtype = self.compute_dtype
            z = tensors.get("z")
            z = None if z is None else tf.cast(z, dtype)
            return self._generate(z, tf.cast(tensors["images"], dtype), False, averaged=True)

        return serving.Contract(
            kind=serving.IMAGE_TO_IMAGE,
            name="Pix2Pix",
            inputs=inputs,
            output=serving.Output("images", tuple(self.sample_shape)),
            compute=compute,
            network=self.ema_generator if self.ema else self.generator,
            generator=serving.averaged_text(self.ema),
            metadata={
                "model": "Pix2Pix",
                "direction": None,
                "input_shape": list(self.source_shape),
                "output_shape": list(self.sample_shape),
                "latent_dim": self.latent_dim if self.takes_z else None,
                "prior": priors.name_of(self.prior) if self.takes_z else None,
            },
            reference=lambda inputs, seed: self.translate(inputs["images"], seed=seed),
            reference_name="the Pix2Pix's translate",
            check_sampling=self._require_prior,
        )
