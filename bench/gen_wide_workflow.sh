#!/bin/sh
# Prints a workflow file of N nodes (default 1000), about two edges per node: node n<i> reads
# the output of n<i-1> and of one pseudo-random earlier node (the MINSTD generator, so the same N
# always gives the same file). The shape matches tests/compiler/scale_test.cc.
# Usage: bench/gen_wide_workflow.sh N > FILE
set -eu
n="${1:-1000}"
awk -v n="$n" 'BEGIN {
  print "tasks:"
  print "  combine:"
  print "    inputs: {a: int, b: {type: int, default: 0}}"
  print "    outputs: {y: int}"
  print "    script: echo $(( {{ inputs.a }} + {{ inputs.b }} )) > {{ outputs.y }}"
  print "workflows:"
  print "  wide:"
  print "    inputs: {seed: int}"
  print "    outputs: {y: \"{{ n" (n - 1) ".y }}\"}"
  print "    nodes:"
  print "      n0: {task: combine, inputs: {a: \"{{ inputs.seed }}\"}}"
  state = 12345
  for (i = 1; i < n; i++) {
    line = "      n" i ": {task: combine, inputs: {a: \"{{ n" (i - 1) ".y }}\""
    if (i >= 2) {
      state = (state * 48271) % 2147483647
      line = line ", b: \"{{ n" (state % (i - 1)) ".y }}\""
    }
    print line "}}"
  }
}'
