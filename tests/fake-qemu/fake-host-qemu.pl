#!/usr/bin/perl
# A stand-in for the outer QEMU of --host-kernel (KUT_HOST_QEMU), for
# tests/e2e/host-kernel.sh. It boots nothing: it reads the initramfs the
# launcher built (-initrd, newc cpio), checks that it holds what
# kvm-unit-tests-hostinit needs, and acts out the guest: the inner
# launcher's TAP on the port named kut.tap, "start"/"exit" lines on
# kut.ctl, the kernel's messages on the console (stdout).
#
# $KUT_FAKE_HOST picks the behaviour, comma-separated:
#   pass            every test named in /kut/argv passes
#   fail=NAME       that test is "not ok"
#   panic-after=K   K tests pass, the next one starts, then the kernel panics
#   panic-on=NAME   the kernel panics as test NAME starts
#   panic-held=1    with panic-after: the K tests before finished, but their
#                   TAP was still held back (the inner launcher prints in
#                   catalog order) when the kernel died
#   panic-boots=B   ... on the first B boots only (default: every boot)
#   segv-after=K    K tests pass, the next starts, then QEMU dies of SIGSEGV
#   setup-error     init fails to load a module (console error line)
#   inner-exit3     the inner launcher exits 3 at once (no KVM inside)
#   hang            init boots, then nothing more
# State in $KUT_E2E_STATE: pids (for the leftover check), hostboots (one
# line per boot: the tests it was asked for), initrd-NAME (the archive's
# member names of the last boot).
use strict;
use warnings;

my %opt;
my ($initrd, %chardev, %port);
my @argv = @ARGV;
for (my $i = 0; $i < @argv; $i++) {
	my $a = $argv[$i];
	if ($a eq '-initrd') {
		$initrd = $argv[++$i];
	} elsif ($a eq '-chardev' && $argv[$i + 1] =~ /^file,id=([^,]+),path=([^,]+)/) {
		$chardev{$1} = $2;
	} elsif ($a eq '-device' && $argv[$i + 1] =~ /^virtserialport,.*chardev=([^,]+),name=([^,]+)/) {
		$port{$2} = $1;
	}
}
if (grep { $_ eq '--version' || $_ eq '-version' } @argv) {
	print "QEMU emulator version 7.2.0 (kvm-unit-tests fake host)\n";
	exit 0;
}
my $state = $ENV{KUT_E2E_STATE} // '';
if ($state ne '' && open(my $p, '>>', "$state/pids")) {
	print $p "$$\n";
	close $p;
}
for (split /,/, $ENV{KUT_FAKE_HOST} // 'pass') {
	my ($k, $v) = split /=/, $_, 2;
	$opt{$k} = $v // 1;
}
die "fake-host-qemu: no -initrd\n" unless defined $initrd;

