"""FLOP counting for benchmarks/speed.py: of a training step, and the machine's matmul peak.

A step's FLOPs are counted analytically: the multiply-adds (2 FLOPs each) of the Dense and
convolution layers of one example's forward pass (``forward_flops``), times the passes a
step makes, a backward pass counting as 2 forwards (``step_flops``). The peak they are set
against is what TensorFlow and PyTorch reach on a float32 square matmul (``matmul_gflops``).
Also here: the trainable-parameter counts that show two builds of a network are the same,
and the name of the CPU the peak was measured on.
"""

import platform
import time

import keras
import numpy as np
import tensorflow as tf
import torch

# D forwards per example per step: real, fake and fake again for the G loss, each with its
# backward pass (2 forwards), in every implementation. G's count differs: see step_flops.
D_FORWARDS = 9


def forward_flops(model):
    """FLOPs (2 per multiply-add) of one example through the Dense and conv layers."""
    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            total += 2 * int(np.prod(layer.kernel.shape))
        elif isinstance(layer, keras.layers.Conv2DTranspose):
            # Every input pixel meets the whole kernel: in_h * in_w * k * k * c_in * c_out.
            total += 2 * int(np.prod(layer.input.shape[1:3])) * int(np.prod(layer.kernel.shape))
        elif isinstance(layer, keras.layers.Conv2D):
            total += 2 * int(np.prod(layer.output.shape[1:3])) * int(np.prod(layer.kernel.shape))
    return total


def step_flops(batch_size, g_flops, d_flops, g_forwards):
    """FLOPs of one training step of a batch.

    ``g_forwards`` is G's forwards per example, backward included: 3 where G runs once (one
    forward, one backward), 4 where it runs twice (the Keras guide). Batch norm,
    activations, losses and the optimizer are left out.
    """
    return batch_size * (g_forwards * g_flops + D_FORWARDS * d_flops)


def keras_trainable_counts(models):
    """The number of trainable parameters of each Keras model."""
    return [sum(int(np.prod(v.shape)) for v in m.trainable_variables) for m in models]


def torch_trainable_counts(modules):
    """The number of parameters of each PyTorch module."""
    return [sum(p.numel() for p in m.parameters()) for m in modules]


def matmul_gflops(size, repeats, torch_threads):
    """{framework: (median, best) GFLOP/s} of a float32 square matmul, the two alternating.

    ``size`` is the matrices' side, ``repeats`` the timed matmuls per framework (after three
    warm-up rounds), ``torch_threads`` PyTorch's thread count.
    """
    a, b = (np.random.default_rng(i).standard_normal((size, size), np.float32) for i in range(2))
    torch.set_num_threads(torch_threads)
    frameworks = {
        "TensorFlow": (tf.matmul, tf.constant(a), tf.constant(b)),
        "PyTorch": (torch.matmul, torch.from_numpy(a), torch.from_numpy(b)),
    }
    times = {name: [] for name in frameworks}
    for repeat in range(3 + repeats):
        for name, (matmul, x, y) in frameworks.items():
            start = time.perf_counter()
            matmul(x, y)  # eager CPU ops return when done
            if repeat >= 3:  # three warm-up rounds
                times[name].append(time.perf_counter() - start)
    flops = 2 * size**3
    return {
        name: (flops / float(np.median(t)) / 1e9, flops / min(t) / 1e9) for name, t in times.items()
    }


def cpu_name():
    """The CPU's model name from /proc/cpuinfo, or what the platform module knows."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"
