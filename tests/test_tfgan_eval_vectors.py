"""TF-GAN's own evaluation test vectors, run against tfgan_lite.eval.

Source: the repository tensorflow/gan (TF-GAN 2.x), files
``tensorflow_gan/python/eval/classifier_metrics_test.py`` (``InceptionScoreTest.
test_inception_score_value``; ``FIDTest.test_mean_only_frechet_classifier_distance_value``,
``test_diagonal_only_frechet_classifier_distance_value``,
``test_frechet_classifier_distance_value``, ``test_frechet_classifier_distance_covariance``,
``test_kernel_classifier_distance_value``, ``test_kernel_classifier_distance_block_sizes``;
``UtilsTest.test_trace_sqrt_product_value``) and
``tensorflow_gan/python/eval/sliced_wasserstein_test.py`` (``test_laplacian_pyramid``,
``test_sliced_wasserstein_distance``, ``test_sliced_wasserstein_distance_svd``,
``test_swd_mismatched``, ``test_swd_not_rgb``).

Each case keeps TF-GAN's inputs (``np.random.seed(0)`` then ``np.random.randn`` draws in
TF-GAN's order, cast to float32; here from ``np.random.RandomState(0)``, the same stream),
TF-GAN's tolerance (``assertAllClose(expected, actual, rtol)``: |expected - actual| <=
1e-6 + rtol |actual|, ``np.testing.assert_allclose`` with the same roles) and its expected
numbers: fixed ones where TF-GAN writes them down (the sliced Wasserstein distances, whose
inputs are unseeded random images in TF-GAN, so drawn here from a seeded generator), and
otherwise the value of TF-GAN's NumPy reference formula for the case, written out again
below (``expected_*``). TF-GAN itself is not imported (it fails on TensorFlow 2.16+).

Where tfgan_lite's default convention differs, the case passes the argument that gives
TF-GAN's number and a second assertion shows the default's difference:

* classifier score: ``splits=1`` (TF-GAN scores all samples at once; the default 10 splits
  need at least 10 samples, and TF-GAN's vector has 2);
* diagonal-only Frechet distance: ``ddof=0`` (TF-GAN's diagonal-only variant divides the
  variances by n, its full FID by n - 1; tfgan_lite uses n - 1 for both by default).

Two of TF-GAN's checks are refusals tfgan_lite does not make, by design:
``sliced_wasserstein_distance`` with 255 real and 256 fake images, and with 1 channel,
both computed here (the 1-D distances are exact for unequal set sizes; any channel count
works).
"""

import math

import numpy as np
import pytest
from scipy import linalg, ndimage, special

from tfgan_lite.eval import frechet, kernel
from tfgan_lite.eval import sliced_wasserstein as sw
from tfgan_lite.eval.inception_score import classifier_score

# ----------------------------------------------------------- TF-GAN's reference formulas


def expected_inception_score(logits):
    """exp of the mean over samples of KL(softmax(logits) || mean softmax)."""
    p = special.softmax(logits.astype(np.float64), axis=1)
    marginal = p.mean(axis=0, keepdims=True)
    return math.exp(np.mean(np.sum(p * (np.log(p) - np.log(marginal)), axis=1)))


def expected_mean_only_fid(real, gen):
    return float(np.sum((real.mean(0) - gen.mean(0)) ** 2))


def expected_diagonal_only_fid(real, gen):
    """Means and the biased (divide by n) variances, as TF-GAN's reference and op."""
    var_r, var_g = real.var(0), gen.var(0)
    trace = np.sum(var_r + var_g - 2 * np.sqrt(var_r * var_g))
    return expected_mean_only_fid(real, gen) + float(trace)


def expected_fid(real, gen):
    """np.cov covariances (n - 1) and scipy.linalg.sqrtm of their product."""
    s_r, s_g = np.cov(real, rowvar=False), np.cov(gen, rowvar=False)
    root = linalg.sqrtm(s_r @ s_g)
    return expected_mean_only_fid(real, gen) + float(np.real(np.trace(s_r + s_g - 2 * root)))


