#!/usr/bin/env bash
# make-image.sh TREE OUT.img SIZE_MIB
#
# Writes a raw, bootable (BIOS + UEFI + UEFI Secure Boot) USB disk image from a
# file tree, without root, loop devices or mounts:
#   - MBR (`label: dos`, fixed disk id 0x44454d4f "DEMO") with ONE partition:
#     type 0x0c (FAT32 LBA), bootable flag, from sector 2048 (1 MiB) to the end;
#   - FAT32 made by mformat, label DEMOKEY, fixed serial 0x44454D4F;
#   - the tree copied with mmd/mcopy in sorted order (dirs first, then the files
#     of each dir), timestamps = SOURCE_DATE_EPOCH (mtools stamps new entries
#     with it), TZ=UTC;
#   - BIOS: /usr/lib/syslinux/mbr/mbr.bin into the first 440 bytes, then
#     `syslinux --offset 1048576 --directory /syslinux --install` (Debian's
#     syslinux goes through mtools: no root). It writes /syslinux/ldlinux.sys
#     and /syslinux/ldlinux.c32 (any ldlinux.* in the tree is replaced, they
#     must match the boot sector). Skipped when TREE has no syslinux/ folder.
# Same TREE + same SIZE_MIB + same SOURCE_DATE_EPOCH => byte-identical image.
#
# Environment:
#   SOURCE_DATE_EPOCH  default 1704067200 (2024-01-01T00:00:00Z); FAT stores
#                      local time with 2 s resolution, years 1980..2107
#   DEMOKIT_DISK_ID    MBR disk identifier (default 0x44454d4f)
#   DEMOKIT_FAT_SERIAL FAT volume serial, 8 hex digits (default 44454D4F)
#   DEMOKIT_FAT_LABEL  FAT volume label, <= 11 chars (default DEMOKEY)
#
# Needs: sfdisk (fdisk), mtools, syslinux, syslinux-common. Exit != 0 on any
# error (tree too big: "Disk full"; file >= 4 GiB; symlink or special file).
set -euo pipefail

[ $# -eq 3 ] || { echo "usage: $0 TREE OUT.img SIZE_MIB" >&2; exit 2; }
tree=$1 out=$2 size_mib=$3
case $size_mib in ''|*[!0-9]*) echo "make-image: SIZE_MIB must be an integer" >&2; exit 2;; esac
# FAT32 needs >= 65525 clusters; mformat picks 512-byte clusters on small
# volumes, so ~33 MiB is the floor. 64 MiB keeps a margin.
[ "$size_mib" -ge 40 ] || { echo "make-image: SIZE_MIB must be >= 40 for FAT32" >&2; exit 2; }
[ -d "$tree" ] || { echo "make-image: $tree is not a directory" >&2; exit 2; }

export LC_ALL=C TZ=UTC
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1704067200}
export MTOOLS_SKIP_CHECK=1 MTOOLSRC=/dev/null   # ignore ~/.mtoolsrc
disk_id=${DEMOKIT_DISK_ID:-0x44454d4f}
serial=${DEMOKIT_FAT_SERIAL:-44454D4F}
label=${DEMOKIT_FAT_LABEL:-DEMOKEY}
MBR_BIN=/usr/lib/syslinux/mbr/mbr.bin

start=2048                                   # sectors of 512 bytes = 1 MiB
total=$((size_mib * 2048))
psize=$((total - start))

# refuse what FAT32 cannot hold rather than silently dereferencing
if [ -n "$(find "$tree" ! -type f ! -type d -print -quit)" ]; then
    echo "make-image: $tree holds symlinks or special files:" >&2
    find "$tree" ! -type f ! -type d >&2; exit 1
fi
if [ -n "$(find "$tree" -type f -size +4194303k -print -quit)" ]; then
    echo "make-image: files of 4 GiB or more cannot go on FAT32:" >&2
    find "$tree" -type f -size +4194303k >&2; exit 1
fi

tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
rm -f "$tmp"
truncate -s "$((total * 512))" "$tmp"

# 1. partition table
printf 'label: dos\nlabel-id: %s\nunit: sectors\n\nstart=%d, size=%d, type=c, bootable\n' \
    "$disk_id" "$start" "$psize" | sfdisk --quiet --no-reread --no-tell-kernel "$tmp" >/dev/null

# 2. FAT32 in the partition (-H: hidden sectors = partition start, as on a
#    real key; -T: partition size in sectors)
img="$tmp@@$((start * 512))"
mformat -i "$img" -F -T "$psize" -H "$start" -h 255 -s 63 \
    -v "$label" -N "$serial" ::

# 3. the tree: directories (sorted, parents first), then files dir by dir
( cd "$tree" && find . -mindepth 1 -type d | sed 's|^\./||' | sort ) |
while IFS= read -r d; do
    mmd -i "$img" "::/$d"
done
( cd "$tree" && find . -type f | sed 's|^\./||' | sort ) > "$tmp.files"
trap 'rm -f "$tmp" "$tmp.files"' EXIT
while IFS= read -r f; do
    case $f in */*) dir=${f%/*};; *) dir=;; esac
    # one mcopy per file keeps the order exact; -D o: overwrite silently
    mcopy -i "$img" -D o "$tree/$f" "::/$dir/"
done < "$tmp.files"

# 4. BIOS boot code
if [ -d "$tree/syslinux" ]; then
    [ -r "$MBR_BIN" ] || { echo "make-image: missing $MBR_BIN (syslinux-common)" >&2; exit 1; }
    dd if="$MBR_BIN" of="$tmp" bs=440 count=1 conv=notrunc status=none
    syslinux --offset "$((start * 512))" --directory /syslinux --install "$tmp"
fi

mv "$tmp" "$out"
trap - EXIT
rm -f "$tmp.files"
echo "make-image: wrote $out (${size_mib} MiB)" >&2
