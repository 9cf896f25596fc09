#!/usr/bin/env bash
# Builds a tiny image holding only a static busybox (Debian's busybox-static) and imports it.
#   build-busybox.sh <busybox-binary> <image:tag>
set -euo pipefail
busybox=$1 image=$2
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/tmp" "$root/inputs" "$root/outputs"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
chmod 1777 "$root/tmp"
tar --numeric-owner --owner=0 --group=0 --mtime=@0 --sort=name -C "$root" -c . \
  | docker import -c 'ENV PATH=/bin' -c 'CMD ["sh"]' - "$image"
