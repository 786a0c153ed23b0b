#!/bin/sh
exec "$top_srcdir/tests/guest-suite.sh" arm kvm
