"""tfgan_lite.eval.streaming: the accumulators give the whole-set functions' numbers
(``frechet_distance`` and ``classifier_score`` on the same samples, to 1e-8 relative in
float64) whatever the batch sizes and merges, and hold O(d^2) numbers however many samples
they see."""

import numpy as np
import pytest

from tfgan_lite import eval as tfgan_eval
from tfgan_lite.eval import streaming
from tfgan_lite.eval.frechet import frechet_distance
from tfgan_lite.eval.inception_score import classifier_score
from tfgan_lite.eval.streaming import (
    StreamingClassifierScore,
    StreamingMoments,
    streaming_frechet_distance,
)

REL = 1e-8


def batches(x, sizes):
    """The rows of x cut into consecutive batches of the given sizes, repeated."""
    start, i = 0, 0
    while start < len(x):
        size = sizes[i % len(sizes)]
        yield x[start : start + size]
        start, i = start + size, i + 1


def feed(x, sizes, diagonal_only=False):
    moments = StreamingMoments(diagonal_only=diagonal_only)
    for batch in batches(x, sizes):
        moments.update(batch)
    return moments


def sets(seed=0, n_a=300, n_b=250, d=8):
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(d, d))
    a = rng.normal(size=(n_a, d)) @ mixing + 100.0  # a large offset: Chan's update holds
    b = 0.8 * rng.normal(size=(n_b, d)) @ mixing + 100.5
    return a, b


@pytest.mark.parametrize("sizes", [[1], [7], [64, 3, 1], [1000]])
def test_moments_equal_numpy_for_any_batching(sizes):
    a, _ = sets()
    moments = feed(a, sizes)
    assert moments.count == len(a)
    np.testing.assert_allclose(moments.mean, a.mean(0), rtol=1e-12)
    np.testing.assert_allclose(moments.covariance(), np.cov(a, rowvar=False), rtol=1e-9)
    np.testing.assert_allclose(moments.covariance(ddof=0), np.cov(a, rowvar=False, ddof=0))
    np.testing.assert_allclose(moments.variance(), a.var(0, ddof=1), rtol=1e-9)
    diagonal = feed(a, sizes, diagonal_only=True)
    np.testing.assert_allclose(diagonal.variance(ddof=0), a.var(0), rtol=1e-9)


@pytest.mark.parametrize(
    "kwargs", [{}, {"mean_only": True}, {"diagonal_only": True}, {"diagonal_only": True, "ddof": 0}]
)
@pytest.mark.parametrize("sizes", [[1], [50], [33, 5]])
def test_frechet_equals_the_whole_set_function(kwargs, sizes):
    a, b = sets(1)
    expected = frechet_distance(a, b, **kwargs)
    got = streaming_frechet_distance(feed(a, sizes), feed(b, sizes[::-1]), **kwargs)
    assert got == pytest.approx(expected, rel=REL)
    if kwargs:
        got = streaming_frechet_distance(
            feed(a, sizes, diagonal_only=True), feed(b, sizes, diagonal_only=True), **kwargs
        )
        assert got == pytest.approx(expected, rel=REL)


def test_frechet_with_fewer_samples_than_features_takes_the_same_regulariser():
    a, b = sets(2, n_a=12, n_b=15, d=20)
    expected = frechet_distance(a, b)
    assert streaming_frechet_distance(feed(a, [5]), feed(b, [4])) == pytest.approx(
        expected, rel=1e-6
    )


def test_merge_equals_one_accumulator():
    a, b = sets(3)
    parts = [feed(a[:100], [30]), feed(a[100:101], [1]), feed(a[101:], [77]), StreamingMoments()]
    merged = StreamingMoments()
    for part in parts:
        merged.merge(part)
    whole = feed(a, [300])
    assert merged.count == whole.count
    np.testing.assert_allclose(merged.mean, whole.mean, rtol=1e-12)
    np.testing.assert_allclose(merged.covariance(), whole.covariance(), rtol=1e-9)
    assert streaming_frechet_distance(merged, feed(b, [10])) == pytest.approx(
        frechet_distance(a, b), rel=REL
    )


