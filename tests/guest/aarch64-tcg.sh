#!/bin/sh
exec "$top_srcdir/tests/guest-suite.sh" aarch64 tcg
