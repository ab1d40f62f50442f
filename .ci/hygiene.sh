#!/usr/bin/env bash
# Refuses a tracked executable (ELF, Mach-O, PE, or a file with the
# executable bit that is not a script) and any tracked file over 1 MB:
# build outputs and large blobs do not belong in the repository. Perl is
# in every Debian base system.
set -euo pipefail
cd "$(dirname "$0")/.."

git ls-files -z | perl -0 -ne '
	chomp;
	my $f = $_;
	next unless -f $f;
	my $size = -s $f;
	if ($size > 1024 * 1024) { print "tracked file over 1 MB: $f ($size bytes)\n"; $bad = 1 }
	open(my $h, "<:raw", $f) or die "$f: $!";
	read($h, my $head, 4);
	close $h;
	if ($head =~ /^(\x7fELF|\xcf\xfa\xed\xfe|\xce\xfa\xed\xfe|\xfe\xed\xfa\xcf|\xfe\xed\xfa\xce|MZ)/) {
		print "tracked executable: $f\n"; $bad = 1
	} elsif (-x $f && substr($head, 0, 2) ne "#!") {
		print "tracked file with the executable bit that is not a script: $f\n"; $bad = 1
	}
	END {
		if ($bad) { print "remove these files from git (and ignore build outputs in .gitignore)\n"; exit 1 }
	}
'
