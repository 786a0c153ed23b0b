#!/bin/sh
exec "$top_srcdir/tests/guest-suite.sh" x86_64 kvm
