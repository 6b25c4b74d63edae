"""Pictures of samples and of training.

Image grids: ``to_unit`` maps images into [0, 1], ``tile`` lays them out as one array,
``save_image_grid`` writes them as a PNG (optionally with a label per row).

Curves: ``save_curves`` draws named series against the training step, a small panel each
(with a dashed floor where one is known), and ``save_history`` draws a Keras
``History``'s losses that way. Both write the PNG atomically (a temporary file, then
``os.replace``) and draw on matplotlib's Agg canvas without touching pyplot, so they need
no display and leave the caller's backend alone.

The scatters of 2-D samples and histograms of 1-D ones are drawn by ``tfgan_lite.generate``.
"""

import math
import os

import numpy as np


def to_unit(images, value_range=(-1.0, 1.0), uint8=False):
    """Images mapped into [0, 1] from their value range (or from 0-255 when uint8)."""
    images = np.asarray(images, np.float32)
    if uint8:
        return images / 255.0
    low, high = value_range
    return np.clip((images - low) / (high - low), 0.0, 1.0)


def tile(images, cols, pad=0, pad_value=0.5):
    """One array of images (n, H, W[, C]) laid out on a grid of ``cols`` columns,
    with ``pad`` pixels of ``pad_value`` between the tiles."""
    images = np.asarray(images, np.float32)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if pad:
        widths = [(0, 0), (0, pad), (0, pad)] + [(0, 0)] * (images.ndim - 3)
        images = np.pad(images, widths, constant_values=pad_value)
    n = len(images)
    rows = int(np.ceil(n / cols))
    fill = np.full((rows * cols - n, *images.shape[1:]), pad_value, images.dtype)
    tiles = np.concatenate([images, fill]).reshape(rows, cols, *images.shape[1:])
    grid = np.concatenate(np.concatenate(tiles, axis=1), axis=1)
    return grid[: grid.shape[0] - pad, : grid.shape[1] - pad] if pad else grid


