"""GAN under tf.distribute: the mirrored step equals the one-device step, every replica
draws its own noise, and two worker processes train to identical weights.

Logical devices must be configured before TensorFlow initialises, and a multi-worker
cluster needs processes of its own, so each scenario runs in a subprocess whose results
come back as JSON or .npz files.
"""

import json
import os
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOLERANCE = 1e-5  # relative: max |w_a - w_b| over a network / max |update| of that network

_PREAMBLE = """
import json, os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf
"""

# One process for every mirrored check: two logical CPUs, then each case built on one
# device and on MirroredStrategy over both, and stepped once on the same global batch.
MIRRORED = (
    _PREAMBLE
    + """
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras
import numpy as np
import tensorflow_probability as tfp
import tfgan_lite as tfgan

tfd = tfp.distributions
LATENT = 3
LR = 0.1
CASES = {
    "non_saturating": dict(loss="non_saturating"),
    "gradient_penalty": dict(loss="wasserstein", gradient_penalty=10.0),
    "weight_clipping": dict(loss="wasserstein", clip_weights=0.3),
    # The labeled stream zipped into the input pipeline, split across replicas like x.
    "semi_supervised": dict(generator_objective="standard"),
}
mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
single = tf.distribute.get_strategy()
# The global batch: 8 examples, one fit step; each of the two replicas gets 4.
x = np.asarray(tfgan.data.toy("ring8").sample(8, seed=(0, 0)))
dataset = tf.data.Dataset.from_tensors(x)
# Semi-supervised: 4 of the 8 labeled; each step also sees a batch of 8 labeled examples.
y = np.array([0, -1, 1, -1, 2, -1, 0, -1], np.int32)


def build(case, lr):
    keras.utils.set_random_seed(1)
    generator = tfgan.networks.mlp(LATENT, 2, (8,), name="generator")
    if case == "gradient_penalty":
        # Linear: its input gradient is the same everywhere, so the penalty does not
        # depend on the random interpolation points, which differ between the two sides.
        discriminator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    else:
        discriminator = tfgan.networks.mlp(2, 1, (8,), name="discriminator")
    # Zero variance: every z is this vector, on every replica and on one device alike.
    prior = tfd.Independent(tfd.Deterministic(tf.constant([0.5, -1.0, 1.5])), 1)
    if case == "semi_supervised":
        classifier = tfgan.networks.mlp(2, 3, (8,), name="classifier")
        gan = tfgan.SemiSupervisedGAN(
            generator, classifier, 3, LATENT, prior=prior, seed=0, **CASES[case]
        )
    else:
        gan = tfgan.GAN(generator, discriminator, LATENT, prior=prior, seed=0, **CASES[case])
    # SGD, not Adam: Adam's first step is nearly blind to the scale of the gradient, so it
    # would hide a replica-count factor.
    gan.compile(keras.optimizers.SGD(lr), keras.optimizers.SGD(lr))
    return gan


def step(case, strategy, lr=LR, unscaled=False):
    with strategy.scope():
        gan = build(case, lr)
        if unscaled:
            # Undo the step's 1 / num_replicas_in_sync: the bug this test must catch.
            n = strategy.num_replicas_in_sync
            for optimizer in (gan.generator_optimizer, gan.discriminator_optimizer):
                optimizer.scale_loss = lambda loss, n=n: loss * n
    before = [np.array(v) for v in gan.trainable_weights]
    if case == "semi_supervised":
        history = gan.fit(x, y, batch_size=8, shuffle=False, epochs=1, verbose=0)
    else:
        history = gan.fit(dataset, epochs=1, verbose=0)
    copies = [strategy.experimental_local_results(v.value) for v in gan.trainable_weights]
    return {
        "before": before,
        "after": [np.array(c[0]) for c in copies],
        "copies_differ": max(
            float(np.max(np.abs(np.array(c) - np.array(cs[0])))) for cs in copies for c in cs
        ),
        "logs": {k: float(v[-1]) for k, v in history.history.items()},
        "noise_step": int(np.array(gan.noise_step)),
        "split": len(gan.generator.trainable_weights),
    }


def rel(a, b, ref):
    # Per network: the largest weight difference over the largest update of the reference.
    out = {}
    split = ref["split"]
    for net, rows in (("generator", slice(0, split)), ("discriminator", slice(split, None))):
        diff = max(float(np.max(np.abs(p - q))) for p, q in zip(a["after"][rows], b["after"][rows]))
        update = max(
            float(np.max(np.abs(p - q))) for p, q in zip(ref["after"][rows], ref["before"][rows])
        )
        out[net] = diff / update
    return out


results = {}
for case in CASES:
    one = step(case, single)
    two = step(case, mirrored)
    two_unscaled = step(case, mirrored, unscaled=True)
    one_doubled = step(case, single, lr=2 * LR)  # SGD: the update of a doubled gradient
    d_weights = np.concatenate([w.ravel() for w in two["after"][two["split"]:]])
    results[case] = {
        "mirrored_vs_single": rel(two, one, one),
        "unscaled_vs_single": rel(two_unscaled, one, one),
        "unscaled_vs_doubled": rel(two_unscaled, one_doubled, one),
        "logs_single": one["logs"],
        "logs_mirrored": two["logs"],
        "copies_differ": two["copies_differ"],
        "noise_step": two["noise_step"],
        "clipped_fraction": float(np.mean(np.isclose(np.abs(d_weights), 0.3, rtol=0, atol=1e-7))),
        "max_abs_d_weight": float(np.max(np.abs(d_weights))),
    }

# Noise: the normal prior, one draw per replica through the step's own seed.
with mirrored.scope():
    generator, discriminator = tfgan.networks.mlp_gan(LATENT, 2, (8,))
    gan = tfgan.GAN(generator, discriminator, LATENT, seed=0)


@tf.function
def draw():
    return mirrored.run(lambda: gan._noise(4, gan._step_seed(), 0))


first = [np.array(z) for z in mirrored.experimental_local_results(draw())]
second = [np.array(z) for z in mirrored.experimental_local_results(draw())]
results["noise"] = {
    "first": [z.tolist() for z in first],
    "second": [z.tolist() for z in second],
    "noise_step": int(np.array(gan.noise_step)),
}
with open(sys.argv[1], "w") as f:
    json.dump(results, f)
"""
)

