PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test bench bench-uncertainty bench-scale bench-coinr clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/holisec demo --serve

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/run.py

# COINr and holisec on the same ASEM pipeline in one run (needs R; installs COINr into a temp library)
bench-coinr: $(STAMP)
	$(BIN)/python bench/coinr_compare.py

bench-uncertainty: $(STAMP)
	$(BIN)/python bench/bench_uncertainty.py

# synthetic 25k / 100k / 250k entities x 100 indicators x 12 periods, chunked over entities on Dask
bench-scale: $(STAMP)
	$(BIN)/python bench/bench_scale.py 25000 100000 250000

clean:
	rm -rf $(VENV) .holisec
