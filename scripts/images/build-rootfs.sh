#!/usr/bin/env bash
# Builds a Debian bookworm root file system with debootstrap and imports it as a Docker image.
# No registry is used: packages come from the Debian mirror apt already uses.
#   build-rootfs.sh <packages-file> <image:tag> <work-dir>
set -euo pipefail
packages_file=$1 image=$2 work=$3
mirror=${TIDEMARK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
root="$work/rootfs"
mkdir -p "$work"
if [ ! -f "$work/.debootstrap-done" ]; then
  rm -rf "$root"
  debootstrap --variant=minbase bookworm "$root" "$mirror"
  touch "$work/.debootstrap-done"
fi
mapfile -t pkgs < <(grep -v '^\s*#' "$packages_file" | grep -v '^\s*$')
# policy-rc.d keeps package scripts from starting services inside the chroot.
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"; chmod +x "$root/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
trap 'umount "$root/proc" 2>/dev/null || true' EXIT
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}"
# Trust what this machine trusts: local CAs (a TLS-inspecting proxy's, a company's) are copied in,
# so steps and image builds reach package registries the way the host does.
if compgen -G "/usr/local/share/ca-certificates/*.crt" > /dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates > /dev/null
fi
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root/etc/resolv.conf" "$root/usr/sbin/policy-rc.d"
umount "$root/proc" 2>/dev/null || true
trap - EXIT
tar --numeric-owner -C "$root" -c . | docker import \
  -c 'ENV PYTHONUNBUFFERED=1 LANG=C.UTF-8' -c 'WORKDIR /work' -c 'CMD ["python3"]' - "$image"
