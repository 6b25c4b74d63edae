"""The metrics on feature vectors (``tfgan_lite.eval``'s ``frechet``, ``kernel``, ``manifold``,
``inception_score`` and ``features``) against references written here, independently of them.

FID against the closed form for Gaussians and a symmetric-square-root SciPy computation;
KID against a double-loop unbiased MMD^2; precision/recall and density/coverage against
double loops over pairs; the classifier score against a loop over samples and classes.
"""

import math

import numpy as np
import pytest
from scipy import linalg
from scipy.spatial.distance import cdist

from tfgan_lite import eval as tfgan_eval
from tfgan_lite.eval import features, frechet, inception_score, kernel, manifold

# ---------------------------------------------------------------------------- references


def ref_fid(a, b):
    """||mu_a - mu_b||^2 + Tr S_a + Tr S_b - 2 Tr (S_a^1/2 S_b S_a^1/2)^1/2 (same trace)."""
    mu_a, mu_b = a.mean(0), b.mean(0)
    s_a = (a - mu_a).T @ (a - mu_a) / (len(a) - 1)
    s_b = (b - mu_b).T @ (b - mu_b) / (len(b) - 1)
    root_a = np.real(linalg.sqrtm(s_a))
    middle = np.real(linalg.sqrtm(root_a @ s_b @ root_a))
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(s_a) + np.trace(s_b) - 2 * np.trace(middle))


def ref_mmd2(x, y):
    """Unbiased MMD^2, kernel (x.y / d + 1)^3, by double loops."""
    d = x.shape[1]

    def k(u, v):
        return (float(np.dot(u, v)) / d + 1.0) ** 3

    m, n = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(n)) / (m * n)
    return xx + yy - 2 * xy


def dist(u, v):
    return math.sqrt(float(np.sum((u - v) ** 2)))


def ref_radii(x, k):
    """Distance from each point to its k-th nearest other point, by a double loop."""
    radii = []
    for i in range(len(x)):
        others = sorted(dist(x[i], x[j]) for j in range(len(x)) if j != i)
        radii.append(others[k - 1])
    return radii


def ref_precision_recall(real, fake, k):
    r_real, r_fake = ref_radii(real, k), ref_radii(fake, k)
    precision = np.mean(
        [any(dist(y, x) <= r for x, r in zip(real, r_real, strict=True)) for y in fake]
    )
    recall = np.mean(
        [any(dist(x, y) <= r for y, r in zip(fake, r_fake, strict=True)) for x in real]
    )
    return precision, recall


def ref_density_coverage(real, fake, k):
    r_real = ref_radii(real, k)
    inside = [[dist(y, x) < r for x, r in zip(real, r_real, strict=True)] for y in fake]
    density = sum(sum(row) for row in inside) / (k * len(fake))
    coverage = np.mean([any(inside[j][i] for j in range(len(fake))) for i in range(len(real))])
    return density, coverage


def ref_classifier_score(p, splits):
    n, c = p.shape
    scores = []
    for s in range(splits):
        part = p[s * n // splits : (s + 1) * n // splits]
        marginal = [sum(row[y] for row in part) / len(part) for y in range(c)]
        kls = [
            sum(row[y] * math.log(row[y] / marginal[y]) for y in range(c) if row[y] > 0)
            for row in part
        ]
        scores.append(math.exp(sum(kls) / len(kls)))
    mean = sum(scores) / splits
    return mean, math.sqrt(sum((s - mean) ** 2 for s in scores) / splits)


# ------------------------------------------------------------------------------------ FID


@pytest.mark.parametrize("rotate", [False, True])
def test_fid_matches_gaussian_closed_form(rotate):
    rng = np.random.default_rng(0)
    n = 200_000
    m1, m2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 1.0])
    v1, v2 = np.array([1.0, 4.0, 0.25]), np.array([4.0, 1.0, 1.0])
    a = m1 + rng.normal(size=(n, 3)) * np.sqrt(v1)
    b = m2 + rng.normal(size=(n, 3)) * np.sqrt(v2)
    if rotate:  # covariances with the same eigenvectors: the closed form still holds
        q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
        a, b = a @ q.T, b @ q.T
    expected = np.sum((m1 - m2) ** 2) + np.sum((np.sqrt(v1) - np.sqrt(v2)) ** 2)  # 4.25
    assert frechet.frechet_distance(a, b) == pytest.approx(expected, abs=0.05)


