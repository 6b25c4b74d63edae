"""Mixed precision: bfloat16 (CPU) and float16 with loss scaling train; XLA compiles the step."""

import keras
import numpy as np
import pytest

import tfgan_lite as tfgan


@pytest.fixture
def policy(request):
    keras.mixed_precision.set_global_policy(request.param)
    yield request.param
    keras.mixed_precision.set_global_policy("float32")


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"], indirect=True)
@pytest.mark.parametrize("jit_compile", [False, True])
def test_mixed_precision_dcgan_trains_a_few_steps(policy, jit_compile):
    generator, discriminator = tfgan.networks.dcgan((16, 16, 1), 8, width=8)
    gan = tfgan.GAN(generator, discriminator, latent_dim=8, seed=0)
    assert gan.generator.compute_dtype == policy.split("_")[1]
    gan.compile(jit_compile=jit_compile)
    scaled = isinstance(gan.generator_optimizer, keras.optimizers.LossScaleOptimizer)
    assert scaled == (policy == "mixed_float16")
    before = [np.asarray(w) for w in gan.generator.trainable_weights]
    data = tfgan.data.images("digits", "train", 32, 16).repeat()
    history = gan.fit(data, steps_per_epoch=4, epochs=1, verbose=0).history
    assert all(np.isfinite(v[-1]) for v in history.values())
    assert all(w.dtype == np.float32 for w in before)  # variables stay float32
    after = [np.asarray(w) for w in gan.generator.trainable_weights]
    assert any(not np.allclose(a, b) for a, b in zip(before, after, strict=True))
    assert gan.generate(3, seed=0).shape == (3, 16, 16, 1)


@pytest.mark.parametrize("policy", ["mixed_bfloat16"], indirect=True)
def test_mixed_precision_with_a_gradient_penalty(policy):
    # A critic linear in x (no activation), whose gradient is the same everywhere:
    # grad_x D = W1 @ W2, so the penalty has a closed form whatever points it samples.
    generator = tfgan.networks.mlp(4, 2, (16,))
    critic = tfgan.networks.mlp(2, 1, (16,), activation=None)
    gan = tfgan.GAN(
        generator, critic, latent_dim=4, loss="wasserstein", gradient_penalty=2.0, seed=0
    )
    gan.compile()
    data = tfgan.data.toy_dataset("ring8", 32)
    before = [w.numpy() for w in critic.trainable_weights]
    gan.fit(data, steps_per_epoch=3, verbose=0)
    after = [w.numpy() for w in critic.trainable_weights]
    assert any(not np.allclose(a, b) for a, b in zip(before, after, strict=True))
    # Scale the trained critic's last kernel so that ||grad_x D|| = 3: the penalty is then
    # 2.0 * (3 - 1)^2 = 8, up to bfloat16's rounding of the gradient (about 1%).
    first, last = (layer.kernel for layer in critic.layers)
    norm = np.linalg.norm(first.numpy() @ last.numpy())
    last.assign(last.numpy() * 3.0 / norm)
    logs = gan.evaluate(data, steps=1, verbose=0, return_dict=True)
    np.testing.assert_allclose(logs["gradient_penalty"], 8.0, rtol=0.05)