# One worker of a two-worker MultiWorkerMirroredStrategy cluster (TF_CONFIG from the test).
WORKER = (
    _PREAMBLE
    + """
import keras
import numpy as np
import tfgan_lite as tfgan
from tfgan_lite import distribute

strategy = distribute.strategy("multi_worker")  # first, before any other op
assert strategy.num_replicas_in_sync == 2, strategy.num_replicas_in_sync
with strategy.scope():
    keras.utils.set_random_seed(0)
    generator, discriminator = tfgan.networks.mlp_gan(4, 2, (16,))
    gan = tfgan.GAN(generator, discriminator, latent_dim=4, seed=0)
    gan.compile()
before = [np.array(v) for v in gan.trainable_weights]
history = gan.fit(
    tfgan.data.toy_dataset("ring8", batch_size=32, seed=0), epochs=1, steps_per_epoch=5, verbose=0
)
# Batches that are (x, labels) tuples: the case Keras's symbolic build fails on.
evaluation = gan.evaluate(
    tfgan.data.toy_dataset("ring8", batch_size=32, seed=1, labels=True),
    steps=2,
    verbose=0,
    return_dict=True,
)
after = [np.array(v) for v in gan.trainable_weights]
noise_step = int(np.array(gan.noise_step))


@tf.function
def draw():
    return strategy.run(lambda: gan._noise(4, gan._step_seed(), 0))


z = np.array(strategy.experimental_local_results(draw())[0])  # this worker's replica
np.savez(
    sys.argv[1],
    z=z,
    noise_step=noise_step,
    logs=np.array([history.history[k][-1] for k in sorted(history.history)], np.float64),
    evaluation=np.array([evaluation[k] for k in sorted(evaluation)], np.float64),
    **{f"before_{i}": w for i, w in enumerate(before)},
    **{f"after_{i}": w for i, w in enumerate(after)},
)
"""
)


def _env():
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("TF_CONFIG", None)
    return env


