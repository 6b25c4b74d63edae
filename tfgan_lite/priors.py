"""Noise priors p(z), as tensorflow-probability distributions over vectors of latent_dim.

``get("normal" | "uniform" | "truncated_normal" | tfd.Distribution, latent_dim)``
returns a distribution whose ``event_shape`` is ``[latent_dim]``. Sampling takes a
stateless seed (a pair of integers or an int32 tensor of shape [2]): the same seed gives
the same z, eagerly and in a ``tf.function`` (XLA-compiled code draws other numbers for
the same seed, a property of TensorFlow's stateless kernels).
"""

import tensorflow as tf
import tensorflow_probability as tfp

tfd = tfp.distributions


def _normal(latent_dim):
    return tfd.Independent(tfd.Normal(tf.zeros([latent_dim]), 1.0), 1, name="normal")


def _uniform(latent_dim):
    return tfd.Independent(
        tfd.Uniform(-tf.ones([latent_dim]), tf.ones([latent_dim])), 1, name="uniform"
    )


def _truncated_normal(latent_dim):
    # Truncated at two standard deviations, like tf.random.truncated_normal.
    return tfd.Independent(
        tfd.TruncatedNormal(tf.zeros([latent_dim]), 1.0, -2.0, 2.0), 1, name="truncated_normal"
    )


_REGISTRY = {"normal": _normal, "uniform": _uniform, "truncated_normal": _truncated_normal}


def names():
    """The prior names ``get`` accepts."""
    return tuple(_REGISTRY)


def get(prior, latent_dim):
    """A distribution over ``[latent_dim]`` vectors, from a name or a distribution."""
    if isinstance(prior, tfd.Distribution):
        event = tuple(prior.event_shape.as_list())
        if event != (latent_dim,):
            raise ValueError(
                f"prior has event_shape {list(event)} but latent_dim={latent_dim}; "
                f"give the prior event_shape [{latent_dim}] (wrap a scalar distribution in "
                f"tfd.Sample(dist, {latent_dim})) or set latent_dim to match."
            )
        return prior
    if isinstance(prior, str) and prior in _REGISTRY:
        return _REGISTRY[prior](latent_dim)
    raise ValueError(
        f"prior={prior!r} is not a prior; pass one of {', '.join(names())}, "
        "or a tfp.distributions.Distribution with event_shape [latent_dim]."
    )


def name_of(prior):
    """The registry name of a prior built by ``get``, or None for a user's distribution."""
    return prior.name if prior.name in _REGISTRY else None
