"""Images per second of a folder of JPEG files: tfgan_lite.data.images against Keras's loader.

    python benchmarks/folder_input.py                          # 3 sizes, 3 repeats
    python benchmarks/folder_input.py --min_side=600 --max_side=1000 --name=folder_input_photos
    python benchmarks/folder_input.py --sizes=64 --repeats=1   # a quick look

Writes --num_images JPEG files of smooth random colour (a few random values per image,
upsampled bicubically, plus a little pixel noise; sides drawn from --min_side to
--max_side, so the sizes are mixed) into a temporary folder with ``tf.io.encode_jpeg``
(quality 90), then reads that folder three ways at each --sizes side:

* tfgan_lite: ``tfgan_lite.data.images(FOLDER, batch_size=B, image_size=S)``, its defaults
  otherwise: shuffled anew each epoch, the decoded and resized images cached in memory after
  the first epoch (they fit under ``FOLDER_CACHE_BYTES``), float32 batches in [-1, 1],
  prefetched. A JPEG decodes at the smallest of 1/1, 1/2, 1/4, 1/8 of its size that
  still covers S (``tfgan_lite.data.jpeg``), then takes the bilinear resize (antialiased
  where a shrink by 2 or more is left).
  Building it includes the one pass that checks every file (``folders.scan``).
* Keras: ``keras.utils.image_dataset_from_directory(FOLDER, labels=None, batch_size=B,
  image_size=(S, S), shuffle=True, seed=0)``, then ``.map(x / 127.5 - 1, AUTOTUNE)``,
  ``.cache()`` and ``.prefetch(AUTOTUNE)``, as the TensorFlow image-loading tutorial
  configures it for performance: every file decoded whole and resized bilinearly without
  antialiasing. Its cache holds the float32 batches of the first epoch, and every later
  epoch hands out those same batches in the same order.
* Keras, reshuffled: the same loader with ``batch_size=None, shuffle=False``, then the
  scaling, ``.cache()``, ``.shuffle(N, reshuffle_each_iteration=True)``, ``.batch(B)`` and
  ``.prefetch(AUTOTUNE)``: what a Keras user writes to get the new order every epoch that
  tfgan_lite's pipeline gives, the like-for-like row for the cached epoch.

A run, in a fresh Python process of its own (after a few calls that start TensorFlow's
runtime), builds the pipeline (timed as "build"), then reads two whole epochs: the first
streams from the files (decode, resize), the second comes from the cache. The pipelines
take turns run by run (in one order, then the reverse) for --repeats runs at each size;
the table gives the median images per second of each epoch and the ratios tfgan_lite /
each row of the medians. A second table gives, at each size, how far tfgan_lite's images
land from decoding each file whole and resizing it with the antialiased filter: the mean
and largest absolute difference in 0-255 levels over --compare_images files. Writes
benchmarks/results/NAME.{json,md} (--name, folder_input by default).
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

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from common import machine, write  # noqa: E402

import tfgan_lite as tfgan  # noqa: E402
from tfgan_lite.data import folders, jpeg  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_integer("num_images", 2000, "JPEG files in the generated folder.")
flags.DEFINE_integer("min_side", 240, "Smallest height or width of a generated image.")
flags.DEFINE_integer("max_side", 360, "Largest height or width of a generated image.")
flags.DEFINE_list("sizes", ["64", "128", "256"], "Square sides the pipelines resize to.")
flags.DEFINE_integer("batch_size", 64, "Images per batch.")
flags.DEFINE_integer("repeats", 3, "Runs per implementation and size; the median is reported.")
flags.DEFINE_integer("compare_images", 200, "Files the decoding difference is measured on.")
flags.DEFINE_string("folder", "", "Folder to write the images to; empty: a temporary one.")
flags.DEFINE_string("output_dir", "benchmarks/results", "Where NAME.json/.md go.")
flags.DEFINE_string("name", "folder_input", "The results' file name (without extension).")
flags.DEFINE_string(
    "run_one", "", "IMPLEMENTATION:SIZE: time one run on --folder here and print it as JSON."
)

IMPLEMENTATIONS = ("tfgan_lite", "Keras", "Keras, reshuffled")


def write_folder(directory, count, min_side, max_side, seed=0):
    """``count`` JPEG files of smooth random colour, of mixed sizes, in ``directory``."""
    rng = np.random.default_rng(seed)
    for index in range(count):
        height, width = rng.integers(min_side, max_side + 1, size=2)
        coarse = rng.uniform(0, 255, size=(1, *rng.integers(3, 9, size=2), 3)).astype(np.float32)
        image = tf.image.resize(coarse, (height, width), method="bicubic")[0]
        image += rng.normal(0, 6, size=(height, width, 3)).astype(np.float32)
        pixels = tf.cast(tf.clip_by_value(tf.round(image), 0, 255), tf.uint8)
        tf.io.write_file(
            os.path.join(directory, f"{index:05d}.jpg"), tf.io.encode_jpeg(pixels, quality=90)
        )


def tfgan_pipeline(directory, size, batch_size):
    return tfgan.data.images(directory, batch_size=batch_size, image_size=size)


def keras_scaled(directory, size, batch_size, shuffle):
    """Keras's loader of the folder (batches, or images with ``batch_size=None``), scaled to
    [-1, 1] as the image-loading tutorial does."""
    dataset = keras.utils.image_dataset_from_directory(
        directory,
        labels=None,
        batch_size=batch_size,
        image_size=(size, size),
        shuffle=shuffle,
        seed=0 if shuffle else None,
        verbose=False,
    )
    return dataset.map(lambda x: x / 127.5 - 1.0, num_parallel_calls=tf.data.AUTOTUNE)


def keras_pipeline(directory, size, batch_size):
    dataset = keras_scaled(directory, size, batch_size, shuffle=True)
    return dataset.cache().prefetch(tf.data.AUTOTUNE)


def keras_reshuffled_pipeline(directory, size, batch_size):
    dataset = keras_scaled(directory, size, None, shuffle=False)
    count = int(dataset.cardinality())
    dataset = dataset.cache().shuffle(count, seed=0, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


PIPELINES = {
    "tfgan_lite": tfgan_pipeline,
    "Keras": keras_pipeline,
    "Keras, reshuffled": keras_reshuffled_pipeline,
}


def decoding_difference(directory, size, count):
    """Mean and largest |reduced - whole| in 0-255 levels over the first ``count`` files:
    tfgan_lite's JPEG path (the region of whole reduced pixels, decoded at reduced scale,
    resized, rounded) against each file decoded whole and resized with
    ``tf.image.resize(..., antialias=True)``'s filter, rounded."""
    paths = sorted(e.path for e in os.scandir(directory))[:count]
    means, largest = [], 0.0
    for path in paths:
        contents = tf.io.read_file(path)
        whole = tf.image.resize(
            tf.cast(folders.decode(contents, 3), tf.float32), (size, size), antialias=True
        )
        reduced = tf.cast(jpeg.shrink(contents, (size, size), False, 3), tf.float32)
        error = tf.abs(tf.round(tf.clip_by_value(whole, 0, 255)) - reduced)
        means.append(float(tf.reduce_mean(error)))
        largest = max(largest, float(tf.reduce_max(error)))
    return float(np.mean(means)), largest


