"""Images per second of a folder of JPEG files: tfgan_lite.data.images against Keras's loader.

    python benchmarks/folder_input.py                          # 3 sizes, 3 repeats
    python benchmarks/folder_input.py --sizes=64 --repeats=1   # a quick look

Writes --num_images JPEG files of smooth random colour (a few random values per image,
upsampled bicubically, plus a little pixel noise; sides drawn from --min_side to
--max_side, so the sizes are mixed) into a temporary folder with ``tf.io.encode_jpeg``
(quality 90), then reads that folder two ways at each --sizes side:

* tfgan_lite: ``tfgan_lite.data.images(FOLDER, batch_size=B, image_size=S)``, its defaults
  otherwise: shuffled, the decoded and resized images cached in memory after the first
  epoch (they fit under ``FOLDER_CACHE_BYTES``), float32 batches in [-1, 1], prefetched.
  Building it includes the one pass that decodes every file to check it
  (``folders.scan``); that pass is remembered for the process, so the script forgets it
  before each run to time what a first call costs.
* Keras: ``keras.utils.image_dataset_from_directory(FOLDER, labels=None, batch_size=B,
  image_size=(S, S), shuffle=True, seed=0)``, then ``.map(x / 127.5 - 1, AUTOTUNE)``,
  ``.cache()`` and ``.prefetch(AUTOTUNE)``, as the TensorFlow image-loading tutorial
  configures it for performance. Both stretch each image to S x S with bilinear
  interpolation; tfgan_lite antialiases when it shrinks (``tf.image.resize(...,
  antialias=True)``) and Keras's loader does not.

A run builds the pipeline (timed as "build"), then reads two whole epochs: the first
streams from the files (decode, resize), the second comes from the cache. The two
implementations take turns run by run (tfgan_lite, Keras, tfgan_lite, ...) for --repeats
runs at each size; the table gives the median images per second of each epoch and the
ratio tfgan_lite / Keras of the medians. Writes benchmarks/results/folder_input.{json,md}.
"""

import os
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
from tfgan_lite.data import folders  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_integer("num_images", 2000, "JPEG files in the generated folder.")
flags.DEFINE_integer("min_side", 240, "Smallest height or width of a generated image.")
flags.DEFINE_integer("max_side", 360, "Largest height or width of a generated image.")
flags.DEFINE_list("sizes", ["64", "128", "256"], "Square sides the pipelines resize to.")
flags.DEFINE_integer("batch_size", 64, "Images per batch.")
flags.DEFINE_integer("repeats", 3, "Runs per implementation and size; the median is reported.")
flags.DEFINE_string("folder", "", "Folder to write the images to; empty: a temporary one.")
flags.DEFINE_string("output_dir", "benchmarks/results", "Where folder_input.json/.md go.")

IMPLEMENTATIONS = ("tfgan_lite", "Keras")


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
    folders._SCANS.clear()  # time the checking pass a first call in a process makes
    return tfgan.data.images(directory, batch_size=batch_size, image_size=size)


def keras_pipeline(directory, size, batch_size):
    dataset = keras.utils.image_dataset_from_directory(
        directory,
        labels=None,
        batch_size=batch_size,
        image_size=(size, size),
        shuffle=True,
        seed=0,
        verbose=False,
    )
    dataset = dataset.map(lambda x: x / 127.5 - 1.0, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.cache().prefetch(tf.data.AUTOTUNE)


PIPELINES = {"tfgan_lite": tfgan_pipeline, "Keras": keras_pipeline}


def epoch(dataset):
    """(images, seconds) of one pass over ``dataset``."""
    images = 0
    start = time.perf_counter()
    for batch in dataset:
        images += int(batch.shape[0])
    return images, time.perf_counter() - start


def run(implementation, directory, size, batch_size):
    """One run: build the pipeline, then two epochs; seconds and images per second."""
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


def table(results):
    lines = [
        "| image size | pipeline | build s | streamed (1st epoch) img/s | cached (2nd epoch) "
        "img/s | streamed: tfgan_lite / Keras | cached: tfgan_lite / Keras |",
        "|---|---|---|---|---|---|---|",
    ]
    by_size = {}
    for r in results:
        by_size.setdefault(r["image_size"], {})[r["implementation"]] = r
    for size, rows in by_size.items():
        keras_row = rows["Keras"]
        for name in IMPLEMENTATIONS:
            r = rows[name]
            ratios = "| |"
            if name == "tfgan_lite":
                streamed, cached = (
                    r[f"{epoch}_images_per_second"] / keras_row[f"{epoch}_images_per_second"]
                    for epoch in ("streamed", "cached")
                )
                ratios = f"{streamed:.2f} | {cached:.2f} |"
            lines.append(
                f"| {size} | {name} | {r['build_seconds']:.2f} | "
                f"{r['streamed_images_per_second']:.0f} ({r['streamed_min']:.0f}-"
                f"{r['streamed_max']:.0f}) | {r['cached_images_per_second']:.0f} "
                f"({r['cached_min']:.0f}-{r['cached_max']:.0f}) | {ratios}"
            )
    return "\n".join(lines)


def main(argv):
    del argv
    sizes = [int(s) for s in FLAGS.sizes]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as temporary:
        directory = FLAGS.folder or temporary
        os.makedirs(directory, exist_ok=True)
        write_folder(directory, FLAGS.num_images, FLAGS.min_side, FLAGS.max_side)
        megabytes = sum(e.stat().st_size for e in os.scandir(directory)) / 1e6
        print(f"{FLAGS.num_images} JPEG files, {megabytes:.0f} MB, in {directory}", flush=True)
        runs = {(size, name): [] for size in sizes for name in IMPLEMENTATIONS}
        for repeat in range(FLAGS.repeats):
            for size in sizes:
                # Alternate which goes first, so that neither always follows the other.
                order = IMPLEMENTATIONS if repeat % 2 == 0 else IMPLEMENTATIONS[::-1]
                for name in order:
                    result = run(name, directory, size, FLAGS.batch_size)
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
        f"{machine()}, Keras {keras.__version__}. The machine was shared with other jobs "
        f"while this ran: read the ratios (the two pipelines took turns run by run), not "
        f"the absolute rates. Images per second: the median of {FLAGS.repeats} runs "
        f"(lowest-highest). build: seconds to construct the pipeline (tfgan_lite's includes "
        f"the pass that decodes every file once to check it). Streamed: the first epoch, "
        f"decoding the files; cached: the second, from memory. The run took {minutes:.1f} min."
    )
    write(FLAGS.output_dir, "folder_input", header, results, table(results))


if __name__ == "__main__":
    app.run(main)
