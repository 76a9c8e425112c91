// FL_TARGET_CLONES: compile a function once per x86-64 level (AVX-512, AVX2+FMA, baseline) and pick the clone at load
// time, since the build itself targets generic x86-64. Plain loops in such functions are vectorised for each level.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define FL_TARGET_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define FL_TARGET_CLONES
#endif