def expected_kid_and_std(real, gen, max_block_size=1024):
    """TF-GAN's block estimator: ceil(max(n_r, n_g) / max_block_size) blocks a set, each
    set split on its own with the remainder given to the last blocks; the unbiased MMD^2
    with (x . y / d + 1)^3 per block; the mean and sqrt(var_ddof1 / blocks), NaN for 1."""
    d = real.shape[1]
    blocks = int(np.ceil(max(len(real), len(gen)) / max_block_size))

    def edges(n):
        sizes = np.full(blocks, n // blocks)
        remainder = n - blocks * (n // blocks)
        if remainder:
            sizes[-remainder:] += 1
        return np.concatenate([[0], np.cumsum(sizes)])

    e_r, e_g = edges(len(real)), edges(len(gen))
    estimates = []
    for i in range(blocks):
        r, g = real[e_r[i] : e_r[i + 1]], gen[e_g[i] : e_g[i + 1]]
        k_rr = (r @ r.T / d + 1) ** 3
        k_gg = (g @ g.T / d + 1) ** 3
        k_rg = (r @ g.T / d + 1) ** 3
        upper_r, upper_g = np.triu_indices_from(k_rr, k=1), np.triu_indices_from(k_gg, k=1)
        estimates.append(k_rr[upper_r].mean() + k_gg[upper_g].mean() - 2 * k_rg.mean())
    variance = np.var(estimates, ddof=1) if blocks > 1 else np.nan
    return float(np.mean(estimates)), float(np.sqrt(variance / blocks))


def assert_tfgan_close(expected, actual, rtol=1e-6):
    """TF's ``assertAllClose(expected, actual, rtol)``: atol 1e-6, NaN equal to NaN."""
    np.testing.assert_allclose(expected, actual, rtol=rtol, atol=1e-6, equal_nan=True)


def randn32(rng, *shape):
    return np.float32(rng.randn(*shape))


# ------------------------------------------------------------------ classifier_metrics_test


def test_inception_score_value():
    # InceptionScoreTest.test_inception_score_value: 2 samples of 1,001 logits.
    logits = np.array([np.array([1, 2] * 500 + [4]), np.array([4, 5] * 500 + [6])])
    expected = expected_inception_score(logits)
    got = classifier_score(logits, from_logits=True, splits=1)
    assert_tfgan_close(expected, got["mean"])
    assert got["std"] == 0.0
    with pytest.raises(ValueError, match="splits=10"):  # the default needs 10 samples
        classifier_score(logits, from_logits=True)


def test_mean_only_frechet_classifier_distance_value():
    rng = np.random.RandomState(0)
    real, gen = randn32(rng, 256, 2048), randn32(rng, 256, 2048)
    got = frechet.frechet_distance(real, gen, mean_only=True)
    assert_tfgan_close(expected_mean_only_fid(real, gen), got, rtol=1e-4)


def test_diagonal_only_frechet_classifier_distance_value():
    rng = np.random.RandomState(0)
    real, gen = randn32(rng, 256, 2048), randn32(rng, 256, 2048)
    expected = expected_diagonal_only_fid(real, gen)
    got = frechet.frechet_distance(real, gen, diagonal_only=True, ddof=0)
    assert_tfgan_close(expected, got, rtol=1e-4)
    # tfgan_lite's default, unbiased variances: the variance term is 256/255 of TF-GAN's.
    unbiased = frechet.frechet_distance(real, gen, diagonal_only=True)
    mean_term = expected_mean_only_fid(real, gen)
    assert unbiased - mean_term == pytest.approx((expected - mean_term) * 256 / 255, rel=1e-6)
    assert abs(unbiased - expected) > 1e-4 * abs(unbiased)


def test_frechet_classifier_distance_value():
    rng = np.random.RandomState(0)
    real, gen = randn32(rng, 512, 256), randn32(rng, 512, 256)
    assert_tfgan_close(expected_fid(real, gen), frechet.frechet_distance(real, gen), rtol=1e-4)


def test_frechet_classifier_distance_covariance():
    # The FID grows with the scale of the two (independent, equally scaled) sets.
    rng = np.random.RandomState(0)
    pairs = []
    for scale in range(1, 11, 2):
        real = np.float32(rng.randn(2048, 256) * scale)
        gen = np.float32(rng.randn(2048, 256) * scale)
        pairs.append((real, gen))
    fids = [frechet.frechet_distance(real, gen) for real, gen in pairs]
    assert all(a < b for a, b in zip(fids, fids[1:], strict=False))


def test_kernel_classifier_distance_value():
    # One block (512 samples, max_block_size=600; the reference's 1024): the std is NaN.
    rng = np.random.RandomState(0)
    real = randn32(rng, 512, 256)
    gen = np.float32(rng.randn(512, 256) * 1.1 + 0.05)
    expected_kid, expected_std = expected_kid_and_std(real, gen)
    got = kernel.kernel_distance(real, gen, max_block_size=600, return_std=True)
    assert_tfgan_close(expected_kid, got["mean"], rtol=0.001)
    assert_tfgan_close(expected_std, got["std"], rtol=0.001)
    assert math.isnan(got["std"])


@pytest.mark.parametrize("block_size", [50, 512, 1000])
def test_kernel_classifier_distance_block_sizes(block_size):
    # 512 real against 768 generated samples: every sample of both sets is used.
    rng = np.random.RandomState(0)
    real = randn32(rng, 512, 256)
    gen = np.float32(rng.randn(768, 256) * 1.1 + 0.05)
    expected_kid, expected_std = expected_kid_and_std(real, gen, max_block_size=block_size)
    got = kernel.kernel_distance(real, gen, max_block_size=block_size, return_std=True)
    assert_tfgan_close(expected_kid, got["mean"], rtol=0.001)
    assert_tfgan_close(expected_std, got["std"], rtol=0.001)


def test_trace_sqrt_product_value():
    # Tr (S_r S_g)^(1/2): tfgan_lite's symmetric-eigenvalue form against SciPy's sqrtm.
    rng = np.random.RandomState(0)
    real, gen = randn32(rng, 512, 256), randn32(rng, 512, 256)
    cov_real, cov_gen = np.cov(real, rowvar=False), np.cov(gen, rowvar=False)
    expected = np.trace(linalg.sqrtm(cov_real @ cov_gen))
    assert_tfgan_close(frechet._trace_sqrt_product(cov_real, cov_gen), np.real(expected), 0.01)


# ------------------------------------------------------------------ sliced_wasserstein_test


def progan_pyramid(minibatch, num_levels):
    """ProGAN's NumPy pyramid on NCHW float32 images (TF-GAN's reference): the 5x5 binomial
    filter by ``ndimage.convolve`` with mirrored borders, float32 throughout."""
    row = np.float32([1, 4, 6, 4, 1])
    kernel2d = (np.outer(row, row) / 256.0).astype(np.float32)[None, None]

    def down(x):
        return ndimage.convolve(x, kernel2d, mode="mirror")[:, :, ::2, ::2]

    def up(x):
        grid = np.zeros((x.shape[0], x.shape[1], 2 * x.shape[2], 2 * x.shape[3]), x.dtype)
        grid[:, :, ::2, ::2] = x
        return ndimage.convolve(grid, kernel2d * 4.0, mode="mirror")

    pyramid = [minibatch.astype("f").copy()]
    for _ in range(1, num_levels):
        pyramid.append(down(pyramid[-1]))
        pyramid[-2] -= up(pyramid[-1])
    return pyramid


def test_laplacian_pyramid():
    data = np.random.RandomState(0).normal(size=[256, 3, 32, 32]).astype("f")
    expected = progan_pyramid(data, 3)
    got = sw.laplacian_pyramid(data.transpose(0, 2, 3, 1), 3)
    for level in range(3):
        assert_tfgan_close(expected[level].transpose(0, 2, 3, 1), got[level], rtol=1e-6)


@pytest.fixture(scope="module")
def uniform_and_normal_images():
    # TF-GAN's tf.random_uniform([256, 32, 32, 3]) and tf.random_normal([256, 32, 32, 3]).
    rng = np.random.default_rng(0)
    return rng.uniform(size=(256, 32, 32, 3)), rng.normal(size=(256, 32, 32, 3))


def test_sliced_wasserstein_distance(uniform_and_normal_images):
    real, fake = uniform_and_normal_images
    levels = sw.image_sliced_wasserstein(real, fake)  # 32x32 and 16x16, as TF-GAN's
    assert len(levels) == 2
    assert_tfgan_close(np.array([0.014, 0.014]), [lv.real for lv in levels], rtol=0.15)
    assert_tfgan_close(np.array([0.014, 0.020]), [lv.fake for lv in levels], rtol=0.15)


def test_sliced_wasserstein_distance_svd(uniform_and_normal_images):
    real, fake = uniform_and_normal_images
    levels = sw.image_sliced_wasserstein(real, fake, use_svd=True)
    assert len(levels) == 2
    assert_tfgan_close(np.array([0.013, 0.013]), [lv.real for lv in levels], rtol=0.15)
    assert_tfgan_close(np.array([0.014, 0.019]), [lv.fake for lv in levels], rtol=0.15)


def test_swd_mismatched():
    rng = np.random.default_rng(1)
    d1 = rng.uniform(size=(16, 32, 32, 3))
    for other in (rng.normal(size=(16, 32, 31, 3)), rng.normal(size=(16, 31, 32, 3))):
        with pytest.raises(ValueError, match="same"):
            sw.image_sliced_wasserstein(d1, other)
    # TF-GAN refuses sets of different sizes (its 1-D distance pairs sorted projections);
    # tfgan_lite's 1-D distances are exact for any sizes: 15 images against 16 work.
    levels = sw.image_sliced_wasserstein(d1[:15], rng.normal(size=(16, 32, 32, 3)))
    assert len(levels) == 2 and all(lv.fake > 0 for lv in levels)


def test_swd_not_rgb():
    # TF-GAN takes RGB only; tfgan_lite takes any number of channels.
    rng = np.random.default_rng(2)
    d1, d2 = rng.uniform(size=(16, 32, 32, 1)), rng.normal(size=(16, 32, 32, 1))
    levels = sw.image_sliced_wasserstein(d1, d2, patches_per_image=8)
    assert len(levels) == 2 and all(lv.fake > 0 for lv in levels)
