#!/usr/bin/env bash
# Builds the pod sandbox ("pause") image from the Kubernetes module's own source, since no registry
# is used: a static pause binary in an otherwise empty image.
#   build-pause.sh <kubernetes module dir> <version> <image:tag>
set -euo pipefail
src=$1/build/pause/linux/pause.c version=$2 image=$3
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
gcc -Os -Wall -Werror -static -DVERSION="$version" -o "$root/pause" "$src"
strip "$root/pause"
tar --numeric-owner --owner=0 --group=0 --mtime=@0 --sort=name -C "$root" -c pause \
  | docker import -c 'ENTRYPOINT ["/pause"]' -c 'USER 65535:65535' - "$image"
