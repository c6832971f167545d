#!/usr/bin/env bash
# `npm test` after the build: vitest (test/vitest.config.ts; arguments passed on) with the tests' type check
# (tsc -p test/tsconfig.json) running beside it rather than before it. The check is one thread for ~15 CPU s; run
# first it kept one of CI's two cores idle for that long. Its output is printed after vitest's, and npm test fails
# when either fails (a type error no longer stops the run before the tests: they run, then the check's errors show).
set -uo pipefail
cd "$(dirname "$0")/.."
bin=node_modules/.bin
mkdir -p test/.tmp
log=test/.tmp/typecheck.log
"$bin/tsc" -p test/tsconfig.json >"$log" 2>&1 &
check=$!
"$bin/vitest" run --config test/vitest.config.ts "$@"
tests=$?
wait "$check"
typecheck=$?
if [ "$typecheck" -ne 0 ]; then
  cat "$log" >&2
  echo "npm test: the type check of the tests failed (tsc -p test/tsconfig.json, exit $typecheck)" >&2
fi
[ "$tests" -ne 0 ] && exit "$tests"
exit "$typecheck"
