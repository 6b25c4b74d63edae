"""Exports refuse bad requests: labels outside [0, num_classes), lengths that disagree, and
num_samples outside [1, max_samples], in the graph, with an InvalidArgument error."""

import json
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf

import tfgan_lite as tfgan
from tfgan_lite import export, generate
from tfgan_lite.networks import conditional_mlp_gan, mlp_gan

NUM_CLASSES = 3
PLAIN_MAX = 10  # the unconditional export's max_samples; the conditional one keeps 4096


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A tiny conditional and unconditional GAN (untrained), each exported once."""
    base = tmp_path_factory.mktemp("exports")
    conditional = tfgan.ConditionalGAN(
        *conditional_mlp_gan(2, 2, 4, (8,)), num_classes=NUM_CLASSES, latent_dim=2, seed=0
    )
    plain = tfgan.GAN(*mlp_gan(2, 2, (8,)), latent_dim=2, seed=0)
    return {
        "base": base,
        "conditional": conditional,
        "plain": plain,
        "conditional_path": export.saved_model(conditional, str(base / "conditional")),
        "plain_path": export.saved_model(plain, str(base / "plain"), max_samples=PLAIN_MAX),
    }


# Every request, bad and good, from a fresh interpreter that never imports tfgan_lite: what
# TF Serving or a user script sees. Errors go to a JSON file, samples to an .npz file.
REQUESTS = textwrap.dedent(
    """
    import json, sys
    import numpy as np, tensorflow as tf

    conditional = tf.saved_model.load(sys.argv[1]).signatures
    plain = tf.saved_model.load(sys.argv[2]).signatures
    z = np.load(sys.argv[3])

    def serve(signatures, z, labels=None):
        feed = {"z": tf.constant(z, tf.float32)}
        if labels is not None:
            feed["labels"] = tf.constant(labels, tf.int32)
        return signatures["serving_default"](**feed)

    def sample(signatures, n, seed, labels=None):
        feed = {"num_samples": tf.constant(n, tf.int32), "seed": tf.constant(seed, tf.int64)}
        if labels is not None:
            feed["labels"] = tf.constant(labels, tf.int32)
        return signatures["sample"](**feed)

    bad = {
        "label -1": lambda: serve(conditional, z[:1], [-1]),
        "label num_classes": lambda: serve(conditional, z[:1], [3]),
        "labels mixed": lambda: serve(conditional, z[:4], [0, 7, 2, -4]),
        "labels shorter than z": lambda: serve(conditional, z[:4], [0, 1, 2]),
        "sample label num_classes": lambda: sample(conditional, 2, 0, [0, 3]),
        "sample labels longer": lambda: sample(conditional, 2, 0, [0, 1, 2]),
        "sample 0": lambda: sample(conditional, 0, 0, []),
        "sample 4097": lambda: sample(conditional, 4097, 0, np.zeros(4097, np.int32)),
        "plain sample 0": lambda: sample(plain, 0, 0),
        "plain sample -5": lambda: sample(plain, -5, 0),
        "plain sample 11": lambda: sample(plain, 11, 0),
    }
    errors = {}
    for name, request in bad.items():
        try:
            request()
            errors[name] = None
        except tf.errors.InvalidArgumentError as error:
            errors[name] = error.message
    good = {
        "serve": serve(conditional, z[:4], [0, 1, 2, 0]),
        "sample": sample(conditional, 5, 3, [2, 1, 0, 1, 2]),
        "sample 4096": sample(conditional, 4096, 4, np.arange(4096) % 3),
        "plain serve": serve(plain, z),
        "plain sample 10": sample(plain, 10, 1),
    }
    np.savez(sys.argv[5], **{name: out["samples"].numpy() for name, out in good.items()})
    with open(sys.argv[4], "w") as f:
        json.dump(errors, f)
    assert "tfgan_lite" not in sys.modules, "imported tfgan_lite"
    """
)


@pytest.fixture(scope="module")
def answers(exported):
    """The errors and samples the fresh process got."""
    base = exported["base"]
    z = np.random.default_rng(0).normal(size=(6, 2)).astype(np.float32)
    np.save(base / "z.npy", z)
    args = [exported["conditional_path"], exported["plain_path"], str(base / "z.npy")]
    args += [str(base / "errors.json"), str(base / "samples.npz")]
    result = subprocess.run(
        [sys.executable, "-c", REQUESTS, *args], capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-3000:]
    with open(base / "errors.json") as f:
        errors = json.load(f)
    return {"z": z, "errors": errors, "samples": dict(np.load(base / "samples.npz"))}


def assertion(message):
    """The line of an InvalidArgument message that the graph's assert wrote."""
    assert message is not None, "the request was answered"
    lines = [line for line in message.splitlines() if line.startswith("assertion failed:")]
    assert len(lines) == 1, message
    return lines[0]


