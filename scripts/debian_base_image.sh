#!/usr/bin/env bash
# A local stand-in for python:3.11-slim on a machine that reaches Debian's mirror but not Docker Hub:
# debootstrap a minimal Debian bookworm (whose python3 is 3.11), add python3-venv and this machine's CA
# bundle, and `docker import` it. Then build with --build-arg BASE_IMAGE=<tag> (see docs/container.md).
#
#   sudo scripts/debian_base_image.sh [TAG]        (default TAG: newsattrib-base:bookworm)
#
# Environment: MIRROR (default http://deb.debian.org/debian), CA_BUNDLE (default
# /etc/ssl/certs/ca-certificates.crt: copied in so that pip inside the build trusts the same proxies
# and registries as this machine).
set -euo pipefail

tag=${1:-newsattrib-base:bookworm}
mirror=${MIRROR:-http://deb.debian.org/debian}
ca_bundle=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}

for tool in debootstrap docker; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not installed (apt-get install -y debootstrap docker.io)" >&2; exit 1; }
done
[[ -r $ca_bundle ]] || { echo "error: CA bundle $ca_bundle is not readable" >&2; exit 1; }

root=$(mktemp -d /tmp/newsattrib-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT

# python3-venv brings ensurepip (pip inside the venv); ca-certificates and tzdata as in python:3.11-slim.
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates,tzdata bookworm "$root" "$mirror"
# This machine's bundle replaces Debian's, so TLS through a local inspecting proxy verifies.
cp "$ca_bundle" "$root/etc/ssl/certs/ca-certificates.crt"
# python:3.11-slim has `python`; Debian names it python3 only.
ln -sf python3 "$root/usr/bin/python"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*

tar -C "$root" -c . | docker import \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
  --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
  --change 'CMD ["python3"]' \
  - "$tag"
docker image ls "$tag"
