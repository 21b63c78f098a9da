#!/usr/bin/env bash
# Fetches the real log corpora of the known-formats net's precision harness (bench/README.md,
# "Known-formats net: precision and recall") into bench/target/corpora/. Nothing is committed:
# the corpora stay under target/.
#
#   fail2ban/  the sample logs that Debian's fail2ban package ships for its filter tests
#              (usr/lib/python3/dist-packages/fail2ban/tests/files/logs/: real sshd, Apache,
#              nginx, Postfix, Exim, Dovecot, vsftpd, Asterisk... lines, GPL-2), from
#              `apt-get download fail2ban` (Debian's archive, no other network). The files'
#              comment lines (the failJSON annotations and the commands that produced the
#              lines, e.g. wget --http-password=...) are kept: they are text of the same files.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/target/corpora
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

(cd "$work" && apt-get download fail2ban >/dev/null 2>&1) || {
  echo "apt-get download fail2ban failed (run 'apt-get update' once first)" >&2
  exit 1
}
deb=$(ls "$work"/fail2ban_*.deb)
dpkg-deb -x "$deb" "$work/x"
rm -rf "$out/fail2ban"
cp -r "$work/x/usr/lib/python3/dist-packages/fail2ban/tests/files/logs" "$out/fail2ban"
echo "$(basename "$deb"): $(find "$out/fail2ban" -type f | wc -l) files, $(cat "$out"/fail2ban/* "$out"/fail2ban/*/* 2>/dev/null | wc -l) lines"

