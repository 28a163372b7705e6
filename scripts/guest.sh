#!/usr/bin/env bash
# Builds the tiny test guest of the `guest` test suite from Debian packages:
#
#   DIR/vmlinuz     the kernel of linux-image-cloud-amd64 (the package is
#                   downloaded and unpacked into a scratch directory, never
#                   installed)
#   DIR/initrd.img  a busybox-static initramfs whose /init speaks the serial
#                   protocol of docs/test-guest.md
#   DIR/guest.env   what was built and from what (KEY="value" lines)
#
# Usage: scripts/guest.sh [DIR]          (DIR defaults to .cache/guest)
#
# Cached: when DIR holds a guest built from the same inputs (this script,
# the busybox binary, the kernel package apt would pick), it exits at once
# and prints nothing. Reproducible: the same inputs give a byte-identical
# initrd.img (fixed mtimes, owners and inode numbers, sorted file list,
# gzip -n).
set -euo pipefail

readonly kernel_metapackage=linux-image-cloud-amd64
# Loaded by /init in this order, after the modules they depend on. A name
# the kernel builds in is skipped; one it lacks altogether is an error.
readonly wanted_modules=(
    button              # ACPI power button (system_powerdown)
    evdev               # /dev/input/event*, which acpid reads
    virtio_pci virtio_mmio
    virtio_blk virtio_net virtio_console virtio_rng virtio_balloon
)
readonly ready_marker=QVIRT-GUEST-READY
readonly recommended_append="console=ttyS0 quiet panic=-1"
# Every file in the initramfs gets this mtime, so builds are reproducible.
readonly fixed_mtime=0

say() { echo "guest.sh: $*" >&2; }
die() { say "$*"; exit 1; }

