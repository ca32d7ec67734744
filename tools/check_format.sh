#!/bin/sh
# Fails when a C++ file under src/, include/, tests/ or bench/ differs from what clang-format
# makes of it (.clang-format: Google style, 100 columns), naming each file. Fix with
#   git ls-files '*.cc' '*.h' | xargs clang-format -i
# Run by ctest (check_format) and so by scripts/test.sh, on the whole tree.
set -eu
cd "${1:-.}"
if ! command -v clang-format >/dev/null 2>&1; then
  echo "check_format: clang-format is not installed (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
files=$(find src include tests bench -name node_modules -prune -o \( -name '*.cc' -o -name '*.h' \) -print | sort)
# One process for the whole tree; each difference is reported as "FILE:LINE:COL: error: ...".
bad=$(clang-format --dry-run --Werror $files 2>&1 | sed -n 's/^\([^: ]*\.\(cc\|h\)\):[0-9]*:[0-9]*: error:.*/\1/p' | sort -u)
if [ -n "$bad" ]; then
  for f in $bad; do echo "$f: not clang-format clean" >&2; done
  echo "check_format: $(echo "$bad" | wc -l) file(s) differ from clang-format; run: git ls-files '*.cc' '*.h' | xargs clang-format -i" >&2
  exit 1
fi
