#!/usr/bin/env bash
# make-test-base-iso.sh OUT.iso [WORKDIR]
#
# Builds a small "base ISO" shaped like a Debian Live ISO, for demokit tests:
#   live/vmlinuz              a REAL Debian bookworm kernel (signed by Debian: it
#                             boots under Secure Boot through shim + gcdx64)
#   live/initrd.img           a tiny busybox-static initramfs whose /init prints
#                             "DEMOKIT-CMDLINE: <contents of /proc/cmdline>" on the
#                             console, then powers off (poweroff -f)
#   live/filesystem.squashfs  a tiny dummy squashfs (one text file)
#   .disk/info                one line, like Debian's
#   md5sum.txt, sha256sum.txt "<hash>  ./<path>" for every other file, as
#                             live-build writes them
# The ISO is a plain data ISO 9660 (+Rock Ridge, Joliet); it is not bootable
# itself: demokit only reads files out of it (bsdtar -xf).
#
# Rootless. Needs: apt-get (download only), dpkg-deb, busybox-static
# (/bin/busybox), bsdtar, gzip, mksquashfs (squashfs-tools), xorriso.
#
# Environment:
#   DEMOKIT_TEST_CACHE   cache folder for the kernel .deb and the extracted
#                        vmlinuz (default: ~/.cache/demokit-test)
#   DEMOKIT_TEST_KERNEL  kernel package to use (default: the one
#                        linux-image-amd64 depends on, e.g.
#                        linux-image-6.1.0-56-amd64 = signed). Set it to
#                        linux-image-<abi>-amd64-unsigned for an unsigned kernel
#                        (boots under UEFI and BIOS, NOT under Secure Boot).
#   SOURCE_DATE_EPOCH    timestamps inside the ISO (default 1704067200 =
#                        2024-01-01T00:00:00Z). Same inputs + same epoch =>
#                        byte-identical ISO.
#   BUSYBOX              busybox binary (default /bin/busybox, must be static)
set -euo pipefail

usage() { echo "usage: $0 OUT.iso [WORKDIR]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
out=$1
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1704067200}
export TZ=UTC LC_ALL=C
cache=${DEMOKIT_TEST_CACHE:-${HOME:-/tmp}/.cache/demokit-test}
busybox=${BUSYBOX:-/bin/busybox}

if [ $# -ge 2 ]; then
    work=$2; mkdir -p "$work"; cleanup_work=false
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/demokit-baseiso.XXXXXX"); cleanup_work=true
fi
cleanup() { if $cleanup_work; then rm -rf "$work"; fi; }
trap cleanup EXIT
mkdir -p "$cache"

log() { echo "make-test-base-iso: $*" >&2; }

# ---- 1. kernel ---------------------------------------------------------------
pkg=${DEMOKIT_TEST_KERNEL:-}
if [ -z "$pkg" ]; then
    # linux-image-amd64 (metapackage) -> linux-image-6.1.0-NN-amd64 (signed)
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
          sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n1 || true)
fi
if [ -z "$pkg" ]; then
    # Offline / no apt lists: reuse the newest cached signed kernel.
    deb=$(ls "$cache"/linux-image-*-amd64_*.deb 2>/dev/null | sort -V | tail -n1 || true)
    [ -n "$deb" ] || { log "cannot resolve a kernel package (run apt-get update) and cache is empty"; exit 1; }
    pkg=$(basename "$deb"); pkg=${pkg%%_*}