if [[ $# -gt 1 || ${1:-} == -* ]]; then
    echo "usage: scripts/guest.sh [DIR]   (builds the test guest in DIR, default .cache/guest)" >&2
    exit 2
fi

script_path=$(readlink -f "${BASH_SOURCE[0]}")
source_dir=$(dirname "$(dirname "$script_path")")
out_dir=${1:-$source_dir/.cache/guest}
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
env_file=$out_dir/guest.env

# One build at a time per DIR (make check and a demo may start together).
exec 9> "$out_dir/.lock"
flock 9

# Prints the value of KEY in guest.env, or nothing.
recorded() {
    [[ -f $env_file ]] || return 0
    sed -n "s/^$1=\"\\(.*\\)\"\$/\\1/p" "$env_file"
}

# --- Inputs -----------------------------------------------------------------

if [[ $(dpkg-query -W -f='${Status}' busybox-static 2>/dev/null) != "install ok installed" ]]; then
    die "busybox-static is not installed: run scripts/deps.sh"
fi
busybox_binary=$(dpkg-query -L busybox-static | grep -E '/bin/busybox$' | head -n 1)
[[ -x $busybox_binary ]] || die "busybox-static installs no bin/busybox"
busybox_version=$(dpkg-query -W -f='${Version}' busybox-static)

lists_dir=/var/lib/apt/lists
eval "$(apt-config shell lists_dir Dir::State::lists/d)"

# Sets kernel_package and kernel_package_version to what the metapackage's
# candidate depends on; returns 1 when apt's lists do not know it.
resolve_kernel_package() {
    local depends
    depends=$(apt-cache show --no-all-versions "$kernel_metapackage" 2>/dev/null |
              sed -n 's/^Depends: //p' | head -n 1) || true
    # "linux-image-6.1.0-56-cloud-amd64 (= 6.1.192-2)"
    if [[ $depends =~ ^(linux-image-[^ ,]+)\ \(=\ ([^\)]+)\) ]]; then
        kernel_package=${BASH_REMATCH[1]}
        kernel_package_version=${BASH_REMATCH[2]}
        return 0
    elif [[ $depends =~ ^(linux-image-[^ ,]+) ]]; then
        kernel_package=${BASH_REMATCH[1]}
        kernel_package_version=$(apt-cache show --no-all-versions "$kernel_package" 2>/dev/null |
                                 sed -n 's/^Version: //p' | head -n 1)
        [[ -n $kernel_package_version ]] && return 0
    fi
    return 1
}

# Runs apt-get update; $1 says why.
apt_update() {
    [[ $(id -u) -eq 0 ]] || die "$1: run 'apt-get update' as root"
    say "$1: running apt-get update"
    apt-get update -qq >/dev/null || die "apt-get update failed"
}

kernel_package=
kernel_package_version=
if [[ -f $env_file ]] &&
   [[ -z $(find "$lists_dir" -maxdepth 1 -newer "$env_file" -name '*Packages*' -print -quit 2>/dev/null) ]]; then
    # apt's lists have not changed since the last build, so neither has
    # the package they resolve to: skip apt-cache, which takes most of a
    # second.
    kernel_package=$(recorded QVIRT_GUEST_KERNEL_PACKAGE)
    kernel_package_version=$(recorded QVIRT_GUEST_KERNEL_PACKAGE_VERSION)
fi
if [[ -z $kernel_package || -z $kernel_package_version ]] && ! resolve_kernel_package; then
    if [[ -f $env_file && -n $(recorded QVIRT_GUEST_KERNEL_PACKAGE) ]]; then
        # No lists (offline, or apt's cache was cleaned): keep what we have.
        kernel_package=$(recorded QVIRT_GUEST_KERNEL_PACKAGE)
        kernel_package_version=$(recorded QVIRT_GUEST_KERNEL_PACKAGE_VERSION)
    else
        apt_update "apt knows no $kernel_metapackage"
        resolve_kernel_package || die "cannot resolve $kernel_metapackage to a kernel package"
    fi
fi

# One hash over everything the output depends on.
inputs=$( {
    sha256sum < "$script_path"
    sha256sum < "$busybox_binary"
    echo "$busybox_version $kernel_package $kernel_package_version"
} | sha256sum | cut -d' ' -f1)

# --- Up to date? --------------------------------------------------------------

file_sha256() { sha256sum < "$1" | cut -d' ' -f1; }

if [[ $(recorded QVIRT_GUEST_INPUTS) == "$inputs" &&
      -f $out_dir/vmlinuz && -f $out_dir/initrd.img &&
      $(file_sha256 "$out_dir/vmlinuz") == "$(recorded QVIRT_GUEST_KERNEL_SHA256)" &&
      $(file_sha256 "$out_dir/initrd.img") == "$(recorded QVIRT_GUEST_INITRD_SHA256)" ]]; then
    exit 0
fi

# --- Build ----------------------------------------------------------------------

scratch=$(mktemp -d "${TMPDIR:-/tmp}/qvirt-guest.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
# An interrupted build must not look finished.
rm -f "$env_file"

# The downloaded package is kept in DIR/debs, so rebuilding after a change
# to this script needs no network.
deb_dir=$out_dir/debs
deb=$deb_dir/${kernel_package}_${kernel_package_version}_amd64.deb
mkdir -p "$deb_dir"
if [[ ! -f $deb ]]; then
    say "downloading $kernel_package $kernel_package_version"
    download_dir=$scratch/download
    mkdir "$download_dir"
    apt_options=(-qq)
    # As root apt drops to the _apt user to download, which cannot write
    # here; the package is still checked against apt's signed lists.
    [[ $(id -u) -eq 0 ]] && apt_options+=(-o APT::Sandbox::User=root)
    if ! (cd "$download_dir" && apt-get download "${apt_options[@]}" \
              "$kernel_package=$kernel_package_version" >/dev/null); then
        # Stale lists name a package the mirror no longer has: update them
        # and start over, since the metapackage may now point elsewhere.
        [[ -z ${QVIRT_GUEST_APT_UPDATED:-} ]] ||
            die "cannot download $kernel_package $kernel_package_version"
        apt_update "cannot download $kernel_package $kernel_package_version"
        rm -rf "$scratch"
        exec 9>&-
        QVIRT_GUEST_APT_UPDATED=1 exec bash "$script_path" "$out_dir"
    fi
    downloaded=("$download_dir"/*.deb)
    [[ ${#downloaded[@]} -eq 1 && -f ${downloaded[0]} ]] || die "apt-get download gave no single .deb"
    find "$deb_dir" -maxdepth 1 -name '*.deb' -delete
    mv "${downloaded[0]}" "$deb"
fi

say "building the guest in $out_dir"
kernel_tree=$scratch/kernel
dpkg-deb -x "$deb" "$kernel_tree"
kernel_versions=("$kernel_tree"/lib/modules/*)
[[ ${#kernel_versions[@]} -eq 1 && -d ${kernel_versions[0]} ]] ||
    die "$kernel_package has not exactly one lib/modules/VERSION"
kernel_version=$(basename "${kernel_versions[0]}")
modules_root=$kernel_tree/lib/modules/$kernel_version
vmlinuz=$kernel_tree/boot/vmlinuz-$kernel_version
[[ -f $vmlinuz ]] || die "$kernel_package has no boot/vmlinuz-$kernel_version"

# Module names use '_' where file names may use '-' (virtio-rng.ko).
module_name() { local base=${1##*/}; base=${base%.ko}; echo "${base//-/_}"; }

declare -A module_file=()
while IFS= read -r -d '' ko; do
    module_file[$(module_name "$ko")]=${ko#"$modules_root"/}
done < <(find "$modules_root/kernel" -name '*.ko' -print0)
if [[ -n $(find "$modules_root/kernel" -name '*.ko.*' -print -quit) ]]; then
    die "$kernel_package has compressed modules, which this script cannot load yet"
fi

declare -A builtin=()
while IFS= read -r path; do
    builtin[$(module_name "$path")]=1
done < "$modules_root/modules.builtin"

# A module's dependencies, from the depends= string of its .modinfo section
# (the package ships no modules.dep: depmod makes it on installation).
module_depends() {
    tr '\0' '\n' < "$modules_root/${module_file[$1]}" |
        sed -n 's/^depends=//p' | head -n 1 | tr ',' ' '
}

declare -A load_listed=()
load_order=()
# Appends NAME to load_order after everything it depends on.
add_module() {
    local name=$1 dep
    [[ -n ${load_listed[$name]:-} || -n ${builtin[$name]:-} ]] && return 0
    [[ -n ${module_file[$name]:-} ]] || die "$kernel_version has no module $name"
    load_listed[$name]=1
    for dep in $(module_depends "$name"); do
        add_module "$dep"
    done
    load_order+=("$name")
}
builtin_wanted=()
for name in "${wanted_modules[@]}"; do
    if [[ -n ${builtin[$name]:-} ]]; then
        builtin_wanted+=("$name")
    else
        add_module "$name"
    fi
done

root=$scratch/root
mkdir -p "$root"/{bin,etc/acpi/PWRF,lib/modules,proc,sys,run,tmp}
cp "$busybox_binary" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
for name in "${load_order[@]}"; do
    cp "$modules_root/${module_file[$name]}" "$root/lib/modules/$name.ko"
done
printf '%s\n' "${load_order[@]}" > "$root/etc/modules"
cat > "$root/etc/qvirt-guest" <<EOF
kernel $kernel_version ($kernel_package $kernel_package_version)
busybox $busybox_version
EOF

# busybox acpid turns the power button's KEY_POWER into the action
# PWRF/00000080 and runs /etc/acpi/PWRF/00000080.
cat > "$root/etc/acpi/PWRF/00000080" <<'EOF'
#!/bin/sh
# The ACPI power button was pressed (QMP system_powerdown).
exec poweroff -f
EOF

cat > "$root/init" <<EOF
#!/bin/sh
# /init of the qvirt test guest, written by scripts/guest.sh.
# Protocol (docs/test-guest.md): once the ACPI power button is being
# listened for, print $ready_marker; then answer one command per line.
export PATH=/bin
busybox mount -t proc proc /proc
busybox --install -s /bin
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

while read -r module; do
    insmod /lib/modules/\$module.ko || echo "qvirt-guest: cannot load \$module"
done < /etc/modules

# Open the console again: with console=hvc0 it exists only now that
# virtio_console is loaded.
exec </dev/console >/dev/console 2>&1
# The console carries a protocol: do not echo commands back.
stty -echo

# acpid writes its pid file only after opening every /dev/input/event*:
# from then on a power button press cannot be lost.
acpid -d -p /run/acpid.pid &
acpid_pid=\$!
tries=0
while [ ! -s /run/acpid.pid ]; do
    tries=\$((tries + 1))
    if ! kill -0 \$acpid_pid 2>/dev/null || [ \$tries -gt 1000 ]; then
        echo "qvirt-guest: acpid did not start; not ready"
        break
    fi
    usleep 10000
done
[ -s /run/acpid.pid ] && echo $ready_marker

while :; do
    IFS= read -r line || [ -n "\$line" ] || continue
    case "\$line" in
        ping)      echo pong ;;
        "echo "*)  printf '%s\n' "\${line#echo }" ;;
        poweroff)  poweroff -f ;;
        "")        ;;
        *)         echo "qvirt-guest: unknown command: \$line" ;;
    esac
