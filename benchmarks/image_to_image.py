"""Pix2Pix against L1 alone, and CycleGAN without pairs, on tasks built from the digits.

    python benchmarks/image_to_image.py  # the docs/benchmarks.md tables and pictures (about 45 min)

Both tasks use the bundled digits at 32x32 (1,257 training and 540 test images, in [-1, 1]):

* Pix2Pix, inpainting: the source is a digit's top quarter (8 of its 32 rows, the rest
  blanked), the target the whole digit. The rest is not determined by the top, so L1 alone
  draws the average of what it could be; the adversarial term should make one of them.
  (Keeping the upper half leaves too little doubt: L1 alone then reached the FID of real
  digits, 1.95, and Pix2Pix 2.46.) ``tfgan_lite.networks.unet`` (width 16) with
  ``patch_discriminator`` (width 32, 2 layers), ``l1_weight`` 100, batch 32, Adam(2e-4,
  beta_1 = 0.5), 2,000 updates, against the same U-Net
  trained with L1 alone (Keras ``compile(loss="mae")``, the same optimizer and batches).
  Scores on the 540 test halves: L1 to the true digit, FID of the completions against the
  test digits on the shipped digits CNN, and how often that CNN reads the completion as
  the digit the half came from.
* CycleGAN, digits <-> thickened digits (strokes dilated by a 3x3 maximum), unpaired: the
  two domains are made from disjoint halves of the training digits. Two U-Nets (width 16)
  and two PatchGANs (width 32, 2 layers), least squares, cycle weight 10, no identity term
  (it would hold thick digits as they are), batch 16, Adam(2e-4, beta_1 = 0.5). Scores on
  the 540 test digits: how often the CNN reads G(a) as the source digit, the cycle error
  |F(G(a)) - a|, and the L1 of G(a) to the true thickening, which no pair showed it.

Writes benchmarks/results/pix2pix.{json,md}, benchmarks/results/cyclegan.{json,md},
docs/images/pix2pix_digits.png and docs/images/cyclegan_digits.png.
"""

import os
import sys
import time

from absl import app, flags

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from common import machine, mean_std, write  # noqa: E402

import tfgan_lite as tfgan  # noqa: E402
from tfgan_lite.data import digit_tasks  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_integer("seeds", 3, "Seeds per model.")
flags.DEFINE_bool("l1_baseline", True, "Also train the U-Net with L1 alone.")
flags.DEFINE_integer("pix2pix_steps", 2000, "Updates of each Pix2Pix and L1-only run.")
flags.DEFINE_integer("cyclegan_steps", 1000, "Updates of each CycleGAN run (a multiple of 50).")
flags.DEFINE_integer("kept_rows", 8, "Rows of the 32 a Pix2Pix source keeps, from the top.")
flags.DEFINE_integer("unet_width", 16, "The Pix2Pix U-Net's width.")
flags.DEFINE_float("l1_weight", 100.0, "Pix2Pix's l1_weight.")
flags.DEFINE_list("only", ["pix2pix", "cyclegan"], "Which tasks to run.")
flags.DEFINE_string("output_dir", "benchmarks/results", "Where the JSON and Markdown go.")
flags.DEFINE_string("images_dir", "docs/images", "Where the pictures go.")

SIZE = 32
SHAPE = (SIZE, SIZE, 1)


def top_halves(images):
    """Digits with all but their top ``--kept_rows`` rows blanked to the background (-1):
    Pix2Pix's sources."""
    return digit_tasks.top_rows(images, FLAGS.kept_rows)


thickened = digit_tasks.thickened  # strokes dilated by a 3x3 maximum


def digits(split):
    return digit_tasks.split(split, SIZE)


def adam():
    return keras.optimizers.Adam(2e-4, beta_1=0.5)


def scores(translated, target, labels, net, reference):
    return {
        "l1": float(np.abs(translated - target).mean()),
        "fid": float(tfgan.eval.frechet_distance(reference, net.features(translated))),
        "read_as_source": float(np.mean(net.predict(translated) == labels)),
    }


def pix2pix_run(adversarial, seed, train, test, net, reference):
    (train_x, _), (test_x, test_y) = train, test
    keras.utils.set_random_seed(seed)
    unet = tfgan.networks.unet(SHAPE, SHAPE, width=FLAGS.unet_width)
    data = tf.data.Dataset.from_tensor_slices((top_halves(train_x), train_x))
    data = data.shuffle(len(train_x), seed=seed).repeat().batch(32, drop_remainder=True)
    start = time.perf_counter()
    if adversarial:
        discriminator = tfgan.networks.patch_discriminator(SHAPE, SHAPE, width=32, layers=2)
        model = tfgan.Pix2Pix(unet, discriminator, l1_weight=FLAGS.l1_weight, seed=seed)
        model.compile(adam(), adam(), steps_per_execution=50)
        model.fit(data, steps_per_epoch=FLAGS.pix2pix_steps, verbose=0)
        translated = model.translate(top_halves(test_x))
    else:
        unet.compile(adam(), loss="mae", steps_per_execution=50)
        unet.fit(data, steps_per_epoch=FLAGS.pix2pix_steps, verbose=0)
        translated = unet.predict(top_halves(test_x), verbose=0)
    seconds = time.perf_counter() - start
    row = {"model": "pix2pix" if adversarial else "l1", "seed": seed, "seconds": seconds}
    return {**row, **scores(translated, test_x, test_y, net, reference)}, translated


