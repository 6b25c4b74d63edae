"""The serving contract: export.py and generate.py read what a model serves from its public
``serving_contract`` alone, so a model family they have never seen exports unchanged, and
their source names no model class and no private attribute."""

import ast
import json
import os
import pathlib

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_lite as tfgan
from tfgan_lite import export, serving
from tfgan_lite.networks import mlp, mlp_gan, semi_supervised_mlp

PACKAGE = pathlib.Path(tfgan.__file__).parent
MODEL_CLASSES = {
    "GAN",
    "ConditionalGAN",
    "ACGAN",
    "InfoGAN",
    "Pix2Pix",
    "CycleGAN",
    "SemiSupervisedGAN",
    "UnrolledGAN",
}


class ToneGenerator(keras.Model):
    """A model family no tfgan_lite module knows: a plain keras.Model (no GAN) whose
    network maps uniform z and a tone id (one of 3) to 2-D points, with its contract."""

    def __init__(self):
        super().__init__()
        z = keras.Input((3,))
        tone = keras.Input((), dtype="int32")
        h = keras.layers.Concatenate()([z, keras.layers.Embedding(3, 2)(tone)])
        out = keras.layers.Dense(2, activation="tanh")(keras.layers.Dense(8, "relu")(h))
        self.network = keras.Model([z, tone], out)

    def call(self, inputs):
        return self.network(inputs)

    def serving_contract(self, direction=None):
        serving.refuse_direction(self, direction)
        return serving.Contract(
            kind=serving.GENERATOR,
            name="ToneGenerator",
            inputs=[
                serving.Input(
                    "z",
                    "float32",
                    (3,),
                    sample=lambda n, seed: tf.random.stateless_uniform([n, 3], seed, -1, 1),
                ),
                serving.Input("tone", "int32", (), num_classes=3),
            ],
            output=serving.Output("samples", (2,)),
            compute=lambda t: self.network([t["z"], t["tone"]], training=False),
            network=self.network,
            metadata={"latent_dim": 3, "prior": "uniform", "num_classes": 3},
        )


class NoisyBlur(keras.Model):
    """A translator family no tfgan_lite module knows: images (8, 8, 1) and a drawn noise
    vector to images (8, 8, 2)."""

    def __init__(self):
        super().__init__()
        images = keras.Input((8, 8, 1))
        noise = keras.Input((2,))
        h = keras.layers.Conv2D(2, 3, padding="same")(images)
        bias = keras.layers.Reshape((1, 1, 2))(keras.layers.Dense(2)(noise))
        out = keras.layers.Activation("tanh")(keras.layers.Add()([h, bias]))
        self.network = keras.Model([images, noise], out)

    def call(self, inputs):
        return self.network(inputs)

    def serving_contract(self, direction=None):
        serving.refuse_direction(self, direction)
        return serving.Contract(
            kind=serving.IMAGE_TO_IMAGE,
            name="NoisyBlur",
            inputs=[
                serving.Input("images", "float32", (8, 8, 1), image=True),
                serving.Input(
                    "noise",
                    "float32",
                    (2,),
                    sample=lambda n, seed: tf.random.stateless_normal([n, 2], seed),
                ),
            ],
            output=serving.Output("images", (8, 8, 2)),
            compute=lambda t: self.network([t["images"], t["noise"]], training=False),
            network=self.network,
            metadata={"model": "NoisyBlur", "input_shape": [8, 8, 1]},
        )


def test_a_new_model_family_exports_to_saved_model_and_tflite_equal_to_keras(tmp_path):
    keras.utils.set_random_seed(0)
    model = ToneGenerator()
    rng = np.random.default_rng(0)
    z = rng.uniform(-1, 1, (6, 3)).astype(np.float32)
    tone = np.array([0, 1, 2, 2, 1, 0], np.int32)
    expected = np.asarray(model.network([z, tone], training=False))

    path = export.saved_model(model, str(tmp_path / "served"), class_names=["low", "mid", "hi"])
    with open(os.path.join(path, export.METADATA)) as f:
        metadata = json.load(f)
    assert metadata["kind"] == "generator" and metadata["num_classes"] == 3
    assert metadata["class_names"] == ["low", "mid", "hi"] and metadata["max_samples"] == 4096
    loaded = tf.saved_model.load(path)
    assert sorted(loaded.signatures) == ["sample", "serving_default"]
    served = loaded.signatures["serving_default"](z=tf.constant(z), tone=tf.constant(tone))
    np.testing.assert_allclose(served["samples"].numpy(), expected, atol=1e-6)
    # The sample signature draws z with the contract's sampler from [seed, 0].
    drawn = loaded.signatures["sample"](
        num_samples=tf.constant(4), seed=tf.constant(5, tf.int64), tone=tf.constant(tone[:4])
    )["samples"].numpy()
    z5 = np.asarray(tf.random.stateless_uniform([4, 3], [5, 0], -1, 1))
    np.testing.assert_allclose(drawn, model.network([z5, tone[:4]]), atol=1e-6)
    # The graph checks follow from the input's fields, named after the input.
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"tone must be class ids in \[0, 3\)"):
        loaded.signatures["serving_default"](z=tf.constant(z), tone=tf.constant(tone + 1))
    with pytest.raises(tf.errors.InvalidArgumentError, match="tone has"):
        loaded.signatures["serving_default"](z=tf.constant(z), tone=tf.constant(tone[:2]))

    tflite = export.tflite(model, str(tmp_path / "tone.tflite"))
    runner = export._signature_runner(tflite)
    np.testing.assert_allclose(runner(z=z, tone=tone)["samples"], expected, atol=1e-5)
    np.testing.assert_allclose(export.run_tflite(tflite, z, tone=tone), expected, atol=1e-5)
    with pytest.raises(ValueError, match="direction='a_to_b' is for a CycleGAN"):
        export.saved_model(model, str(tmp_path / "x"), direction="a_to_b")


