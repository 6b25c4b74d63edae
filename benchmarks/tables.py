"""benchmarks/speed.py's results: the rows of speed.json, the Markdown tables and the header.

speed.py hands ``common.write`` what these build: it writes speed.json (the header and the
rows) and speed.md (the header and the tables), which benchmarks/update_readme.py copies into
docs/benchmarks.md. Each table is rendered from the JSON rows, so the two cannot disagree.
"""

import keras
import numpy as np
import torch
from common import machine
from flops import cpu_name


def peak_rows(peak, matmul_size):
    """The JSON rows of ``flops.matmul_gflops``'s {framework: (median, best)} GFLOP/s."""
    return [
        {
            "workload": f"matmul {matmul_size}",
            "implementation": name,
            "gflops": median,
            "gflops_best": best,
        }
        for name, (median, best) in peak.items()
    ]


def result_rows(title, batch_size, steps, rows, times, machine_peak):
    """The JSON rows of a workload.

    ``rows`` is {key: (implementation, setting, FLOPs per step)}, ``times`` {key: the ms per
    step of each timed run}; the "defaults" row is the one the ratios are to.
    """
    base = float(np.median(times["defaults"]))
    results = []
    for key, (implementation, setting, flops) in rows.items():
        runs = times[key]
        ms = float(np.median(runs))
        gflops = flops / ms / 1e6
        results.append(
            {
                "workload": title,
                "implementation": implementation,
                "row": key,
                "setting": setting,
                "batch_size": batch_size,
                "steps": steps,
                "repeats": len(runs),
                "ms_per_step": ms,
                "ms_spread": (max(runs) - min(runs)) / 2,
                "ms_best": min(runs),
                "ms_runs": runs,
                "ratio_to_defaults": ms / base,
                "flops_per_step": flops,
                "gflops": gflops,
                "fraction_of_peak": gflops / machine_peak,
            }
        )
    return results


def workload_table(results, forward_flops, params):
    """A workload's Markdown section: its title, network sizes, table and fastest settings.

    ``results`` are its ``result_rows``, ``forward_flops`` and ``params`` G's and D's
    forward FLOPs per example and trainable parameters.
    """
    first = results[0]
    (g_flops, d_flops), (g_params, d_params) = forward_flops, params
    lines = [
        f"#### {first['workload']}: batch {first['batch_size']}, median of {first['repeats']} "
        f"runs of {first['steps']} steps",
        "",
        f"Forward FLOPs per example: G {g_flops / 1e6:.3f} M, D {d_flops / 1e6:.3f} M; "
        f"trainable parameters: G {g_params:,}, D {d_params:,}.",
        "",
        "| implementation | setting | ms per step | best run | time / tfgan_lite defaults "
        "| GFLOP per step | GFLOP/s | % of matmul peak |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['implementation']} | {r['setting']} | {r['ms_per_step']:.2f} ± "
            f"{r['ms_spread']:.2f} | {r['ms_best']:.2f} | {r['ratio_to_defaults']:.2f} "
            f"| {r['flops_per_step'] / 1e9:.3f} | {r['gflops']:.1f} "
            f"| {100 * r['fraction_of_peak']:.1f} |"
        )
    lines += ["", _fastest(results)]
    return "\n".join(lines)


def _fastest(results):
    """The sentence naming the fastest tfgan_lite setting, and how PyTorch compares."""
    tfgan_rows = [r for r in results if r["implementation"] == "tfgan_lite"]
    by_median = min(tfgan_rows, key=lambda r: r["ms_per_step"])
    by_best = min(tfgan_rows, key=lambda r: r["ms_best"])
    sentence = (
        f"Fastest tfgan_lite setting: {by_median['setting']} by the median "
        f"({by_median['ms_per_step']:.2f} ms), {by_best['setting']} by the best run "
        f"({by_best['ms_best']:.2f} ms)."
    )
    torch_rows = [r for r in results if r["implementation"] == "PyTorch"]
    if torch_rows:
        defaults = tfgan_rows[0]
        fastest = min(torch_rows, key=lambda r: r["ms_per_step"])
        sentence += (
            f" PyTorch's faster row ({fastest['setting']}) takes {fastest['ratio_to_defaults']:.2f}"
            f"x the time of tfgan_lite's defaults by the median, "
            f"{min(r['ms_best'] for r in torch_rows) / defaults['ms_best']:.2f}x by the best run."
        )
    return sentence


def header(peak, matmul_size, matmul_repeats, torch_default_threads, minutes):
    """The paragraph above the tables: machine, versions, the matmul peak, how to read them."""
    tf_peak, torch_peak = peak["TensorFlow"], peak["PyTorch"]
    return (
        f"GAN training step time: tfgan_lite, a Keras-guide GAN and PyTorch "
        f"(benchmarks/speed.py). {machine()}, Keras {keras.__version__}, PyTorch "
        f"{torch.__version__}; {cpu_name()}; TensorFlow's default thread pools, PyTorch "
        f"{torch_default_threads} threads by default. Float32 {matmul_size}x"
        f"{matmul_size} matmul, median (best) of {matmul_repeats}: TensorFlow "
        f"{tf_peak[0]:.0f} ({tf_peak[1]:.0f}) GFLOP/s, PyTorch {torch_peak[0]:.0f} "
        f"({torch_peak[1]:.0f}) GFLOP/s; the % column is of the better median. "
        f"ms per step: the median over runs ± half their range, the rows taking turns run by "
        f"run; 'best run' is the fastest run (load from other jobs only ever slows a run "
        f"down). time / defaults > 1 is slower than tfgan_lite's defaults. FLOPs: the Dense "
        f"and convolution multiply-adds of one example's forward pass, a backward pass counted "
        f"as 2 forwards, times the passes of a step: 3 G + 9 D forwards per example for "
        f"tfgan_lite and PyTorch, 4 G + 9 D for the Keras guide (it runs G twice). The run "
        f"took {minutes:.1f} min."
    )
