"""Image datasets as tf.data pipelines of float32 batches in [-1, 1], shaped (batch, H, W, C).

``images(source)`` takes four kinds of source:

* ``"digits"``: scikit-learn's bundled 8x8 digits (see ``tfgan_lite.data.digits``) as (8, 8, 1)
  images, resized to any size: real data that needs no download.
* a folder (a path): every PNG, JPEG, BMP and GIF file below it, decoded as it streams (see
  ``tfgan_lite.data.folders``); with ``labels=True`` its subfolders are the classes.
* a NumPy array (N, H, W, C) or (N, H, W): uint8, or any numbers with ``value_range=``.
* any other name: a TensorFlow Datasets (TFDS) image dataset (``"mnist"``, ``"fashion_mnist"``,
  ``"cifar10"``, ``"celeb_a"``, ...) read from data that is already prepared: nothing is
  downloaded at run time. To prepare one, on a machine with internet run ``tfds build <name>
  --data_dir=DIR`` and pass ``data_dir=DIR`` (or copy DIR to the machine that trains).

``image_shape`` gives the (H, W, C) a pipeline will produce, so that networks can be built
before data flows; for TFDS it needs only the dataset's code, not its prepared files, and for
a folder the one pass that checks its files (remembered for the process).
"""

import os

import numpy as np
import tensorflow as tf

from tfgan_lite import checks
from tfgan_lite.data import arrays, folders, jpeg
from tfgan_lite.data.digits import SPLITS as DIGITS_SPLITS
from tfgan_lite.data.digits import digits

OFFLINE = "digits"
SHUFFLE_BUFFER = 50_000  # TFDS datasets up to this size are shuffled fully; larger ones partly
# cache=None keeps a folder's decoded images in memory up to this many bytes, else streams.
FOLDER_CACHE_BYTES = 1 << 30
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


def _kind(source):
    """Which of the four sources ``source`` is: "array", "folder", "digits" or "tfds"."""
    if isinstance(source, np.ndarray | tf.Tensor):
        return "array"
    if isinstance(source, os.PathLike):
        return "folder"
    if not isinstance(source, str) or not source:
        raise ValueError(
            f"source must be a dataset name ({OFFLINE!r}, bundled and offline, or a TFDS image "
            f"dataset such as {_EXAMPLES}), a folder of image files, or a NumPy array of "
            f"images; got {source!r}."
        )
    if source == OFFLINE:
        return "digits"
    return "folder" if folders.is_folder_path(source) else "tfds"


