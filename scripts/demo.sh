#!/usr/bin/env bash
# make demo: boots the test guest with qvirt in embed mode (no daemon),
# shows its console live, pings it, shuts it down with the ACPI power
# button and prints how long each step took. The program doing it is
# examples/embed.c: read it to see the API.
set -euo pipefail

build=${1:-build}
guest=${2:-.cache/guest}

if [[ ! -x "$build/examples/embed" ]]; then
    echo "demo: $build/examples/embed is missing: run 'make' first" >&2
    exit 1
fi
if [[ ! -f "$guest/vmlinuz" || ! -f "$guest/initrd.img" ]]; then
    echo "demo: no test guest in $guest: run 'make guest' first" >&2
    exit 1
fi

if [[ -r /dev/kvm && -w /dev/kvm ]]; then
    echo "demo: /dev/kvm is usable: the guest runs under KVM"
else
    echo "demo: /dev/kvm is not usable here: the guest runs under TCG (software emulation)"
fi
echo "demo: $build/examples/embed $guest/vmlinuz $guest/initrd.img"
echo
exec "$build/examples/embed" "$guest/vmlinuz" "$guest/initrd.img"
