"""NumPy arrays of images as examples for ``tfgan_lite.data.images``: checked, not copied.

An array is (N, H, W, C) with C in 1, 3 or 4 (alpha is dropped), or (N, H, W) grayscale.
uint8 arrays are read as 0-255. Any other dtype states its range with ``value_range=(low,
high)`` (e.g. (0, 1) for floats from ``img_to_array(...) / 255``), and values outside it
are a ValueError, as is an array that is not images.
"""

import numpy as np

from tfgan_lite import checks


def check_images(x, value_range):
    """``x`` as an (N, H, W, C) array with C in 1 or 3, and its (low, high) range."""
    try:
        array = np.asarray(x)
    except (TypeError, ValueError) as error:
        raise ValueError(f"images() got an array it cannot read: {error}") from None
    if array.ndim == 3:
        array = array[..., None]
    if array.ndim != 4 or array.shape[-1] not in (1, 3, 4) or 0 in array.shape:
        raise ValueError(
            f"an image array must be (num_images, height, width, channels) with 1, 3 or 4 "
            f"channels, or (num_images, height, width) for grayscale; got shape "
            f"{checks.shape_str(array.shape)}."
        )
    if array.shape[-1] == 4:
        array = array[..., :3]
    if array.dtype.kind not in "uif":
        raise ValueError(
            f"an image array must hold numbers (uint8, or floats or ints with value_range=), "
            f"got dtype {array.dtype}."
        )
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ValueError("the image array holds NaN or infinite values; remove or fix them.")
    if value_range is None:
        if array.dtype != np.uint8:
            low, high = float(array.min()), float(array.max())
            raise ValueError(
                f"an image array of dtype {array.dtype} needs value_range=(low, high), the "
                f"range its values mean (its values run from {low:.4g} to {high:.4g}): e.g. "
                "value_range=(0, 1), (0, 255) or (-1, 1); uint8 arrays are read as 0-255."
            )
        value_range = (0, 255)
    if (
        not isinstance(value_range, tuple | list)
        or len(value_range) != 2
        or not all(isinstance(v, int | float | np.number) for v in value_range)
        or not value_range[0] < value_range[1]
    ):
        raise ValueError(f"value_range must be (low, high) with low < high, got {value_range!r}.")
    low, high = float(value_range[0]), float(value_range[1])
    found_low, found_high = float(array.min()), float(array.max())
    if found_low < low or found_high > high:
        raise ValueError(
            f"the image array's values run from {found_low:.4g} to {found_high:.4g}, outside "
            f"value_range=({low:g}, {high:g}); pass the range the values are in."
        )
    return array, (low, high)