done
EOF

chmod 0755 "$root/init" "$root/bin/busybox" "$root/etc/acpi/PWRF/00000080"
chmod 0644 "$root"/etc/modules "$root"/etc/qvirt-guest "$root"/lib/modules/*.ko
find "$root" -type d -exec chmod 0755 {} +
find "$root" -exec touch -h -d "@$fixed_mtime" {} +

# Writes one newc cpio header and name: NAME MODE INODE NLINK RDEVMAJOR RDEVMINOR.
cpio_newc_entry() {
    local name=$1 mode=$2 inode=$3 nlink=$4 rdev_major=$5 rdev_minor=$6
    local name_size=$(( ${#name} + 1 ))
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
        "$inode" "$mode" 0 0 "$nlink" "$fixed_mtime" 0 0 0 \
        "$rdev_major" "$rdev_minor" "$name_size" 0
    printf '%s\0' "$name"
    head -c $(( (4 - (110 + name_size) % 4) % 4 )) /dev/zero
}

# The kernel opens /dev/console for /init before anything mounts devtmpfs,
# so the archive needs that node. Making it with mknod would need root and
# make the archive depend on who built it: write its cpio entry directly,
# as a small archive in front of the one cpio makes (the kernel reads
# concatenated archives).
{
    cpio_newc_entry dev $(( 0040755 )) 1 2 0 0
    cpio_newc_entry dev/console $(( 0020600 )) 2 1 5 1
    cpio_newc_entry 'TRAILER!!!' 0 0 1 0 0
    (cd "$root" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
         cpio --quiet -o -H newc --reproducible -R 0:0)
} | gzip -n -9 > "$scratch/initrd.img"

cp "$vmlinuz" "$scratch/vmlinuz"
mv "$scratch/vmlinuz" "$out_dir/vmlinuz"
mv "$scratch/initrd.img" "$out_dir/initrd.img"

builtin_note=
(( ${#builtin_wanted[@]} )) && builtin_note=" (built in: ${builtin_wanted[*]})"
cat > "$scratch/guest.env" <<EOF
# The qvirt test guest, written by scripts/guest.sh; see docs/test-guest.md.
QVIRT_GUEST_KERNEL="vmlinuz"
QVIRT_GUEST_INITRD="initrd.img"
QVIRT_GUEST_APPEND="$recommended_append"
QVIRT_GUEST_READY_MARKER="$ready_marker"
QVIRT_GUEST_KERNEL_VERSION="$kernel_version"
QVIRT_GUEST_KERNEL_PACKAGE="$kernel_package"
QVIRT_GUEST_KERNEL_PACKAGE_VERSION="$kernel_package_version"
QVIRT_GUEST_BUSYBOX_VERSION="$busybox_version"
QVIRT_GUEST_MODULES="${load_order[*]}"
QVIRT_GUEST_BUILTIN_MODULES="${builtin_wanted[*]}"
QVIRT_GUEST_KERNEL_SHA256="$(file_sha256 "$out_dir/vmlinuz")"
QVIRT_GUEST_INITRD_SHA256="$(file_sha256 "$out_dir/initrd.img")"
QVIRT_GUEST_INPUTS="$inputs"
EOF
mv "$scratch/guest.env" "$env_file"
say "built kernel $kernel_version, modules: ${load_order[*]}$builtin_note"