def epoch(dataset):
    """(images, seconds) of one pass over ``dataset``."""
    images = 0
    start = time.perf_counter()
    for batch in dataset:
        images += int(batch.shape[0])
    return images, time.perf_counter() - start


def run(implementation, directory, size, batch_size):
    """One run: build the pipeline, then two epochs; seconds and images per second."""
    warm_up()
    start = time.perf_counter()
    dataset = PIPELINES[implementation](directory, size, batch_size)
    build = time.perf_counter() - start
    first_images, first = epoch(dataset)
    second_images, second = epoch(dataset)
    low, high = (float(v) for v in next(iter(dataset)).numpy().reshape(-1)[[0, -1]])
    assert -1.0 <= low <= 1.0 and -1.0 <= high <= 1.0, (low, high)
    return {
        "build_seconds": build,
        "streamed_images_per_second": first_images / first,
        "cached_images_per_second": second_images / second,
        "images": first_images,
    }


def warm_up():
    """Starts TensorFlow's runtime and the kernels both pipelines use (tf.data, JPEG decoding,
    the resizes), so that neither run pays for the process's first calls."""
    image = tf.io.encode_jpeg(tf.zeros((64, 64, 3), tf.uint8))
    dataset = tf.data.Dataset.from_tensors(image).repeat(4)
    dataset = dataset.map(
        lambda c: tf.image.resize(tf.io.decode_jpeg(c, ratio=2), (16, 16), antialias=True),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    for _ in dataset.batch(2):
        pass


def run_in_subprocess(implementation, directory, size):
    """``run`` in a fresh Python process: no cache, thread or memory of an earlier run
    slows the next one down, and each pays a first call's costs."""
    command = [
        sys.executable,
        os.path.abspath(__file__),
        f"--run_one={implementation}:{size}",
        f"--folder={directory}",
        f"--batch_size={FLAGS.batch_size}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(results, differences):
    lines = [
        "| image size | pipeline | build s | streamed (1st epoch) img/s | cached (2nd epoch) "
        "img/s | tfgan_lite / this row, streamed | tfgan_lite / this row, cached |",
        "|---|---|---|---|---|---|---|",
    ]
    by_size = {}
    for r in results:
        by_size.setdefault(r["image_size"], {})[r["implementation"]] = r
    for size, rows in by_size.items():
        ours = rows["tfgan_lite"]
        for name in IMPLEMENTATIONS:
            r = rows[name]
            ratios = " | ".join(
                f"{ours[f'{e}_images_per_second'] / r[f'{e}_images_per_second']:.2f}"
                for e in ("streamed", "cached")
            )
            lines.append(
                f"| {size} | {name} | {r['build_seconds']:.2f} | "
                f"{r['streamed_images_per_second']:.0f} ({r['streamed_min']:.0f}-"
                f"{r['streamed_max']:.0f}) | {r['cached_images_per_second']:.0f} "
                f"({r['cached_min']:.0f}-{r['cached_max']:.0f}) | {ratios} |"
            )
    lines += [
        "",
        "tfgan_lite's images (each JPEG decoded at reduced scale, its region of whole "
        "reduced pixels resized) against decoding each file whole and resizing it with the "
        f"antialiased filter, rounded; over the first {FLAGS.compare_images} files, in 0-255 "
        "levels:",
        "",
        "| image size | mean absolute difference | largest difference |",
        "|---|---|---|",
    ]
    lines += [f"| {d['image_size']} | {d['mean']:.2f} | {d['max']:.0f} |" for d in differences]
    return "\n".join(lines)


def main(argv):
    del argv
    if FLAGS.run_one:
        name, size = FLAGS.run_one.rsplit(":", 1)
        print(json.dumps(run(name, FLAGS.folder, int(size), FLAGS.batch_size)))
        return
    sizes = [int(s) for s in FLAGS.sizes]
    started = time.perf_counter()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as temporary:
        directory = FLAGS.folder or temporary
        os.makedirs(directory, exist_ok=True)
        write_folder(directory, FLAGS.num_images, FLAGS.min_side, FLAGS.max_side)
        megabytes = sum(e.stat().st_size for e in os.scandir(directory)) / 1e6
        print(f"{FLAGS.num_images} JPEG files, {megabytes:.0f} MB, in {directory}", flush=True)
        differences = []
        for size in sizes:
            mean, largest = decoding_difference(directory, size, FLAGS.compare_images)
            differences.append({"image_size": size, "mean": mean, "max": largest})
            print(f"{size} px: reduced decoding differs by {mean:.2f} levels", flush=True)
        runs = {(size, name): [] for size in sizes for name in IMPLEMENTATIONS}
        for repeat in range(FLAGS.repeats):
            for size in sizes:
                # Alternate which goes first, so that neither always follows the other.
                order = IMPLEMENTATIONS if repeat % 2 == 0 else IMPLEMENTATIONS[::-1]
                for name in order:
                    result = run_in_subprocess(name, directory, size)
                    runs[(size, name)].append(result)
                    print(f"run {repeat + 1}, {size} px, {name}: {result}", flush=True)
    results = []
    for (size, name), rows in runs.items():
        streamed = [r["streamed_images_per_second"] for r in rows]
        cached = [r["cached_images_per_second"] for r in rows]
        results.append(
            {
                "image_size": size,
                "implementation": name,
                "batch_size": FLAGS.batch_size,
                "images_per_epoch": rows[0]["images"],
                "repeats": len(rows),
                "build_seconds": float(np.median([r["build_seconds"] for r in rows])),
                "streamed_images_per_second": float(np.median(streamed)),
                "streamed_min": min(streamed),
                "streamed_max": max(streamed),
                "cached_images_per_second": float(np.median(cached)),
                "cached_min": min(cached),
                "cached_max": max(cached),
                "runs": rows,
            }
        )
    minutes = (time.perf_counter() - started) / 60
    header = (
        f"Folder input pipelines (benchmarks/folder_input.py): {FLAGS.num_images} JPEG files "
        f"({megabytes:.0f} MB) of smooth random colour, sides {FLAGS.min_side} to "
        f"{FLAGS.max_side} px, stretched to the image size; batch {FLAGS.batch_size}; "
        f"{machine()}, Keras {keras.__version__}; 1-minute load average {load:.1f} when the "
        f"run began. The pipelines took turns run by run: read the ratios. Images per "
        f"second: the median of {FLAGS.repeats} runs (lowest-highest). build: seconds to "
        f"construct the pipeline (tfgan_lite's includes the pass that checks every file "
        f"once). Streamed: the first epoch, decoding the files; cached: the second, from "
        f"memory. The run took {minutes:.1f} min."
    )
    markdown = table(results, differences)
    results = {"pipelines": results, "decoding_difference": differences}
    write(FLAGS.output_dir, FLAGS.name, header, results, markdown)


if __name__ == "__main__":
    app.run(main)
