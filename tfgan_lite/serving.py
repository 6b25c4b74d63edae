"""The serving contract: what an export of a model takes, computes and returns.

A model that can be exported implements one public method,

    model.serving_contract(direction=None) -> Contract

and ``tfgan_lite.export`` (SavedModel and TFLite) and ``tfgan_lite.generate`` (a .keras file)
read everything from the ``Contract`` it returns: they name no model class and call no
private method of a model. A new model family exports by implementing the method; the
method may use the model's own private hooks, which stay inside its class. A model that
serves several translations (a CycleGAN's two generators) also implements
``serving_directions()``, the tuple of the ``direction`` values it takes (``()``, or no
such method, for one).

A contract has one of two kinds, which fix the signatures:

* ``GENERATOR`` ("generator"), samples from noise. The SavedModel's ``serving_default``
  takes every input (``z`` first, whose rows are the batch) and returns ``output.name``;
  its ``sample`` signature takes ``num_samples`` (int32 scalar), ``seed`` (int64 scalar)
  and the inputs that are not drawn (such as ``labels``), and draws the others with their
  ``sample`` functions. The TFLite file takes every input.
* ``IMAGE_TO_IMAGE`` ("image_to_image"), image translation. The SavedModel has
  ``serving_default`` alone: the inputs that are not drawn (the ``images``), and
  ``seed`` (int64 scalar) when some inputs are drawn (a Pix2Pix's z), which are then drawn
  in the graph. The TFLite file takes every input, the drawn ones included.

How the exporter treats an ``Input`` follows from its fields, not from its name:

* ``image``: float images ``(n, *shape)`` in the export's ``value_range`` (the exporter's
  option, [-1, 1] by default), or uint8 0-255 with ``output="uint8"``, mapped onto the
  range in the graph; the SavedModel refuses another shape and values out of the range.
* ``num_classes``: int32 class ids ``(n,)`` in ``[0, num_classes)``, checked in the graph
  (length and range); ``class_names=`` at export names them.
* ``sizes``: int32 columns ``(n, len(sizes))``, column i in ``[0, sizes[i])``, checked.
* any other input after the first: its rows are checked against the batch.
* ``sample``: ``sample(n, seed) -> (n, *shape)`` draws the input, ``seed`` a stateless int32
  ``[2]`` tensor ``[s, 0]`` for the request's seed s (the same for every drawn input: a
  model folds its own streams from it, as InfoGAN's codes take ``seed + [0, 1]``). It runs
  in the graph (a ``tf.function``) and eagerly (the exporter's verification, the
  ``generate`` command).

Before writing a TFLite file the exporter verifies it: it draws the drawn inputs with
``seed`` (the export's, 0 by default), takes class ids ``arange(n) % num_classes``,
random images in the export's encoding and standard-normal values for other inputs, and
compares the file's output with the Keras model's, ``reference(inputs, seed)`` (or
``compute`` run eagerly when there is none), within ``tfgan_lite.export.TOLERANCES``.
``reference_name`` names the reference in the error ("the Keras generator").
"""

import dataclasses
from collections.abc import Callable

import numpy as np

GENERATOR = "generator"
IMAGE_TO_IMAGE = "image_to_image"
KINDS = (GENERATOR, IMAGE_TO_IMAGE)


@dataclasses.dataclass(frozen=True)
class Input:
    """One input of the exported signatures (see the module docstring for how each field
    is served and checked)."""

    name: str  # the signature's input name: "z", "labels", "images", ...
    dtype: str = "float32"  # "float32" or "int32" (image inputs become uint8 with uint8 output)
    shape: tuple = ()  # per example: (latent_dim,), () for class ids, (H, W, C) for images
    num_classes: int | None = None  # class ids in [0, num_classes)
    sizes: tuple | None = None  # int columns: column i in [0, sizes[i])
    sample: Callable | None = None  # (n, stateless seed [2]) -> (n, *shape): drawn when set
    image: bool = False  # images in the export's value_range (or uint8 0-255)

    @property
    def drawn(self):
        """Whether the exporter draws this input (``sample``) where a signature takes a seed."""
        return self.sample is not None


@dataclasses.dataclass(frozen=True)
class Output:
    """The exported signatures' one output."""

    name: str  # "samples" for a generator, "images" for a translator
    shape: tuple  # per example


