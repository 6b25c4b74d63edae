"""tfgan_lite.eval.sliced_wasserstein against references written here, independently of the
module.

The distance against SciPy's 1-D Wasserstein distance, a loop over directions with explicit
sorts, and the closed form of a shift; the pyramid against ProGAN's 2-D convolution and its
own inverse; the image metric on the bundled 8x8 digits and on synthetic 32x32 images.
"""

import math

import numpy as np
import pytest
from scipy import ndimage, special, stats
from sklearn.datasets import load_digits

from tfgan_lite import eval as tfgan_eval
from tfgan_lite.eval import sliced_wasserstein as sw

swd = sw.sliced_wasserstein_distance

# ---------------------------------------------------------------------------- references


def ref_swd(a, b, directions):
    """Mean over directions of the 1-D W1: equal sizes by sorted differences in a loop,
    unequal sizes by scipy.stats.wasserstein_distance on the projections."""
    total = 0.0
    for theta in directions:
        theta = theta / math.sqrt(sum(t * t for t in theta))
        pa = sorted(float(np.dot(row, theta)) for row in a)
        pb = sorted(float(np.dot(row, theta)) for row in b)
        if len(pa) == len(pb):
            total += sum(abs(x - y) for x, y in zip(pa, pb, strict=True)) / len(pa)
        else:
            total += stats.wasserstein_distance(pa, pb)
    return total / len(directions)


def ref_blur(images):
    """ProGAN's filter: the 5x5 binomial kernel in one 2-D convolution, mirrored borders."""
    row = np.array([1.0, 4.0, 6.0, 4.0, 1.0])
    kernel = np.outer(row, row) / 256.0
    return ndimage.convolve(images, kernel[None, :, :, None], mode="mirror")


def ref_pyramid(images, levels):
    """ProGAN's generate_laplacian_pyramid (even sizes), written with ref_blur."""
    pyramid = [images.astype(np.float64)]
    for _ in range(1, levels):
        coarse = ref_blur(pyramid[-1])[:, ::2, ::2]
        up = np.zeros_like(pyramid[-1])
        up[:, ::2, ::2] = coarse
        pyramid[-1] = pyramid[-1] - 4.0 * ref_blur(up)
        pyramid.append(coarse)
    return pyramid


def mean_abs_projection(d):
    """E |theta . u| for theta uniform on the unit sphere of R^d and |u| = 1."""
    return math.exp(special.gammaln(d / 2) - special.gammaln((d + 1) / 2)) / math.sqrt(math.pi)


@pytest.fixture(scope="module")
def digits():
    """The bundled 8x8 digits in [-1, 1], (1797, 8, 8, 1), shuffled once."""
    images = load_digits().images[:, :, :, None] / 8.0 - 1.0
    return images[np.random.default_rng(0).permutation(len(images))]


def squares(rng, n, size=32, channels=3):
    """Images of random axis-aligned rectangles of random colours: sharp edges at all
    scales, so a blur changes every pyramid level."""
    images = np.zeros((n, size, size, channels))
    for image in images:
        for _ in range(4):
            top, left = rng.integers(0, size - 4, size=2)
            height, width = rng.integers(3, size // 2, size=2)
            image[top : top + height, left : left + width] = rng.uniform(-1, 1, channels)
    return images + 0.02 * rng.standard_normal(images.shape)


# ---------------------------------------------------------------------- the distance


@pytest.mark.parametrize("n, m", [(7, 11), (50, 23), (40, 41)])
def test_one_dimension_equals_scipy(n, m):
    rng = np.random.default_rng(n)
    a = rng.normal(0.0, 1.0, size=(n, 1))
    b = rng.exponential(2.0, size=(m, 1))
    expected = stats.wasserstein_distance(a[:, 0], b[:, 0])
    assert swd(a, b, num_projections=5) == pytest.approx(expected, rel=1e-12, abs=1e-14)


def test_one_dimension_with_ties_equals_scipy():
    rng = np.random.default_rng(3)
    a = rng.integers(0, 4, size=(30, 1)).astype(float)
    b = rng.integers(1, 6, size=(17, 1)).astype(float)
    expected = stats.wasserstein_distance(a[:, 0], b[:, 0])
    assert swd(a, b, num_projections=1) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("n, m", [(40, 40), (40, 25)])
def test_matches_loop_reference_for_given_directions(n, m):
    rng = np.random.default_rng(7)
    a = rng.normal(size=(n, 6))
    b = rng.standard_t(3, size=(m, 6)) + 0.3
    directions = rng.normal(size=(9, 6)) * rng.uniform(0.5, 3.0, size=(9, 1))  # not unit
    got = swd(a, b, directions=directions)
    assert got == pytest.approx(ref_swd(a, b, directions), rel=1e-12)


def test_random_directions_are_those_of_the_seed():
    """The seed's directions are normalised Gaussian rows of default_rng(seed)."""
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(20, 4)), rng.normal(size=(25, 4)) * 2
    directions = np.random.default_rng(5).standard_normal((16, 4))
    assert swd(a, b, num_projections=16, seed=5) == pytest.approx(
        ref_swd(a, b, directions), rel=1e-12
    )