@pytest.mark.parametrize(
    "request_name, offending",
    [
        ("label -1", "[-1]"),
        ("label num_classes", "[3]"),
        ("labels mixed", "[7 -4]"),
        ("sample label num_classes", "[3]"),
    ],
)
def test_a_label_outside_the_classes_is_an_invalid_argument_naming_labels(
    answers, request_name, offending
):
    line = assertion(answers["errors"][request_name])
    assert "labels must be class ids in [0, 3) (num_classes=3)" in line
    assert line.endswith(offending)


@pytest.mark.parametrize(
    "request_name, expected",
    [
        ("labels shorter than z", "[labels has] [3] [entries, z has] [4] [rows"),
        ("sample labels longer", "[labels has] [3] [entries, num_samples is] [2]"),
    ],
)
def test_labels_of_another_length_name_both_lengths(answers, request_name, expected):
    assert expected in assertion(answers["errors"][request_name])


@pytest.mark.parametrize(
    "request_name, maximum, got",
    [
        ("sample 0", 4096, 0),
        ("sample 4097", 4096, 4097),
        ("plain sample 0", PLAIN_MAX, 0),
        ("plain sample -5", PLAIN_MAX, -5),
        ("plain sample 11", PLAIN_MAX, 11),
    ],
)
def test_num_samples_outside_1_to_max_samples_is_refused(answers, request_name, maximum, got):
    line = assertion(answers["errors"][request_name])
    assert f"num_samples must be in [1, {maximum}] (max_samples, set at export)" in line
    assert line.endswith(f"[{got}]")


def test_good_requests_still_give_exactly_the_keras_models_samples(exported, answers):
    """Bit for bit: the checks add asserts and identities, nothing that changes a value."""
    conditional, plain = exported["conditional"], exported["plain"]
    z, samples = answers["z"], answers["samples"]

    def keras(gan, z, labels):
        labels = None if labels is None else tf.constant(labels, tf.int32)
        return np.asarray(gan._generate(tf.constant(z), labels, training=False))

    np.testing.assert_array_equal(samples["serve"], keras(conditional, z[:4], [0, 1, 2, 0]))
    np.testing.assert_array_equal(samples["plain serve"], keras(plain, z, None))
    labels = [2, 1, 0, 1, 2]
    expected = conditional.generate(5, seed=3, labels=labels)
    np.testing.assert_array_equal(samples["sample"], expected)
    expected = conditional.generate(4096, seed=4, labels=np.arange(4096) % 3)
    np.testing.assert_array_equal(samples["sample 4096"], expected)
    np.testing.assert_array_equal(samples["plain sample 10"], plain.generate(10, seed=1))


def test_max_samples_is_checked_at_export_and_recorded(exported, tmp_path):
    for path, maximum in ((exported["conditional_path"], 4096), (exported["plain_path"], 10)):
        with open(os.path.join(path, export.METADATA)) as f:
            assert json.load(f)["max_samples"] == maximum
    for bad in (0, -1, True, 2.5, "8", 2**31):
        with pytest.raises(ValueError, match="max_samples must be"):
            export.saved_model(exported["plain"], str(tmp_path), max_samples=bad)
    assert os.listdir(tmp_path) == []