def test_memory_is_that_of_the_accumulators_for_many_samples():
    # 2,048 features (Inception's pool3) and 20,000 samples in batches of 500, drawn batch by
    # batch: the samples (328 MB) are never held, the accumulator's arrays are (d^2 + d)
    # float64 numbers; the moments checked against O(d) sums kept on the side.
    d, batch, num_batches = 2048, 500, 40
    rng = np.random.default_rng(4)
    scale = np.linspace(0.5, 2.0, d)
    moments, diagonal = StreamingMoments(), StreamingMoments(diagonal_only=True)
    total, total_sq = np.zeros(d), np.zeros(d)
    for _ in range(num_batches):
        x = rng.normal(size=(batch, d)) * scale + 3.0
        moments.update(x)
        diagonal.update(x)
        total += x.sum(0)
        total_sq += (x * x).sum(0)
    n = batch * num_batches
    assert moments.count == diagonal.count == n
    assert moments.nbytes == (d * d + d) * 8
    assert diagonal.nbytes == 2 * d * 8
    mean = total / n
    np.testing.assert_allclose(moments.mean, mean, rtol=1e-10)
    np.testing.assert_allclose(moments.variance(), (total_sq - n * mean**2) / (n - 1), rtol=1e-8)
    np.testing.assert_allclose(diagonal.variance(), moments.variance(), rtol=1e-10)
    other = StreamingMoments(diagonal_only=True).update(rng.normal(size=(300, d)) * scale)
    for kwargs in ({"mean_only": True}, {"diagonal_only": True}):
        assert streaming_frechet_distance(moments, other, **kwargs) == pytest.approx(
            streaming_frechet_distance(diagonal, other, **kwargs), rel=1e-10
        )


def probabilities(seed, n, c):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(c, 0.2), size=n)
    p[0, 0] = 0.0  # 0 log 0 counts as 0
    return p / p.sum(1, keepdims=True)


@pytest.mark.parametrize("sizes", [[1], [16], [100, 7, 3]])
@pytest.mark.parametrize("splits", [1, 3, 10])
def test_classifier_score_equals_the_whole_set_function(sizes, splits):
    p = probabilities(splits, 203, 12)
    expected = classifier_score(p, splits=splits)
    score = StreamingClassifierScore(splits=splits, num_samples=len(p))
    for batch in batches(p, sizes):
        score.update(batch)
    got = score.result()
    assert got["mean"] == pytest.approx(expected["mean"], rel=REL)
    assert got["std"] == pytest.approx(expected["std"], rel=1e-6, abs=1e-12)


def test_classifier_score_from_logits_and_merge():
    rng = np.random.default_rng(5)
    logits = 3.0 * rng.normal(size=(150, 9))
    expected = classifier_score(logits, from_logits=True, splits=1)
    parts = [StreamingClassifierScore(from_logits=True) for _ in range(3)]
    for part, chunk in zip(parts, np.array_split(logits, 3), strict=True):
        for batch in batches(chunk, [11]):
            part.update(batch)
    merged = StreamingClassifierScore(from_logits=True)
    for part in parts:
        merged.merge(part)
    assert merged.count == 150
    assert merged.result()["mean"] == pytest.approx(expected["mean"], rel=REL)
    assert merged.result()["std"] == 0.0


BAD = [
    (lambda: StreamingMoments().update(np.ones(3)), "batch"),
    (lambda: StreamingMoments().update(np.ones((2, 3))).update(np.ones((2, 4))), "features"),
    (lambda: StreamingMoments().update(np.ones((1, 3))).covariance(), "at least 2"),
    (lambda: StreamingMoments(diagonal_only=True).update(np.ones((3, 2))).covariance(), "var"),
    (lambda: StreamingMoments().merge(StreamingMoments(diagonal_only=True)), "diagonal_only"),
    (
        lambda: streaming_frechet_distance(
            StreamingMoments(diagonal_only=True).update(np.eye(3)),
            StreamingMoments(diagonal_only=True).update(np.eye(3)),
        ),
        "covariance",
    ),
    (lambda: streaming_frechet_distance(np.eye(3), np.eye(3)), "moments_a"),
    (
        lambda: streaming_frechet_distance(
            StreamingMoments().update(np.eye(3)),
            StreamingMoments().update(np.eye(3)),
            mean_only=True,
            diagonal_only=True,
        ),
        "mean_only",
    ),
    (lambda: StreamingClassifierScore(splits=10), "num_samples"),
    (lambda: StreamingClassifierScore(splits=3, num_samples=2), "num_samples"),
    (lambda: StreamingClassifierScore().update(np.full((2, 3), 0.5)), "sum to 1"),
    (
        lambda: (
            StreamingClassifierScore(splits=2, num_samples=4).update(np.full((3, 2), 0.5)).result()
        ),
        "num_samples",
    ),
    (
        lambda: StreamingClassifierScore(num_samples=2).update(np.full((3, 2), 0.5)),
        "num_samples",
    ),
    (
        lambda: StreamingClassifierScore(splits=2, num_samples=4).merge(
            StreamingClassifierScore(splits=2, num_samples=4)
        ),
        "splits=1",
    ),
]


@pytest.mark.parametrize(("call", "match"), BAD)
def test_bad_use_is_a_value_error_saying_what_to_do(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_exported():
    for name in streaming.__all__:
        assert name in tfgan_eval.__all__
        assert getattr(tfgan_eval, name) is getattr(streaming, name)
