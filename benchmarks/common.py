"""What the benchmark scripts share: table cells, the machine line, writing results."""

import json
import os
import platform
import time

import numpy as np
import tensorflow as tf


def mean_std(values, fmt):
    """'mean ± std' of the finite values, 'n/a' when there are none."""
    values = np.asarray(values, np.float64)
    if np.all(np.isnan(values)):
        return "n/a"
    return f"{fmt.format(np.nanmean(values))} ± {fmt.format(np.nanstd(values))}"


def machine():
    """One line naming the machine and the software versions."""
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"TensorFlow {tf.__version__}"
    )


def write(output_dir, name, header, results, table):
    """Writes name.json (header and rows) and name.md (header and table); prints the table."""
    os.makedirs(output_dir, exist_ok=True)
    with open(os.path.join(output_dir, f"{name}.json"), "w") as f:
        json.dump({"header": header, "results": results}, f, indent=1)
    markdown = f"{header}\n\n{table}\n"
    with open(os.path.join(output_dir, f"{name}.md"), "w") as f:
        f.write(markdown)
    print(markdown)


def load(output_dir, name):
    """The rows of an earlier name.json, or [] when there is none."""
    path = os.path.join(output_dir, f"{name}.json")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return json.load(f)["results"]


COVERAGE_COLUMNS = "modes | high quality % | reverse KL | seconds |"


def train_and_score(gan, dataset, steps, seed, batch_size=256, num_samples=2500):
    """Fits a compiled GAN on fresh batches of a toy density, then scores its samples.

    Each discriminator step gets ``batch_size`` examples. Returns the row of a results
    table: steps, seconds of ``fit``, whether the samples diverged (are not finite), and
    ``tfgan_lite.eval.mode_coverage``'s modes, high-quality fraction and reverse KL.
    """
    import tfgan_lite as tfgan

    data = tfgan.data.toy_dataset(dataset, batch_size * gan.discriminator_steps, seed=seed)
    start = time.perf_counter()
    gan.fit(data, steps_per_epoch=steps, verbose=0)
    seconds = time.perf_counter() - start
    samples = gan.generate(num_samples, seed=seed)
    coverage = tfgan.eval.mode_coverage(samples, dataset)
    return {
        "steps": steps,
        "seconds": seconds,
        "diverged": bool(not np.all(np.isfinite(samples))),
        **{k: coverage[k] for k in ("modes", "num_modes", "high_quality", "reverse_kl")},
    }


def coverage_cells(rows):
    """The coverage columns of a table row, mean ± std over ``rows`` (one per seed)."""
    diverged = sum(r.get("diverged", False) for r in rows)
    lost = sum(np.isnan(r["reverse_kl"]) for r in rows) - diverged
    notes = [f"{diverged} of {len(rows)} diverged to NaN"] if diverged else []
    notes += [f"{lost} of {len(rows)} without a high-quality sample"] if lost else []
    kl = mean_std([r["reverse_kl"] for r in rows], "{:.2f}")
    kl += f" ({'; '.join(notes)})" if notes else ""
    return (
        f"{mean_std([r['modes'] for r in rows], '{:.1f}')} / {rows[0]['num_modes']} | "
        f"{mean_std([100 * r['high_quality'] for r in rows], '{:.1f}')} | {kl} | "
        f"{mean_std([r['seconds'] for r in rows], '{:.0f}')} |"
    )