def run_generate(capsys, *args):
    """generate's exit status and its stderr lines, in this process."""
    status = generate.main(list(args))
    return status, capsys.readouterr().err.strip().splitlines()


def test_generate_refuses_a_bad_label_and_too_large_num_in_one_line(exported, tmp_path, capsys):
    model = exported["conditional_path"]
    # Without its metadata, only the graph knows num_classes and max_samples.
    bare = str(tmp_path / "bare")
    shutil.copytree(model, bare)
    shutil.rmtree(os.path.join(bare, "assets.extra"))
    lite = export.tflite(exported["conditional"], str(tmp_path / "g.tflite"))
    out = str(tmp_path / "x.npy")
    cases = [
        ([model, "--labels", "3"], "--labels='3': class ids must be in [0, 3)."),
        ([lite, "--labels", "0,-1"], "--labels='0,-1': class ids must be in [0, 3)."),
        ([model, "--num", "4097"], "--num 4097 is above this model's max_samples=4096"),
        (
            [bare, "--num", "4", "--labels", "3"],
            f"--model {bare} refused the request: [labels must be class ids in [0, 3)",
        ),
        (
            [bare, "--num", "4097", "--labels", "0"],
            "refused the request: [num_samples must be in [1, 4096]",
        ),
    ]
    for args, message in cases:
        status, lines = run_generate(capsys, "--model", args[0], *args[1:], "--out", out)
        assert status == 2 and len(lines) == 1 and lines[0].startswith("error: "), lines
        assert message in lines[0], lines
    assert not os.path.exists(out)
    status, lines = run_generate(
        capsys, "--model", bare, "--num", "4", "--labels", "1", "--seed", "2", "--out", out
    )
    assert status == 0, lines
    expected = exported["conditional"].generate(4, seed=2, labels=1)
    np.testing.assert_allclose(np.load(out), expected, rtol=1e-6, atol=1e-6)


def test_class_names_travel_with_the_exports_and_name_labels(exported, tmp_path, capsys):
    gan = exported["conditional"]
    names = ["cat", "dog", "fox"]
    model = export.saved_model(gan, str(tmp_path / "named"), class_names=names)
    lite = export.tflite(gan, str(tmp_path / "named.tflite"), class_names=names)
    for metadata in (os.path.join(model, export.METADATA), lite + ".json"):
        with open(metadata) as f:
            assert json.load(f)["class_names"] == names
    by_id, by_name = str(tmp_path / "ids.npy"), str(tmp_path / "names.npy")
    for path in (model, lite):
        assert (
            generate.main(["--model", path, "--num", "4", "--labels", "2,0", "--out", by_id]) == 0
        )
        status = generate.main(
            ["--model", path, "--num", "4", "--labels", "fox, cat", "--out", by_name]
        )
        assert status == 0
        assert "classes: 0 cat, 1 dog, 2 fox" in capsys.readouterr().out
        np.testing.assert_array_equal(np.load(by_id), np.load(by_name))
    status, lines = run_generate(capsys, "--model", model, "--labels", "owl", "--out", by_id)
    assert status == 2 and "this model's classes are cat, dog, fox" in lines[0]
    for bad in (["cat", "dog"], ["cat", "dog", ""], [1, 2, 3]):
        with pytest.raises(ValueError, match="class_names must be 3 non-empty strings"):
            export.saved_model(gan, str(tmp_path / "bad"), class_names=bad)
    with pytest.raises(ValueError, match="class_names= is for conditional models"):
        export.tflite(exported["plain"], str(tmp_path / "p.tflite"), class_names=["a"])
    assert not os.path.exists(tmp_path / "bad") and not os.path.exists(tmp_path / "p.tflite")