def test_repeated_rows_give_the_same_distance():
    """a with every row twice is the same empirical distribution: the unequal-size path
    (2n against n) agrees with the equal-size one."""
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(30, 5)), rng.normal(1.0, 1.5, size=(30, 5))
    doubled = np.repeat(a, 2, axis=0)
    assert swd(doubled, b, seed=4) == pytest.approx(swd(a, b, seed=4), rel=1e-12)


@pytest.mark.parametrize("d", [2, 5])
def test_shift_has_the_closed_form(d):
    """b = a + mu: every projection is shifted by theta . mu, so SWD = mean |theta . mu|,
    which tends to |mu| E|theta_1| (2|mu|/pi for d = 2)."""
    rng = np.random.default_rng(d)
    a = rng.normal(size=(200, d))
    mu = rng.normal(size=d)
    mu *= 1.7 / np.linalg.norm(mu)
    expected = 1.7 * mean_abs_projection(d)
    if d == 2:
        assert expected == pytest.approx(2 * 1.7 / math.pi, rel=1e-12)
    got = swd(a, a + mu, num_projections=20_000, seed=0)
    # Monte-Carlo standard error: 1.7 * sqrt(Var|theta_1|) / sqrt(20000) < 0.4% of expected.
    assert got == pytest.approx(expected, rel=0.015)


def test_identical_symmetric_and_order_invariant():
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(60, 8)), rng.normal(0.5, 1.0, size=(45, 8))
    assert swd(a, a) == 0.0
    assert swd(a, a[rng.permutation(60)]) == 0.0
    assert swd(a, b) > 0.1
    assert swd(a, b, seed=3) == pytest.approx(swd(b, a, seed=3), rel=1e-12)
    assert swd(a[::-1], b[rng.permutation(45)]) == pytest.approx(swd(a, b), rel=1e-12)
    assert swd(3.0 * a, 3.0 * b) == pytest.approx(3.0 * swd(a, b), rel=1e-12)


def test_deterministic_for_a_seed():
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=(50, 10)), rng.normal(size=(50, 10)) + 0.2
    assert swd(a, b, num_projections=64, seed=11) == swd(a, b, num_projections=64, seed=11)
    assert swd(a, b, num_projections=64, seed=11) != swd(a, b, num_projections=64, seed=12)


def test_blocks_of_directions_do_not_change_the_result(monkeypatch):
    rng = np.random.default_rng(6)
    a, b = rng.normal(size=(30, 4)), rng.normal(size=(20, 4))
    whole = swd(a, b, num_projections=100)
    monkeypatch.setattr(sw, "_CHUNK_ELEMENTS", 7 * 50)  # blocks of 7 directions
    assert swd(a, b, num_projections=100) == pytest.approx(whole, rel=1e-12)


@pytest.mark.parametrize(
    "a, b, kwargs, match",
    [
        (np.zeros(5), np.zeros((5, 1)), {}, "features_a must be a 2-D array"),
        (np.zeros((5, 2)), np.zeros((5, 3)), {}, "features_a has 2 features .* features_b has 3"),
        (np.zeros((1, 2)), np.zeros((5, 2)), {}, "features_a has 1 samples .* at least 2"),
        (np.zeros((5, 2)), np.zeros((1, 2)), {}, "features_b has 1 samples .* at least 2"),
        (np.full((5, 2), np.nan), np.zeros((5, 2)), {}, "features_a contains NaN or infinite"),
        (np.zeros((5, 2)), np.full((5, 2), np.inf), {}, "features_b contains NaN or infinite"),
        (np.zeros((5, 2)), np.zeros((5, 2)), {"num_projections": 0}, "num_projections must be"),
        (np.zeros((5, 2)), np.zeros((5, 2)), {"num_projections": 2.5}, "num_projections must"),
        (np.zeros((5, 2)), np.zeros((5, 2)), {"seed": -1}, "seed must be an integer >= 0"),
        (np.zeros((5, 2)), np.zeros((5, 2)), {"directions": np.ones((3, 4))}, r"shape \(num_"),
        (
            np.zeros((5, 2)),
            np.zeros((5, 2)),
            {"directions": np.zeros((2, 2))},
            "row\\(s\\) of zeros",
        ),
        (
            np.zeros((5, 2)),
            np.zeros((5, 2)),
            {"directions": np.full((1, 2), np.nan)},
            "directions contains NaN",
        ),
    ],
)
def test_distance_bad_inputs(a, b, kwargs, match):
    with pytest.raises(ValueError, match=match):
        swd(a, b, **kwargs)


