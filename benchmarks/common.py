"""What the benchmark scripts share: table cells, the machine line, writing results."""

import json
import os
import platform

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
