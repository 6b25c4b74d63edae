"""The sliced Wasserstein distance, on feature vectors and on Laplacian-pyramid patches.

* ``sliced_wasserstein_distance``: the mean, over random unit directions, of the 1-D
  Wasserstein-1 distance between the projections of two sets of vectors (Rabin et al. 2011,
  "Wasserstein Barycenter and its Application to Texture Mixing"; Bonneel et al. 2015).
* ``laplacian_pyramid``: the Laplacian pyramid of a batch of images with the 5-tap binomial
  filter of Burt and Adelson (1983), as ``pyr_down`` / ``pyr_up`` in ProGAN's
  ``sliced_wasserstein.py`` and ``cv2.pyrDown`` / ``cv2.pyrUp``.
* ``image_sliced_wasserstein``: the image metric of ProGAN (Karras et al. 2018, "Progressive
  Growing of GANs for Improved Quality, Stability, and Variation", section 5) and of
  TF-GAN's ``tfgan.eval.sliced_wasserstein_distance``: the sliced Wasserstein distance
  between random 7x7 patches of real and generated images at every level of their
  Laplacian pyramids, one number a level, highest resolution first.

Everything runs in NumPy / SciPy in float64 and is deterministic for a seed. The 1-D
distances are exact for sets of any sizes: for equal sizes the mean absolute difference of
the sorted projections, otherwise the integral of |F_a - F_b| over the merged sample (the
formula of ``scipy.stats.wasserstein_distance``); the only approximation is the finite
number of directions.

As for the other metrics, the floor is the value between two independent real sets of the
same sizes, not 0: ``image_sliced_wasserstein`` returns such a baseline next to every
level's distance.
"""

import math
from collections import namedtuple

import numpy as np
from scipy import ndimage

from tfgan_lite import checks
from tfgan_lite.eval.common import _min_samples, _pair

__all__ = [
    "LevelDistance",
    "image_sliced_wasserstein",
    "laplacian_pyramid",
    "sliced_wasserstein_distance",
]

# Entries in one block of projections (32 MB in float64); the directions go in blocks of
# about this many entries divided by the number of vectors projected.
_CHUNK_ELEMENTS = 1 << 22
# The 5-tap binomial filter [1, 4, 6, 4, 1] / 16, applied along the rows and then the
# columns: the 5x5 outer product [1, 4, 6, 4, 1]^T [1, 4, 6, 4, 1] / 256 of ProGAN.
_BINOMIAL = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0
# How image_sliced_wasserstein scales the patch descriptors of each level.
_NORMALIZATIONS = ("per_set", "real")

LevelDistance = namedtuple("LevelDistance", ["real", "fake"])
LevelDistance.__doc__ = """One pyramid level of ``image_sliced_wasserstein``, highest
resolution first; unpacks like TF-GAN's ``(distance_real, distance_fake)`` tuple.

``real``: the baseline, the distance between the real patches and a second, independent
draw of patches from the same real images. ``fake``: the distance between the real patches
and the patches of the generated images."""


# ------------------------------------------------------------------------------ validation