# ----------------------------------------------------------------------- the pyramid


@pytest.mark.parametrize("shape, levels", [((3, 16, 16, 2), 4), ((2, 13, 10, 1), 4)])
def test_pyramid_reconstructs_the_images(shape, levels):
    images = np.random.default_rng(0).normal(size=shape)
    pyramid = sw.laplacian_pyramid(images, levels)
    np.testing.assert_allclose(sw._reconstruct(pyramid), images, rtol=0, atol=1e-12)


def test_pyramid_reconstruction_written_out():
    """The inverse written here: upsample by zeros and the 2-D filter (gain 4), add back."""
    images = np.random.default_rng(1).normal(size=(2, 16, 8, 3))
    pyramid = sw.laplacian_pyramid(images, 3)
    out = pyramid[-1]
    for level in pyramid[-2::-1]:
        up = np.zeros_like(level)
        up[:, ::2, ::2] = out
        out = 4.0 * ref_blur(up) + level
    np.testing.assert_allclose(out, images, rtol=0, atol=1e-12)


def test_pyramid_matches_progan_for_even_sizes():
    images = np.random.default_rng(2).uniform(0, 255, size=(2, 32, 16, 3))
    got = sw.laplacian_pyramid(images, 4)
    expected = ref_pyramid(images, 4)
    for level, ref in zip(got, expected, strict=True):
        np.testing.assert_allclose(level, ref, rtol=0, atol=1e-9)


@pytest.mark.parametrize(
    "size, shapes",
    [
        ((32, 32), [(32, 32), (16, 16), (8, 8), (4, 4)]),
        ((28, 20), [(28, 20), (14, 10), (7, 5), (4, 3)]),
        ((8, 8), [(8, 8), (4, 4), (2, 2), (1, 1)]),
    ],
)
def test_pyramid_shapes(size, shapes):
    images = np.ones((2, *size, 3), dtype=np.uint8)
    pyramid = sw.laplacian_pyramid(images, len(shapes))
    assert [level.shape for level in pyramid] == [(2, h, w, 3) for h, w in shapes]
    assert all(level.dtype == np.float64 for level in pyramid)
    assert len(sw.laplacian_pyramid(images, 1)) == 1