fi
deb=$(ls "$cache/${pkg}"_*.deb 2>/dev/null | sort -V | tail -n1 || true)
want_ver=$(apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p' | head -n1 || true)
if [ -z "$deb" ] || { [ -n "$want_ver" ] && [ "$want_ver" != "(none)" ] &&
        [ "$(dpkg-deb -f "$deb" Version)" != "$want_ver" ]; }; then
    log "downloading $pkg ${want_ver:-} into $cache"
    ( cd "$cache" && apt-get download -q "$pkg" >&2 )
    deb=$(ls "$cache/${pkg}"_*.deb | sort -V | tail -n1)
fi
kver=$(dpkg-deb -f "$deb" Version)
vmlinuz_cache="$cache/${pkg}_${kver}.vmlinuz"
if [ ! -s "$vmlinuz_cache" ]; then
    log "extracting vmlinuz from $(basename "$deb")"
    rm -rf "$work/deb"; mkdir -p "$work/deb"
    # only the kernel image, not the ~400 MB of modules (same as dpkg -x + pick)
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/deb" --wildcards './boot/vmlinuz-*'
    cp "$(ls "$work"/deb/boot/vmlinuz-* | head -n1)" "$vmlinuz_cache.tmp"
    mv "$vmlinuz_cache.tmp" "$vmlinuz_cache"
    rm -rf "$work/deb"
fi

# ---- 2. tree -----------------------------------------------------------------
tree="$work/iso"
rm -rf "$tree"; mkdir -p "$tree/live" "$tree/.disk"
cp "$vmlinuz_cache" "$tree/live/vmlinuz"

# initramfs: busybox + /init. Regular files are packed by GNU cpio
# (--reproducible: renumbered inodes, no device ids; -R 0:0: root-owned without
# being root); the /dev/console node, which only root could mknod, is a second
# cpio member written by bsdtar from an mtree spec (nothing is stat()ed). The
# kernel unpacks concatenated cpio archives.
[ -x "$busybox" ] || { log "$busybox missing (apt-get install busybox-static)"; exit 1; }
if command -v file >/dev/null && file -L "$busybox" 2>/dev/null | grep -q 'dynamically linked'; then
    log "$busybox is dynamically linked: install busybox-static"; exit 1
fi
t=$SOURCE_DATE_EPOCH
ird="$work/initrd"
rm -rf "$ird"; mkdir -p "$ird/bin" "$ird/dev" "$ird/proc" "$ird/sys"
cp "$busybox" "$ird/bin/busybox"
ln -s busybox "$ird/bin/sh"
cat > "$ird/init" <<'EOF'
#!/bin/busybox sh
# demokit test initramfs: report the kernel command line, then power off.
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
if [ -d /sys/firmware/efi ]; then fw=efi; else fw=bios; fi
# efivarfs is a module in Debian's kernel: read the kernel's own verdict.
if /bin/busybox dmesg | /bin/busybox grep -q 'Secure boot enabled'; then sb=1; else sb=0; fi
report() {
    echo "DEMOKIT-CMDLINE: $(/bin/busybox cat /proc/cmdline)"
    echo "DEMOKIT-FIRMWARE: $fw secureboot=$sb"
    echo "DEMOKIT-POWEROFF"
}
report
# /dev/console is the LAST console= of the command line; when that is not
# ttyS0 (e.g. "console=ttyS0,115200 console=tty0"), tell the serial port too.
active=$(/bin/busybox cat /sys/class/tty/console/active 2>/dev/null)
case " $active" in
    *" ttyS0") ;;
    *) [ -c /dev/ttyS0 ] && report > /dev/ttyS0 2>/dev/null ;;
esac
/bin/busybox poweroff -f
EOF
chmod 0755 "$ird" "$ird/init" "$ird/bin" "$ird/bin/busybox" "$ird/dev" "$ird/proc" "$ird/sys"
find "$ird" -exec touch -h -d "@$t" {} +
mkdir -p "$work/empty"
{
    ( cd "$ird" && find . | sort | cpio --quiet -o -H newc -R 0:0 --reproducible )
    ( cd "$work/empty" &&
      printf '#mtree\n./dev/console type=char mode=0600 uid=0 gid=0 nlink=1 inode=900000 time=%s device=native,5,1\n' "$t" |
      bsdtar --format newc -cf - @- )
} | gzip -n -9 > "$tree/live/initrd.img"

# dummy root filesystem
mkdir -p "$work/rootfs/etc"
printf 'demokit test rootfs (dummy)\n' > "$work/rootfs/etc/demokit-test"
chmod -R u=rwX,go=rX "$work/rootfs"
find "$work/rootfs" -exec touch -h -d "@$t" {} +
if command -v mksquashfs >/dev/null 2>&1; then
    mksquashfs "$work/rootfs" "$tree/live/filesystem.squashfs" -noappend -quiet \
        -all-root -comp gzip -no-progress >/dev/null
else
    log "mksquashfs not found: writing a placeholder live/filesystem.squashfs"
    printf 'placeholder: not a squashfs\n' > "$tree/live/filesystem.squashfs"
fi

printf 'Debian GNU/Linux 12 "Bookworm" - demokit test base amd64 Live (kernel %s %s)\n' \
    "$pkg" "$kver" > "$tree/.disk/info"

# checksums, as live-build writes them: "<hash>  ./path", sorted
( cd "$tree" &&
  files=$(find . -type f ! -name md5sum.txt ! -name sha256sum.txt | sort) &&
  md5sum $files > md5sum.txt &&
  sha256sum $files > sha256sum.txt )

chmod -R u=rwX,go=rX "$tree"            # independent of the caller's umask
find "$tree" -exec touch -h -d "@$t" {} +

# ---- 3. ISO ------------------------------------------------------------------
rm -f "$out"
# xorriso 1.5.x honours SOURCE_DATE_EPOCH (volume dates, file dates, uuid);
# -volume_date uuid makes the ISO's "UUID" fixed too.
uuid=$(date -u -d "@$t" +%Y%m%d%H%M%S00)
xorriso -no_rc -report_about SORRY -outdev "$out" \
    -volid DEMOKIT_TEST_BASE -volume_date uuid "$uuid" \
    -volume_date all_file_dates set_to_mtime \
    -joliet on -rockridge on -compliance no_emul_toc \
    -map "$tree" / -chown_r 0 / -- -chgrp_r 0 / -- >&2   # owner root, whoever runs it
log "wrote $out (kernel $pkg $kver)"