def _images(x, name):
    """``x`` as a finite float64 array (n, h, w, c), or a ValueError that names ``name``."""
    try:
        array = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"{name} must be a numeric array of shape (num_images, height, width, channels); "
            f"converting it to float64 failed: {err}"
        ) from None
    if array.ndim != 4:
        hint = (
            f" add a channel axis: {name}[..., None]."
            if array.ndim == 3
            else " reshape it to (num_images, height, width, channels)."
        )
        raise ValueError(
            f"{name} must be a 4-D array of shape (num_images, height, width, channels), "
            f"got shape {checks.shape_str(array.shape)};" + hint
        )
    if min(array.shape) == 0:
        raise ValueError(
            f"{name} has shape {checks.shape_str(array.shape)}, with an empty axis; pass at "
            "least 1 image of at least 1x1 pixels and 1 channel."
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(
            f"{name} contains NaN or infinite values; remove or fix those images first."
        )
    return array


def _directions(directions, num_features):
    """``directions`` (k, d) as rows of unit length, or a ValueError naming the fix."""
    try:
        array = np.asarray(directions, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(
            "directions must be a numeric array of shape (num_projections, num_features); "
            f"converting it to float64 failed: {err}"
        ) from None
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] != num_features:
        raise ValueError(
            f"directions must have shape (num_projections, {num_features}), one direction a "
            f"row with one entry per feature, got shape {checks.shape_str(array.shape)}."
        )
    if not np.all(np.isfinite(array)):
        raise ValueError("directions contains NaN or infinite values; pass finite directions.")
    norms = np.sqrt(np.sum(array * array, axis=1, keepdims=True))
    if np.any(norms == 0):
        raise ValueError(
            f"directions has {int(np.sum(norms == 0))} row(s) of zeros; every direction "
            "needs a nonzero length (rows are scaled to unit length)."
        )
    return array / norms


def _random_directions(rng, num_projections, num_features):
    """``num_projections`` directions uniform on the unit sphere of R^num_features."""
    directions = rng.standard_normal((num_projections, num_features))
    return directions / np.sqrt(np.sum(directions * directions, axis=1, keepdims=True))


# ------------------------------------------------------------------------- the distance


def _sorted_projections(x, directions):
    """The projections of the rows of x on each direction, sorted: (len(x), k)."""
    return np.sort(x @ directions.T, axis=0)


def _w1_sorted(sorted_a, sorted_b):
    """The 1-D Wasserstein-1 distance of each column pair of two sorted arrays: (k,).

    For equal sizes n it is the mean of |a_(i) - b_(i)| over the order statistics. For
    sizes n != m it is the integral of |F_a - F_b| over the real line, F the empirical
    CDFs: on the merged, sorted sample the CDF difference after each point is
    (m #a - n #b) / (n m), counted exactly in integers, times the gap to the next point
    (ties have gap 0, so their order does not matter).
    """
    n, m = len(sorted_a), len(sorted_b)
    if n == m:
        return np.mean(np.abs(sorted_a - sorted_b), axis=0)
    merged = np.concatenate([sorted_a, sorted_b], axis=0)
    order = np.argsort(merged, axis=0, kind="stable")
    values = np.take_along_axis(merged, order, axis=0)
    steps = np.where(order < n, m, -n).astype(np.int64)
    gaps = np.diff(values, axis=0)
    cdf_gap = np.abs(np.cumsum(steps, axis=0)[:-1])
    return np.sum(cdf_gap * gaps, axis=0) / (n * m)


def _blocks(num_directions, num_rows):
    """Slices of the directions whose projections of ``num_rows`` vectors fit a block."""
    size = max(1, _CHUNK_ELEMENTS // max(num_rows, 1))
    return [slice(i, i + size) for i in range(0, num_directions, size)]


def _swd(a, others, directions):
    """The mean over ``directions`` (unit rows) of the 1-D W1 between the projections of
    ``a`` and those of each array in ``others`` (a's projections sorted once): a list."""
    totals = [0.0] * len(others)
    rows = len(a) + max(len(b) for b in others)
    for block in _blocks(len(directions), rows):
        chunk = directions[block]
        sorted_a = _sorted_projections(a, chunk)
        for i, b in enumerate(others):
            totals[i] += float(np.sum(_w1_sorted(sorted_a, _sorted_projections(b, chunk))))
    return [total / len(directions) for total in totals]


def sliced_wasserstein_distance(
    features_a, features_b, num_projections=512, seed=0, directions=None
):
    """The sliced Wasserstein-1 distance between two sets of vectors.

        SWD(A, B) = (1/K) sum_k W1(theta_k . A, theta_k . B)

    with theta_1..theta_K unit directions drawn uniformly on the sphere (normalised
    Gaussian vectors, ``np.random.default_rng(seed)``) and W1 the 1-D Wasserstein-1 distance
    between the empirical distributions of the projected samples (Rabin et al. 2011,
    "Wasserstein Barycenter and its Application to Texture Mixing"; Bonneel et al. 2015,
    "Sliced and Radon Wasserstein Barycenters of Measures"). ProGAN (Karras et al. 2018)
    and TF-GAN's ``sliced_wasserstein_distance`` use it on image patches
    (``image_sliced_wasserstein``); here it takes any features.

    Each W1 is exact for sets of any sizes: the mean |a_(i) - b_(i)| of the sorted
    projections when both sets have n samples, the integral of |F_a - F_b| of the empirical
    CDFs otherwise (as ``scipy.stats.wasserstein_distance``). The estimate converges to the
    sliced distance of the two empirical distributions as K grows (its Monte-Carlo error
    falls as 1/sqrt(K)); it is biased above the distance of the underlying distributions
    by the sampling noise of finite sets, so compare against the value between two
    independent real sets of the same sizes.

    Units: those of the features (a distance, not squared). Range: >= 0, 0 for identical
    sets (as empirical distributions: the order of the rows does not matter), symmetric in
    the two sets, lower is better. It is scale-equivariant: SWD(cA, cB) = |c| SWD(A, B).
    For d = 1 it is W1 itself. For B = A + mu (the same rows shifted) it is
    (1/K) sum_k |theta_k . mu|, about 2|mu|/pi for d = 2.

    Projections are taken in blocks of directions (about 32 MB of projections a block), so
    the memory needed is that of the two sets plus one block.

    Args:
      features_a, features_b: arrays (n, d) and (m, d), at least 2 samples each.
      num_projections: the number of random directions K (512, as ProGAN's 4 x 128).
      seed: the seed of the random directions; the result is deterministic for a seed.
      directions: None, or an array (K, d) of directions to use instead of random ones
        (rows are scaled to unit length; ``num_projections`` and ``seed`` are then unused).

    Returns:
      float.
    """
    a, b = _pair(features_a, features_b, "features_a", "features_b")
    _min_samples(a, "features_a", 2, "a sliced Wasserstein distance")
    _min_samples(b, "features_b", 2, "a sliced Wasserstein distance")
    if directions is None:
        num_projections = checks.integer(
            num_projections, "num_projections", hint=" (the number of random directions)"
        )
        seed = checks.integer(seed, "seed", minimum=0)
        directions = _random_directions(np.random.default_rng(seed), num_projections, a.shape[1])
    else:
        directions = _directions(directions, a.shape[1])
    return _swd(a, [b], directions)[0]


def _svd_directions(a, b):
    """The right singular vectors of the rows of a and b stacked, as rows, largest singular
    value first: the eigenvectors of a^T a + b^T b, min(len(a) + len(b), d) of them (the
    thin SVD's count, as TF-GAN's ``tf.svd``)."""
    _, vectors = np.linalg.eigh(a.T @ a + b.T @ b)
    count = min(len(a) + len(b), a.shape[1])
    return vectors[:, ::-1][:, :count].T


# --------------------------------------------------------------------- the pyramid


def _blur(images, gain=1.0):
    """The separable binomial filter along height and width, mirrored at the borders.

    ``mode="mirror"`` reflects about the edge pixel without repeating it (d c b | a b c d),
    as ProGAN's ``scipy.ndimage.convolve(..., mode="mirror")``, TF-GAN's ``REFLECT`` padding
    and OpenCV's default ``BORDER_REFLECT_101``.
    """
    kernel = _BINOMIAL * math.sqrt(gain)
    out = ndimage.convolve1d(images, kernel, axis=1, mode="mirror")
    return ndimage.convolve1d(out, kernel, axis=2, mode="mirror")


def _pyr_down(images):
    """Blur, then keep every second row and column: (h, w) -> (ceil(h/2), ceil(w/2))."""
    return _blur(images)[:, ::2, ::2]


def _pyr_up(images, height, width):
    """Put the pixels on the even rows and columns of a zero (height, width) grid and blur
    with gain 4 (2 an axis, the inverse of the zeros' density): ``cv2.pyrUp`` for even
    sizes, and for odd sizes the same with the last row or column on an even position."""
    n, _, _, channels = images.shape
    grid = np.zeros((n, height, width, channels), dtype=images.dtype)
    grid[:, ::2, ::2] = images
    return _blur(grid, gain=4.0)


def _max_levels(height, width):
    """Levels until a side reaches 1 pixel (a level of side 1 is not halved again)."""
    levels = 1
    while min(height, width) >= 2:
        height, width = (height + 1) // 2, (width + 1) // 2
        levels += 1
    return levels


def laplacian_pyramid(images, levels):
    """The Laplacian pyramid of a batch of images (Burt and Adelson 1983, "The Laplacian
    Pyramid as a Compact Image Code"), as ProGAN's ``generate_laplacian_pyramid``.

    With G_0 the images, G_{k+1} = down(G_k) and L_k = G_k - up(G_{k+1}), it returns
    ``[L_0, ..., L_{levels-2}, G_{levels-1}]``: the band-pass levels, highest resolution
    first, and last the lowest-resolution Gaussian level. ``down`` blurs with the 5-tap
    binomial filter [1, 4, 6, 4, 1] / 16 along each axis (mirrored at the borders) and
    keeps every second pixel; ``up`` puts the pixels on the even positions of a zero grid
    of the finer size and blurs with gain 4. These are ProGAN's ``pyr_down`` / ``pyr_up``
    (and ``cv2.pyrDown`` / ``cv2.pyrUp``) for even sizes.

    Any size works: a side of s pixels becomes ceil(s / 2) at the next level (odd sides
    keep their last pixel), and ``up`` returns the exact size of the finer level. The
    pyramid is exactly invertible: G_k = up(G_{k+1}) + L_k, so upsampling the last level
    and adding the others back, coarsest first, gives the images again (to rounding).
    Both filters keep a constant image constant, at every size.

    Args:
      images: array (n, height, width, channels) of any real dtype (computed in float64).
      levels: the number of levels, >= 1 (1 returns the images); each level but the last
        is halved, so a side must still be >= 2 pixels before each halving (for 8x8 images
        at most 4 levels: 8, 4, 2, 1).

    Returns:
      list of ``levels`` float64 arrays (n, h_k, w_k, channels), h_k = ceil(h_{k-1} / 2).
    """
    x = _images(images, "images")
    levels = checks.integer(levels, "levels", hint=" (the number of pyramid levels)")
    _, height, width, _ = x.shape
    most = _max_levels(height, width)
    if levels > most:
        raise ValueError(
            f"levels={levels} halves {height}x{width} images below 1 pixel: each level but "
            f"the last is half the size of the one before; pass levels <= {most}."
        )
    pyramid = [x]
    for _ in range(1, levels):
        coarse = _pyr_down(pyramid[-1])
        _, h, w, _ = pyramid[-1].shape
        pyramid[-1] = pyramid[-1] - _pyr_up(coarse, h, w)
        pyramid.append(coarse)
    return pyramid


def _reconstruct(pyramid):
    """The images of a Laplacian pyramid: upsample the last level, add the next, repeat."""
    images = pyramid[-1]
    for level in pyramid[-2::-1]:
        images = _pyr_up(images, level.shape[1], level.shape[2]) + level
    return images


# ------------------------------------------------------------------------ image metric


def _patches(level, patches_per_image, patch_size, rng):
    """``patches_per_image`` random patch_size x patch_size patches of each image, their
    top-left corners uniform (with replacement) over every position where a patch fits:
    array (n * patches_per_image, patch_size, patch_size, channels)."""
    n, height, width, _ = level.shape
    count = n * patches_per_image
    image = np.repeat(np.arange(n), patches_per_image)[:, None, None]
    top = rng.integers(0, height - patch_size + 1, size=count)[:, None, None]
    left = rng.integers(0, width - patch_size + 1, size=count)[:, None, None]
    offsets = np.arange(patch_size)
    rows = top + offsets[None, :, None]
    cols = left + offsets[None, None, :]
    return level[image, rows, cols]


def _statistics(patches):
    """The mean and standard deviation of each channel over all patches and positions
    (ProGAN's ``finalize_descriptors``); a constant channel keeps a scale of 1."""
    mean = patches.mean(axis=(0, 1, 2))
    std = patches.std(axis=(0, 1, 2))
    return mean, np.where(std > 0, std, 1.0)


def _descriptors(patches, statistics):
    """The patches centred and scaled per channel, in place, as rows (num_patches, -1)."""
    mean, std = statistics
    patches -= mean
    patches /= std
    return patches.reshape(len(patches), -1)


def image_sliced_wasserstein(
    real_images,
    fake_images,
    resolution_min=16,
    patches_per_image=64,
    patch_size=7,
    num_projections=512,
    seed=0,
    normalization="per_set",
    use_svd=False,
):
    """The sliced Wasserstein distance between patches of real and generated images at
    every level of their Laplacian pyramids: ProGAN's SWD (Karras et al. 2018,
    "Progressive Growing of GANs for Improved Quality, Stability, and Variation", section 5;
    ``tfgan.eval.sliced_wasserstein_distance`` in TF-GAN).

    For each level of ``laplacian_pyramid`` whose smaller side is still at least
    ``resolution_min`` pixels (``h``, ``ceil(h/2)``, ... for images h x w), it draws
    ``patches_per_image`` random ``patch_size x patch_size`` patches from every image (all
    channels), normalises the descriptors, and computes ``sliced_wasserstein_distance``
    with ``num_projections`` random directions between them. The band-pass levels compare
    the fine detail (edges, texture) at each scale, the last level the coarse structure.

    Normalisation (``normalization``). ``"per_set"`` (the default, ProGAN's
    ``finalize_descriptors``): each set's patches at each level - the real patches, the
    baseline's second draw, the generated patches - are centred and scaled per channel by
    their own mean and standard deviation over all patches and pixel positions of that set
    and level. It compares the shape of the patch distributions in units of each set's own
    spread, so a uniform change of a level's contrast (a generator whose fine detail is
    uniformly too weak) is normalised away. ``"real"``: all three sets are centred and
    scaled by the real patches' statistics, so such contrast changes count as well: with 3x3
    patches on 800 of the bundled digits, a Gaussian blur (sigma 0.7 pixel) scored 3.3x
    (8x8 band-pass level) and 4.8x (4x4 level) its per-set value, the baselines within 4%.
    Either way the result does not depend on the images' value range ([0, 255] or
    [-1, 1]); a constant channel is only centred. (TF-GAN instead normalises each patch by
    its own mean and deviation over all its entries, which also discards each patch's
    brightness and contrast.)

    Baseline (TF-GAN's ``distance_real``, confirmed in its source): the distance between
    the real patches and a second, independent draw of patches from the same real images,
    with the same directions. It is the level's noise floor from patch sampling alone; as
    both draws come from the same images it lies below the floor between two independent
    real sets, which is ``image_sliced_wasserstein(real_half_1, real_half_2)[k].fake``
    (compare models at equal image counts).

    Units and scale: a distance in standard deviations of the level's normalised
    descriptors (the SWD of two sets of unit-variance vectors); 0 for identical
    distributions, lower is better. ProGAN's tables report it multiplied by 10^3
    (``SWDx1e3``), from 16,384 images at 128 patches an image and 4 x 128 directions
    (TF-GAN's docstring: use 8,192 images for numbers comparable to the paper's). Values
    depend on the image and patch counts, so compare at equal settings.

    Directions (``use_svd``). By default each level projects on ``num_projections`` random
    unit directions. ``use_svd=True`` is TF-GAN's ``use_svd`` option (its
    ``_sliced_wasserstein_svd``, "a variant with possibly more accurate measure", not in
    ProGAN): each pair of descriptor sets is projected on the right singular vectors of
    the two sets stacked, all min(rows, descriptor size) of them (147 for 7x7 RGB
    patches), so the directions are the pair's principal axes (about the origin, not the
    mean) rather than random ones; the baseline pair and the generated pair each get
    their own. The result is deterministic given the patches, and ``num_projections`` is
    unused. The vectors are computed as the eigenvectors of the sum of the two sets' Gram
    matrices (the same vectors, without stacking the sets; the sign and, for repeated
    singular values, the basis of a vector are arbitrary, as in TF-GAN).

    Sizes: images may be any size and need not be square or powers of two (a side of s
    pixels becomes ceil(s/2) at the next level); the smaller side must be at least
    ``resolution_min``, and ``patch_size`` must fit the lowest level used. ProGAN's 16x16
    lowest level and 7x7 patches need images of at least 16x16; for 8x8 images (the
    bundled digits) pass ``resolution_min=8`` (one level, where 7x7 patches have only 2x2
    positions) or ``resolution_min=4, patch_size=3`` (levels 8x8 and 4x4).

    The random streams (patches of the real set, of the baseline, of the generated set, and
    the directions) are children of ``np.random.SeedSequence(seed)``, one set a level, so
    the result is deterministic for a seed; the baseline and the distance share a level's
    directions. Memory: the three sets' descriptors of one level at a time, each n x
    patches_per_image x patch_size^2 x channels float64 values (300 MB a set for 4,096 RGB
    images at the defaults), plus the pyramids of both image sets. Time: the sorts of the
    projections dominate; two sets of 500 32x32 RGB images at the defaults took 8 s on 2
    busy cores, and it grows a little faster than the number of images.

    Args:
      real_images, fake_images: arrays (n, h, w, c) and (m, h, w, c) of the same height,
        width and channels (any real dtype; counts may differ).
      resolution_min: the smallest level side to compare (ProGAN's and TF-GAN's 16).
      patches_per_image: patches drawn from each image at each level (TF-GAN's 64;
        ProGAN's 128).
      patch_size: the side of the square patches (ProGAN's 7; any size that fits).
      num_projections: random directions per level (ProGAN's 4 x 128 = 512).
      seed: the seed of the patch positions and the directions.
      normalization: ``"per_set"`` (ProGAN's, each set by its own per-channel statistics)
        or ``"real"`` (all sets by the real patches' statistics).
      use_svd: project on the right singular vectors of each pair of sets instead of
        random directions (TF-GAN's ``use_svd=True``).

    Returns:
      list of ``LevelDistance(real, fake)`` namedtuples of floats, one a level, highest
      resolution first; each unpacks as TF-GAN's ``(distance_real, distance_fake)``.
    """
    real = _images(real_images, "real_images")
    fake = _images(fake_images, "fake_images")
    if real.shape[1:] != fake.shape[1:]:
        raise ValueError(
            f"real_images are {real.shape[1]}x{real.shape[2]} with {real.shape[3]} channel(s) "
            f"but fake_images are {fake.shape[1]}x{fake.shape[2]} with {fake.shape[3]}; "
            "resize or convert one set so both have the same (height, width, channels)."
        )
    resolution_min = checks.integer(
        resolution_min, "resolution_min", hint=" (the smallest pyramid level side to compare)"
    )
    patches_per_image = checks.integer(patches_per_image, "patches_per_image")
    patch_size = checks.integer(patch_size, "patch_size", hint=" (a patch side in pixels)")
    num_projections = checks.integer(
        num_projections, "num_projections", hint=" (the number of random directions)"
    )
    seed = checks.integer(seed, "seed", minimum=0)
    if not isinstance(use_svd, (bool, np.bool_)):
        raise ValueError(f"use_svd must be True or False, got {use_svd!r}.")
    if normalization not in _NORMALIZATIONS:
        raise ValueError(
            f"normalization must be one of {', '.join(map(repr, _NORMALIZATIONS))}, got "
            f"{normalization!r}: 'per_set' scales each set by its own statistics (ProGAN), "
            "'real' scales all sets by the real patches' statistics."
        )
    _, height, width, channels = real.shape
    if min(height, width) < resolution_min:
        raise ValueError(
            f"the images are {height}x{width}, smaller than resolution_min={resolution_min}; "
            f"pass resolution_min <= {min(height, width)} (for 8x8 digits resolution_min=8, "
            "or resolution_min=4 with patch_size=3)."
        )
    sizes = [(height, width)]
    while min(sizes[-1]) >= 2 and min((s + 1) // 2 for s in sizes[-1]) >= resolution_min:
        sizes.append(tuple((s + 1) // 2 for s in sizes[-1]))
    lowest = min(sizes[-1])
    if patch_size > lowest:
        raise ValueError(
            f"patch_size={patch_size} does not fit the lowest pyramid level, "
            f"{sizes[-1][0]}x{sizes[-1][1]} (images {height}x{width}, resolution_min="
            f"{resolution_min}); pass patch_size <= {lowest} or a larger resolution_min."
        )
    for name, images in (("real_images", real), ("fake_images", fake)):
        if len(images) * patches_per_image < 2:
            raise ValueError(
                f"{name} has {len(images)} image(s) and patches_per_image="
                f"{patches_per_image}: fewer than 2 patches a level; pass more images or "
                "raise patches_per_image."
            )
    streams = np.random.SeedSequence(seed).spawn(len(sizes))
    real_pyramid = laplacian_pyramid(real, len(sizes))
    fake_pyramid = laplacian_pyramid(fake, len(sizes))
    results = []
    for stream, real_level, fake_level in zip(streams, real_pyramid, fake_pyramid, strict=True):
        rng_real, rng_base, rng_fake, rng_dirs = (np.random.default_rng(s) for s in stream.spawn(4))
        sets = [
            _patches(real_level, patches_per_image, patch_size, rng_real),
            _patches(real_level, patches_per_image, patch_size, rng_base),
            _patches(fake_level, patches_per_image, patch_size, rng_fake),
        ]
        if normalization == "real":
            statistics = [_statistics(sets[0])] * 3
        else:
            statistics = [_statistics(p) for p in sets]
        a, base, b = (_descriptors(p, st) for p, st in zip(sets, statistics, strict=True))
        del sets
        if use_svd:
            real_distance = _swd(a, [base], _svd_directions(a, base))[0]
            fake_distance = _swd(a, [b], _svd_directions(a, b))[0]
            results.append(LevelDistance(real_distance, fake_distance))
            continue
        directions = _random_directions(rng_dirs, num_projections, patch_size**2 * channels)
        results.append(LevelDistance(*_swd(a, [base, b], directions)))
    return results
