#!/bin/bash
# flyte completion: the bash script loads, registers itself, and completes what --help lists
# (commands, options, option values, files); zsh and fish scripts parse where those shells
# are installed. Usage: completion_test.sh FLYTE
set -euo pipefail
flyte="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$flyte" completion bash >"$tmp/flyte.bash"
bash -c "source '$tmp/flyte.bash'; complete -p flyte" | grep -q -- "-F _flyte flyte" ||
  fail "the bash script does not register _flyte for flyte"

# complete WORDS...: what bash offers for the last word.
complete_words() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    _flyte; printf "%s\n" "${COMPREPLY[@]}"' _ "$tmp/flyte.bash" "$@"
}
expect() {  # expect CANDIDATE WORDS...
  want="$1"
  shift
  got=$(cd "$tmp" && complete_words "$@")
  grep -qx -- "$want" <<<"$got" || fail "after '$*' expected '$want' among: $(echo $got)"
}
reject() {  # reject CANDIDATE WORDS...
  want="$1"
  shift
  got=$(cd "$tmp" && complete_words "$@")
  ! grep -qx -- "$want" <<<"$got" || fail "after '$*' did not expect '$want' among: $(echo $got)"
}
mkdir "$tmp/wf" && touch "$tmp/wf/pipeline.yaml"
expect run flyte r
expect relaunch flyte r
reject validate flyte r
expect --max-parallelism flyte run --max
expect mermaid flyte graph x.yaml --format ""
expect json flyte run x.yaml -o j
expect token flyte serve t
expect create flyte serve token ""
expect --description flyte serve token create --d
expect clear flyte cache ""
expect wf/pipeline.yaml flyte run wf/p
expect wf/pipeline.yaml flyte validate a.yaml wf/
# The value of an option is not a positional: the file still comes first.
expect wf/pipeline.yaml flyte run --home /tmp wf/
expect fish flyte completion ""
# A hidden command stays hidden.
reject __man flyte _
echo "ok: bash"

"$flyte" completion zsh >"$tmp/_flyte"
"$flyte" completion fish >"$tmp/flyte.fish"
head -1 "$tmp/_flyte" | grep -qx "#compdef flyte" || fail "the zsh script does not start with #compdef flyte"
if command -v zsh >/dev/null; then
  zsh -n "$tmp/_flyte" && echo "ok: zsh -n"
  # The completion function, called outside a completion widget: zsh's own adders are
  # stubbed to print what they are given.
  zsh_candidates() {
    zsh -f -c 'compadd() { print -l -- "${@:#--}" }; _describe() { print -l -- ${(P)4} }
      _files() { print "FILES" }; compset() { : }; compdef() { : }
      source "$1"; shift; words=("$@"); CURRENT=$#; _flyte' _ "$tmp/_flyte" "$@"
  }
  zsh_candidates flyte r | grep -q "^run:Compile" || fail "zsh: no run after 'flyte r'"
  zsh_candidates flyte graph x --format "" | grep -qx mermaid || fail "zsh: no mermaid after --format"
  zsh_candidates flyte serve token "" | grep -q "^create:" || fail "zsh: no create after 'flyte serve token'"
  zsh_candidates flyte run "" | grep -qx FILES || fail "zsh: no file completion after 'flyte run'"
  echo "ok: zsh"
else
  echo "skip: no zsh for a syntax check"
fi
if command -v fish >/dev/null; then
  fish -n "$tmp/flyte.fish" && echo "ok: fish -n"
  # fish completes from the script's declarations: `complete -C LINE` lists the candidates.
  fish_candidates() { (cd "$tmp" && fish -c "source '$tmp/flyte.fish'; complete -C '$1'") | cut -f1; }
  fish_candidates "flyte r" | grep -qx run || fail "fish: no run after 'flyte r'"
  fish_candidates "flyte serve token " | grep -qx create || fail "fish: no create after 'flyte serve token'"
  fish_candidates "flyte graph x --format " | grep -qx mermaid || fail "fish: no mermaid after --format"
  fish_candidates "flyte run wf/p" | grep -qx wf/pipeline.yaml || fail "fish: no file after 'flyte run'"
  echo "ok: fish"
else
  echo "skip: no fish for a syntax check"
fi
if "$flyte" completion tcsh >/dev/null 2>"$tmp/err"; then fail "flyte completion tcsh succeeded"; fi
grep -q "tcsh" "$tmp/err" || fail "flyte completion tcsh: the error does not name the shell: $(cat "$tmp/err")"
echo "completion tests passed"
