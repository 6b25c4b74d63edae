# The two commands of the README's quickstart: `make demo` and `make test`. Both set up .venv
# first. `make docs` builds the documentation site (docs/, mkdocs.yml) into site/.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
OUT ?= outputs/demo

.PHONY: demo test lint docs format benchmark clean

$(VENV)/.installed: pyproject.toml setup.cfg
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

demo: $(VENV)/.installed
	TF_CPP_MIN_LOG_LEVEL=2 $(PY) examples/train.py --dataset=digits --output_dir=$(OUT)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# --strict: a broken link, a missing page or an API reference that does not resolve fails.
docs: $(VENV)/.installed
	$(VENV)/bin/mkdocs build --strict --site-dir site

# Two worker processes: most tests are single-threaded Python and graph tracing.
test: lint docs
	TF_CPP_MIN_LOG_LEVEL=2 $(PY) -m pytest -q -n 2

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

benchmark: $(VENV)/.installed
	$(PY) -m pip install -q torch==2.13.0  # the PyTorch baseline of speed.py; not a dependency
	TF_CPP_MIN_LOG_LEVEL=2 $(PY) -m pytest -q -m benchmark
	for b in recipes toy_objectives unrolled conditional acgan infogan image_to_image semi_supervised images fid_bias export step_time speed cpu_isa folder_input; do \
		TF_CPP_MIN_LOG_LEVEL=2 $(PY) benchmarks/$$b.py || exit 1; done
	TF_CPP_MIN_LOG_LEVEL=2 $(PY) benchmarks/folder_input.py --min_side=600 --max_side=1000 \
		--name=folder_input_photos  # photo-sized files: where reduced JPEG decoding pays
	# Stacked MNIST at this session's budget (the table in docs/benchmarks.md); the protocol's
	# own length is the script's default --steps=20000 (hours a seed on 2 cores).
	TF_CPP_MIN_LOG_LEVEL=2 $(PY) benchmarks/stacked_mnist.py --steps=2000 --residual_steps=1500 --eval_every=500
	TF_CPP_MIN_LOG_LEVEL=2 $(PY) benchmarks/stacked_mnist.py --only=dcgan_image --seeds=1 \
		--steps=20000 --eval_every=5000 --name=stacked_mnist_long  # the protocol's length
	$(PY) benchmarks/update_readme.py  # copies the new tables into docs/benchmarks.md

clean:
	rm -rf $(VENV) outputs site *.egg-info