@pytest.mark.parametrize(("n_a", "n_b", "d"), [(300, 200, 16), (50, 80, 1), (40, 60, 30)])
def test_fid_matches_scipy_reference(n_a, n_b, d):
    rng = np.random.default_rng(d)
    mix = rng.normal(size=(d, d))
    a = rng.normal(size=(n_a, d)) @ mix
    b = 0.3 + rng.normal(size=(n_b, d)) @ (mix + 0.5 * rng.normal(size=(d, d)))
    value = frechet.frechet_distance(a, b)
    assert isinstance(value, float)
    assert value == pytest.approx(ref_fid(a, b), rel=1e-8)
    assert frechet.frechet_distance(b, a) == pytest.approx(value, rel=1e-8)


@pytest.mark.parametrize(("n", "d"), [(500, 8), (200, 200), (20, 64), (2, 5)])
def test_fid_of_a_set_with_itself_is_zero(n, d):
    # n <= d makes the covariance singular: the eps * I retry must keep the result at 0.
    x = np.random.default_rng(n).normal(size=(n, d)) * 3.0 + 1.0
    scale = np.trace(np.cov(x, rowvar=False))
    assert 0.0 <= frechet.frechet_distance(x, x) < 1e-6 * scale


def test_fid_with_fewer_samples_than_features_is_close_to_reference():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(30, 50)), 0.5 + 2.0 * rng.normal(size=(40, 50))
    assert frechet.frechet_distance(a, b) == pytest.approx(ref_fid(a, b), rel=1e-5)
    assert frechet.frechet_distance(a, b, eps=0.0) == pytest.approx(ref_fid(a, b), rel=1e-5)


def ref_diagonal_fid(a, b, ddof):
    """||mu_a - mu_b||^2 + sum_i (var_a + var_b - 2 sqrt(var_a var_b)), by loops."""
    total = 0.0
    for i in range(a.shape[1]):
        col_a, col_b = list(a[:, i]), list(b[:, i])
        m_a, m_b = sum(col_a) / len(col_a), sum(col_b) / len(col_b)
        v_a = sum((x - m_a) ** 2 for x in col_a) / (len(col_a) - ddof)
        v_b = sum((x - m_b) ** 2 for x in col_b) / (len(col_b) - ddof)
        total += (m_a - m_b) ** 2 + v_a + v_b - 2 * math.sqrt(v_a * v_b)
    return total


@pytest.mark.parametrize("ddof", [0, 1])
def test_fid_mean_only_and_diagonal_only_match_loop_references(ddof):
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=(40, 6)), 0.3 + rng.normal(size=(55, 6)) * np.arange(1, 7)
    mean_only = frechet.frechet_distance(a, b, mean_only=True, ddof=ddof)
    assert mean_only == pytest.approx(float(np.sum((a.mean(0) - b.mean(0)) ** 2)), rel=1e-12)
    diagonal = frechet.frechet_distance(a, b, diagonal_only=True, ddof=ddof)
    assert diagonal == pytest.approx(ref_diagonal_fid(a, b, ddof), rel=1e-10)
    assert mean_only < diagonal
    # With ddof=0 the full formula takes the covariances divided by n.
    s_a, s_b = np.cov(a, rowvar=False, ddof=ddof), np.cov(b, rowvar=False, ddof=ddof)
    root = np.real(linalg.sqrtm(s_a @ s_b))
    full = np.sum((a.mean(0) - b.mean(0)) ** 2) + np.trace(s_a + s_b - 2 * root)
    assert frechet.frechet_distance(a, b, ddof=ddof) == pytest.approx(full, rel=1e-9)