@pytest.mark.parametrize("size", [(16, 16), (13, 7), (2, 3)])
def test_filters_keep_a_constant_image_constant(size):
    constant = np.full((1, *size, 2), 3.25)
    np.testing.assert_allclose(sw._blur(constant), constant, rtol=0, atol=1e-12)
    np.testing.assert_allclose(sw._pyr_down(constant), 3.25, rtol=0, atol=1e-12)
    coarse = np.full((1, (size[0] + 1) // 2, (size[1] + 1) // 2, 2), 3.25)
    np.testing.assert_allclose(sw._pyr_up(coarse, *size), constant, rtol=0, atol=1e-12)
    pyramid = sw.laplacian_pyramid(constant, 2)
    np.testing.assert_allclose(pyramid[0], 0.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(pyramid[1], 3.25, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "images, levels, match",
    [
        (np.zeros((2, 8, 8)), 2, r"4-D array .* add a channel axis: images\[..., None\]"),
        (np.zeros((2, 8, 8, 1)), 5, "levels=5 halves 8x8 images below 1 pixel.*levels <= 4"),
        (np.zeros((2, 8, 8, 1)), 0, "levels must be a positive integer"),
        (np.full((2, 8, 8, 1), np.nan), 2, "images contains NaN or infinite"),
        (np.zeros((0, 8, 8, 1)), 2, "empty axis"),
    ],
)
def test_pyramid_bad_inputs(images, levels, match):
    with pytest.raises(ValueError, match=match):
        sw.laplacian_pyramid(images, levels)


# --------------------------------------------------------------------- image metric

# Settings small enough for a test: 32 patches an image, 128 directions.
FAST = {"patches_per_image": 32, "num_projections": 128}


def test_digits_identical_halves_and_blur(digits):
    """8x8 digits, levels 8x8 and 4x4 with 3x3 patches: identical sets stay near the
    patch-sampling baseline, two halves of the digits are further apart, and a blurred
    copy further still on the fine level (and on both with real-statistics scaling)."""
    real, other = digits[:300], digits[300:600]
    blurred = ndimage.gaussian_filter(real, (0, 0.7, 0.7, 0))
    settings = {"resolution_min": 4, "patch_size": 3, **FAST}
    same = sw.image_sliced_wasserstein(real, real, **settings)
    halves = sw.image_sliced_wasserstein(real, other, **settings)
    blur = sw.image_sliced_wasserstein(real, blurred, **settings)
    assert len(same) == len(halves) == len(blur) == 2
    for level in range(2):
        # The baseline depends on the real set only, so it is the same in every call.
        assert same[level].real == halves[level].real == blur[level].real
        # Identical sets: another draw of patches, so about the baseline, not exactly 0;
        # and the baseline is such a draw too (not the real patches again, which give 0).
        assert 0.5 * same[level].fake < same[level].real < 1.5 * same[level].fake
        assert same[level].fake < halves[level].fake
    assert blur[0].fake > 3 * halves[0].fake
    real_scaled = {"normalization": "real", **settings}
    halves_r = sw.image_sliced_wasserstein(real, other, **real_scaled)
    blur_r = sw.image_sliced_wasserstein(real, blurred, **real_scaled)
    for level in range(2):
        assert blur_r[level].fake > 2 * halves_r[level].fake
        assert blur_r[level].fake > blur[level].fake


def test_digits_one_level_with_progan_patches(digits):
    real, blurred = digits[:200], ndimage.gaussian_filter(digits[:200], (0, 0.7, 0.7, 0))
    (level,) = sw.image_sliced_wasserstein(real, blurred, resolution_min=8, **FAST)
    distance_real, distance_fake = level  # unpacks like TF-GAN's tuple
    assert isinstance(level, sw.LevelDistance) and isinstance(distance_fake, float)
    assert distance_fake > 5 * distance_real


def test_32x32_levels_and_blur():
    """On the 32x32 band-pass level a blurred copy is further from the real images than
    other real images are; scaling by the real statistics shows the lost contrast too.
    (On the 16x16 Gaussian level a blurred copy of the same 60 images is closer to them
    than 60 other images: the blur hardly changes the coarse structure.)"""
    rng = np.random.default_rng(0)
    real, other = squares(rng, 60), squares(rng, 60)
    blurred = ndimage.gaussian_filter(real, (0, 1.5, 1.5, 0))
    halves = sw.image_sliced_wasserstein(real, other, **FAST)
    blur = sw.image_sliced_wasserstein(real, blurred, **FAST)
    assert len(halves) == len(blur) == 2  # 32x32 and 16x16
    assert blur[0].fake > 1.5 * halves[0].fake
    assert blur[0].fake > 1.5 * blur[0].real
    halves_r = sw.image_sliced_wasserstein(real, other, normalization="real", **FAST)
    blur_r = sw.image_sliced_wasserstein(real, blurred, normalization="real", **FAST)
    assert blur_r[0].fake > 4 * halves_r[0].fake
    assert blur_r[0].fake > 4 * blur[0].fake
    assert len(sw.image_sliced_wasserstein(real, other, resolution_min=8, **FAST)) == 3


def test_image_metric_is_deterministic_and_range_free():
    rng = np.random.default_rng(1)
    real, fake = squares(rng, 12, size=16, channels=1), squares(rng, 9, size=16, channels=1)
    first = sw.image_sliced_wasserstein(real, fake, **FAST)
    assert first == sw.image_sliced_wasserstein(real, fake, **FAST)
    assert first != sw.image_sliced_wasserstein(real, fake, seed=1, **FAST)
    # Scaling and shifting the pixel values is normalised away (both normalisations).
    for normalization in ("per_set", "real"):
        a = sw.image_sliced_wasserstein(real, fake, normalization=normalization, **FAST)
        b = sw.image_sliced_wasserstein(
            127.5 * real + 127.5, 127.5 * fake + 127.5, normalization=normalization, **FAST
        )
        np.testing.assert_allclose(np.array(a), np.array(b), rtol=1e-9)


def test_odd_sizes_and_level_count():
    rng = np.random.default_rng(2)
    real, fake = rng.normal(size=(4, 28, 28, 1)), rng.normal(size=(5, 28, 28, 1))
    # 28, 14, 7: three levels down to resolution_min=7 (TF-GAN's powers of two give one).
    assert len(sw.image_sliced_wasserstein(real, fake, resolution_min=7, **FAST)) == 3
    assert len(sw.image_sliced_wasserstein(real, fake, resolution_min=14, **FAST)) == 2
    constant = np.full((3, 16, 16, 1), 0.5)
    result = sw.image_sliced_wasserstein(constant, constant, patch_size=5, **FAST)
    assert all(level == (0.0, 0.0) for level in result)


@pytest.mark.parametrize(("n", "m", "d"), [(30, 40, 6), (2, 2, 7)])
def test_svd_directions_are_the_right_singular_vectors_of_the_stacked_sets(n, m, d):
    rng = np.random.default_rng(n)
    a, b = rng.normal(size=(n, d)) * np.arange(1, d + 1), rng.normal(size=(m, d))
    directions = sw._svd_directions(a, b)
    _, _, vt = np.linalg.svd(np.concatenate([a, b]), full_matrices=False)
    assert directions.shape == vt.shape == (min(n + m, d), d)
    # The same vectors up to sign, largest singular value first.
    np.testing.assert_allclose(np.abs(np.sum(directions * vt, axis=1)), 1.0, atol=1e-9)
    # The distance over them is that of the written-out reference on SciPy's vectors.
    got = swd(a, b, directions=directions)
    assert got == pytest.approx(ref_swd(a, b, vt), rel=1e-9)


def test_image_metric_with_svd_directions():
    rng = np.random.default_rng(3)
    real, other = squares(rng, 40), squares(rng, 40)
    blurred = ndimage.gaussian_filter(real, (0, 1.5, 1.5, 0))
    kwargs = {"patches_per_image": 16, "patch_size": 5}
    halves = sw.image_sliced_wasserstein(real, other, use_svd=True, **kwargs)
    blur = sw.image_sliced_wasserstein(real, blurred, use_svd=True, **kwargs)
    assert len(halves) == len(blur) == 2
    assert blur[0].fake > 1.5 * halves[0].fake
    # The directions come from the patches: num_projections is unused, and the baseline
    # (the same real patches) is the same for both.
    again = sw.image_sliced_wasserstein(real, blurred, use_svd=True, num_projections=3, **kwargs)
    assert again == blur
    assert [level.real for level in halves] == [level.real for level in blur]
    assert blur != sw.image_sliced_wasserstein(real, blurred, **kwargs)


def test_exported():
    for name in (
        "sliced_wasserstein_distance",
        "image_sliced_wasserstein",
        "laplacian_pyramid",
        "LevelDistance",
    ):
        assert name in tfgan_eval.__all__
        assert getattr(tfgan_eval, name) is getattr(sw, name)


IMAGES = np.zeros((2, 16, 16, 3))


@pytest.mark.parametrize(
    "real, fake, kwargs, match",
    [
        (np.zeros((2, 16, 16)), IMAGES, {}, r"real_images must be a 4-D array .*\[..., None\]"),
        (IMAGES, np.zeros((2, 16, 16, 1)), {}, "fake_images .* 1; resize or convert"),
        (IMAGES, np.zeros((2, 32, 32, 3)), {}, "real_images are 16x16 .* fake_images are 32x32"),
        (IMAGES, np.full((2, 16, 16, 3), np.nan), {}, "fake_images contains NaN or infinite"),
        (
            np.zeros((2, 8, 8, 1)),
            np.zeros((2, 8, 8, 1)),
            {},
            "8x8, smaller than resolution_min=16; pass resolution_min <= 8",
        ),
        (
            np.zeros((2, 8, 8, 1)),
            np.zeros((2, 8, 8, 1)),
            {"resolution_min": 4},
            "patch_size=7 does not fit the lowest pyramid level, 4x4 .* patch_size <= 4",
        ),
        (IMAGES, IMAGES, {"patch_size": 17}, "patch_size=17 does not fit .* patch_size <= 16"),
        (IMAGES[:1], IMAGES, {"patches_per_image": 1}, "real_images has 1 image.*fewer than 2"),
        (IMAGES, IMAGES, {"resolution_min": 0}, "resolution_min must be a positive integer"),
        (IMAGES, IMAGES, {"patch_size": 0}, "patch_size must be a positive integer"),
        (IMAGES, IMAGES, {"patches_per_image": 0}, "patches_per_image must be a positive"),
        (IMAGES, IMAGES, {"num_projections": 0}, "num_projections must be a positive"),
        (IMAGES, IMAGES, {"seed": -3}, "seed must be an integer >= 0"),
        (IMAGES, IMAGES, {"normalization": "patch"}, "normalization must be one of 'per_set'"),
        (IMAGES, IMAGES, {"use_svd": "yes"}, "use_svd must be True or False"),
    ],
)
def test_image_metric_bad_inputs(real, fake, kwargs, match):
    with pytest.raises(ValueError, match=match):
        sw.image_sliced_wasserstein(real, fake, **kwargs)
