"""DCGAN-28's step on an AVX2-only CPU and with TensorFlow's CPU settings, process by process.

    python benchmarks/cpu_isa.py                        # about 25 minutes on 2 CPU cores
    python benchmarks/cpu_isa.py --processes=2 --settings=default   # a quick look

An issue reported the DCGAN-28 step of benchmarks/speed.py at 137 or 273 ms from one
process to the next on a 2-core AMD EPYC with AVX2 and no AVX-512 (tfgan_lite and the
Keras-guide GAN alike), against PyTorch's steady 94-100 ms. This script runs speed.py's
DCGAN-28 rows (tfgan_lite's defaults, the Keras-guide GAN and PyTorch on one thread, which
other jobs on the machine slow less than its two-thread row; --rows can add ``xla1_spe50``,
tfgan_lite with ``jit_compile=True``, and ``torch``, PyTorch on its default threads) in
--processes fresh processes for each ISA and
setting, the processes of all of them taking turns (ISA, setting, ISA, setting, ..., then
again), and reports each row's per-process step time: the median over processes of each
process's median, its lowest and highest, and the ratio to PyTorch's row in the same
process.

ISAs: "default" is what the CPU has; "AVX2" caps every library's kernels at AVX2 through
their own switches, set before they load: ``ONEDNN_MAX_CPU_ISA=AVX2`` (oneDNN, in
TensorFlow and in PyTorch; its verbose log then says "isa:Intel AVX2"),
``XLA_FLAGS=--xla_cpu_max_isa=AVX2`` (XLA's CPU code), ``ATEN_CPU_CAPABILITY=avx2``
(PyTorch's own kernels) and ``MKL_ENABLE_INSTRUCTIONS=AVX2`` (MKL). TensorFlow's Eigen
kernels are compiled for AVX and are the same in both.

Settings (``SETTINGS``): TensorFlow's defaults; one inter-op thread
(``--inter_op_threads=1``: ops run one after another, each on the intra-op pool of 2);
and oneDNN off (``TF_ENABLE_ONEDNN_OPTS=0``: Eigen's kernels). Writes
benchmarks/results/cpu_isa.{json,md}.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

from absl import app, flags

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from common import machine, write  # noqa: E402
from flops import cpu_name  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_integer("processes", 4, "Fresh processes per ISA and setting.")
flags.DEFINE_integer("repeats", 3, "Timed runs of each row in a process (speed.py --repeats).")
flags.DEFINE_integer("dcgan_steps", 50, "Steps per timed run (speed.py --dcgan_steps).")
flags.DEFINE_list("isas", ["default", "AVX2"], "ISAs: default, AVX2.")
flags.DEFINE_list("settings", ["default", "inter_op_1", "onednn_off"], "Settings to run.")
flags.DEFINE_list(
    "rows",
    ["defaults", "keras", "torch1"],
    "speed.py's rows to run: defaults, xla1_spe50, keras, torch, torch1; the last column is "
    "each row's time over the PyTorch row's (torch1, else torch, else keras's).",
)
flags.DEFINE_string("output_dir", "benchmarks/results", "Where cpu_isa.json and .md go.")

ISAS = {
    "default": {},
    "AVX2": {
        "ONEDNN_MAX_CPU_ISA": "AVX2",
        "XLA_FLAGS": "--xla_cpu_max_isa=AVX2",
        "ATEN_CPU_CAPABILITY": "avx2",
        "MKL_ENABLE_INSTRUCTIONS": "AVX2",
    },
}
# name -> (environment, speed.py flags)
SETTINGS = {
    "default": ({}, []),
    "inter_op_1": ({}, ["--inter_op_threads=1"]),
    "onednn_off": ({"TF_ENABLE_ONEDNN_OPTS": "0"}, []),
}
ROW_NAMES = {
    "defaults": "tfgan_lite defaults",
    "xla1_spe50": "tfgan_lite, jit_compile=True",
    "keras": "Keras guide",
    "torch": "PyTorch, 2 threads",
    "torch1": "PyTorch, 1 thread",
}


def one_process(isa, setting):
    """{row: the process's median ms per step} of one fresh speed.py process."""
    environment, extra = SETTINGS[setting]
    env = {**os.environ, **ISAS[isa], **environment}
    with tempfile.TemporaryDirectory() as out:
        command = [
            sys.executable,
            os.path.join(os.path.dirname(__file__), "speed.py"),
            "--workloads=dcgan",
            "--only=" + ",".join(r for r in FLAGS.rows if r != "defaults"),
            f"--repeats={FLAGS.repeats}",
            f"--dcgan_steps={FLAGS.dcgan_steps}",
            "--matmul_size=1024",
            "--matmul_repeats=5",
            f"--output_dir={out}",
            *extra,
        ]
        subprocess.run(command, env=env, check=True, capture_output=True)
        with open(os.path.join(out, "speed.json")) as f:
            results = json.load(f)["results"]
    return {r["row"]: r["ms_per_step"] for r in results if r.get("row") in FLAGS.rows}


def table(results):
    lines = [
        "| ISA | setting | row | processes | ms per step: median of processes | lowest | highest "
        "| highest / lowest | / reference row, same process (median) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['isa']} | {r['setting']} | {ROW_NAMES[r['row']]} | {r['processes']} "
            f"| {r['ms_median']:.1f} "
            f"| {r['ms_min']:.1f} | {r['ms_max']:.1f} | {r['ms_max'] / r['ms_min']:.2f} "
            f"| {r['ratio_to_torch']:.2f} |"
        )
    return "\n".join(lines)


def main(argv):
    del argv
    started = time.perf_counter()
    load = os.getloadavg()[0]
    runs = {(isa, s): [] for s in FLAGS.settings for isa in FLAGS.isas}
    for process in range(FLAGS.processes):
        for key in runs:
            runs[key].append(one_process(*key))
            print(f"process {process + 1}, {key}: {runs[key][-1]}", flush=True)
            # Written after every process, so that a run cut short leaves what it measured.
            report(runs, started, load)


def report(runs, started, load):
    """Writes cpu_isa.json and .md from ``runs``, {(isa, setting): [{row: ms}]}; ``load``:
    the 1-minute load average when the run began."""
    results = []
    for (isa, setting), measured in runs.items():
        for row in FLAGS.rows if measured else ():
            ms = [p[row] for p in measured]
            reference = next(r for r in ("torch1", "torch", "keras") if r in FLAGS.rows)
            ratios = [p[row] / p[reference] for p in measured]
            results.append(
                {
                    "isa": isa,
                    "setting": setting,
                    "row": row,
                    "processes": len(ms),
                    "ms_per_process": ms,
                    "ms_median": float(np.median(ms)),
                    "ms_min": min(ms),
                    "ms_max": max(ms),
                    "ratio_to_torch": float(np.median(ratios)),
                }
            )
    minutes = (time.perf_counter() - started) / 60
    reference = next(r for r in ("torch1", "torch", "keras") if r in FLAGS.rows)
    header = (
        f"DCGAN-28 step time by CPU ISA and TensorFlow setting (benchmarks/cpu_isa.py): "
        f"speed.py's DCGAN-28 rows (batch 64) in fresh processes (the count per ISA and "
        f"setting is the 'processes' column), each timing every row {FLAGS.repeats} times "
        f"over {FLAGS.dcgan_steps} steps, the processes of all ISAs and settings taking "
        f"turns. {machine()}; "
        f"{cpu_name()}. AVX2: ONEDNN_MAX_CPU_ISA=AVX2, XLA_FLAGS=--xla_cpu_max_isa=AVX2, "
        f"ATEN_CPU_CAPABILITY=avx2, MKL_ENABLE_INSTRUCTIONS=AVX2. 1-minute load average "
        f"{load:.1f} when the run began; other jobs on the machine slow whole processes, so "
        f"compare a row with the reference row ({reference}) in the same process (the last "
        f"column) before comparing absolute times. The run took {minutes:.0f} min."
    )
    write(FLAGS.output_dir, "cpu_isa", header, results, table(results))


if __name__ == "__main__":
    app.run(main)
