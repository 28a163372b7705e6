#!/usr/bin/env bash
# Installs every build, test and run-time dependency of qvirt from Debian's
# packages. Idempotent: quiet and fast when everything is present, and
# `apt-get update` runs only when something is missing.
set -euo pipefail

packages=(
    build-essential meson ninja-build pkg-config
    libglib2.0-dev libjansson-dev
    qemu-system-x86 qemu-utils
    clang libclang-rt-14-dev          # libFuzzer and the sanitizer runtimes
    busybox-static cpio               # the test guest's initramfs
    socat python3                     # protocol examples and tests
)

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if (( ${#missing[@]} == 0 )); then
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "deps.sh: missing packages: ${missing[*]}; run as root or install them" >&2
    exit 1
fi

echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