@pytest.fixture(scope="module")
def mirrored(tmp_path_factory):
    out = tmp_path_factory.mktemp("mirrored") / "results.json"
    result = subprocess.run(
        [sys.executable, "-c", MIRRORED, str(out)],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(out.read_text())


CASES = ["non_saturating", "gradient_penalty", "weight_clipping", "semi_supervised"]


@pytest.mark.parametrize("case", CASES)
def test_mirrored_step_equals_single_device_step(mirrored, case):
    r = mirrored[case]
    for net, error in r["mirrored_vs_single"].items():
        assert error < TOLERANCE, f"{case}: {net} update differs by {error:.2e} (relative)"
    # Every replica holds the same weights after the step (clipping included).
    assert r["copies_differ"] == 0.0
    # The noise counter advanced once per step, not once per replica.
    assert r["noise_step"] == 1


@pytest.mark.parametrize("case", CASES)
def test_check_would_catch_a_missing_replica_scaling(mirrored, case):
    r = mirrored[case]
    # Without the 1 / num_replicas factor the mirrored step moves D twice as far (measured:
    # relative differences of 0.15 to 2.7, clipping hiding part of it) ...
    for net, error in r["unscaled_vs_single"].items():
        assert error > 1000 * TOLERANCE, f"{case}: {net} {error:.2e}"
    # ... exactly the update of a doubled gradient (SGD at twice the learning rate).
    for net, error in r["unscaled_vs_doubled"].items():
        assert error < TOLERANCE, f"{case}: {net} {error:.2e}"


@pytest.mark.parametrize("case", CASES)
def test_mirrored_metrics_are_unscaled_and_equal_single_device(mirrored, case):
    single, replicated = mirrored[case]["logs_single"], mirrored[case]["logs_mirrored"]
    assert set(single) == set(replicated)
    if case == "gradient_penalty":
        assert "gradient_penalty" in single
    for key in single:
        # A loss scaled by 1/2 before the tracker would be off by 50%.
        np.testing.assert_allclose(replicated[key], single[key], rtol=TOLERANCE, err_msg=key)


def test_weight_clipping_case_clips_some_weights_and_not_others(mirrored):
    r = mirrored["weight_clipping"]
    assert r["max_abs_d_weight"] <= 0.3 + 1e-7
    # Neither nothing clipped (clipping untested) nor everything (every update erased).
    assert 0.05 < r["clipped_fraction"] < 0.95, r["clipped_fraction"]


def test_each_replica_draws_its_own_noise(mirrored):
    noise = mirrored["noise"]
    first, second = (np.array(z) for z in (noise["first"], noise["second"]))
    assert first.shape == (2, 4, 3) and np.all(np.isfinite(first))
    assert not np.allclose(first[0], first[1]), "both replicas drew the same z"
    assert not np.allclose(first, second), "two steps drew the same z"
    assert noise["noise_step"] == 2  # one count per step, whatever the number of replicas


# ----------------------------------------------------------------- multi-worker


def _free_ports(n):
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def test_two_workers_train_to_identical_weights(tmp_path):
    try:
        ports = _free_ports(2)
    except OSError as error:
        pytest.skip(f"cannot bind ports on 127.0.0.1 for a two-worker cluster: {error}")
    cluster = {"worker": [f"127.0.0.1:{port}" for port in ports]}
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    workers = []
    for index in range(2):
        env = _env()
        env["TF_CONFIG"] = json.dumps(
            {"cluster": cluster, "task": {"type": "worker", "index": index}}
        )
        log = open(tmp_path / f"worker{index}.log", "w")  # noqa: SIM115 (closed below)
        workers.append(
            (
                subprocess.Popen(
                    [sys.executable, str(script), str(tmp_path / f"worker{index}.npz")],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                ),
                log,
            )
        )
    deadline = time.monotonic() + 180  # for both workers together
    try:
        codes = [process.wait(timeout=deadline - time.monotonic()) for process, _ in workers]
    except subprocess.TimeoutExpired:
        codes = None
    finally:
        for process, log in workers:
            if process.poll() is None:
                process.kill()
                process.wait()
            log.close()
    logs = "\n".join(
        f"--- worker {i}\n" + (tmp_path / f"worker{i}.log").read_text()[-2500:] for i in range(2)
    )
    assert codes is not None, "the two-worker run did not finish within 180 s\n" + logs
    assert codes == [0, 0], logs

    a, b = (np.load(tmp_path / f"worker{i}.npz") for i in range(2))
    n = len([k for k in a.files if k.startswith("after_")])
    assert n == 8  # two dense layers in each network, a kernel and a bias each
    for i in range(n):
        np.testing.assert_array_equal(a[f"after_{i}"], b[f"after_{i}"], err_msg=f"weight {i}")
    moved = [np.max(np.abs(a[f"after_{i}"] - a[f"before_{i}"])) for i in range(n)]
    assert max(moved) > 1e-4, "five steps left the weights where they were"
    # The logs came back as scalars (not the rank-1 tensors the step hands Keras), finite,
    # and the same on both workers.
    assert np.all(np.isfinite(a["logs"])) and np.array_equal(a["logs"], b["logs"])
    assert np.all(np.isfinite(a["evaluation"])) and np.array_equal(a["evaluation"], b["evaluation"])
    assert int(a["noise_step"]) == int(b["noise_step"]) == 5
    # Each worker's replica drew its own noise, yet the weights agree: the gradients were
    # summed across the workers, not merely computed alike.
    assert not np.allclose(a["z"], b["z"])


# ----------------------------------------------------------------- strategy()


def test_strategy_names():
    import tensorflow as tf

    from tfgan_lite import distribute

    assert distribute.strategy("default") is tf.distribute.get_strategy()
    assert isinstance(distribute.strategy("mirrored"), tf.distribute.MirroredStrategy)
    with pytest.raises(ValueError, match="default, mirrored, multi_worker, tpu"):
        distribute.strategy("gpu")


def test_step_compiles_with_xla_as_a_tpu_needs():
    """The TPU claim in distribute.py: the whole step, with every op it can use (stateless
    noise from a TFP prior, the penalty's nested tape, clipping, k slices), compiles."""
    import tfgan_lite as tfgan

    generator, discriminator = tfgan.networks.mlp_gan(4, 2, (8,))
    gan = tfgan.GAN(
        generator,
        discriminator,
        4,
        prior="truncated_normal",
        loss="wasserstein",
        discriminator_steps=2,
        gradient_penalty=10.0,
        clip_weights=0.5,
        seed=0,
    )
    gan.compile(jit_compile=True)
    data = tfgan.data.toy_dataset("ring8", batch_size=16, seed=0)
    history = gan.fit(data, epochs=1, steps_per_epoch=2, verbose=0)
    assert gan.jit_compile is True
    assert all(np.isfinite(v[-1]) for v in history.history.values())
