#!/bin/sh
exec "$top_srcdir/tests/guest-suite.sh" ppc64le kvm
