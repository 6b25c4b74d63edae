"""Image datasets as tf.data pipelines of float32 batches in [-1, 1], shaped (batch, H, W, C).

``images("digits")`` is scikit-learn's bundled 8x8 digits (see ``tfgan_lite.data.digits``) as
(8, 8, 1) images, resized to any size: real data that needs no download. Any other name is a
TensorFlow Datasets (TFDS) image dataset (``"mnist"``, ``"fashion_mnist"``, ``"cifar10"``,
``"celeb_a"``, ...) read from data that is already prepared: nothing is downloaded at run time.
To prepare one, on a machine with internet run ``tfds build <name> --data_dir=DIR`` and pass
``data_dir=DIR`` (or copy DIR to the machine that trains).

``image_shape`` gives the (H, W, C) a pipeline will produce without reading any data, so that
networks can be built before data flows; for TFDS it needs only the dataset's code, not its
prepared files.
"""

import os

import numpy as np
import tensorflow as tf

from tfgan_lite import checks
from tfgan_lite.data.digits import SPLITS as DIGITS_SPLITS
from tfgan_lite.data.digits import digits

OFFLINE = "digits"
SHUFFLE_BUFFER = 50_000  # TFDS datasets up to this size are shuffled fully; larger ones partly
_EXAMPLES = "'mnist', 'fashion_mnist', 'cifar10' or 'celeb_a'"


def _check_size(image_size):
    """``image_size`` as a (height, width) pair of positive ints, or None."""
    if image_size is None:
        return None
    if checks.is_integer(image_size):
        pair = (image_size, image_size)
    elif (
        isinstance(image_size, tuple | list)
        and len(image_size) == 2
        and all(checks.is_integer(s) for s in image_size)
    ):
        pair = tuple(image_size)
    else:
        pair = None
    if pair is None or min(pair) < 1:
        raise ValueError(
            f"image_size must be a positive int or a (height, width) pair of positive ints "
            f"(or None for the native size), got {image_size!r}."
        )
    return int(pair[0]), int(pair[1])


def _check_name(name):
    if not isinstance(name, str) or not name:
        raise ValueError(
            f"name must be a dataset name: {OFFLINE!r} (bundled, works offline) or a TFDS "
            f"image dataset such as {_EXAMPLES}; got {name!r}."
        )


def _builder(name, data_dir):
    """The TFDS builder of ``name``; reads no data, so it works before the data is prepared."""
    import tensorflow_datasets as tfds

    try:
        return tfds.builder(name, data_dir=data_dir)
    except tfds.core.DatasetNotFoundError as error:
        raise ValueError(
            f"name={name!r} is neither {OFFLINE!r} (bundled, works offline) nor a dataset TFDS "
            f"knows; use {OFFLINE!r} or a TFDS image dataset such as {_EXAMPLES}."
        ) from error
    except (AssertionError, ValueError) as error:  # a config or version TFDS does not have
        raise ValueError(f"TFDS cannot build name={name!r}: {error}") from error


def _image_feature(builder, name):
    """The ``"image"`` feature connector of a TFDS dataset, checked to be (H, W, C) integers."""
    features = builder.info.features
    keys = ", ".join(features.keys()) if hasattr(features, "keys") else "none"
    if not hasattr(features, "keys") or "image" not in features:
        raise ValueError(
            f"TFDS dataset name={name!r} has no 'image' feature (its features: {keys}); "
            f"use an image dataset such as {_EXAMPLES}, or {OFFLINE!r}."
        )
    feature = features["image"]
    shape = tuple(feature.shape)
    dtype = np.dtype(feature.np_dtype)
    if len(shape) != 3 or shape[-1] is None or dtype.kind != "u":
        raise ValueError(
            f"TFDS dataset name={name!r} has an 'image' feature of shape {shape} and dtype "
            f"{dtype}; images() needs (height, width, channels) unsigned integers."
        )
    return feature


def _output_hw(native_hw, size, crop):
    """The (H, W) after the optional center crop and resize; None where unknown."""
    if size is not None:
        return size
    height, width = native_hw
    if crop and height is not None and width is not None:
        side = min(height, width)
        return side, side
    if crop:
        return None, None
    return height, width


def image_shape(name, image_size=None, data_dir=None, crop=False):
    """The (H, W, C) of one image of ``images(name, image_size=..., crop=...)``, reading no data.

    For ``"digits"`` it is (8, 8, 1) or ``image_size`` with 1 channel. For a TFDS dataset it
    comes from the dataset's info (``tfds.builder(name).info.features["image"].shape``), which
    needs only the dataset's code, not its prepared files; ``image_size`` (an int or (H, W))
    overrides H and W, and ``crop=True`` makes the native size square. A dataset whose images
    have no fixed size needs ``image_size``.
    """
    _check_name(name)
    size = _check_size(image_size)
    if name == OFFLINE:
        height, width = size or (8, 8)
        return height, width, 1
    feature = _image_feature(_builder(name, data_dir), name)
    height, width, channels = feature.shape
    height, width = _output_hw((height, width), size, crop)
    if height is None or width is None:
        raise ValueError(
            f"TFDS dataset name={name!r} has images of no fixed size {tuple(feature.shape)}; "
            "pass image_size= (an int or (height, width)) to resize them to one size."
        )
    return int(height), int(width), int(channels)


