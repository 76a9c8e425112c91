#!/usr/bin/env bash
# ctest install_and_link: installs an already-built Flashlight into a scratch prefix, builds examples/cpp against
# it as an outside project does (find_package(Flashlight), MLX via CMAKE_PREFIX_PATH), and runs mlp_demo there.
# Usage: tests/install/check_install.sh BUILD_DIR  (generator, compiler, ccache launcher and MLX come from its cache;
# the scratch paths are fixed, under BUILD_DIR/install-check, so ccache hits on reruns).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
work=$build/install-check
prefix=$work/prefix
cache() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt"; }
fail() { echo "install_and_link: $*" >&2; exit 1; }

rm -rf "$work"
cmake --install "$build" --prefix "$prefix" >/dev/null
for f in include/fl/fl.h include/fl/tensor.h lib/libflashlight.so lib/cmake/Flashlight/FlashlightConfig.cmake \
  lib/cmake/Flashlight/FlashlightConfigVersion.cmake lib/cmake/Flashlight/FlashlightTargets.cmake; do
  [[ -e $prefix/$f ]] || fail "missing $f in the installed prefix"
done

mlx_prefix=$(cd "$(cache MLX_DIR)/../../.." && pwd)  # what `python -m mlx --cmake-dir` prints
cmake -S "$src/examples/cpp" -B "$work/build" -G "$(cache CMAKE_GENERATOR)" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER="$(cache CMAKE_CXX_COMPILER)" \
  -DCMAKE_CXX_COMPILER_LAUNCHER="$(cache CMAKE_CXX_COMPILER_LAUNCHER)" \
  -DCMAKE_PREFIX_PATH="$prefix;$mlx_prefix" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
cmake --build "$work/build" -j "${FL_INSTALL_CHECK_JOBS:-2}"

# The consumer must have used the installed headers and library, not this source or build tree.
commands=$work/build/compile_commands.json
grep -q -- "$prefix/include" "$commands" || fail "examples not compiled against $prefix/include"
! grep -q -- "$src/include" "$commands" || fail "examples compiled against the source tree"
demo=$work/build/mlp_demo
libs=$(env -u LD_LIBRARY_PATH ldd "$demo")
grep -q "libflashlight.so => $prefix/lib/libflashlight.so" <<<"$libs" || fail "mlp_demo does not load $prefix/lib"
! grep 'not found' <<<"$libs" || fail "unresolved libraries (the RUNPATHs to MLX and MKL)"

# Runs without LD_LIBRARY_PATH (RUNPATHs only), and trains: the last loss is well below the first.
out=$(env -u LD_LIBRARY_PATH "$demo")
echo "$out"
echo "$out" | awk '/^step/ {if (!first) first = $4; last = $4}
  END {if (!(first > 0 && last < first / 4)) {print "install_and_link: loss did not fall: " first " -> " last; exit 1}}'