def _builder(name, data_dir):
    """The TFDS builder of ``name``; reads no data, so it works before the data is prepared."""
    import tensorflow_datasets as tfds

    try:
        return tfds.builder(name, data_dir=data_dir)
    except tfds.core.DatasetNotFoundError as error:
        raise ValueError(
            f"name={name!r} is neither {OFFLINE!r} (bundled, works offline), nor a dataset TFDS "
            f"knows, nor a folder here ({os.path.abspath(name)} does not exist); use "
            f"{OFFLINE!r}, a TFDS image dataset such as {_EXAMPLES}, or the path of a folder "
            "of images."
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


def _native_folder_hw(found, indices, size, crop):
    """The (H, W) a folder's images come out at; a ValueError if they differ and no size."""
    if size is not None:
        return size
    shapes = [found.shapes[i][:2] for i in indices]
    sizes = sorted({(min(s), min(s)) if crop else s for s in shapes})
    if len(sizes) > 1:
        shown = ", ".join(f"{h}x{w}" for h, w in sizes[:3])
        raise ValueError(
            f"the images in {found.directory} have {len(sizes)} different sizes ({shown}"
            f"{', ...' if len(sizes) > 3 else ''}); pass image_size= (an int or (height, "
            "width)) to resize them to one size, with crop=True to keep their aspect ratio."
        )
    return sizes[0]


def _check_channels(channels):
    if channels not in (None, 1, 3):
        raise ValueError(
            f"channels must be 1 (grayscale), 3 (RGB) or None (what the images are), got "
            f"{channels!r}."
        )
    return channels


def image_shape(source, image_size=None, data_dir=None, crop=False, channels=None, labels=False):
    """The (H, W, C) of one image of ``images(source, image_size=..., crop=...)``.

    For ``"digits"`` it is (8, 8, 1) or ``image_size`` with 1 channel. For a TFDS dataset it
    comes from the dataset's info (``tfds.builder(name).info.features["image"].shape``), which
    needs only the dataset's code, not its prepared files. For a folder it comes from the
    pass that checks its files (``labels`` says whether that pass looks in class subfolders
    only), for an array from its shape. ``image_size`` (an int or (H, W)) overrides H and W,
    ``crop=True`` makes the native size square, and ``channels`` (1 or 3) overrides C. Images
    of no one native size need ``image_size``.
    """
    kind = _kind(source)
    size = _check_size(image_size)
    _check_channels(channels)
    if kind == "digits":
        height, width = size or (8, 8)
        return height, width, channels or 1
    if kind == "array":
        shape = np.shape(source)
        native = (int(shape[1]), int(shape[2])) if len(shape) >= 3 else (None, None)
        height, width = _output_hw(native, size, crop)
        have = shape[3] if len(shape) == 4 else 1
        return height, width, channels or (1 if have == 1 else 3)
    if kind == "folder":
        found = folders.scan(source, labels)
        height, width = _native_folder_hw(found, range(len(found.paths)), size, crop)
        return height, width, channels or found.channels
    feature = _image_feature(_builder(source, data_dir), source)
    height, width, have = feature.shape
    height, width = _output_hw((height, width), size, crop)
    if height is None or width is None:
        raise ValueError(
            f"TFDS dataset name={source!r} has images of no fixed size {tuple(feature.shape)}; "
            "pass image_size= (an int or (height, width)) to resize them to one size."
        )
    return int(height), int(width), channels or int(have)


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


def _to_channels(image, channels):
    """A float image (..., C) with C in 1 or 3 as ``channels`` (None: unchanged) channels."""
    have = image.shape[-1]
    if channels is None or have == channels:
        return image
    if channels == 3:
        return tf.repeat(image, 3, axis=-1)
    return tf.image.rgb_to_grayscale(image)


def _to_integer(image, dtype):
    """A float image rounded to the integer ``dtype``'s levels, clipped to its range."""
    return tf.cast(tf.round(tf.clip_by_value(image, 0.0, dtype.max)), dtype)


def _transformer(size, crop, channels, dtype, native):
    """The per-example crop, resize and channel conversion, or None when there is none.

    Computed in float32; integer images (``dtype`` uint8 or uint16) are rounded back to their
    integers afterwards, so the cache holds 4x less (an error of at most half a level).
    ``native`` is the examples' (H, W, C) where known.
    """
    height, width, have = native
    resize = crop or (size is not None and size != (height, width))
    if not resize and channels in (None, have):
        return None

    def transform(image):
        image = _to_channels(_resize(tf.cast(image, tf.float32), size, crop), channels)
        return _to_integer(image, dtype) if dtype.is_integer else image

    return transform


def _digits_dataset(split, size, labels, channels):
    if split not in DIGITS_SPLITS:
        raise ValueError(
            f"split={split!r} is not a split of 'digits'; use one of {', '.join(DIGITS_SPLITS)}."
        )
    x, y = digits(split)
    x = x.reshape(-1, 8, 8, 1)
    if size is not None and size != (8, 8):
        x = tf.image.resize(x, size, method="bilinear", antialias=True)
        x = tf.clip_by_value(x, -1.0, 1.0).numpy()
    x = _to_channels(tf.constant(x), channels).numpy()
    examples = (x, y) if labels else x
    return tf.data.Dataset.from_tensor_slices(examples), len(x), None


def _tfds_dataset(name, split, size, data_dir, labels, crop, channels):
    """Examples of uint8 (or uint16) images, cropped and resized, as stored in the cache."""
    builder = _builder(name, data_dir)
    feature = _image_feature(builder, name)
    features = builder.info.features
    if labels and "label" not in features:
        raise ValueError(
            f"labels=True but TFDS dataset name={name!r} has no 'label' feature (its features: "
            f"{', '.join(features.keys())}); use labels=False."
        )
    if None in _output_hw(tuple(feature.shape[:2]), size, crop):
        raise ValueError(
            f"TFDS dataset name={name!r} has images of no fixed size {tuple(feature.shape)}; "
            "pass image_size= (an int or (height, width)) to resize them to one size."
        )
    dtype = tf.as_dtype(np.dtype(feature.np_dtype))
    transform = _transformer(size, crop, channels, dtype, tuple(feature.shape))

    def prepare(example):
        image = example["image"]
        if transform is not None:
            image = transform(image)
        if labels:
            return image, tf.cast(example["label"], tf.int32)
        return image

    raw = _load_tfds(name, split, data_dir, builder)
    count = int(raw.cardinality())
    dataset = raw.map(prepare, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset, count, (0.0, float(dtype.max))


def _folder_dataset(directory, split, size, labels, crop, channels, on_bad_file):
    """A function ``read(shuffle, seed)`` giving the decoded uint8 images (and labels) of a
    folder's split, in file order or shuffled anew each epoch; their count; the bytes of
    one image."""
    found = folders.scan(directory, labels, on_bad_file)
    indices = folders.in_split(found, split)
    if len(indices) == 0:
        raise ValueError(
            f"split={split!r} of the image folder {found.directory} holds none of its "
            f"{len(found.paths)} images; use split='all'."
        )
    channels = channels or found.channels
    height, width = _native_folder_hw(found, indices, size, crop)
    paths = np.array([found.paths[i] for i in indices])
    label_ids = np.array([found.labels[i] for i in indices], np.int32) if labels else None
    # Which reader takes each file: a JPEG is decoded at a fraction of its size that still
    # covers the output (jpeg.plan), anything else whole. Each reader is a function without
    # control flow: its own pipeline starts in milliseconds, where one function branching
    # over all of them took tens of milliseconds every epoch.
    branches = np.full(len(paths), jpeg.WHOLE, np.int32)
    windows = np.zeros((len(paths), 4), np.int32)
    if size is not None:
        planned, planned_windows = jpeg.plan([found.shapes[i] for i in indices], size, crop)
        is_jpeg = np.array([found.jpeg[i] for i in indices], bool)
        branches = np.where(is_jpeg, planned, branches)
        windows = np.where(is_jpeg[:, None], planned_windows, windows)
    transform = _transformer(size, crop, None, tf.uint8, (None, None, channels))

    def reader(branch):
        def load(path, window, *label):
            contents = tf.io.read_file(path)
            if branch == jpeg.WHOLE:
                image = folders.decode(contents, channels)
                image = image if transform is None else transform(image)
            else:
                image = jpeg.decode_resized(contents, branch, window, size, channels)
            image = tf.ensure_shape(image, (height, width, channels))
            return (image, *label) if label else image

        return load

    def read(shuffle, seed):
        used = sorted(set(branches.tolist()))
        parts = []
        for j, branch in enumerate(used):
            mine = branches == branch
            examples = (paths[mine], windows[mine])
            if labels:
                examples += (label_ids[mine],)
            part = tf.data.Dataset.from_tensor_slices(examples)
            if shuffle:
                part = part.shuffle(
                    int(mine.sum()), seed=seed + 1 + j, reshuffle_each_iteration=True
                )
            parts.append(
                part.map(reader(branch), num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
            )
        if len(parts) == 1:
            return parts[0]
        # Each file's reader in file order, shuffled alike: with each reader's files in a
        # random order, a random sequence of readers is a random order of all the files.
        choice = tf.data.Dataset.from_tensor_slices(
            np.searchsorted(used, branches).astype(np.int64)
        )
        if shuffle:
            choice = choice.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)
        return tf.data.Dataset.choose_from_datasets(parts, choice)

    return read, len(paths), height * width * channels


def _array_dataset(x, split, size, labels, crop, channels, value_range):
    """Examples of an image array in its own dtype, and the range its values mean."""
    if split not in (None, "all"):
        raise ValueError(
            f"split={split!r}: an array has no splits; slice it (x[:n], x[n:]) and pass split=None."
        )
    array, scale = arrays.check_images(x, value_range)
    examples = array
    if labels is True:
        raise ValueError(
            "labels=True needs labels to read: for an array pass labels=y, an int array "
            "with one class id per image."
        )
    if labels is not None and labels is not False:
        y = checks.labels(labels, "labels", np.iinfo(np.int32).max, len(array), model="images()")
        examples = (array, y.astype(np.int32))
    dtype = tf.as_dtype(array.dtype)
    transform = _transformer(size, crop, channels, dtype, tuple(array.shape[1:]))
    dataset = tf.data.Dataset.from_tensor_slices(examples)
    if transform is not None:
        dataset = dataset.map(
            lambda image, *label: (transform(image), *label) if label else transform(image),
            num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=True,
        )
    return dataset, len(array), scale


def _describe(kind, source, split):
    if kind == "array":
        return "the image array"
    if kind == "folder":
        return f"the image folder {os.path.abspath(os.fspath(source))} split={split!r}"
    return f"{source!r} split={split!r}"


def images(
    source,
    split=None,
    batch_size=64,
    image_size=None,
    data_dir=None,
    labels=False,
    shuffle=True,
    seed=0,
    cache=None,
    drop_remainder=True,
    crop=False,
    channels=None,
    value_range=None,
    on_bad_file="warn",
):
    """A tf.data pipeline of float32 image batches in [-1, 1], shaped (batch, H, W, C).

    Sources:

    * ``"digits"``: scikit-learn's bundled 8x8 digits as (8, 8, 1) images, works offline;
      ``split`` is ``"train"`` (the default), ``"test"`` or ``"all"`` (the stratified 70/30
      split of ``tfgan_lite.data.digits``); ``data_dir`` is ignored.
    * a folder (a path, ``str`` or ``os.PathLike``): every PNG, JPEG, BMP and GIF file below
      it, recursively (``tfgan_lite.data.folders``), decoded with ``tf.io.decode_image`` as
      the pipeline runs. ``split`` is ``"all"`` (the default), or ``"train"`` / ``"test"``, a
      fixed 90/10 split by file. With ``labels=True`` the first-level subfolders are the
      classes, in sorted order (``class_names(directory)``). A file that does not decode is
      skipped with a warning naming it and a count at the end (``on_bad_file="warn"``) or is
      a ValueError (``on_bad_file="raise"``); a folder with no image files is a ValueError.
    * a NumPy array (N, H, W, C) or (N, H, W) of uint8 (read as 0-255), or of any numbers
      with ``value_range=(low, high)``, the range they mean; ``labels=`` may be an int
      array of class ids, one per image. ``split`` must be None.
    * any other name: a TFDS image dataset, ``tfds.load(name, split=split, data_dir=data_dir,
      download=False)``, so ``split`` is any TFDS split (``"train"``, the default,
      ``"test[:10%]"``, ...). Its ``"image"`` feature is taken, its integers mapped to
      [-1, 1] (uint8: 0 -> -1, 255 -> 1). Nothing is downloaded: data that is not prepared
      (or shard files missing from ``data_dir``) is a ValueError saying how to get it
      (``tfds build <name> --data_dir=DIR`` on a machine with internet, then
      ``data_dir=DIR``).

    ``channels``: 1 or 3 converts every image (RGB to grayscale with
    ``tf.image.rgb_to_grayscale``, grayscale repeated to RGB, alpha dropped); None keeps what
    the source is (for a folder: 1 if every file is grayscale, else 3). ``image_size`` (an
    int or (H, W); None keeps the native size) resizes with bilinear interpolation
    (``tf.image.resize``, antialiased when shrinking; a folder's JPEG files decode at the
    smallest of 1/2, 1/4, 1/8 of their size that covers the output and take plain bilinear
    interpolation for a shrink by less than 2 that is left, see ``tfgan_lite.data.jpeg``).
    Non-square images are stretched to the
    new shape (celeb_a's 218x178 to 64x64 squashes faces) unless ``crop=True``, which first
    center-crops to the largest central square (178x178 for celeb_a), as DCGAN-style
    pipelines do. ``image_shape`` gives the resulting (H, W, C).

    With ``labels`` the elements are ``(images, labels)``, labels int32 (the digit for
    digits, the TFDS ``"label"`` feature, the class subfolder, or the array given).

    ``cache``: True keeps the prepared examples in memory after the first epoch, a string
    caches them in a file of that name, False reads the source every epoch. None (the
    default) is True, except for a folder whose decoded images would take more than
    ``FOLDER_CACHE_BYTES`` (1 GiB): it streams from the files. Integer images are cached
    as their integers, resized ones rounded back to integers (an error of at most half a
    level, for 4x less memory). With ``shuffle`` the examples are shuffled with ``seed``
    (the same order for the same seed, a new order each epoch; an uncached folder shuffles
    its file list, TFDS datasets larger than ``SHUFFLE_BUFFER`` examples are shuffled
    through a buffer of that size), then batched (``drop_remainder`` drops the last short
    batch) and prefetched.
    """
    kind = _kind(source)
    batch_size = checks.integer(batch_size, "batch_size")
    size = _check_size(image_size)
    _check_channels(channels)
    if not checks.is_integer(seed):
        raise ValueError(f"seed must be an integer, got {seed!r}.")
    if cache is not None and not isinstance(cache, bool | str):
        raise ValueError(f"cache must be None, True, False or a cache file name, got {cache!r}.")
    if value_range is not None and kind != "array":
        raise ValueError(
            "value_range= is for NumPy arrays; a dataset name or a folder of image files "
            "has its own range. Drop value_range."
        )
    read = None
    if kind == "digits":
        split = "train" if split is None else split
        dataset, count, scale = _digits_dataset(split, size, labels, channels)
    elif kind == "tfds":
        split = "train" if split is None else split
        dataset, count, scale = _tfds_dataset(source, split, size, data_dir, labels, crop, channels)
    elif kind == "folder":
        split = "all" if split is None else split
        read, count, example_bytes = _folder_dataset(
            source, split, size, labels, crop, channels, on_bad_file
        )
        scale = (0.0, 255.0)
        if cache is None:
            cache = count * example_bytes <= FOLDER_CACHE_BYTES
    else:
        dataset, count, scale = _array_dataset(
            source, split, size, labels, crop, channels, value_range
        )
    cache = True if cache is None else cache

    if drop_remainder and 0 <= count < batch_size:
        raise ValueError(
            f"batch_size={batch_size} is more than the {count} examples of "
            f"{_describe(kind, source, split)}, so drop_remainder=True leaves no batch; use a "
            "smaller batch_size or drop_remainder=False."
        )
    buffer = count if 0 < count <= SHUFFLE_BUFFER else SHUFFLE_BUFFER
    if read is not None:  # a folder: shuffle the file names when nothing is cached, then read
        dataset = read(bool(shuffle and not cache), int(seed))
    if cache:
        dataset = dataset.cache("" if cache is True else cache)
    if shuffle and (cache or read is None):
        dataset = dataset.shuffle(buffer, seed=int(seed), reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    if scale is not None:  # stored numbers -> float32 in [-1, 1], a batch at a time
        # A division, not Keras's Rescaling(1 / 127.5, offset=-1): its product with the
        # rounded reciprocal puts 111 of the 256 uint8 levels one float32 step away from
        # x / 127.5 - 1; the division keeps each level exact and 255 at exactly 1.
        low, high = scale
        half = (high - low) / 2.0  # 127.5 for uint8: 255 / 127.5 - 1 is exactly 1

        def to_float(x, *label):
            x = tf.cast(x, tf.float32)
            if low != 0.0 and (low, high) != (-1.0, 1.0):  # data in [-1, 1] stays as given
                x = x - low
            if (low, high) != (-1.0, 1.0):
                x = x / half - 1.0  # two passes over a uint8 batch, not three
            return (x, *label) if label else x

        dataset = dataset.map(to_float, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset.prefetch(tf.data.AUTOTUNE)
