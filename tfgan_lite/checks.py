"""Checks at the boundary: arguments and data refused before any step, naming the fix.

One validator for integers and one for class labels, shared by the models, networks, data
and eval modules, so that every argument is judged the same way (``True`` is not an integer
here, although Python counts it as one).
"""

import numbers

import keras
import numpy as np


def shape_str(shape):
    """A shape as text, such as (None, 28, 28, 1)."""
    dims = ["None" if d is None else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def is_integer(value):
    """Whether ``value`` is an int or NumPy integer, and not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def integer(value, name, minimum=1, hint=""):
    """``value`` as an int if it is an integer >= ``minimum``; else a ValueError naming it.

    ``hint`` is appended to the message, e.g. what the argument means or a usual value.
    """
    if not is_integer(value) or value < minimum:
        what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"{name} must be {what}{hint}, got {value!r}.")
    return int(value)


def labels(y, name, num_classes, num_examples=None, unlabeled=None, model="this model"):
    """Class ids as a 1-D int NumPy array, or a ValueError that names ``name`` and the fix.

    Args:
        y: an array-like of shape (n,) or (n, 1) of integers in ``[0, num_classes)``.
        name: how the caller calls it in messages (``"y"``, ``"labels"``).
        num_classes: the number of classes.
        num_examples: when given, y must hold exactly that many labels.
        unlabeled: an integer (such as -1) that marks an unlabeled example, or None.
        model: who takes the labels, for the messages (``"a ConditionalGAN"``).
    """
    y = np.asarray(y)
    allowed = f"integer class ids in [0, {num_classes})"
    if unlabeled is not None:
        allowed += f" and {unlabeled} for unlabeled examples"
    if not np.issubdtype(y.dtype, np.integer):
        raise ValueError(
            f"{name} has dtype {y.dtype}; {model} takes {allowed}: convert with "
            f"{name}.astype('int32')."
        )
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or (num_examples is not None and len(y) != num_examples):
        count = "num_examples" if num_examples is None else num_examples
        raise ValueError(
            f"{name} has shape {shape_str(y.shape)} but {model} takes {allowed}, one label "
            f"per example: shape ({count},)."
        )
    valid = (y >= 0) & (y < num_classes)
    if unlabeled is not None:
        valid |= y == unlabeled
    if not valid.all():
        raise ValueError(
            f"{name} holds labels from {y.min()} to {y.max()}, outside [0, {num_classes})"
            + ("" if unlabeled is None else f" and {unlabeled} for unlabeled examples")
            + f" for num_classes={num_classes}; remap them or set num_classes to the number "
            "of classes."
        )
    return y


def keras_config(obj, what):
    """``obj`` serialised by Keras for a ``.keras`` config; a ValueError naming ``what``
    and the fix when Keras does not know its class (a user's unregistered subclass)."""
    cls = type(obj)
    if keras.saving.get_registered_object(keras.saving.get_registered_name(cls)) is not cls:
        raise ValueError(
            f"the {what} {obj!r} is not registered, so it cannot be saved; decorate its "
            "class with @keras.saving.register_keras_serializable()."
        )
    return keras.saving.serialize_keras_object(obj)