def test_fid_diagonal_only_equals_the_full_formula_for_diagonal_covariances():
    # Two sets whose sample covariances are diagonal: the columns are orthogonal, centred.
    basis = np.linalg.qr(np.random.default_rng(8).normal(size=(30, 4)))[0]
    centred = basis - basis.mean(0)
    centred = np.linalg.qr(centred)[0]  # still orthonormal; now orthogonal to ones
    a = centred * [3.0, 1.0, 0.5, 2.0] + 1.0
    b = centred * [1.0, 1.0, 2.0, 0.1]
    full = frechet.frechet_distance(a, b, eps=0.0)
    diagonal = frechet.frechet_distance(a, b, diagonal_only=True)
    assert diagonal == pytest.approx(full, rel=1e-9)


def test_fid_variants_bootstrap_around_their_value():
    rng = np.random.default_rng(9)
    a, b = rng.normal(size=(60, 3)), 0.5 + rng.normal(size=(50, 3))
    for kwargs in ({"mean_only": True}, {"diagonal_only": True, "ddof": 0}):
        value = frechet.frechet_distance(a, b, **kwargs)
        got = frechet.frechet_distance(a, b, bootstrap=40, seed=1, **kwargs)
        assert got["value"] == value
        assert got["low"] < got["high"] and got["std"] > 0
    # The default, full FID is unchanged by the new arguments.
    assert frechet.frechet_distance(a, b) == frechet.frechet_distance(
        a, b, mean_only=False, diagonal_only=False, ddof=1
    )


# ------------------------------------------------------------------------------------ KID


@pytest.mark.parametrize(("n", "d", "shift"), [(25, 4, 0.5), (15, 9, 0.0), (2, 3, 1.0)])
def test_kid_with_one_full_subset_equals_brute_force(n, d, shift):
    rng = np.random.default_rng(n)
    a = rng.normal(size=(n, d))
    b = shift + 1.5 * rng.normal(size=(n, d))
    expected = ref_mmd2(a, b)
    got = kernel.kernel_distance(a, b, estimator="subsets", num_subsets=1, subset_size=n)
    assert isinstance(got, float)
    assert got == pytest.approx(expected, rel=1e-10, abs=1e-12)
    # A larger subset_size is capped at n; every subset is then the whole set.
    both = kernel.kernel_distance(
        a, b, estimator="subsets", num_subsets=5, subset_size=10 * n, return_std=True
    )
    assert both["mean"] == pytest.approx(expected, rel=1e-10, abs=1e-12)
    assert both["std"] == 0.0


def test_kid_subsets_average_to_the_full_estimate():
    # The unbiased estimate on random subsets has the full-set estimate as its mean.
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(30, 5)), 0.7 + rng.normal(size=(36, 5))
    m = 12
    full = ref_mmd2(a, b)
    result = kernel.kernel_distance(
        a, b, estimator="subsets", num_subsets=3000, subset_size=m, seed=5, return_std=True
    )
    assert result["std"] > 0
    assert abs(result["mean"] - full) < 5 * result["std"] / math.sqrt(3000)
    # Deterministic for a seed, different for another.
    again = kernel.kernel_distance(
        a, b, estimator="subsets", num_subsets=3000, subset_size=m, seed=5
    )
    assert again == result["mean"]
    assert (
        kernel.kernel_distance(a, b, estimator="subsets", num_subsets=3000, subset_size=m, seed=6)
        != again
    )


def test_kid_of_identical_distributions_is_near_zero():
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(600, 16)), rng.normal(size=(600, 16))
    same = kernel.kernel_distance(
        a, b, estimator="subsets", num_subsets=20, subset_size=300, return_std=True
    )
    shifted = kernel.kernel_distance(
        a, b + 0.5, estimator="subsets", num_subsets=20, subset_size=300
    )
    assert abs(same["mean"]) < 3 * same["std"] + 1e-3
    assert abs(same["mean"]) < 0.02 * shifted


