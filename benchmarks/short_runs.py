"""A refactor's quality check: one seed of each quality benchmark at a short budget.

    python benchmarks/short_runs.py --out=/tmp/after.json     # all runs (10-20 min on 2 cores)
    python benchmarks/short_runs.py --root=/path/to/old/tree --out=/tmp/before.json
    python benchmarks/short_runs.py --only=unrolled,acgan --out=/tmp/some.json
    python benchmarks/short_runs.py --compare /tmp/before.json /tmp/after.json

A refactor that should not change what the library computes should leave the quality tables
as they were. The full benchmarks take hours, so this runs each quality benchmark script
(recipes, toy_objectives, unrolled, conditional, acgan, infogan, image_to_image,
semi_supervised, images; not the timing ones) for ONE seed with a few hundred steps (500 on
the toy densities and the small MLPs, 200 on the convolutional networks), once in the tree
before the refactor and once after, and the two outputs are compared with ``--compare``.
The numbers of such short runs say nothing about quality; they are only there to match.

Each script runs in a child process from ``--root`` (default: the tree this file is in) with
PYTHONPATH=root, so the ``tfgan_lite`` it imports is that tree's (the JSON records which).
Every table and picture goes to a scratch folder, never to benchmarks/results or docs/images.
``--out`` gets, per run: the command, its exit code, its wall time, the JSON of every table
the script wrote (header and rows), its Markdown, and the sha256 of its pictures; the file is
rewritten after every run, so a stopped run keeps what it finished. ``--compare`` lists the
numbers that differ, leaving out timings (keys naming seconds) and the Markdown (which holds
them too).

Not every run repeats exactly on CPU. Two full runs of the same tree (3114178, 2 cores) agreed
in every number but those of the unrolled GAN at 10 steps (ring8 and grid25: modes differed
by up to 4) and toy_objectives' fgan_kl on grid25, fgan_reverse_kl on grid25 and fgan_pearson
on ring8 (modes by up to 5); neither TF_DETERMINISTIC_OPS=1 nor TF_ENABLE_ONEDNN_OPTS=0 made
the unrolled rows repeat. A difference in those rows alone is noise; rerun them to see.
"""

import argparse
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# name -> (script in benchmarks/, its arguments); {out} is the run's scratch folder.
RUNS = {
    "recipes_toys": ("recipes.py", ["--only=toys", "--seeds=1", "--toy_steps=500"]),
    "recipes_digits": ("recipes.py", ["--only=digits", "--seeds=1", "--image_steps=200"]),
    "toy_objectives": (
        "toy_objectives.py",
        ["--seeds=1", "--ring8_steps=500", "--grid25_steps=500"],
    ),
    "unrolled": ("unrolled.py", ["--seeds=1", "--ring8_steps=500", "--grid25_steps=500"]),
    "conditional": (
        "conditional.py",
        ["--seeds=1", "--ring8_steps=500", "--digits_steps=500", "--grid={out}/grid.png"],
    ),
    "acgan": ("acgan.py", ["--seeds=1", "--steps=200", "--grid={out}/grid.png"]),
    "infogan": ("infogan.py", ["--seeds=1", "--steps=200", "--grid={out}/grid.png"]),
    "image_to_image": (
        "image_to_image.py",
        ["--seeds=1", "--pix2pix_steps=200", "--cyclegan_steps=200", "--images_dir={out}"],
    ),
    "semi_supervised": ("semi_supervised.py", ["--seeds=1", "--steps=500"]),
    "images": ("images.py", ["--steps=200", "--eval_every=100", "--bootstrap=20"]),
}