# newc: "070701", 13 eight-digit hex fields, the name, data; 4-aligned.
open(my $fh, '<:raw', $initrd) or die "fake-host-qemu: $initrd: $!\n";
my $cpio = do { local $/; <$fh> };
close $fh;
my ($off, %files) = (0);
while ($off + 110 <= length $cpio) {
	my $h = substr($cpio, $off, 110);
	die "fake-host-qemu: bad cpio magic at $off\n" unless substr($h, 0, 6) eq '070701';
	my @f = map { hex } unpack('x6 (A8)13', $h);
	my ($size, $namesize) = ($f[6], $f[11]);
	my $name = substr($cpio, $off + 110, $namesize - 1);
	$off += 110 + $namesize;
	$off = ($off + 3) & ~3;
	last if $name eq 'TRAILER!!!';
	$files{$name} = substr($cpio, $off, $size);
	$off += $size;
	$off = ($off + 3) & ~3;
}
for my $need (qw(init dev/console kut/modules kut/argv kut/env kut/cwd kut/logdir)) {
	die "fake-host-qemu: initramfs lacks $need\n" unless exists $files{$need};
}
for my $m (split /\n/, $files{'kut/modules'}) {
	my ($file) = split / /, $m;
	die "fake-host-qemu: initramfs lacks kut/mod/$file\n" unless exists $files{"kut/mod/$file"};
	# finit_module wants the module itself, as the kernel may not decompress
	die "fake-host-qemu: kut/mod/$file is no ELF file\n" unless $files{"kut/mod/$file"} =~ /\A\x7fELF/;
}
my @inner = split /\0/, $files{'kut/argv'};
# what the inner launcher would put in its YAML: the outer accelerator
my ($outer) = map { /^KUT_OUTER_ACCEL=(.*)/ ? $1 : () } split /\0/, $files{'kut/env'};
$outer //= 'none';
my ($dd) = grep { $inner[$_] eq '--' } 0 .. $#inner;
my @names = defined $dd ? @inner[$dd + 1 .. $#inner] : ();
my $boot = 1;
if ($state ne '') {
	if (open(my $b, '<', "$state/hostboots")) {
		$boot++ while <$b>;
		close $b;
	}
	open(my $b, '>>', "$state/hostboots") or die;
	print $b join(' ', @names), "\n";
	close $b;
	open(my $l, '>', "$state/initrd-files") or die;
	print $l "$_\n" for sort keys %files;
	print $l "env: $_\n" for split /\0/, $files{'kut/env'};
	print $l "argv: $_\n" for @inner;
	print $l "modules: $_\n" for split /\n/, $files{'kut/modules'};
	print $l "outer: @argv\n";
	close $l;
}

sub port {
	my $path = $chardev{$port{$_[0]} // ''} or die "fake-host-qemu: no port $_[0]\n";
	open(my $f, '>', $path) or die "fake-host-qemu: $path: $!\n";
	$f->autoflush(1);
	return $f;
}
$| = 1;
print "[    0.000000] Linux version 6.1.0-fake\n";
if ($opt{'setup-error'}) {
	print "kut-hostinit: error: loading kvm-amd.ko: Invalid argument\n";
	print "[    3.000000] reboot: Power down\n";
	exit 0;
}
my ($tap, $err, $ctl) = (port('kut.tap'), port('kut.err'), port('kut.ctl'));
print $ctl "boot ok\n";
if ($opt{hang}) {
	sleep 600;
	exit 0;
}
if ($opt{'inner-exit3'}) {
	print $err "kvm-unit-tests: --accel kvm: /dev/kvm: No such file or directory\n";
	print $ctl "exit 3\n";
	exit 0;
}
my $panic = $opt{'panic-after'};
my $segv = $opt{'segv-after'};
$panic = undef if defined $panic && defined $opt{'panic-boots'} && $boot > $opt{'panic-boots'};
print $tap "TAP version 13\n1.." . scalar(@names) . "\n";
my $n = 0;
for my $t (@names) {
	print $ctl "start $t\n";
	if ((defined $panic && $n == $panic) || ($opt{'panic-on'} // '') eq $t) {
		print "[   42.123456] Kernel panic - not syncing: corrupted stack end detected inside scheduler\n";
		print "[   42.123999] CPU: 1 PID: 99 Comm: qemu-system-x86 Not tainted 6.1.0-fake #1\n";
		print "[   42.200000] Rebooting in -1 seconds..\n";
		exit 0;	# panic=-1 with -no-reboot: QEMU exits
	}
	if (defined $segv && $n == $segv) {
		kill 'SEGV', $$;
		sleep 5;
	}
	$n++;
	print $ctl "done $t\n";
	next if defined $panic && $opt{'panic-held'};
	if (($opt{fail} // '') eq $t) {
		print $tap "    # Subtest: $t\n    1..1\n    not ok 1 - $t: thing (got 1, want 2)\n";
		print $tap "not ok $n - $t\n  ---\n  reason: \"1 assertion failed\"\n  accel: kvm\n  duration_s: 0.01\n  outer: $outer\n  ...\n";
	} else {
		print $tap "    # Subtest: $t\n    1..1\n    ok 1 - $t: thing\n";
		print $tap "ok $n - $t\n  ---\n  accel: kvm\n  duration_s: 0.01\n  outer: $outer\n  ...\n";
	}
}
print $tap "# $n tests: $n passed, 0 failed, 0 skipped, 0 known failures\n";
print $ctl "exit " . (grep({ ($opt{fail} // '') eq $_ } @names) ? 1 : 0) . "\n";
print "[   50.000000] reboot: Power down\n";
exit 0;
