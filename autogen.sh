#!/bin/sh
# Regenerates configure, Makefile.in and the build-aux/ helpers (including
# Automake's tap-driver.sh). Nothing it writes belongs in git.
set -e
cd "$(dirname "$0")"
mkdir -p build-aux
autoreconf --install --force