def test_a_new_translator_family_exports_with_a_seed_and_with_its_drawn_input(tmp_path):
    keras.utils.set_random_seed(1)
    model = NoisyBlur()
    images = np.random.default_rng(1).uniform(-1, 1, (3, 8, 8, 1)).astype(np.float32)
    noise = np.asarray(tf.random.stateless_normal([3, 2], [7, 0]))
    expected = np.asarray(model.network([images, noise], training=False))

    loaded = tf.saved_model.load(export.saved_model(model, str(tmp_path / "m")))
    signature = loaded.signatures["serving_default"]
    assert sorted(loaded.signatures) == ["serving_default"]
    assert sorted(signature.structured_input_signature[1]) == ["images", "seed"]
    out = signature(images=tf.constant(images), seed=tf.constant(7, tf.int64))["images"]
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-6)
    with pytest.raises(tf.errors.InvalidArgumentError, match="images must hold values in"):
        signature(images=tf.constant(images * 3), seed=tf.constant(7, tf.int64))

    path = export.tflite(model, str(tmp_path / "blur.tflite"), output="uint8")
    with open(path + ".json") as f:
        assert json.load(f)["kind"] == "image_to_image"
    encoded = np.round((images + 1) / 2 * 255).astype(np.uint8)
    got = export._signature_runner(path)(images=encoded, noise=noise)["images"]
    floats = export.uint8_to_range(encoded)
    want = np.asarray(model.network([floats, noise], training=False))
    want = np.round((np.clip(want, -1, 1) + 1) / 2 * 255)
    assert got.dtype == np.uint8 and np.max(np.abs(got - want)) <= 1


def test_every_library_model_states_its_contract():
    plain = tfgan.GAN(*mlp_gan(4, 2, (8,)), latent_dim=4, seed=0)
    unrolled = tfgan.UnrolledGAN(*mlp_gan(4, 2, (8,)), latent_dim=4, seed=0)
    generator, classifier = semi_supervised_mlp(4, 2, 3, hidden=(8,))
    semi = tfgan.SemiSupervisedGAN(generator, classifier, num_classes=3, latent_dim=4, seed=0)
    for model in (plain, unrolled, semi):
        contract = model.serving_contract()
        assert contract.kind == serving.GENERATOR and contract.name == type(model).__name__
        assert [spec.name for spec in contract.inputs] == ["z"]
        assert contract.input("z").drawn and contract.metadata["num_classes"] is None
        assert serving.directions_of(model) == ()
    with pytest.raises(ValueError, match="has no serving_contract"):
        export.saved_model(mlp(2, 2, (4,)), "unused")


def _source_tree(name):
    return ast.parse((PACKAGE / name).read_text(), filename=name)


@pytest.mark.parametrize("name", ["export.py", "generate.py"])
def test_exporter_and_generate_name_no_model_class_and_no_private_attribute(name):
    tree = _source_tree(name)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in MODEL_CLASSES:
            found.append(f"line {node.lineno}: name {node.id}")
        elif isinstance(node, ast.Attribute):
            if node.attr in MODEL_CLASSES:
                found.append(f"line {node.lineno}: attribute .{node.attr}")
            elif node.attr.startswith("_") and not node.attr.startswith("__"):
                found.append(f"line {node.lineno}: private attribute .{node.attr}")
        elif isinstance(node, ast.ImportFrom):
            if node.module and node.module.startswith("tfgan_lite.models"):
                found.append(f"line {node.lineno}: imports {node.module}")
            found += [
                f"line {node.lineno}: imports {alias.name}"
                for alias in node.names
                if alias.name in MODEL_CLASSES
            ]
        elif isinstance(node, ast.Constant) and node.value in MODEL_CLASSES:
            found.append(f"line {node.lineno}: compares with the string {node.value!r}")
    assert not found, f"{name} should read models through serving_contract only: {found}"
