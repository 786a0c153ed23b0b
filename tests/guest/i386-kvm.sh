#!/bin/sh
exec "$top_srcdir/tests/guest-suite.sh" i386 kvm
