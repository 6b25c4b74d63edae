"""The toy job of examples/train.py: MLPs on a Gaussian mixture, scored with mode coverage
and divergences, and a plot of the samples over the true density."""

import os
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import tfgan_lite as tfgan  # noqa: E402

# examples/, on sys.path when train.py runs
import common  # noqa: E402


def run(settings):
    """Trains, scores and plots the model of ``settings`` on its toy density."""
    dataset = tfgan.data.toy(settings.dataset)
    gan = build_gan(dataset, settings)
    start = time.perf_counter()
    history, resumed = train(gan, dataset, settings)
    seconds = time.perf_counter() - start
    n = settings.num_samples
    samples = gan.generate(n, seed=settings.seed, labels=gan.default_labels(n))
    coverage = tfgan.eval.mode_coverage(samples, dataset)
    metrics = {
        "mode_coverage": coverage,
        "js_divergence": tfgan.eval.js_divergence(dataset, samples, seed=settings.seed),
        "kl_data_to_model": tfgan.eval.kl_divergence(dataset, samples, seed=settings.seed),
        **model_metrics(gan, dataset, settings),
    }
    plot(samples, dataset, os.path.join(settings.output_dir, "samples.png"), settings)
    print(
        f"\n{settings.dataset} with {settings.loss}: {coverage['modes']}/"
        f"{coverage['num_modes']} modes, {100 * coverage['high_quality']:.1f}% high quality, "
        f"reverse KL {coverage['reverse_kl']:.3f}, JSD {metrics['js_divergence']:.3f} nats"
    )
    common.print_scores(metrics, ("on_label_mode", "test_accuracy"))
    return common.Result(gan, history, resumed, seconds, metrics)


def build_gan(dataset, settings):
    """The MLP GAN of ``settings`` for a toy density; the label is the mode."""
    data_dim = dataset.event_shape[0]
    num_modes = dataset.mixture_distribution.probs_parameter().shape[0]
    hidden = tuple(int(h) for h in settings.hidden)
    latent_dim = settings.latent_dim
    if settings.model == "conditional":
        networks = tfgan.networks.conditional_mlp_gan(latent_dim, data_dim, num_modes, hidden)
    else:
        networks = tfgan.networks.mlp_gan(latent_dim, data_dim, hidden, pack=settings.pack)
    if settings.model == "semi_supervised":
        networks = (networks[0], tfgan.networks.mlp(data_dim, num_modes, hidden, name="classifier"))
    return common.make_model(*networks, num_modes, settings)


def train(gan, dataset, settings):
    """Fits ``gan`` on the toy density; returns its history and the resumed step.

    The models but the semi-supervised one see an endless stream of fresh samples; the
    semi-supervised one sees a fixed training set of which labels_per_class examples per
    mode keep their label.
    """
    batch = settings.batch_size * settings.discriminator_steps
    if settings.model != "semi_supervised":

        def stream(start):
            labels = settings.model == "conditional"
            data = tfgan.data.toy_dataset(
                dataset, batch, seed=settings.seed, labels=labels, start=start
            )
            return data, None

        return common.fit_resumable(gan, stream, settings.checkpoint_every, settings, verbose=1)
    x, y = (
        np.asarray(t)
        for t in tfgan.data.sample_labeled(dataset, settings.num_examples, (settings.seed, 1))
    )
    rng = np.random.default_rng(settings.seed)
    keep = np.concatenate(
        [
            rng.choice(
                np.flatnonzero(y == c),
                min(settings.labels_per_class, np.sum(y == c)),
                replace=False,
            )
            for c in np.unique(y)
        ]
    )
    y_semi = np.full_like(y, -1)
    y_semi[keep] = y[keep]
    return common.fit_resumable(
        gan,
        lambda start: (x, y_semi),
        settings.num_examples // batch,
        settings,
        batch_size=batch,
        verbose=2,
    )


def model_metrics(gan, dataset, settings):
    """What the conditional and semi-supervised models add to the diagnostics."""
    if settings.model == "conditional":
        num_modes = gan.num_classes
        labels = np.arange(settings.num_samples) % num_modes
        samples = gan.generate(settings.num_samples, seed=settings.seed + 1, labels=labels)
        locs = np.asarray(dataset.components_distribution.mean())
        nearest = np.argmin(((samples[:, None] - locs[None]) ** 2).sum(-1), 1)
        return {"on_label_mode": float(np.mean(nearest == labels))}
    if settings.model == "semi_supervised":
        x, y = tfgan.data.sample_labeled(dataset, settings.num_samples, (settings.seed, 2))
        return {"test_accuracy": float(np.mean(gan.classify(np.asarray(x)) == np.asarray(y)))}
    return {}


def plot(samples, dataset, path, settings):
    """Samples over the true density: a scatter in 2-D, a histogram in 1-D."""
    fig, ax = plt.subplots(figsize=(5, 5))
    locs = np.asarray(dataset.components_distribution.mean())
    if locs.shape[1] == 1:
        grid = np.linspace(samples.min() - 1, samples.max() + 1, 400, dtype=np.float32)[:, None]
        ax.hist(samples[:, 0], bins=100, density=True, alpha=0.6, label="generated")
        ax.plot(grid[:, 0], np.exp(dataset.log_prob(grid)), "k", label="data density")
        ax.legend()
    else:
        ax.scatter(samples[:, 0], samples[:, 1], s=2, alpha=0.4, label="generated")
        ax.scatter(locs[:, 0], locs[:, 1], marker="x", c="red", s=40, label="true modes")
        ax.set_aspect("equal")
        ax.legend(loc="upper right")
    title = f"{settings.model} on {settings.dataset}, {settings.loss}, {settings.steps} steps"
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