def git_commit(root):
    """The commit checked out at ``root`` and whether its working tree differs from it."""
    try:
        commit = subprocess.run(
            ["git", "-C", root, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "-C", root, "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("+changes" if status.strip() else "")


def child_env(root):
    env = dict(os.environ, PYTHONPATH=root)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def imported_package(python, root):
    """Where ``tfgan_lite`` comes from in the children: it should be inside ``root``."""
    code = "import tfgan_lite; print(tfgan_lite.__file__)"
    result = subprocess.run(
        [python, "-c", code], cwd="/", env=child_env(root), capture_output=True, text=True
    )
    return result.stdout.strip().splitlines()[-1] if result.returncode == 0 else None


def collect(folder):
    """The tables (JSON and Markdown) and pictures' hashes a run wrote into ``folder``."""
    tables, markdown, pictures = {}, {}, {}
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        stem, ext = os.path.splitext(name)
        if ext == ".json":
            with open(path) as f:
                tables[stem] = json.load(f)
        elif ext == ".md":
            with open(path) as f:
                markdown[stem] = f.read()
        elif ext == ".png":
            with open(path, "rb") as f:
                pictures[name] = hashlib.sha256(f.read()).hexdigest()
    return tables, markdown, pictures


def run_one(name, python, root):
    script, arguments = RUNS[name]
    with tempfile.TemporaryDirectory(prefix=f"short_{name}_") as out:
        command = [python, os.path.join("benchmarks", script), f"--output_dir={out}"]
        command += [a.format(out=out) for a in arguments]
        print(f"== {name}: {' '.join(command)}", flush=True)
        start = time.perf_counter()
        returncode = subprocess.run(command, cwd=root, env=child_env(root)).returncode
        seconds = time.perf_counter() - start
        tables, markdown, pictures = collect(out)
    display = ["python", f"benchmarks/{script}", *arguments]
    return {
        "command": " ".join(display),
        "returncode": returncode,
        "wall_seconds": round(seconds, 1),
        "tables": tables,
        "markdown": markdown,
        "pictures": pictures,
    }


def numbers(run):
    """A run's table numbers as {"table/results[3]/fid": value}, timings left out."""
    flat = {}

    def walk(value, path):
        if isinstance(value, dict):
            for key, item in value.items():
                if "seconds" not in key:
                    walk(item, f"{path}/{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]")
        else:
            flat[path] = value

    for table, content in run.get("tables", {}).items():
        walk(content, table)
    return flat


def same(a, b):
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def compare(before_path, after_path):
    """Prints, run by run, the numbers that differ; returns 1 when any does."""
    with open(before_path) as f:
        before = json.load(f)["runs"]
    with open(after_path) as f:
        after = json.load(f)["runs"]
    differs = False
    for side, runs, other in (("before", before, after), ("after", after, before)):
        alone = sorted(set(runs) - set(other))
        if alone:
            print(f"only in {side}, not compared: {', '.join(alone)}")
            differs = True
    for name in sorted(set(before) & set(after)):
        for side, run in (("before", before[name]), ("after", after[name])):
            if run["returncode"]:
                print(f"{name}: the {side} run failed (exit {run['returncode']})")
                differs = True
        old, new = numbers(before[name]), numbers(after[name])
        changed = [k for k in sorted(set(old) | set(new)) if not same(old.get(k), new.get(k))]
        if not changed:
            print(f"{name}: identical ({len(old)} values)")
            continue
        differs = True
        gaps = [
            abs(old[k] - new[k])
            for k in changed
            if isinstance(old.get(k), int | float) and isinstance(new.get(k), int | float)
        ]
        largest = f", largest numeric difference {max(gaps):.3g}" if gaps else ""
        print(f"{name}: {len(changed)} of {len(old)} values differ{largest}")
        for key in changed:
            print(f"  {key}: {old.get(key, '(missing)')!r} -> {new.get(key, '(missing)')!r}")
    return int(differs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", help="The JSON file the runs' numbers go to.")
    parser.add_argument(
        "--root",
        default=os.path.dirname(HERE),
        help="The tree whose benchmarks and tfgan_lite run (default: this file's).",
    )
    parser.add_argument("--only", default="", help=f"Comma-separated runs of {list(RUNS)}.")
    parser.add_argument("--python", default=sys.executable, help="The interpreter to run.")
    parser.add_argument(
        "--compare", nargs=2, metavar=("BEFORE", "AFTER"), help="Diff two --out files."
    )
    args = parser.parse_args()
    if args.compare:
        sys.exit(compare(*args.compare))
    if not args.out:
        parser.error("--out is required (or --compare)")
    names = [n for n in args.only.split(",") if n] or list(RUNS)
    unknown = sorted(set(names) - set(RUNS))
    if unknown:
        parser.error(f"unknown runs {unknown}; choose from {list(RUNS)}")
    root = os.path.abspath(args.root)
    package = imported_package(args.python, root)
    if not package or not package.startswith(root + os.sep):
        sys.exit(f"tfgan_lite imports from {package}, not from {root}")
    record = {"root": root, "commit": git_commit(root), "tfgan_lite": package, "runs": {}}
    print(f"root {root} at {record['commit']}; tfgan_lite from {package}", flush=True)
    for name in names:
        result = run_one(name, args.python, root)
        record["runs"][name] = result
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(record, f, indent=1)
        print(f"== {name}: exit {result['returncode']}, {result['wall_seconds']:.0f} s", flush=True)
    failed = [n for n, r in record["runs"].items() if r["returncode"]]
    print("\n| run | exit | wall seconds |\n|---|---|---|")
    for n, r in record["runs"].items():
        print(f"| {n} | {r['returncode']} | {r['wall_seconds']:.0f} |")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
