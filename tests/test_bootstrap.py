"""Bootstrap intervals of the image metrics, and the provenance that goes with a score.

The coverage of FID's interval is measured against the closed-form FID of two Gaussians;
the resampled metrics are checked against the unresampled ones (all counts 1) and against
hand-made resamples, where copies of a sample must not count as its neighbours or pairs.
"""

import numpy as np
import pytest
from scipy import linalg

import tfgan_lite as tfgan
from tfgan_lite.eval import bootstrap as bs
from tfgan_lite.eval import common, features, frechet, inception_score, kernel, manifold

METRICS = ("fid", "kid", "precision", "recall", "density", "coverage")
KEYS = {"value", "mean", "std", "low", "high"}


def gaussian(d, seed):
    """A mean and a well-conditioned random covariance in d dimensions."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(d, d)) / np.sqrt(d)
    return rng.normal(scale=0.1, size=d), a @ a.T + 0.5 * np.eye(d)


def closed_form_fid(mu_1, s_1, mu_2, s_2):
    """||mu_1 - mu_2||^2 + Tr(S_1 + S_2 - 2 (S_1^1/2 S_2 S_1^1/2)^1/2)."""
    root = np.real(linalg.sqrtm(s_1))
    middle = np.real(linalg.sqrtm(root @ s_2 @ root))
    diff = mu_1 - mu_2
    return float(diff @ diff + np.trace(s_1) + np.trace(s_2) - 2 * np.trace(middle))


# --------------------------------------------------------------------------- coverage

DRAWS, RESAMPLES, DIM, N = 100, 200, 8, 500


def test_fid_interval_covers_the_true_fid_of_two_gaussians_in_90_percent_of_100_draws():
    """100 independent pairs of 500-sample sets from two 8-d Gaussians, 200 resamples each.

    FID is biased upwards at n = 500 (here by 0.09 on a true value of 1.98), and the
    resamples by as much again, so the percentile interval sits above the truth; the
    basic (bias-corrected) interval covered it in 96 of the 100 draws when this test was
    written, the percentile interval in 78. About 4 s on 2 CPU cores.
    """
    (mu_1, s_1), (mu_2, s_2) = gaussian(DIM, 1), gaussian(DIM, 2)
    true_fid = closed_form_fid(mu_1, s_1, mu_2, s_2)
    rng = np.random.default_rng(0)
    basic = percentile = 0
    estimates = []
    for draw in range(DRAWS):
        a = rng.multivariate_normal(mu_1, s_1, size=N)
        b = rng.multivariate_normal(mu_2, s_2, size=N)
        interval = frechet.frechet_distance(a, b, bootstrap=RESAMPLES, seed=draw)
        plain = frechet.frechet_distance(a, b, bootstrap=RESAMPLES, seed=draw, method="percentile")
        basic += interval["low"] <= true_fid <= interval["high"]
        percentile += plain["low"] <= true_fid <= plain["high"]
        estimates.append(interval["value"])
        assert plain["mean"] == interval["mean"]  # the same resamples
    assert np.mean(estimates) > true_fid  # the bias the interval has to correct
    assert basic >= 0.9 * DRAWS, (basic, percentile, true_fid)
    assert percentile < basic


# ------------------------------------------------------------------ all_metrics(bootstrap)


def sets(n_real=120, n_fake=100, d=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n_real, d)), rng.normal(size=(n_fake, d)) * 1.2 + 0.2


def test_all_metrics_bootstrap_gives_value_mean_std_and_interval_per_metric():
    real, fake = sets()
    flat = features.all_metrics(real, fake)
    scores = tfgan.eval.all_metrics(real, fake, bootstrap=50, seed=3)
    assert set(scores) == set(METRICS)
    for name in METRICS:
        score = scores[name]
        assert set(score) == KEYS and all(isinstance(v, float) for v in score.values())
        assert score["value"] == flat[name]  # the estimate on all samples, as without
        assert score["low"] <= score["high"] and score["std"] > 0
        low, high = common.BOUNDS[name]
        assert low <= score["low"] and score["high"] <= high
    # Seeded: the same seed, the same intervals; another seed, others.
    assert tfgan.eval.all_metrics(real, fake, bootstrap=50, seed=3) == scores
    assert tfgan.eval.all_metrics(real, fake, bootstrap=50, seed=4) != scores
    # FID's resamples are those of frechet_distance with the same seed.
    assert frechet.frechet_distance(real, fake, bootstrap=50, seed=3) == pytest.approx(
        scores["fid"]
    )


def test_interval_methods_per_metric():
    real, fake = sets()
    scores = features.all_metrics(real, fake, bootstrap=60, seed=0)
    percentile = features.all_metrics(real, fake, bootstrap=60, seed=0, method="percentile")
    for name in METRICS:
        s, p = scores[name], percentile[name]
        assert s["mean"] == p["mean"] and s["std"] == p["std"]
        q_low, q_high = p["low"], p["high"]  # the quantiles (none of these is clipped)
        if common.METHODS[name] == "basic":
            expected = (2 * s["value"] - q_high, 2 * s["value"] - q_low)
        else:
            expected = (s["value"] + q_low - s["mean"], s["value"] + q_high - s["mean"])
        expected = np.clip(expected, *common.BOUNDS[name])
        assert (s["low"], s["high"]) == pytest.approx(tuple(expected), abs=1e-12), name


def test_fid_bootstrap_resamples_avoid_the_matrix_square_root(monkeypatch):
    # What makes 200 resamples cheap (0.4 s on 2 idle cores, where linalg.sqrtm per resample
    # took 40 s): only the point estimate takes sqrtm; each resample takes the trace of the
    # root from eigenvalues, which equals sqrtm's.
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(540, 128)), rng.normal(size=(540, 128)) + 0.05
    calls = []
    sqrtm = frechet._sqrtm
    monkeypatch.setattr(frechet, "_sqrtm", lambda m, strict: calls.append(1) or sqrtm(m, strict))
    frechet.frechet_distance(real, fake, bootstrap=200)
    assert 1 <= len(calls) <= 2, len(calls)
    cov_a, cov_b = np.cov(real, rowvar=False), np.cov(fake, rowvar=False)
    expected = float(np.trace(sqrtm(cov_a @ cov_b, strict=True)).real)
    assert frechet._trace_sqrt_product(cov_a, cov_b) == pytest.approx(expected, rel=1e-8)


def test_counts_of_one_reproduce_the_metrics():
    real, fake = sets()
    ones_real, ones_fake = np.ones(len(real), int), np.ones(len(fake), int)
    kernels = (kernel._kernel(real), kernel._kernel(fake), kernel._kernel(real, fake))
    rng = np.random.default_rng(0)  # KID's subsets of the larger set
    got = features._resampled_metrics(real, fake, 5, ones_real, ones_fake, rng, kernels)
    flat = features.all_metrics(real, fake, k=5)
    for name in ("precision", "recall", "density", "coverage"):
        assert got[name] == flat[name], name
    assert got["fid"] == pytest.approx(flat["fid"], rel=1e-9)
    # KID over the whole sets (as the subset estimator takes sets below its subset size).
    square = sets(100, 100)
    kernels = (kernel._kernel(square[0]), kernel._kernel(square[1]), kernel._kernel(*square))
    ones = np.ones(100)
    assert kernel._mmd2_weighted(kernels, ones, ones) == pytest.approx(
        kernel.kernel_distance(*square, estimator="subsets"), rel=1e-9
    )


def test_copies_of_a_sample_are_not_its_neighbours():
    # Points on a line, the first one drawn twice by a resample.
    x = np.array([[0.0], [1.0], [3.0], [6.0]])
    counts = np.array([2.0, 1.0, 1.0, 1.0])
    radii = np.sqrt(manifold._radii2(x, x - x.mean(0), 1, counts))
    # k = 1: the nearest *other* sample of 0 is 1, not its copy at distance 0.
    np.testing.assert_array_equal(radii, [1.0, 1.0, 2.0, 3.0])
    # k = 2: from 1, the two copies of 0 are the two nearest; from 3, 1 then 0 (or 6).
    radii = np.sqrt(manifold._radii2(x, x - x.mean(0), 2, counts))
    np.testing.assert_array_equal(radii, [3.0, 1.0, 3.0, 5.0])


def test_radii_from_neighbours_found_once_equal_a_search_on_each_resample():
    real, fake = sets(60, 50, d=3)
    candidates = (manifold._candidates(real, 3), manifold._candidates(fake, 3))
    rng = np.random.default_rng(5)
    for _ in range(20):
        counts = bs.counts(rng, len(real)), bs.counts(rng, len(fake))
        searched = features._resampled_metrics(real, fake, 3, *counts, rng, None)
        found = features._resampled_metrics(real, fake, 3, *counts, rng, None, candidates)
        for name in ("precision", "recall", "density", "coverage"):
            assert found[name] == searched[name], name
    # Too few candidates: the rows whose candidates hold fewer than k copies are searched.
    counts = bs.counts(rng, len(real))
    rows = np.flatnonzero(counts)
    direct = manifold._radii2(real[rows], real[rows] - real[rows].mean(0), 3, counts[rows] * 1.0)
    few = manifold._resampled_radii2(real, candidates[0][:, :2], counts, 3)
    np.testing.assert_array_equal(few, direct)


def test_resampled_knn_metrics_weight_each_sample_by_its_count():
    real = np.array([[0.0], [1.0], [2.0], [10.0]])
    fake = np.array([[0.1], [10.2], [30.0]])
    real_counts, fake_counts = np.array([1, 1, 1, 2]), np.array([2, 0, 1])
    rng = np.random.default_rng(0)  # KID's subsets (4 reals, 3 fakes)
    got = features._resampled_metrics(real, fake, 1, real_counts, fake_counts, rng, None)
    # k = 1, copies of a sample not its neighbours: the real radii are 1, 1, 1 and 8 (the
    # nearest other sample of 10 is 2, not its copy); the fake 10.2 is not in the resample.
    # Precision: the fake 0.1 (twice) lies in the ball of 0, 30 in none: 2 of 3.
    assert got["precision"] == pytest.approx(2 / 3)
    # Density: 0.1 lies in the open balls of 0 and 1 (|0.1 - 2| = 1.9 and |0.1 - 10| = 9.9
    # are outside theirs), and counts twice: 4 / (k M) = 4 / 3.
    assert got["density"] == pytest.approx(4 / 3)
    # Coverage: the balls of 0 and 1 hold a fake, those of 2 and of 10 (twice) none: 2/5.
    assert got["coverage"] == pytest.approx(2 / 5)
    assert got["recall"] == 1.0  # the fake radii are 29.9: every real is in a fake ball


def test_resampled_kid_is_unbiased_where_copies_would_inflate_it():
    real, fake = sets(80, 80, d=3, seed=1)
    value = kernel.kernel_distance(real, fake, estimator="subsets")
    kernels = (kernel._kernel(real), kernel._kernel(fake), kernel._kernel(real, fake))
    rng = np.random.default_rng(0)
    fair, naive = [], []
    for _ in range(300):
        ca, cb = bs.counts(rng, 80), bs.counts(rng, 80)
        fair.append(kernel._mmd2_weighted(kernels, ca.astype(float), cb.astype(float)))
        rows_a, rows_b = np.repeat(np.arange(80), ca), np.repeat(np.arange(80), cb)
        naive.append(kernel._mmd2_unbiased(real[rows_a], fake[rows_b]))
    spread = np.std(fair) / np.sqrt(len(fair))
    assert abs(np.mean(fair) - value) < 4 * spread
    assert np.mean(naive) - value > 10 * spread  # pairs of copies: k(x, x) in the sums


def test_bootstrap_none_keeps_the_flat_dict():
    real, fake = sets()
    assert all(isinstance(v, float) for v in features.all_metrics(real, fake).values())
    assert isinstance(frechet.frechet_distance(real, fake), float)


# -------------------------------------------------------------- the generic function


def test_bootstrap_interval_of_any_metric_of_one_or_more_sets():
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.full(5, 0.3), size=200)
    score = tfgan.eval.bootstrap_interval(
        lambda q: inception_score.classifier_score(q)["mean"], p, num_resamples=40
    )
    assert set(score) == KEYS
    assert score["value"] == inception_score.classifier_score(p)["mean"]
    assert score["low"] < score["value"] < score["high"]
    both = tfgan.eval.bootstrap_interval(
        lambda a, b: {"fid": frechet.frechet_distance(a, b)},
        *sets(),
        num_resamples=30,
        seed=1,
        bounds=(0.0, np.inf),
    )
    assert set(both) == {"fid"} and set(both["fid"]) == KEYS
    # FID takes copies in its stride: the same intervals as the count-based resamples.
    assert both["fid"] == pytest.approx(frechet.frechet_distance(*sets(), bootstrap=30, seed=1))


def test_summarize_formulas_and_clipping():
    replicates = np.arange(101.0)  # quantiles 2.5 and 97.5 are 2.5 and 97.5
    basic = bs.summarize(60.0, replicates)
    assert basic == pytest.approx(
        {"value": 60.0, "mean": 50.0, "std": np.std(replicates, ddof=1), "low": 22.5, "high": 117.5}
    )
    centred = bs.summarize(60.0, replicates, method="centred")
    assert (centred["low"], centred["high"]) == pytest.approx((12.5, 107.5))
    plain = bs.summarize(60.0, replicates, method="percentile", bounds=(0.0, 90.0))
    assert (plain["low"], plain["high"]) == pytest.approx((2.5, 90.0))
    narrow = bs.summarize(60.0, replicates, confidence=0.5)
    assert (narrow["low"], narrow["high"]) == pytest.approx((45.0, 95.0))


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"bootstrap": 1}, "bootstrap"),
        ({"bootstrap": 2.5}, "bootstrap"),
        ({"bootstrap": True}, "bootstrap"),
        ({"bootstrap": 10, "confidence": 1.0}, "confidence"),
        ({"bootstrap": 10, "method": "bca"}, "method"),
    ],
)
def test_bad_bootstrap_arguments_are_value_errors_naming_them(kwargs, name):
    real, fake = sets()
    with pytest.raises(ValueError, match=name):
        features.all_metrics(real, fake, **kwargs)
    with pytest.raises(ValueError, match=name):
        frechet.frechet_distance(real, fake, **kwargs)


def test_bootstrap_interval_refuses_no_sets_and_one_resample():
    with pytest.raises(ValueError, match="feature set"):
        bs.bootstrap_interval(np.mean)
    with pytest.raises(ValueError, match="num_resamples"):
        bs.bootstrap_interval(np.mean, np.ones(5), num_resamples=1)


# --------------------------------------------------------------- Evaluate's records


def test_evaluate_records_intervals_and_provenance_and_keeps_the_logs_flat(capsys):
    gan = tfgan.GAN(*tfgan.networks.dcgan((16, 16, 1), 8, width=8), latent_dim=8, seed=0)
    gan.compile()
    real = next(iter(tfgan.data.images("digits", "test", 60, 16))).numpy()
    net = tfgan.eval.FeatureNet.digits()
    evaluate = tfgan.callbacks.Evaluate(
        real, net, num_samples=50, seed=2, reference_split="test", bootstrap=20
    )
    expected_provenance = {
        "feature_net": "digits_cnn_28x28x1",
        "feature_layer": "features",
        "feature_net_weights_sha256": net.weights_hash,
        "num_real": 60,
        "num_generated": 50,
        "reference_split": "test",
        "seed": 2,
        "bootstrap": 20,
    }
    assert evaluate.provenance == expected_provenance
    data = tfgan.data.images("digits", "train", 32, 16).repeat()
    history = gan.fit(data, steps_per_epoch=2, epochs=1, callbacks=[evaluate], verbose=0)
    result = evaluate.results[-1]
    assert result["provenance"] == expected_provenance
    assert set(result["intervals"]) == set(METRICS)
    expected = features.all_metrics(
        net.features(real), net.features(gan.generate(50, seed=2)), bootstrap=20, seed=2
    )
    for name in METRICS:
        assert isinstance(history.history[name][-1], float)  # the logs hold the values
        assert result[name] == pytest.approx(expected[name]["value"], rel=1e-6, abs=1e-9)
        assert set(result["intervals"][name]) == KEYS
    fid = result["intervals"]["fid"]
    assert f"fid {result['fid']:.4g} [{fid['low']:.4g}, {fid['high']:.4g}]" in (
        capsys.readouterr().out
    )
    # Without bootstrap: no intervals, the provenance all the same.
    plain = tfgan.callbacks.Evaluate(real, net, num_samples=50)
    plain.set_model(gan)
    plain.on_epoch_end(0, {})
    assert "intervals" not in plain.results[-1]
    assert plain.results[-1]["provenance"]["reference_split"] is None
    with pytest.raises(ValueError, match="bootstrap"):
        tfgan.callbacks.Evaluate(real, net, bootstrap=1)