def cyclegan_run(seed, train, test, net, reference):
    (train_x, _), (test_x, test_y) = train, test
    keras.utils.set_random_seed(seed)
    a, b = digit_tasks.unpaired_domains(train_x)
    networks = [tfgan.networks.unet(SHAPE, SHAPE, width=16) for _ in range(2)]
    # CycleGAN's discriminators see an image alone: patch_discriminator without a source.
    networks += [tfgan.networks.patch_discriminator(None, SHAPE, width=32, layers=2)]
    networks += [tfgan.networks.patch_discriminator(None, SHAPE, width=32, layers=2)]
    model = tfgan.CycleGAN(*networks, identity_weight=0.0, seed=seed)
    model.compile(adam(), adam(), steps_per_execution=50)
    start = time.perf_counter()
    model.fit(a, b, batch_size=16, steps_per_epoch=50, epochs=FLAGS.cyclegan_steps // 50, verbose=0)
    seconds = time.perf_counter() - start
    forward = model.translate(test_x)
    back = model.translate(forward, "b_to_a")
    row = {
        "seed": seed,
        "steps": int(model.generator_optimizer.iterations.numpy()),
        "seconds": seconds,
        "read_as_source": float(np.mean(net.predict(forward) == test_y)),
        "cycle_l1": float(np.abs(back - test_x).mean()),
        "l1_to_thickened": float(np.abs(forward - thickened(test_x)).mean()),
        "unchanged_l1": float(np.abs(test_x - thickened(test_x)).mean()),
        "thick_read_as_source": float(np.mean(net.predict(thickened(test_x)) == test_y)),
    }
    return row, model


def pix2pix_table(results):
    lines = [
        "| model | L1 to the digit | FID | read as the source digit % | seconds |",
        "|---|---|---|---|---|",
    ]
    for model, label in (("l1", "U-Net, L1 alone"), ("pix2pix", "Pix2Pix (L1 x 100 + GAN)")):
        rows = [r for r in results if r["model"] == model]
        if rows:
            lines.append(
                f"| {label} | {mean_std([r['l1'] for r in rows], '{:.3f}')} | "
                f"{mean_std([r['fid'] for r in rows], '{:.2f}')} | "
                f"{mean_std([100 * r['read_as_source'] for r in rows], '{:.1f}')} | "
                f"{np.mean([r['seconds'] for r in rows]):.0f} |"
            )
    return "\n".join(lines)


def cyclegan_table(results):
    r0 = results[0]
    return "\n".join(
        [
            "| G(a) read as the source digit % | cycle error \\|F(G(a)) - a\\| | "
            "L1 of G(a) to the thickening | updates | seconds |",
            "|---|---|---|---|---|",
            f"| {mean_std([100 * r['read_as_source'] for r in results], '{:.1f}')} | "
            f"{mean_std([r['cycle_l1'] for r in results], '{:.3f}')} | "
            f"{mean_std([r['l1_to_thickened'] for r in results], '{:.3f}')} | {r0['steps']} | "
            f"{np.mean([r['seconds'] for r in results]):.0f} |",
            "",
            f"For scale: the test digits differ from their thickening by "
            f"{r0['unchanged_l1']:.3f} (L1), and the CNN reads the true thickening as the "
            f"source digit in {100 * r0['thick_read_as_source']:.1f}% of cases.",
        ]
    )


def save_pairs(rows, labels, path, cols=10):
    """Rows of images (each a (cols, H, W, 1) array) stacked into one labelled grid."""
    images = np.concatenate([r[:cols] for r in rows])
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tfgan.plotting.save_image_grid(images, path, cols=cols, row_labels=labels)


def main(argv):
    del argv
    net = tfgan.eval.FeatureNet.digits()
    train, test = digits("train"), digits("test")
    reference = net.features(test[0])
    header_common = f"digits at 32x32, {FLAGS.seeds} seeds (mean ± std); {machine()}."
    if "pix2pix" in FLAGS.only:
        results, pictures = [], {}
        header = (
            f"Pix2Pix, the top {FLAGS.kept_rows} of 32 rows -> digits, U-Net width "
            f"{FLAGS.unet_width}, l1_weight {FLAGS.l1_weight:g}, {FLAGS.pix2pix_steps} "
            f"updates of batch 32; {header_common}"
        )
        for seed in range(FLAGS.seeds):
            for adversarial in (False, True) if FLAGS.l1_baseline else (True,):
                row, translated = pix2pix_run(adversarial, seed, train, test, net, reference)
                results.append(row)
                print(row, flush=True)
                if seed == 0:
                    pictures[row["model"]] = translated
                write(FLAGS.output_dir, "pix2pix", header, results, pix2pix_table(results))
        if len(pictures) == 2:
            rows = [top_halves(test[0]), pictures["l1"], pictures["pix2pix"], test[0]]
            names = ["source", "L1 alone", "Pix2Pix", "true digit"]
            save_pairs(rows, names, os.path.join(FLAGS.images_dir, "pix2pix_digits.png"))
    if "cyclegan" in FLAGS.only:
        results = []
        for seed in range(FLAGS.seeds):
            row, model = cyclegan_run(seed, train, test, net, reference)
            results.append(row)
            print(row, flush=True)
            if seed == 0:
                thick = thickened(test[0][:10])
                rows = [
                    test[0],
                    model.translate(test[0][:10]),
                    thick,
                    model.translate(thick, "b_to_a"),
                ]
                names = ["a: digit", "G(a)", "b: thickened", "F(b)"]
                save_pairs(rows, names, os.path.join(FLAGS.images_dir, "cyclegan_digits.png"))
        header = f"CycleGAN, digits <-> thickened digits, unpaired; {header_common}"
        write(FLAGS.output_dir, "cyclegan", header, results, cyclegan_table(results))


if __name__ == "__main__":
    app.run(main)