def _not_prepared(name, builder, detail):
    return ValueError(
        f"TFDS dataset name={name!r} is not prepared in {os.fspath(builder.data_dir)} "
        f"({detail}), and images() never downloads. Pass data_dir= pointing at a folder of "
        f"prepared TFDS data, or prepare it on a machine with internet with "
        f"`tfds build {name} --data_dir=DIR` and copy DIR here (then data_dir=DIR). "
        f"name={OFFLINE!r} works offline."
    )


def _load_tfds(name, split, data_dir, builder):
    """``tfds.load`` with ``download=False``, its not-found errors turned into ValueErrors."""
    import tensorflow_datasets as tfds

    try:
        dataset = tfds.load(
            name, split=split, data_dir=data_dir, as_supervised=False, download=False
        )
    except (AssertionError, FileNotFoundError, tf.errors.NotFoundError) as error:
        message = str(error)
        if isinstance(error, AssertionError) and not (
            "could not find data" in message or "download_and_prepare" in message
        ):
            raise ValueError(f"TFDS cannot load name={name!r}: {message}") from error
        raise _not_prepared(name, builder, "no prepared data found") from error
    except ValueError as error:
        if "split" in str(error).lower():
            raise ValueError(f"split={split!r} is not a split of {name!r}: {error}") from error
        raise
    # tfds.load only reads the metadata: shard files missing from a partial copy would only
    # fail later, mid-epoch. Check them now when the data is real: the metadata is on disk
    # and tfds.testing.mock_data (which patches as_dataset to make fake data) is not active.
    mocked = type(builder).as_dataset.__module__.startswith("tensorflow_datasets.testing")
    info_file = builder.data_path / "dataset_info.json"
    if not mocked and tf.io.gfile.exists(os.fspath(info_file)):
        files = [f.filename for f in builder.info.splits[split].file_instructions]
        missing = [f for f in files if not tf.io.gfile.exists(os.fspath(f))]
        if missing:
            shown = ", ".join(os.path.basename(os.fspath(f)) for f in missing[:3])
            more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
            raise _not_prepared(name, builder, f"missing data files: {shown}{more}")
    return dataset


def _resize(image, size, crop):
    """Center crop to a square (``crop``) and bilinear resize of one float (H, W, C) image.

    TensorFlow's own calls, not Keras's ``Resizing`` layer: that layer calls
    ``tf.image.resize`` itself on this backend, and its ``crop_to_aspect_ratio`` crops to the
    target's aspect ratio, not to the central square (the two differ for a non-square
    ``image_size``).
    """
    if crop:
        height, width = image.shape[0], image.shape[1]
        if height is None or width is None:  # images of no fixed size: crop to a tensor side
            side = tf.reduce_min(tf.shape(image)[:2])
        else:
            side = min(height, width)
        image = tf.image.resize_with_crop_or_pad(image, side, side)
    if size is not None and tuple(image.shape[-3:-1]) != size:
        image = tf.image.resize(image, size, method="bilinear", antialias=True)
    return image


def _digits_dataset(split, size, labels):
    x, y = digits(split)
    x = x.reshape(-1, 8, 8, 1)
    if size is not None and size != (8, 8):
        x = tf.image.resize(x, size, method="bilinear", antialias=True)
        x = tf.clip_by_value(x, -1.0, 1.0).numpy()
    examples = (x, y) if labels else x
    return tf.data.Dataset.from_tensor_slices(examples), len(x), None


