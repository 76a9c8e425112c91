# Flashlight: `make demo` and `make test` do everything on a fresh Debian/Ubuntu machine.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BUILD ?= build
JOBS ?= $(shell nproc)
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
LAUNCHER := $(shell command -v ccache >/dev/null 2>&1 && echo "-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
APT_PKGS := libgtest-dev libbenchmark-dev nlohmann-json3-dev ccache
CMAKE_ARGS = -DCMAKE_PREFIX_PATH="$$($(PY) -m mlx --cmake-dir)" -DPython_EXECUTABLE=$(abspath $(PY)) $(GENERATOR) $(LAUNCHER)

.PHONY: all venv sysdeps configure build test demo install bench sanitize format clean

all: build

# Python dependencies live in the project venv, pinned in requirements.txt.
$(VENV)/.stamp: requirements.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@
venv: $(VENV)/.stamp

# GoogleTest, Google Benchmark and nlohmann-json come from Debian packages.
sysdeps:
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

configure: venv sysdeps
	cmake -S . -B $(BUILD) $(CMAKE_ARGS) -DCMAKE_BUILD_TYPE=Release

# The C++ library and tests, then the Python package installed editable into the venv.
build: configure
	cmake --build $(BUILD) -j $(JOBS)
	$(PY) -m pip install --quiet --no-build-isolation -e .

test: build
	cd $(BUILD) && ctest --output-on-failure
	$(PY) -m pytest -q tests/python

# The main job: trains a CfC and an LTC (Python API), writes demo_out/, then runs the CfC from C++.
demo: build
	$(PY) examples/python/liquid_demo.py --out demo_out --control-binary $(BUILD)/ncps_control

# For C++ users: libflashlight, include/fl and the CMake package (find_package(Flashlight)) under PREFIX (README).
PREFIX ?= install
install: configure
	cmake --build $(BUILD) -j $(JOBS) --target flashlight
	cmake --install $(BUILD) --prefix $(abspath $(PREFIX))

# Flashlight beside PyTorch, each library in its own process (bench/README.md says why): the C++ rows (Google
# Benchmark: fl_bench, fl_bench_torch) and the Python-level workloads (bench/python/run_bench.py: training steps,
# NCPs vs ncps.torch, single steps, on 1 and 2 threads) over the flashlight package built here. The raw runs land
# in bench/results/*.json; bench/compare.py joins their medians into summary.{md,csv,json,png}.
# `make bench QUICK=1`: a smoke run in a fraction of the time (its numbers are not measurements).
ifdef QUICK
BENCH_ARGS ?= --benchmark_min_time=0.01 --benchmark_repetitions=1
PYBENCH_ARGS ?= --quick
endif
BENCH_ARGS ?= --benchmark_min_time=0.2 --benchmark_repetitions=5 --benchmark_display_aggregates_only=true
PYBENCH_ARGS ?=
BENCH_PKG := $(BUILD)-bench/pkg
bench: venv sysdeps
	cmake -S . -B $(BUILD)-bench $(CMAKE_ARGS) -DCMAKE_BUILD_TYPE=Release -DFL_BUILD_BENCH=ON -DFL_BUILD_TESTS=OFF \
	  -DFL_BUILD_EXAMPLES=OFF -DFL_BUILD_PYTHON=ON
	cmake --build $(BUILD)-bench -j $(JOBS) --target fl_bench_all _C
	@rm -rf $(BENCH_PKG) && mkdir -p $(BENCH_PKG)/flashlight && \
	  for f in python/flashlight/*; do ln -s "$$PWD/$$f" $(BENCH_PKG)/flashlight/; done && \
	  ln -s "$$PWD"/$(BUILD)-bench/_C*.so $(BENCH_PKG)/flashlight/
	@mkdir -p bench/results && rm -f bench/results/*.json
	$(BUILD)-bench/fl_bench $(BENCH_ARGS) --benchmark_out=bench/results/fl_bench.json --benchmark_out_format=json
	if [ -x $(BUILD)-bench/fl_bench_torch ]; then $(BUILD)-bench/fl_bench_torch $(BENCH_ARGS) \
	  --benchmark_out=bench/results/fl_bench_torch.json --benchmark_out_format=json && \
	  FL_BENCH_THREADS=1 $(BUILD)-bench/fl_bench_torch $(BENCH_ARGS) --benchmark_filter='torch/(add|exp|sum|tanh|gelu)/' \
	  --benchmark_out=bench/results/fl_bench_torch_1thread.json --benchmark_out_format=json; fi
	$(PY) bench/python/run_bench.py --fl-path $(BENCH_PKG) $(PYBENCH_ARGS)
	$(PY) bench/compare.py

# C++ tests under AddressSanitizer and UndefinedBehaviorSanitizer.
sanitize: venv sysdeps
	cmake -S . -B $(BUILD)-asan $(CMAKE_ARGS) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFL_SANITIZE=ON -DFL_BUILD_EXAMPLES=OFF
	cmake --build $(BUILD)-asan -j $(JOBS) --target fl_tests
	ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 $(BUILD)-asan/fl_tests

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf $(BUILD) $(BUILD)-bench $(BUILD)-asan
