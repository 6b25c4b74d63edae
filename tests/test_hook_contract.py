"""The hook contract written down is the code: every model class overrides only the hooks
and public methods ``tfgan_lite.models.gan`` lists, and the hooks hold no state."""

import inspect
import os

import pytest

import tfgan_lite as tfgan
from tfgan_lite.models import core, gan

MODEL_CLASSES = [getattr(tfgan.models, name) for name in tfgan.models.__all__]
VARIANTS = [cls for cls in MODEL_CLASSES if issubclass(cls, tfgan.GAN) and cls is not tfgan.GAN]


def _overrides(cls, base):
    """The names ``cls`` (or a class between it and ``base``) defines that ``base`` has."""
    names = set()
    for klass in cls.__mro__:
        if klass is base:
            break
        names |= {
            name
            for name in vars(klass)
            if hasattr(base, name) and not (name.startswith("__") and name.endswith("__"))
        }
    return names


def test_every_gan_variant_is_found():
    # The list below must see every family the package exports, or the test proves nothing.
    names = {cls.__name__ for cls in VARIANTS}
    assert names == {
        "ACGAN",
        "ConditionalGAN",
        "InfoGAN",
        "Pix2Pix",
        "SemiSupervisedGAN",
        "UnrolledGAN",
    }


@pytest.mark.parametrize("cls", VARIANTS, ids=lambda cls: cls.__name__)
def test_variants_override_only_the_listed_hooks_and_public_methods(cls):
    allowed = set(gan.HOOKS) | set(gan.PUBLIC_OVERRIDES) | set(gan.SETTINGS)
    outside = sorted(_overrides(cls, tfgan.GAN) - allowed)
    assert not outside, (
        f"{cls.__name__} overrides {outside}, which the hook contract (gan.HOOKS, "
        "gan.PUBLIC_OVERRIDES, docs/architecture.md) does not list"
    )


def test_the_listed_hooks_exist_and_the_docs_list_the_same_ones():
    for name in gan.HOOKS + gan.PUBLIC_OVERRIDES + gan.SETTINGS:
        assert hasattr(tfgan.GAN, name), name
    root = os.path.dirname(os.path.dirname(os.path.abspath(tfgan.__file__)))
    with open(os.path.join(root, "docs", "architecture.md")) as f:
        page = f.read()
    listed = page.split("<!-- hooks -->")[1].split("<!-- end hooks -->")[0]
    for name in gan.HOOKS:
        assert f"`{name}" in listed, f"docs/architecture.md does not list the hook {name}"
    assert listed.count("\n| `_") == len(gan.HOOKS), "the page lists a hook the code has not"


@pytest.mark.parametrize("cls", [tfgan.GAN, tfgan.CycleGAN], ids=lambda cls: cls.__name__)
def test_models_on_the_core_override_only_what_it_asks_for(cls):
    # The core's machinery (compile, fit's checks, trackers, seeds, penalties, averaging,
    # the config) is written once: the models provide the parts the core names.
    provided = {
        "_network_keys",
        "_generator_variables",
        "_discriminator_variables",
        "_metric_names",
        "_averaged_pairs",
        "_check_data",
        "_range_networks",
        "_range_checked",
        "_compiled",
        "fit",
        "get_config",
        "from_config",
        "call",
        "train_step",
        "test_step",
        "evaluate",
    }
    outside = sorted(_overrides(cls, core.AdversarialCore) - provided)
    assert not outside, f"{cls.__name__} re-implements the core's {outside}"


@pytest.mark.parametrize("cls", VARIANTS, ids=lambda cls: cls.__name__)
def test_hooks_are_pure_no_hook_assigns_to_the_model(cls):
    # Hooks may read the model's settings but never write state: InfoGAN's codes and the
    # semi-supervised features travel as arguments and outputs, not on the model.
    for name in sorted(_overrides(cls, tfgan.GAN) & set(gan.HOOKS)):
        function = inspect.getattr_static(cls, name)
        function = getattr(function, "fget", function)
        source = inspect.getsource(function)
        for line in source.splitlines():
            target = line.split(" = ")[0].strip() if " = " in line else ""
            assert not target.startswith("self."), f"{cls.__name__}.{name}: {line.strip()}"
            assert "setattr(" not in line, f"{cls.__name__}.{name}: {line.strip()}"
            assert ".call = " not in line, f"{cls.__name__}.{name} patches a layer's call"
