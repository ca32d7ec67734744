#!/bin/bash
# cmake --install into a temporary prefix puts flyte where a user and their tools look for
# it: the binary runs a workflow, `man` finds valid pages, each shell finds its completion,
# and the systemd unit starts the installed binary. Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
p="$tmp/prefix"

cmake --install "$build" --prefix "$p" >"$tmp/install.log" || { cat "$tmp/install.log"; fail "cmake --install"; }
for f in bin/flyte share/man/man1/flyte.1 share/man/man1/flyte-run.1 share/man/man1/flyte-serve-token-create.1 \
  share/bash-completion/completions/flyte share/zsh/site-functions/_flyte share/fish/vendor_completions.d/flyte.fish \
  share/doc/flyte/examples/server.yaml share/doc/flyte/README.md share/doc/flyte/LICENSE lib/systemd/system/flyte.service; do
  [ -s "$p/$f" ] || fail "cmake --install did not install $f"
done
[ ! -e "$p/share/man/man1/flyte-__man.1" ] || fail "the hidden __man command got a man page"

# The installed binary runs a workflow from anywhere, with its own home.
# (A relative --home: tasks run elsewhere, yet write their outputs into it.)
(cd "$tmp" && "$p/bin/flyte" run "$src/examples/hello.yaml" --input who=Ada --home relative-home) >"$tmp/run.out" ||
  fail "installed flyte run failed: $(cat "$tmp/run.out")"
grep -q "greeting: Hello, Ada!" "$tmp/run.out" || fail "installed flyte run printed: $(cat "$tmp/run.out")"

# Version: from git in a checkout, with the commit and the build date.
"$p/bin/flyte" --version >"$tmp/version"
"$p/bin/flyte" version | cmp -s - "$tmp/version" || fail "flyte --version and flyte version differ"
grep -Eq "^flyte [0-9]" "$tmp/version" || fail "flyte --version: $(cat "$tmp/version")"
if git -C "$src" rev-parse HEAD >/dev/null 2>&1; then
  # A commit of this repository (HEAD when the build is fresh).
  commit=$(sed -n 's/^commit: *\([0-9a-f]\{40\}\)$/\1/p' "$tmp/version")
  [ -n "$commit" ] && git -C "$src" cat-file -e "$commit^{commit}" ||
    fail "flyte version names no commit of this repository: $(cat "$tmp/version")"
fi
grep -Eq "^built: *[0-9]{4}-[0-9]{2}-[0-9]{2}$" "$tmp/version" || fail "flyte version has no build date"

# help COMMAND is that command's --help.
"$p/bin/flyte" help serve token create >"$tmp/help1"
"$p/bin/flyte" serve token create --help >"$tmp/help2"
cmp -s "$tmp/help1" "$tmp/help2" || fail "flyte help serve token create differs from its --help"
if "$p/bin/flyte" help nosuch 2>"$tmp/err"; then fail "flyte help nosuch succeeded"; fi
grep -q "flyte has no command 'nosuch'" "$tmp/err" || fail "flyte help nosuch said: $(cat "$tmp/err")"

# man finds the pages; groff reads them without a warning.
MANPATH="$p/share/man" man -P cat flyte-run 2>"$tmp/man.err" | grep -q -- "--max-parallelism" ||
  fail "man flyte-run does not describe --max-parallelism: $(cat "$tmp/man.err")"
if command -v groff >/dev/null; then
  for page in "$p"/share/man/man1/*.1; do
    warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
    [ -z "$warnings" ] || fail "groff warns on $(basename "$page"): $warnings"
  done
fi
if command -v mandoc >/dev/null; then mandoc -Tlint -Wwarning "$p"/share/man/man1/*.1 || fail "mandoc -Tlint"; fi

# bash-completion's loader finds the script by the command's name.
bash -c "source '$p/share/bash-completion/completions/flyte' && complete -p flyte" | grep -q "_flyte" ||
  fail "the installed bash completion does not register"

# The unit runs the installed binary, and systemd accepts it.
grep -q "^ExecStart=$p/bin/flyte serve " "$p/lib/systemd/system/flyte.service" || fail "the unit does not start $p/bin/flyte"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify --man=no "$p/lib/systemd/system/flyte.service" 2>"$tmp/verify" || true
  ! grep -v "Failed to \|Cannot add dependency\|No such file" "$tmp/verify" | grep -q . ||
    fail "systemd-analyze verify: $(cat "$tmp/verify")"
fi
echo "install tests passed"
