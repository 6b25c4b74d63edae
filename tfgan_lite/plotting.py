"""Image grids of samples: ``to_unit`` maps images into [0, 1], ``tile`` lays them out as
one array, ``save_image_grid`` writes them as a PNG (optionally with a label per row).

Only images: the scatters of 2-D samples and histograms of 1-D ones are drawn by
``tfgan_lite.generate``.
"""

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
