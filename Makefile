# Quick start: `make pretrain` (main job) and `make test` (test suite).
# Both create .venv with Python 3.11 when it is missing and install everything into it.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.s2v-installed
# glibc malloc without mmap for big blocks: ~2.5x faster CPU training steps (docs/development.md)
CPU_MALLOC := MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=1073741824
RUN ?= default
# N-UCLA's JSON files, for `make study` (any folder of aAA_sSS_eEE_vVV.json files)
UCLA ?= ../shared/data/nw_ucla
TEST_FLAGS ?=

.PHONY: setup pretrain test test-slow export clean-nbs bench study figures lab outputs readme

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

# The kernel is registered in the environment under the name and display name the notebooks carry (python3, as
# nbdev's clean writes them, so JupyterLab finds the metadata unchanged on open); `s2v notebooks install`
# adds nbdev's clean as the save hook of Jupyter servers started from it, and quiet kernel start-up.
$(STAMP): $(BIN)/python pyproject.toml Makefile
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name python3 >/dev/null
	$(BIN)/s2v notebooks install >/dev/null
	touch $(STAMP)

setup: $(STAMP)

# The main job: pretraining on the built-in synthetic data, then linear evaluation of the pretrained
# encoder and of the same encoder with random weights.
pretrain: setup
	$(CPU_MALLOC) $(BIN)/s2v main --run $(RUN)

test: setup
	$(CPU_MALLOC) $(BIN)/nbdev_test --n_workers 1 --timing $(TEST_FLAGS)

test-slow: setup
	$(CPU_MALLOC) $(BIN)/nbdev_test --n_workers 1 --timing --flags slow

# The package from the notebooks, the runner notebooks' parameters cells from s2v.params, notebooks cleaned.
export: setup
	$(BIN)/nbdev_export && $(BIN)/s2v notebooks params && $(BIN)/nbdev_clean

# JupyterLab from the project's environment, at the repository root; saving a notebook cleans it (nbdev_clean).
lab: setup
	$(CPU_MALLOC) $(BIN)/jupyter lab

# Rerun the model and data notebooks that keep outputs (s2v.notebooks.OUTPUT_NOTEBOOKS), keeping them.
outputs: setup
	$(CPU_MALLOC) $(BIN)/s2v notebooks outputs

# README.md is rendered from nbs/index.ipynb: edit the notebook, then run this.
readme: setup
	$(BIN)/s2v notebooks readme

bench: setup
	$(CPU_MALLOC) $(BIN)/python benchmarks/prepare.py
	$(CPU_MALLOC) $(BIN)/python benchmarks/pretrain_step.py
	$(CPU_MALLOC) $(BIN)/python benchmarks/attention.py

# The N-UCLA study (about 80 minutes on 2 cores; finished steps are skipped, FRESH=1 reruns from nothing),
# then every figure from its runs.
study: setup
	$(CPU_MALLOC) $(BIN)/s2v study --data_dir $(UCLA) --figures_dir figures $(if $(FRESH),--fresh,)
	$(MAKE) figures

figures: setup
	mkdir -p runs
	$(CPU_MALLOC) $(BIN)/papermill nbs/figures.ipynb runs/figures.ipynb -k python3 --cwd nbs
