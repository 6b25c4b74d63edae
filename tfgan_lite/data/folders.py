"""A folder of image files as examples: listed, checked once, then streamed through tf.data.

``scan(directory, labels)`` lists every PNG, JPEG, BMP and GIF file below ``directory``
(recursively, in sorted order, following no links) and decodes each one once with
``tf.io.decode_image``, in parallel, to learn its size and channels and to find the files
that do not decode. The files are then read again, a batch at a time, by ``examples``:
nothing is held in memory unless the caller caches.

With ``labels=True`` the first-level subfolders are the classes, numbered in the sorted
order of their names (``class_names``), as ``keras.utils.image_dataset_from_directory``
does; image files directly in ``directory`` then belong to no class and are left out.

A folder has no predefined splits. ``split="all"`` takes every file; ``"train"`` and
``"test"`` are a fixed 90/10 split by a hash of each file's path relative to the folder
(CRC-32 modulo 10 == 0 is test), so a file stays in its split when others are added.
"""

import dataclasses
import os
import re
import warnings
import zlib

import numpy as np
import tensorflow as tf

EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
SPLITS = ("all", "train", "test")
ON_BAD_FILE = ("warn", "raise")
TEST_BUCKETS = 10  # one path hash bucket in TEST_BUCKETS is the test split


@dataclasses.dataclass(frozen=True)
class Scan:
    """What one pass over a folder found: the decodable files and what they are."""

    directory: str
    paths: tuple  # absolute paths of the files that decode, sorted
    labels: tuple | None  # the class id of each path, or None without labels
    class_names: tuple | None
    shapes: tuple  # (height, width, channels) of each path, as decoded
    bad: tuple  # (path, error message) of each file that did not decode
    jpeg: tuple  # whether each path is a JPEG file (by its contents, not its name)

    @property
    def channels(self):
        """1 when every file is grayscale (with or without alpha), else 3."""
        return 1 if all(shape[2] in (1, 2) for shape in self.shapes) else 3

    @property
    def sizes(self):
        """The distinct (height, width) of the files."""
        return sorted({shape[:2] for shape in self.shapes})


def is_folder_path(name):
    """Whether the string ``name`` means a folder: one that exists, or one written as a path
    (with a separator, or starting with ``.`` or ``~``), which no TFDS name is."""
    if os.path.isdir(name):
        return True
    return os.sep in name or "/" in name or name.startswith((".", "~"))


def _check_directory(directory):
    path = os.path.abspath(os.path.expanduser(os.fspath(directory)))
    if not os.path.exists(path):
        raise ValueError(f"the image folder {path} does not exist; pass an existing directory.")
    if not os.path.isdir(path):
        raise ValueError(
            f"{path} is a file, not a folder; pass the directory that holds the images."
        )
    return path


def class_names(directory):
    """The class names of a folder of images: its first-level subfolders, sorted.

    ``images(directory, labels=True)`` labels a file below the i-th of them with class i.
    Hidden folders (names starting with ``.``) are not classes. A folder without
    subfolders is a ValueError.
    """
    path = _check_directory(directory)
    names = sorted(
        entry.name
        for entry in os.scandir(path)
        if entry.is_dir(follow_symlinks=False) and not entry.name.startswith(".")
    )
    if not names:
        raise ValueError(
            f"labels=True needs one subfolder per class in {path}, and it has none; put each "
            "class's images in a subfolder named after the class, or use labels=False."
        )
    return names


def _image_files(root):
    """The image files below ``root``, recursively and sorted, skipping hidden entries."""
    found = []
    for current, folders, files in os.walk(root):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        found += [
            os.path.join(current, f)
            for f in sorted(files)
            if not f.startswith(".") and f.lower().endswith(EXTENSIONS)
        ]
    return found


def decode(contents, channels=0):
    """One encoded image (PNG, JPEG, BMP or the first frame of a GIF) as uint8 (H, W, C),
    with ``channels`` as ``to_channels`` makes them."""
    image = tf.io.decode_image(contents, expand_animations=False, dtype=tf.uint8)
    return to_channels(image, channels)


def to_channels(image, channels=0):
    """A uint8 image (H, W, C) with ``channels`` 1 or 3 channels (0: unchanged).

    Alpha is dropped, RGB is made grayscale with ``tf.image.rgb_to_grayscale`` (rounded),
    grayscale is repeated to RGB.
    """
    if channels == 0:
        return image
    have = tf.shape(image)[-1]
    color = image[..., :3]  # RGB(A) -> RGB; gray(+alpha) is 1 or 2 channels
    gray = image[..., :1]
    if channels == 1:
        return tf.cond(have >= 3, lambda: rgb_to_gray(color), lambda: gray)
    return tf.cond(have >= 3, lambda: color, lambda: tf.repeat(gray, 3, axis=-1))


def rgb_to_gray(rgb):
    """uint8 RGB (..., 3) as uint8 grayscale (..., 1): ``tf.image.rgb_to_grayscale``,
    rounded."""
    return tf.cast(tf.round(tf.image.rgb_to_grayscale(tf.cast(rgb, tf.float32))), tf.uint8)


def _read_checked(path):
    """The (H, W, C) ``decode`` gives the file at ``path``, failing as it fails on a broken
    file, and whether the file is a JPEG.

    A JPEG's size is read from its header, and the file is checked by decoding it at 1/8
    scale: libjpeg still reads every coefficient, so a truncated or corrupt file fails as
    it does at full size, at a fraction of the cost.
    """

    contents = tf.io.read_file(path)
    is_jpeg = tf.io.is_jpeg(contents)

    def from_header():
        # The check enters the result as a zero: tf.data drops a mere control dependency.
        checked = tf.shape(tf.io.decode_jpeg(contents, ratio=8))[0] * 0
        return tf.image.extract_jpeg_shape(contents) + checked

    return tf.cond(is_jpeg, from_header, lambda: tf.shape(decode(contents))), is_jpeg