def save_image_grid(images, path, cols=None, row_labels=None, value_range=(-1.0, 1.0), uint8=False):
    """Writes images (n, H, W[, C]) as one PNG grid, tiles 1 pixel apart, scaled up
    (nearest neighbour) to about 400 pixels wide so small images stay visible.

    ``cols`` defaults to a square layout. With ``row_labels`` (one per row) the grid is
    drawn with each row's label in the left margin, for conditional models.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    unit = to_unit(images, value_range, uint8)
    cols = cols or int(np.ceil(np.sqrt(len(unit))))
    grid = tile(unit, cols, pad=1)
    scale = max(1, -(-400 // grid.shape[1]))
    grid = grid.repeat(scale, axis=0).repeat(scale, axis=1)
    cmap = "gray" if grid.ndim == 2 else None
    if row_labels is None:
        plt.imsave(path, grid, cmap=cmap, vmin=0, vmax=1)
        return
    height = (unit.shape[1] + 1) * scale
    fig, ax = plt.subplots(figsize=(0.4 + grid.shape[1] / 100, 0.2 + grid.shape[0] / 100))
    ax.imshow(grid, cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
    ax.set_yticks([height * (i + 0.5) for i in range(len(row_labels))])
    ax.set_yticklabels([str(label) for label in row_labels])
    ax.set_xticks([])
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# ---------------------------------------------------------------- curves

# The GAN's logs that share a panel: the two losses, and D's mean outputs on real and fake.
HISTORY_PANELS = (("d_loss", "g_loss"), ("d_real", "d_fake"))
_MARKER_UP_TO = 50  # points a line carries a marker at each of (a lone point: only a marker)


def save_curves(series, path, floors=None, panels=None, xlabel="step", title=None, cols=3):
    """Writes named series against the step as one PNG, a small panel per series.

    Args:
        series: a dict of name -> (steps, values). Non-finite values are left out of the
            line (a curve that turns NaN stops where it did); a series with one finite
            point is drawn as a marker, one with none as a panel that says so.
        path: the PNG to write; it is replaced atomically, so a crash leaves the previous
            picture or the new one, never half of one.
        floors: an optional dict of name -> value, drawn as a dashed horizontal line
            labeled "floor" and its value in that series' panel (e.g. the metrics of real
            images against real images).
        panels: optional tuples of names that share a panel (with a legend); the other
            series get a panel each. Names not in ``series`` are ignored.
        xlabel: the label of the x axes.
        title: the title over the whole figure.
        cols: panels per row.

    Returns:
        ``path``.

    Example:

    ```python
    steps = [500, 1000, 1500]
    tfgan_lite.plotting.save_curves(
        {"fid": (steps, [80.0, 30.0, 12.0]), "coverage": (steps, [0.2, 0.5, 0.7])},
        "metrics.png",
        floors={"fid": 1.9, "coverage": 0.96},
    )
    ```
    """
    from matplotlib.figure import Figure

    floors = floors or {}
    groups = [tuple(n for n in group if n in series) for group in panels or ()]
    groups = [group for group in groups if group]
    grouped = {name for group in groups for name in group}
    groups += [(name,) for name in series if name not in grouped]
    if not groups:
        raise ValueError("series is empty: there is nothing to plot.")
    cols = max(1, min(cols, len(groups)))
    rows = math.ceil(len(groups) / cols)
    fig = Figure(figsize=(3.2 * cols, 2.4 * rows + (0.4 if title else 0)), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    for i, (ax, group) in enumerate(zip(axes.flat, groups, strict=False)):
        drawn, floored = 0, False
        for name in group:
            steps, values = (np.asarray(a, np.float64).ravel() for a in series[name])
            if steps.shape != values.shape:
                raise ValueError(
                    f"series[{name!r}] has {steps.size} steps for {values.size} values."
                )
            keep = np.isfinite(steps) & np.isfinite(values)
            if keep.any():
                marker = "o" if keep.sum() <= _MARKER_UP_TO else None
                label = name if len(group) > 1 else None  # the panel's title names it
                ax.plot(steps[keep], values[keep], marker=marker, markersize=3, label=label)
                drawn += 1
            if name in floors and np.isfinite(floors[name]):
                floor = float(floors[name])
                label = f"floor {floor:.4g}" if len(group) == 1 else f"{name} floor {floor:.4g}"
                ax.axhline(floor, color="gray", linestyle="--", label=label)
                floored = True
        if not drawn:
            ax.text(0.5, 0.5, "no finite values", ha="center", transform=ax.transAxes)
        ax.set_title(", ".join(group), fontsize=10)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
        if len(group) > 1 or floored:
            ax.legend(fontsize=7)
        if i + cols >= len(groups):  # no panel below this one
            ax.set_xlabel(xlabel, fontsize=9)
    for ax in axes.flat[len(groups) :]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title, fontsize=11)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    temporary = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        fig.savefig(temporary, format="png", dpi=100)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return path


def save_history(history, path, names=None, steps_per_epoch=None, title=None):
    """Writes the per-epoch logs of a Keras ``History`` (``fit``'s return value) against the
    training step as one PNG: d_loss with g_loss, d_real with d_fake, any other a panel each.

    Args:
        history: a ``keras.callbacks.History``.
        path: the PNG to write (atomically, as ``save_curves`` does).
        names: the logs to draw (default: all of them but ``val_`` ones), in this order;
            a log missing from some epochs (an ``Evaluate`` with ``every`` > 1) is left out,
            since its values cannot be matched to their epochs.
        steps_per_epoch: the steps of an epoch (default: ``history.params["steps"]``, which
            ``fit`` sets; without it the x axis is the epoch). Epoch ``e`` (0-based, as
            ``history.epoch`` holds it, so a fit with ``initial_epoch`` starts where it did)
            ends at step ``(e + 1) * steps_per_epoch``. Keras runs whole compiled calls, so
            on an endless dataset an epoch is ``steps_per_epoch`` rounded up to a multiple
            of ``steps_per_execution`` (50 by default for a GAN): pass the true count then.
        title: the title over the figure.

    Returns:
        ``path``, or None when the history holds no epoch (nothing is written then, so the
        picture of an earlier run is kept).
    """
    logs = history.history
    if not history.epoch or not logs:
        return None
    steps_per_epoch = steps_per_epoch or (history.params or {}).get("steps")
    epochs = np.asarray(history.epoch, np.float64)
    steps, xlabel = (epochs + 1, "epoch")
    if steps_per_epoch:
        steps, xlabel = (epochs + 1) * steps_per_epoch, "step"
    names = [n for n in logs if not n.startswith("val_")] if names is None else names
    series = {}
    for name in names:
        values = np.asarray(logs.get(name, ()), np.float64).ravel()
        if values.size == len(steps):
            series[name] = (steps, values)
    if not series:
        return None
    return save_curves(series, path, panels=HISTORY_PANELS, xlabel=xlabel, title=title)