def ref_kid_blocks(a, b, max_block_size):
    """TF-GAN's block estimator written out: equal block counts for both sets, each set cut
    into blocks of n // blocks rows with the last n % blocks holding one more; the double
    loop MMD^2 per block; the mean and the standard error of the mean (NaN for 1 block)."""
    blocks = -(-max(len(a), len(b)) // max_block_size)

    def cut(x):
        small, extra = divmod(len(x), blocks)
        sizes = [small + (i >= blocks - extra) for i in range(blocks)]
        starts = [sum(sizes[:i]) for i in range(blocks)]
        return [x[start : start + size] for start, size in zip(starts, sizes, strict=True)]

    estimates = [ref_mmd2(x, y) for x, y in zip(cut(a), cut(b), strict=True)]
    mean = sum(estimates) / blocks
    if blocks == 1:
        return mean, math.nan
    variance = sum((e - mean) ** 2 for e in estimates) / (blocks - 1)
    return mean, math.sqrt(variance / blocks)


@pytest.mark.parametrize(
    ("n_a", "n_b", "block"), [(20, 30, 7), (25, 25, 10), (12, 17, 100), (31, 9, 8), (14, 10, 3)]
)
def test_kid_blocks_match_the_written_out_reference(n_a, n_b, block):
    rng = np.random.default_rng(n_a + n_b)
    a, b = rng.normal(size=(n_a, 3)), 0.4 + 1.2 * rng.normal(size=(n_b, 3))
    mean, std = ref_kid_blocks(a, b, block)
    got = kernel.kernel_distance(a, b, max_block_size=block, return_std=True)
    assert got["mean"] == pytest.approx(mean, rel=1e-10, abs=1e-12)
    if math.isnan(std):
        assert math.isnan(got["std"])
    else:
        assert got["std"] == pytest.approx(std, rel=1e-9)
    assert kernel.kernel_distance(a, b, max_block_size=block) == got["mean"]


def test_kid_blocks_use_every_sample_of_both_sets():
    rng = np.random.default_rng(11)
    a, b = rng.normal(size=(30, 4)), rng.normal(size=(45, 4))
    base = kernel.kernel_distance(a, b, max_block_size=20)
    for x, y in ((a, b.copy()), (a.copy(), b)):
        target = y if y is not b else x
        target[-1] += 5.0  # the last row of either set is in the last block
        assert kernel.kernel_distance(x, y, max_block_size=20) != base
    # One block: the whole sets, the same number as the subset estimator on whole sets.
    whole = kernel.kernel_distance(a[:30], b[:30], max_block_size=1024)
    assert whole == kernel.kernel_distance(a[:30], b[:30], estimator="subsets")
    assert whole == pytest.approx(ref_mmd2(a[:30], b[:30]), rel=1e-10)


# ------------------------------------------------------------------- precision and recall


def random_sets(seed, n_real, n_fake, d):
    rng = np.random.default_rng(seed)
    real = rng.normal(size=(n_real, d))
    fake = 0.4 + 1.3 * rng.normal(size=(n_fake, d))
    return real, fake


@pytest.mark.parametrize(
    ("seed", "n_real", "n_fake", "d", "k"),
    [(0, 40, 30, 2, 3), (1, 25, 45, 5, 1), (2, 50, 50, 3, 5), (3, 12, 9, 8, 2)],
)
def test_precision_recall_matches_double_loop(seed, n_real, n_fake, d, k):
    real, fake = random_sets(seed, n_real, n_fake, d)
    got = manifold.precision_recall(real, fake, k=k)
    precision, recall = ref_precision_recall(real, fake, k)
    assert got == {"precision": precision, "recall": recall}
    assert 0 < precision < 1 or 0 < recall < 1  # a case that discriminates


def test_precision_recall_of_identical_and_disjoint_sets():
    real, _ = random_sets(5, 60, 1, 4)
    assert manifold.precision_recall(real, real.copy(), k=3) == {"precision": 1.0, "recall": 1.0}
    far = np.random.default_rng(6).normal(size=(50, 4)) + 100.0
    assert manifold.precision_recall(real, far, k=3) == {"precision": 0.0, "recall": 0.0}


def test_ties_shifted_data_and_small_blocks_match_double_loop(monkeypatch):
    # Fakes that copy real samples sit exactly on other balls' boundaries; a large common
    # offset stresses the |x|^2 + |y|^2 - 2 x.y expansion; tiny blocks force many chunks.
    rng = np.random.default_rng(7)
    real = 1e3 + rng.normal(size=(30, 3))
    fake = np.concatenate([real[:15], 1e3 + 0.2 + rng.normal(size=(10, 3)), real[:3]])
    expected_pr = ref_precision_recall(real, fake, 3)
    expected_dc = ref_density_coverage(real, fake, 4)
    for chunk in [manifold._CHUNK_ELEMENTS, 7]:
        monkeypatch.setattr(manifold, "_CHUNK_ELEMENTS", chunk)
        pr = manifold.precision_recall(real, fake, k=3)
        assert (pr["precision"], pr["recall"]) == expected_pr
        dc = manifold.density_coverage(real, fake, k=4)
        assert dc["density"] == pytest.approx(expected_dc[0], abs=1e-15)
        assert dc["coverage"] == expected_dc[1]


def test_precision_recall_in_chunks_on_larger_sets(monkeypatch):
    monkeypatch.setattr(manifold, "_CHUNK_ELEMENTS", 50_000)
    real, fake = random_sets(8, 1500, 1200, 32)
    d_rr, d_ff, d_fr = cdist(real, real), cdist(fake, fake), cdist(fake, real)
    k = 3
    r_real = np.sort(d_rr, axis=1)[:, k]  # column 0 is the point itself
    r_fake = np.sort(d_ff, axis=1)[:, k]
    got = manifold.precision_recall(real, fake, k=k)
    assert got["precision"] == np.mean((d_fr <= r_real[None, :]).any(axis=1))
    assert got["recall"] == np.mean((d_fr <= r_fake[:, None]).any(axis=0))


# ------------------------------------------------------------------ density and coverage


@pytest.mark.parametrize(
    ("seed", "n_real", "n_fake", "d", "k"),
    [(10, 40, 30, 2, 5), (11, 25, 45, 5, 1), (12, 30, 30, 3, 3), (13, 9, 4, 6, 2)],
)
def test_density_coverage_matches_double_loop(seed, n_real, n_fake, d, k):
    real, fake = random_sets(seed, n_real, n_fake, d)
    got = manifold.density_coverage(real, fake, k=k)
    density, coverage = ref_density_coverage(real, fake, k)
    assert got["density"] == pytest.approx(density, abs=1e-15)
    assert got["coverage"] == coverage


def test_density_coverage_of_identical_and_disjoint_sets():
    real, _ = random_sets(14, 80, 1, 3)
    # Open balls: each holds its centre and k - 1 neighbours, so density is exactly 1.
    assert manifold.density_coverage(real, real.copy(), k=5) == {"density": 1.0, "coverage": 1.0}
    far = real + 50.0
    assert manifold.density_coverage(real, far, k=5) == {"density": 0.0, "coverage": 0.0}


def test_ball_boundaries_closed_for_precision_recall_open_for_density_coverage():
    # k = 1: every real ball has radius 1; the fake at 2 lies exactly on the ball around 1.
    real = [[0.0], [1.0], [10.0], [11.0]]
    fake = [[2.0], [5.0]]  # fake radii 3: the reals 0 and 1 lie in the ball around 2
    assert manifold.precision_recall(real, fake, k=1) == {"precision": 0.5, "recall": 0.5}
    assert manifold.density_coverage(real, fake, k=1) == {"density": 0.0, "coverage": 0.0}
    inside = np.asarray(fake, np.float32) - np.float32(0.5)  # float32 input is accepted
    assert manifold.density_coverage(real, inside, k=1) == {"density": 0.5, "coverage": 0.25}


def test_all_metrics_agrees_with_the_separate_functions():
    real, fake = random_sets(15, 60, 50, 4)
    got = tfgan_eval.all_metrics(real, fake, k=4)
    assert set(got) == {"fid", "kid", "precision", "recall", "density", "coverage"}
    assert got["fid"] == frechet.frechet_distance(real, fake)
    assert got["kid"] == kernel.kernel_distance(real, fake, estimator="subsets")
    pr, dc = manifold.precision_recall(real, fake, k=4), manifold.density_coverage(real, fake, k=4)
    assert got["precision"] == pr["precision"] and got["recall"] == pr["recall"]
    assert got["density"] == dc["density"] and got["coverage"] == dc["coverage"]
    assert all(isinstance(v, float) for v in got.values())


# ----------------------------------------------------------------------- classifier score


def test_classifier_score_uniform_is_one_and_even_one_hot_is_num_classes():
    uniform = inception_score.classifier_score(np.full((40, 6), 1 / 6), splits=4)
    assert uniform["mean"] == pytest.approx(1.0, rel=1e-12)
    assert uniform["std"] == pytest.approx(0.0, abs=1e-12)
    classes, splits = 7, 4
    labels = np.arange(classes * splits * 3) % classes  # each split holds each class 3 times
    one_hot = np.eye(classes)[labels]
    got = inception_score.classifier_score(one_hot, splits=splits)
    assert got["mean"] == pytest.approx(classes, rel=1e-12)
    assert got["std"] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(("n", "c", "splits"), [(50, 5, 10), (37, 3, 4), (20, 10, 1)])
def test_classifier_score_matches_loop_reference(n, c, splits):
    rng = np.random.default_rng(n)
    p = rng.dirichlet(np.full(c, 0.3), size=n)
    p[0, 0] = 0.0  # a zero probability: 0 log 0 counts as 0
    p[0] /= p[0].sum()
    mean, std = ref_classifier_score(p, splits)
    got = inception_score.classifier_score(p, splits=splits)
    assert got["mean"] == pytest.approx(mean, rel=1e-10)
    assert got["std"] == pytest.approx(std, rel=1e-8, abs=1e-12)
    logits = np.log(np.where(p > 0, p, 1e-300)) + 3.0  # softmax(logits) == p
    from_logits = inception_score.classifier_score(logits, from_logits=True, splits=splits)
    assert from_logits["mean"] == pytest.approx(mean, rel=1e-10)


# ---------------------------------------------------------------------------- bad inputs

GOOD = np.random.default_rng(20).normal(size=(12, 3))
PROBS = np.full((12, 4), 0.25)

BAD_INPUTS = [
    (frechet.frechet_distance, (GOOD[:, 0], GOOD), {}, "features_a"),
    (frechet.frechet_distance, (GOOD, GOOD[None]), {}, "features_b"),
    (frechet.frechet_distance, (GOOD, GOOD[:, :2]), {}, "features_b"),
    (frechet.frechet_distance, (GOOD[:1], GOOD), {}, "features_a"),
    (frechet.frechet_distance, (GOOD, np.full((4, 3), np.nan)), {}, "features_b"),
    (frechet.frechet_distance, ([["x", "y"]], GOOD), {}, "features_a"),
    (frechet.frechet_distance, (GOOD, GOOD), {"eps": -1.0}, "eps"),
    (frechet.frechet_distance, (GOOD[:, :0], GOOD[:, :0]), {}, "features_a"),
    (kernel.kernel_distance, (GOOD, GOOD[:1]), {}, "features_b"),
    (kernel.kernel_distance, (GOOD, GOOD[:, :1]), {}, "features_b"),
    (
        kernel.kernel_distance,
        (GOOD, GOOD),
        {"estimator": "subsets", "num_subsets": 0},
        "num_subsets",
    ),
    (
        kernel.kernel_distance,
        (GOOD, GOOD),
        {"estimator": "subsets", "subset_size": 1},
        "subset_size",
    ),
    (
        kernel.kernel_distance,
        (GOOD, GOOD),
        {"estimator": "subsets", "subset_size": 2.5},
        "subset_size",
    ),
    (kernel.kernel_distance, (GOOD, GOOD), {"num_subsets": 10}, "estimator='subsets'"),
    (kernel.kernel_distance, (GOOD, GOOD), {"seed": 1}, "seed"),
    (kernel.kernel_distance, (GOOD, GOOD), {"estimator": "random"}, "estimator"),
    (kernel.kernel_distance, (GOOD, GOOD), {"max_block_size": 1}, "max_block_size"),
    (kernel.kernel_distance, (GOOD, GOOD[:3]), {"max_block_size": 4}, "features_b"),
    (
        frechet.frechet_distance,
        (GOOD, GOOD),
        {"mean_only": True, "diagonal_only": True},
        "mean_only",
    ),
    (frechet.frechet_distance, (GOOD, GOOD), {"diagonal_only": 1}, "diagonal_only"),
    (frechet.frechet_distance, (GOOD, GOOD), {"ddof": 2}, "ddof"),
    (frechet.frechet_distance, (GOOD[:1], GOOD), {"diagonal_only": True}, "features_a"),
    (manifold.precision_recall, (GOOD, GOOD), {"k": 12}, "real_features"),
    (manifold.precision_recall, (GOOD, GOOD[:3]), {"k": 3}, "fake_features"),
    (manifold.precision_recall, (GOOD, GOOD), {"k": 0}, "k"),
    (manifold.precision_recall, (GOOD, GOOD), {"k": True}, "k"),
    (manifold.precision_recall, (GOOD.ravel(), GOOD), {}, "real_features"),
    (manifold.precision_recall, (GOOD, GOOD[:, :2]), {}, "fake_features"),
    (manifold.density_coverage, (GOOD[:5], GOOD), {"k": 5}, "real_features"),
    (manifold.density_coverage, (GOOD, GOOD[:0]), {}, "fake_features"),
    (manifold.density_coverage, (GOOD, GOOD), {"k": 1.0}, "k"),
    (manifold.density_coverage, (GOOD, np.inf * GOOD), {}, "fake_features"),
    (features.all_metrics, (GOOD, GOOD[:5]), {"k": 5}, "fake_features"),
    (features.all_metrics, (GOOD, GOOD[:, :2]), {}, "fake_features"),
    (inception_score.classifier_score, (PROBS[0],), {}, "probabilities_or_logits"),
    (inception_score.classifier_score, (PROBS,), {"splits": 0}, "splits"),
    (inception_score.classifier_score, (PROBS,), {"splits": 13}, "probabilities_or_logits"),
    (inception_score.classifier_score, (PROBS * 2,), {}, "probabilities_or_logits"),
    (inception_score.classifier_score, (PROBS - 0.5,), {}, "probabilities_or_logits"),
    (
        inception_score.classifier_score,
        (PROBS[:, :1],),
        {"from_logits": True},
        "probabilities_or_logits",
    ),
]


@pytest.mark.parametrize(("fn", "args", "kwargs", "names"), BAD_INPUTS)
def test_bad_input_is_a_value_error_naming_the_argument(fn, args, kwargs, names):
    with pytest.raises(ValueError, match=names):
        fn(*args, **kwargs)


def test_public_names_are_exported():
    for module, name in [
        (features, "all_metrics"),
        (inception_score, "classifier_score"),
        (manifold, "density_coverage"),
        (frechet, "frechet_distance"),
        (kernel, "kernel_distance"),
        (manifold, "precision_recall"),
    ]:
        assert getattr(tfgan_eval, name) is getattr(module, name)
        assert name in tfgan_eval.__all__ and name in module.__all__
    assert "mode_coverage" in tfgan_eval.__all__  # the toy diagnostics stay exported
