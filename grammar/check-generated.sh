#!/bin/sh
# Fails (exit 1) when the committed parser in grammar/parser differs from what
# LaminarSQL.g4 generates. For CI machines with npx; without Node, the test
# TestParserUpToDate still catches a grammar edited without regenerating.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$root/grammar/regenerate.sh" "$tmp/parser"
if ! diff -r "$root/grammar/parser" "$tmp/parser"; then
	echo "grammar/parser is stale: run go generate ./grammar/..." >&2
	exit 1
fi
echo "grammar/parser is up to date"
