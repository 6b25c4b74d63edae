"""DiffAugment's transforms against NumPy references, its per-image gating, and ADA's update."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_lite import augment
from tfgan_lite.augment import POLICIES, DiffAugment

SEED = tf.constant([3, 7], tf.int32)
ALL = (*POLICIES, "color,translation,cutout")


def _images(batch=8, size=16, channels=3, seed=(0, 1)):
    return tf.random.stateless_uniform([batch, size, size, channels], seed, -1.0, 1.0)


def _numpy_translate(images, shift_y, shift_x):
    # out[b, i, j] = images[b, i + dy, j + dx]: np.roll by -d, then zero what wrapped around.
    out = np.zeros_like(images)
    height, width = images.shape[1:3]
    for b, (dy, dx) in enumerate(zip(shift_y, shift_x, strict=True)):
        rolled = np.roll(images[b], (-dy, -dx), axis=(0, 1))
        if dy > 0:
            rolled[height - dy :] = 0
        elif dy < 0:
            rolled[:-dy] = 0
        if dx > 0:
            rolled[:, width - dx :] = 0
        elif dx < 0:
            rolled[:, :-dx] = 0
        out[b] = rolled
    return out


@pytest.mark.parametrize("policy", ALL)
def test_probability_zero_is_exactly_the_identity(policy):
    images = _images()
    out = DiffAugment(policy, probability=0.0)(images, SEED)
    np.testing.assert_array_equal(out.numpy(), images.numpy())


@pytest.mark.parametrize("policy", ALL)
def test_probability_one_changes_the_images(policy):
    images = _images()
    out = DiffAugment(policy)(images, SEED).numpy()
    assert out.shape == images.shape
    assert not np.allclose(out, images.numpy())


@pytest.mark.parametrize("policy", ALL)
def test_the_same_seed_gives_the_same_images_and_another_seed_others(policy):
    images = _images()
    diff_augment = DiffAugment(policy, probability=0.5)
    first = diff_augment(images, SEED).numpy()
    np.testing.assert_array_equal(diff_augment(images, SEED).numpy(), first)
    assert not np.array_equal(diff_augment(images, tf.constant([3, 8])).numpy(), first)


def _gradient(diff_augment, images, weights):
    with tf.GradientTape() as tape:
        tape.watch(images)
        value = tf.reduce_sum(diff_augment(images, SEED) * weights)
    return tape.gradient(value, images)


@pytest.mark.parametrize("policy", ALL)
def test_gradients_reach_the_images(policy):
    images = _images()
    grad = _gradient(DiffAugment(policy), images, _images(seed=(5, 6))).numpy()
    assert np.all(np.isfinite(grad)) and np.any(grad != 0)


def test_gradients_and_outputs_under_xla_with_a_dynamic_batch():
    diff_augment = DiffAugment(probability="adaptive")
    weights = _images(seed=(5, 6))[0]
    spec = tf.TensorSpec([None, 16, 16, 3], tf.float32)
    probability = tf.Variable(0.7)

    @tf.function(jit_compile=True, input_signature=[spec])
    def step(images):
        with tf.GradientTape() as tape:
            tape.watch(images)
            out = diff_augment(images, SEED, probability=probability)
            value = tf.reduce_sum(out * weights)
        return out, tape.gradient(value, images)

    images = _images()
    out, grad = step(images)
    assert np.all(np.isfinite(grad.numpy())) and np.any(grad.numpy() != 0)
    eager = diff_augment(images, SEED, probability=probability)
    np.testing.assert_allclose(out.numpy(), eager.numpy(), atol=1e-5)
    assert step(_images(batch=3))[0].shape == (3, 16, 16, 3)


def test_translate_matches_a_numpy_reference():
    images = _images(batch=5, size=8).numpy()
    shift_y, shift_x = [0, 1, -2, 3, -1], [0, -1, 2, 0, 3]
    out = augment._translate(images, tf.constant(shift_y), tf.constant(shift_x))
    np.testing.assert_array_equal(out.numpy(), _numpy_translate(images, shift_y, shift_x))


def test_random_translation_draws_every_shift_up_to_an_eighth_of_the_size():
    # One lit pixel at (8, 8) of a 16 x 16 image moves by (-dy, -dx), |d| <= round(16 / 8).
    images = np.zeros([500, 16, 16, 1], np.float32)
    images[:, 8, 8] = 1.0
    out = DiffAugment("translation")(images, SEED).numpy()[..., 0]
    assert np.all(out.sum(axis=(1, 2)) == 1.0)
    rows, columns = np.nonzero(out)[1:]
    assert set(rows - 8) == set(columns - 8) == {-2, -1, 0, 1, 2}


def test_cutout_zeroes_a_square_of_half_the_size_when_it_lies_inside():
    images = tf.ones([2, 16, 12, 1])
    out = augment._cutout(images, tf.constant([8, 5]), tf.constant([6, 7])).numpy()[..., 0]
    expected = np.ones([2, 16, 12], np.float32)
    expected[0, 4:12, 3:9] = 0.0  # an 8 x 6 square, from centre - size // 2
    expected[1, 1:9, 4:10] = 0.0
    np.testing.assert_array_equal(out, expected)


def test_random_cutout_zeroes_rectangles_clipped_at_the_border():
    out = DiffAugment("cutout")(tf.ones([400, 16, 16, 1]), SEED).numpy()[..., 0]
    for image in out:
        rows, columns = np.nonzero(image == 0)
        top, bottom, left, right = rows.min(), rows.max() + 1, columns.min(), columns.max() + 1
        assert (image == 0).sum() == (bottom - top) * (right - left)  # one rectangle
        assert bottom - top <= 8 and right - left <= 8
        if top > 0 and bottom < 16:
            assert bottom - top == 8
    assert np.all(out.reshape(400, -1).min(axis=1) == 0)  # never off the image


def test_color_matches_a_numpy_reference():
    images = _images(batch=3, size=4)
    brightness, saturation, contrast = [0.3, -0.5, 0.0], [0.0, 1.7, 1.0], [1.2, 0.5, 1.0]
    out = augment._color(
        images, tf.constant(brightness), tf.constant(saturation), tf.constant(contrast)
    )
    x = images.numpy() + np.reshape(brightness, [3, 1, 1, 1])
    mean = x.mean(axis=3, keepdims=True)
    x = (x - mean) * np.reshape(saturation, [3, 1, 1, 1]) + mean
    mean = x.mean(axis=(1, 2, 3), keepdims=True)
    x = (x - mean) * np.reshape(contrast, [3, 1, 1, 1]) + mean
    np.testing.assert_allclose(out.numpy(), x, rtol=1e-5, atol=1e-6)


def test_random_color_shifts_a_flat_image_by_a_brightness_in_minus_half_to_half():
    # Saturation and contrast leave a constant image alone: what is left is x + (u - 0.5).
    out = DiffAugment("color")(tf.fill([1000, 4, 4, 3], 0.25), SEED).numpy()
    offsets = out[:, 0, 0, 0] - 0.25
    np.testing.assert_allclose(out - offsets[:, None, None, None], 0.25, atol=1e-6)
    assert -0.5 <= offsets.min() < -0.45 and 0.45 < offsets.max() < 0.5


def test_each_image_is_augmented_with_probability_p():
    # Cutout always zeroes part of a 4 x 4 image of ones; 2000 images give sd(fraction) 0.011.
    images = tf.ones([2000, 4, 4, 1])
    out = DiffAugment("cutout", probability="adaptive")(images, SEED, tf.Variable(0.5)).numpy()
    fraction = np.mean(out.reshape(2000, -1).min(axis=1) == 0)
    assert abs(fraction - 0.5) < 4 * np.sqrt(0.25 / 2000)


def test_each_transform_draws_its_own_randomness():
    # A second cutout draws another square: it zeroes more than the first alone in most images.
    images = tf.ones([200, 16, 16, 1])
    once = DiffAugment("cutout")(images, SEED).numpy()
    twice = DiffAugment("cutout,cutout")(images, SEED).numpy()
    assert np.all(twice <= once)  # the first cutout is the same draw in both
    assert np.mean((twice == 0).sum(axis=(1, 2, 3)) > (once == 0).sum(axis=(1, 2, 3))) > 0.9


def test_adjust_moves_p_towards_the_target_by_batch_times_interval_over_speed():
    diff_augment = DiffAugment(probability="adaptive")  # target 0.6, interval 4, speed 500k
    step = 64 * 4 / 500_000
    assert step == pytest.approx(5.12e-4)
    up = diff_augment.adjust(0.5, sign_sum=200.0, count=256, batch_size=64)  # r_t = 0.78
    down = diff_augment.adjust(0.5, sign_sum=100.0, count=256, batch_size=64)  # r_t = 0.39
    assert up.dtype == tf.float32 and up.shape == ()
    np.testing.assert_allclose([float(up), float(down)], [0.5 + step, 0.5 - step], rtol=1e-6)
    assert float(diff_augment.adjust(0.9999, 256.0, 256, 64)) == 1.0
    assert float(diff_augment.adjust(0.0001, -256.0, 256, 64)) == 0.0
    assert float(diff_augment.adjust(0.5, 0.0, 0, 64)) == 0.5  # nothing pooled
    at_target = DiffAugment(probability="adaptive", target=0.5)
    assert float(at_target.adjust(0.3, 128.0, 256, 64)) == pytest.approx(0.3)


def test_the_constructor_names_the_argument_it_rejects():
    for policy in ("", "colour", "color,,cutout", [], ["color", 3]):
        with pytest.raises(ValueError, match="policy:.*color, translation, cutout"):
            DiffAugment(policy)
    for probability in (-0.1, 1.5, "ada", True, None):
        with pytest.raises(ValueError, match="probability:"):
            DiffAugment(probability=probability)
    for name, value in [("target", 1.0), ("target", 0), ("interval", 0), ("interval", 2.5)]:
        with pytest.raises(ValueError, match=f"{name}:"):
            DiffAugment(probability="adaptive", **{name: value})
    with pytest.raises(ValueError, match="speed:"):
        DiffAugment(speed=0)
    with pytest.raises(ValueError, match="probability:.*passed"):
        DiffAugment(probability="adaptive")(_images(), SEED)


def test_policy_keeps_the_order_given_and_takes_a_list():
    assert DiffAugment("cutout, color").policy == ("cutout", "color")
    assert DiffAugment(["translation", "color"]).policy == ("translation", "color")
    assert DiffAugment(probability="adaptive").adaptive
    assert DiffAugment(probability="adaptive").initial_probability == 0.0
    assert not DiffAugment(probability=0.3).adaptive
    numpy_numbers = DiffAugment(probability=np.float32(0.25), interval=np.int64(2), speed=1e4)
    assert numpy_numbers.get_config()["probability"] == 0.25
    assert type(numpy_numbers.get_config()["interval"]) is int


def test_get_config_round_trips_through_keras_serialization():
    original = DiffAugment("translation,color", "adaptive", target=0.5, interval=8, speed=1e5)
    restored = DiffAugment.from_config(original.get_config())
    assert restored.get_config() == original.get_config()
    serialized = keras.saving.serialize_keras_object(original)
    restored = keras.saving.deserialize_keras_object(serialized)
    assert isinstance(restored, DiffAugment) and restored.get_config() == original.get_config()


def test_check_sample_shape_rejects_what_is_not_an_image():
    diff_augment = DiffAugment()
    diff_augment.check_sample_shape((8, 8, 3))
    for shape in ((2,), (1, 8, 3), (8, 8), (None, 8, 3)):
        with pytest.raises(
            ValueError, match=r"augment:.*\(batch, H, W, C\).*callable.*augment=None"
        ):
            diff_augment.check_sample_shape(shape)


def test_get_takes_none_a_policy_a_diff_augment_or_a_callable():
    assert augment.get(None) is None and augment.get("") is None and augment.get(False) is None
    assert augment.get("translation,cutout").policy == ("translation", "cutout")
    diff_augment = DiffAugment("color")

    def custom(images, seed):
        return images

    assert augment.get(diff_augment) is diff_augment
    assert augment.get(custom) is custom
    for identifier in ("flip", 3, True):
        with pytest.raises(ValueError, match="augment:"):
            augment.get(identifier)
