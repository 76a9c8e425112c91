#!/usr/bin/env bash
# Builds the Python extension in its own build dir and runs pytest against it, without touching the venv's
# editable install (so several people can work at once). Usage: tools/dev_python.sh NAME [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
name=$1; shift
build=build-py-$name
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$PWD")}
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$(.venv/bin/python -m mlx --cmake-dir)" -DPython_EXECUTABLE="$PWD/.venv/bin/python" \
  -DFL_BUILD_PYTHON=ON -DFL_BUILD_TESTS=OFF -DFL_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" -j2 --target _C
pkg=$build/pkg/flashlight
mkdir -p "$pkg"
for f in python/flashlight/*; do ln -sf "$PWD/$f" "$pkg/"; done
ln -sf "$PWD/$build"/_C*.so "$pkg/"
# An editable install's import hook would otherwise win over PYTHONPATH: drop it for this run.
PYTHONPATH="$PWD/$build/pkg" exec .venv/bin/python -c '
import sys
sys.meta_path[:] = [f for f in sys.meta_path if not type(f).__name__.startswith("ScikitBuild")]
import pytest
sys.exit(pytest.main(sys.argv[1:]))' "$@"
