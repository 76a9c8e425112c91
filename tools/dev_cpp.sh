#!/usr/bin/env bash
# Builds the C++ library and fl_tests in build-dev-NAME/ and runs the tests, without touching the venv or the
# main build dir (so several people can work at once). Usage: tools/dev_cpp.sh NAME [gtest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
name=$1; shift
build=build-dev-$name
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$PWD")}
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$(.venv/bin/python -m mlx --cmake-dir)" -DPython_EXECUTABLE="$PWD/.venv/bin/python" \
  -DFL_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" -j2 --target fl_tests
exec "$build"/fl_tests "$@"