def _shapes(paths):
    """The decoded (H, W, C) of each path, whether each is a JPEG, and the message of each
    that fails to decode."""
    shapes = [None] * len(paths)
    jpegs = [False] * len(paths)
    if paths:
        dataset = tf.data.Dataset.from_tensor_slices((np.arange(len(paths)), paths))
        dataset = dataset.map(
            lambda i, path: (i, *_read_checked(path)), num_parallel_calls=tf.data.AUTOTUNE
        ).ignore_errors()
        for index, shape, jpeg in dataset.as_numpy_iterator():
            shapes[int(index)] = tuple(int(s) for s in shape)
            jpegs[int(index)] = bool(jpeg)
    bad = []
    for path, shape in zip(paths, shapes, strict=True):
        if shape is None:  # decode once more, eagerly, for the message
            try:
                decode(tf.io.read_file(path))
            except (tf.errors.OpError, ValueError) as error:
                bad.append((path, _short(getattr(error, "message", str(error)))))
            else:
                bad.append((path, "the file could not be read"))
    return shapes, jpegs, bad


def _short(message):
    """A decoder's error without TensorFlow's op and device decorations."""
    message = re.sub(r"\{\{[^}]*\}\}|\[Op:[^\]]*\]( name:.*)?", "", message)
    return " ".join(message.split()) or "it does not decode"


_SCANS = {}


def _listing_key(root, files):
    stats = [os.stat(f) for f in files]
    return root, tuple((f, s.st_size, s.st_mtime_ns) for f, s in zip(files, stats, strict=True))


def scan(directory, labels=False, on_bad_file="warn"):
    """Lists and decodes the images of a folder once; see the module docstring.

    A file that does not decode is left out with one warning naming it and, at the end, one
    with the count (``on_bad_file="warn"``), or is a ValueError naming it
    (``on_bad_file="raise"``). A folder with no image files is a ValueError that names it
    and the extensions looked for. The result is remembered for this process until a file
    is added, removed or changed, and warns only the first time.
    """
    if on_bad_file not in ON_BAD_FILE:
        raise ValueError(f"on_bad_file={on_bad_file!r} is unknown; use 'warn' or 'raise'.")
    root = _check_directory(directory)
    names = class_names(root) if labels else None
    if labels:
        files, classes = [], []
        for index, name in enumerate(names):
            found = _image_files(os.path.join(root, name))
            files += found
            classes += [index] * len(found)
        loose = [
            e.name for e in os.scandir(root) if e.is_file() and e.name.lower().endswith(EXTENSIONS)
        ]
        if loose:
            warnings.warn(
                f"labels=True: {len(loose)} image file(s) directly in {root} (e.g. "
                f"{sorted(loose)[0]}) belong to no class subfolder and are left out.",
                stacklevel=3,
            )
    else:
        files, classes = _image_files(root), None
    if not files:
        where = "its class subfolders" if labels else "it or its subfolders"
        raise ValueError(
            f"the image folder {root} holds no image files in {where}; images() reads files "
            f"ending in {', '.join(EXTENSIONS)} (any case)."
        )
    key = (_listing_key(root, files), bool(labels))
    fresh = key not in _SCANS
    if fresh:
        shapes, jpegs, bad = _shapes(files)
        good = [i for i, shape in enumerate(shapes) if shape is not None]
        _SCANS[key] = Scan(
            directory=root,
            paths=tuple(files[i] for i in good),
            labels=tuple(classes[i] for i in good) if labels else None,
            class_names=tuple(names) if labels else None,
            shapes=tuple(shapes[i] for i in good),
            bad=tuple(bad),
            jpeg=tuple(jpegs[i] for i in good),
        )
    result = _SCANS[key]
    if result.bad and on_bad_file == "raise":
        path, message = result.bad[0]
        raise ValueError(
            f"{path} is not a readable image ({message}); remove or fix it, or pass "
            "on_bad_file='warn' to skip files that do not decode."
        )
    if fresh and result.bad:  # a folder scanned before was warned about then
        for path, message in result.bad:
            warnings.warn(f"skipping {path}: not a readable image ({message})", stacklevel=3)
        warnings.warn(
            f"skipped {len(result.bad)} of {len(files)} image files in {root} that could not "
            "be decoded.",
            stacklevel=3,
        )
    if not result.paths:
        raise ValueError(
            f"none of the {len(files)} image files in {root} could be decoded; check that "
            "they are PNG, JPEG, BMP or GIF files."
        )
    return result


def in_split(found, split):
    """The indices of the scanned files in ``split`` ("all", "train" or "test")."""
    if split not in SPLITS:
        raise ValueError(
            f"split={split!r} is not a split of an image folder; use one of "
            f"{', '.join(map(repr, SPLITS))} (train and test are a fixed 90/10 split by file)."
        )
    indices = np.arange(len(found.paths))
    if split == "all":
        return indices
    buckets = np.array(
        [
            zlib.crc32(os.path.relpath(p, found.directory).replace(os.sep, "/").encode())
            % TEST_BUCKETS
            for p in found.paths
        ]
    )
    return indices[(buckets == 0) == (split == "test")]