@dataclasses.dataclass(frozen=True)
class Contract:
    """What an export of a model serves; returned by ``model.serving_contract(direction)``.

    Fields:
        kind: ``GENERATOR`` or ``IMAGE_TO_IMAGE``; fixes the signatures and the metadata's
            layout (and its ``"kind"`` entry).
        name: the model's name in messages (and an image-to-image export's ``"model"``).
        inputs: the ``Input`` s in signature order; a generator's first is z, whose rows
            are the batch.
        output: the ``Output``.
        compute: ``compute(inputs) -> tensor``, the model's output on a dict of input
            tensors (float32 images in value_range, class ids as int32, drawn inputs as
            drawn), at inference (dropout off, the averaged generator when the model
            averages). It is traced into the exported graphs.
        network: the ``keras.Model`` (or a tuple of them) whose weights the export holds.
        generator: which weights those are, the metadata's ``"generator"``: ``"live"`` or
            ``"averaged (ema=0.999)"``.
        metadata: the model's entries of the metadata file (``assets.extra/tfgan_lite.json``
            or ``path + ".json"``), in order; the exporter adds its own (``output``,
            ``value_range``, ``class_names``, ``max_samples``, ``quantize``, ``kind``).
        reference: ``reference(inputs, seed) -> array``, the Keras model's own output for
            a dict of NumPy inputs (float images in value_range; the drawn inputs drawn with
            ``seed``), which a TFLite file must match; None: ``compute`` run eagerly.
        reference_name: the reference in a failed verification's message.
        check_sampling: called before writing a SavedModel, whose signatures draw the drawn
            inputs in the graph; raises a ValueError when the model cannot draw them (a
            custom prior that a .keras file could not keep). None: nothing to check.
    """

    kind: str
    name: str
    inputs: tuple
    output: Output
    compute: Callable
    network: object
    generator: str = "live"
    metadata: dict = dataclasses.field(default_factory=dict)
    reference: Callable | None = None
    reference_name: str = "the Keras generator"
    check_sampling: Callable | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind={self.kind!r} is unknown; use one of {', '.join(KINDS)}.")
        object.__setattr__(self, "inputs", tuple(self.inputs))
        names = [spec.name for spec in self.inputs]
        if not names or len(set(names)) != len(names) or "seed" in names:
            raise ValueError(
                f"a contract's inputs need distinct names other than 'seed' (which the "
                f"signatures that draw inputs take), at least one; got {names}."
            )

    def replace(self, **changes):
        """A copy with ``changes``, as ``dataclasses.replace`` (for a subclass's contract)."""
        return dataclasses.replace(self, **changes)

    def input(self, name):
        """The input called ``name``, or None."""
        return next((spec for spec in self.inputs if spec.name == name), None)

    @property
    def classes(self):
        """The first input of class ids (a conditional model's labels), or None."""
        return next((spec for spec in self.inputs if spec.num_classes), None)

    def draw(self, n, seed):
        """The drawn inputs for n examples and an int ``seed``, as NumPy arrays (what the
        signatures draw for the same seed)."""
        import tensorflow as tf

        stateless = tf.constant([int(seed), 0], tf.int32)
        return {
            spec.name: np.asarray(spec.sample(n, stateless)).astype(spec.dtype)
            for spec in self.inputs
            if spec.drawn
        }

    def keras_outputs(self, inputs, seed=0, batch_size=1024):
        """The Keras model's output for a dict of every input as NumPy arrays (the drawn
        ones as ``draw(n, seed)`` draws them), as a NumPy array: ``reference`` when the
        contract has one, else ``compute`` run eagerly, ``batch_size`` rows at a time."""
        import tensorflow as tf

        missing = [spec.name for spec in self.inputs if spec.name not in inputs]
        if missing:
            raise ValueError(f"keras_outputs: the inputs {missing} are missing.")
        if self.reference is not None:
            return np.asarray(self.reference(dict(inputs), seed))
        n = len(inputs[self.inputs[0].name])
        batches = []
        for start in range(0, n, batch_size):
            rows = {
                spec.name: tf.constant(np.asarray(inputs[spec.name])[start : start + batch_size])
                for spec in self.inputs
            }
            batches.append(np.asarray(self.compute(rows)))
        if not batches:
            return np.zeros([0, *self.output.shape], np.float32)
        return np.concatenate(batches)


def averaged_text(ema):
    """The metadata's ``"generator"`` entry for an averaging decay (0 or None: none)."""
    return f"averaged (ema={ema})" if ema else "live"


def refuse_direction(model, direction):
    """Refuses ``direction`` for a model that translates (or samples) one way."""
    if direction is not None:
        raise ValueError(
            f"direction={direction!r} is for a CycleGAN, which holds two generators; this "
            f"{type(model).__name__} has one: drop direction."
        )


def contract_of(model, direction=None):
    """``model.serving_contract(direction)``, checked; a ValueError for an object without
    the method."""
    method = getattr(model, "serving_contract", None)
    if method is None:
        raise ValueError(
            f"a {type(model).__name__} cannot be exported: it has no serving_contract(direction) "
            "method (see tfgan_lite.serving), which every tfgan_lite model has."
        )
    contract = method(direction=direction)
    if not isinstance(contract, Contract):
        raise ValueError(
            f"{type(model).__name__}.serving_contract returned a {type(contract).__name__}, "
            "not a tfgan_lite.serving.Contract."
        )
    return contract


def directions_of(model):
    """The ``direction`` values a model serves (``serving_directions()``); () for one."""
    method = getattr(model, "serving_directions", None)
    return tuple(method()) if method is not None else ()