def _tfds_dataset(name, split, size, data_dir, labels, crop):
    """Examples of uint8 (or uint16) images, cropped and resized, as stored in the cache."""
    builder = _builder(name, data_dir)
    feature = _image_feature(builder, name)
    features = builder.info.features
    if labels and "label" not in features:
        raise ValueError(
            f"labels=True but TFDS dataset name={name!r} has no 'label' feature (its features: "
            f"{', '.join(features.keys())}); use labels=False."
        )
    native_hw = tuple(feature.shape[:2])
    if None in _output_hw(native_hw, size, crop):
        raise ValueError(
            f"TFDS dataset name={name!r} has images of no fixed size {tuple(feature.shape)}; "
            "pass image_size= (an int or (height, width)) to resize them to one size."
        )
    dtype = tf.as_dtype(np.dtype(feature.np_dtype))
    transform = crop or (size is not None and size != native_hw)

    def prepare(example):
        image = example["image"]
        if transform:  # resize in float, then back to the stored integers: 4x less cache
            image = _resize(tf.cast(image, tf.float32), size, crop)
            image = tf.cast(tf.round(tf.clip_by_value(image, 0.0, dtype.max)), dtype)
        if labels:
            return image, tf.cast(example["label"], tf.int32)
        return image

    raw = _load_tfds(name, split, data_dir, builder)
    count = int(raw.cardinality())
    dataset = raw.map(prepare, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset, count, dtype


def images(
    name,
    split="train",
    batch_size=64,
    image_size=None,
    data_dir=None,
    labels=False,
    shuffle=True,
    seed=0,
    cache=True,
    drop_remainder=True,
    crop=False,
):
    """A tf.data pipeline of float32 image batches in [-1, 1], shaped (batch, H, W, C).

    * ``name="digits"``: scikit-learn's bundled 8x8 digits as (8, 8, 1) images, works offline;
      ``split`` is ``"train"``, ``"test"`` or ``"all"`` (the stratified 70/30 split of
      ``tfgan_lite.data.digits``); ``data_dir`` is ignored.
    * any other name: a TFDS image dataset, ``tfds.load(name, split=split, data_dir=data_dir,
      download=False)``, so ``split`` is any TFDS split (``"train"``, ``"test[:10%]"``, ...).
      Its ``"image"`` feature is taken, its integers mapped to [-1, 1] (uint8: 0 -> -1,
      255 -> 1); grayscale stays 1 channel, RGB 3. Nothing is downloaded: data that is not
      prepared (or shard files missing from ``data_dir``) is a ValueError saying how to get
      it (``tfds build <name> --data_dir=DIR`` on a machine with internet, then
      ``data_dir=DIR``).

    ``image_size`` (an int or (H, W); None keeps the native size) resizes with bilinear
    interpolation (``tf.image.resize``, antialiased when shrinking). Non-square images are
    stretched to the new shape (celeb_a's 218x178 to 64x64 squashes faces) unless
    ``crop=True``, which first center-crops to the largest central square (178x178 for
    celeb_a), as DCGAN-style pipelines do. ``image_shape`` gives the resulting (H, W, C).

    With ``labels=True`` the elements are ``(images, labels)``, labels int32 (the digit for
    digits, the TFDS ``"label"`` feature otherwise; a dataset without one is a ValueError).

    Examples are prepared once and cached (``cache=True``: in memory; a string: a cache file
    of that name; False: none); TFDS images are cached as their integers, resized ones
    rounded back to integers (an error of at most half a grey level, for 4x less memory).
    Then, with ``shuffle``, they are shuffled with ``seed`` (the same order for the same seed,
    a new order each epoch; TFDS datasets larger than ``SHUFFLE_BUFFER`` examples are shuffled
    through a buffer of that size), batched (``drop_remainder`` drops the last short batch)
    and prefetched.
    """
    _check_name(name)
    batch_size = checks.integer(batch_size, "batch_size")
    size = _check_size(image_size)
    if not checks.is_integer(seed):
        raise ValueError(f"seed must be an integer, got {seed!r}.")
    if not isinstance(cache, bool | str):
        raise ValueError(f"cache must be True, False or a cache file name, got {cache!r}.")
    if name == OFFLINE:
        if split not in DIGITS_SPLITS:
            raise ValueError(
                f"split={split!r} is not a split of 'digits'; use one of "
                f"{', '.join(DIGITS_SPLITS)}."
            )
        dataset, count, stored = _digits_dataset(split, size, labels)
    else:
        dataset, count, stored = _tfds_dataset(name, split, size, data_dir, labels, crop)

    if drop_remainder and 0 <= count < batch_size:
        raise ValueError(
            f"batch_size={batch_size} is more than the {count} examples of {name!r} "
            f"split={split!r}, so drop_remainder=True leaves no batch; use a smaller "
            "batch_size or drop_remainder=False."
        )
    if cache:
        dataset = dataset.cache("" if cache is True else cache)
    if shuffle:
        buffer = count if 0 < count <= SHUFFLE_BUFFER else SHUFFLE_BUFFER
        dataset = dataset.shuffle(buffer, seed=int(seed), reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    if stored is not None:  # TFDS integers -> float32 in [-1, 1], a batch at a time
        # A division, not Keras's Rescaling(1 / 127.5, offset=-1): its product with the
        # rounded reciprocal puts 111 of the 256 uint8 levels one float32 step away from
        # x / 127.5 - 1; the division keeps each level exact and 255 at exactly 1.
        half = stored.max / 2.0  # 127.5 for uint8: 255 / 127.5 - 1 is exactly 1

        def to_float(x, *label):
            x = tf.cast(x, tf.float32) / half - 1.0
            return (x, *label) if label else x

        dataset = dataset.map(to_float, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset.prefetch(tf.data.AUTOTUNE)
