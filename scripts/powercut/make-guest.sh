#!/usr/bin/env bash
# Builds the power-cut test's virtual machine: a Debian kernel, a small initramfs
# holding busybox, the kernel modules for virtio disks, ISO 9660 and vfat, and
# scripts/powercut/init; and a read-only ISO holding the demokit binary with every
# shared library it loads and the release folder to update from.
# Usage: make-guest.sh DEMOKIT_BINARY RELEASE_FOLDER OUT_FOLDER
#   writes OUT_FOLDER/vmlinuz, OUT_FOLDER/initrd.cpio and OUT_FOLDER/system.iso.
# The kernel package is cached in .build/powercut-cache (or reused from the boot tests'
# ~/.cache/demokit-test); it is fetched with apt-get download, never installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=$1 release=$2 out=$(realpath -m "$3")
cache="$root/.build/powercut-cache"
mkdir -p "$cache" "$out"
log() { echo "make-guest: $*" >&2; }

# ---- kernel: Debian's linux-image-amd64, the same as the boot tests -------------------
deb=$(ls "$cache"/linux-image-*-amd64_*.deb ~/.cache/demokit-test/linux-image-*-amd64_*.deb 2>/dev/null | grep -v unsigned | sort -V | tail -n1 || true)
if [ -z "$deb" ]; then
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n1)
  [ -n "$pkg" ] || { log "cannot resolve linux-image-amd64 (run apt-get update)"; exit 1; }
  log "downloading $pkg into $cache"
  (cd "$cache" && apt-get download -q "$pkg" >&2)
  deb=$(ls "$cache"/linux-image-*-amd64_*.deb | sort -V | tail -n1)
fi
kdir="$cache/kernel-$(basename "$deb" .deb)"
if [ ! -f "$kdir/done-3" ]; then
  log "extracting $(basename "$deb")"
  rm -rf "$kdir"; mkdir -p "$kdir"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$kdir" --wildcards './boot/vmlinuz-*' \
    './lib/modules/*/kernel/drivers/virtio/*' './lib/modules/*/kernel/drivers/block/virtio_blk.ko*' \
    './lib/modules/*/kernel/fs/fat/*' './lib/modules/*/kernel/fs/nls/*' './lib/modules/*/kernel/fs/isofs/*' './lib/modules/*/kernel/drivers/cdrom/*'
  touch "$kdir/done-3"
fi
cp "$(ls "$kdir"/boot/vmlinuz-* | head -n1)" "$out/vmlinuz"

# ---- the initramfs: busybox, modules, init; everything else on a read-only ISO ------------
# qemu loads an initramfs through fw_cfg, slowly under TCG (about 20 s for the 200 MB of
# demokit and its libraries); a disk is read on demand. So the initramfs only mounts
# the ISO (/dev/vdb) and runs demokit from it.
tree="$out/tree" disc="$out/disc"
rm -rf "$tree" "$disc"; mkdir -p "$tree"/{bin,dev,proc,sys,key,system,tmp,modules,lib64} "$disc/bin" "$disc/release"
busybox=$(command -v busybox)
ldd "$busybox" >/dev/null 2>&1 && { log "$busybox is not static: install busybox-static"; exit 1; }
cp "$busybox" "$tree/bin/busybox"
for tool in sh mount umount insmod mkdir cat echo sync poweroff sleep seq ls ln; do ln -s busybox "$tree/bin/$tool"; done
# Loaded in this order by init (each after the modules it needs).
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk cdrom isofs fat vfat nls_cp437 nls_ascii nls_utf8 nls_iso8859-1; do
  f=$(find "$kdir/lib/modules" -name "$m.ko*" | head -n1)
  [ -n "$f" ] || { log "module $m missing from $(basename "$deb")"; exit 1; }
  case "$f" in
    *.ko.xz) xz -dc "$f" >"$tree/modules/$m.ko" ;;
    *.ko.zst) zstd -qdc "$f" >"$tree/modules/$m.ko" ;;
    *) cp "$f" "$tree/modules/$m.ko" ;;
  esac
  echo "$m" >>"$tree/modules/order"
done
cp "$here/init" "$tree/init"; chmod +x "$tree/init"
(cd "$tree" && find . | LC_ALL=C sort | cpio -o -H newc --quiet >"$out/initrd.cpio")
# demokit without its debug information and Swift AST, and every library ldd names,
# under lib/ of the ISO: init runs the dynamic loader on it with --library-path.
objcopy --strip-debug --remove-section=.swift_ast "$bin" "$disc/bin/demokit"
mkdir -p "$disc/lib"
ldd "$bin" | grep -oE '/[^ ]+' | sort -u | while read -r lib; do
  strip --strip-debug -o "$disc/lib/$(basename "$lib")" "$(readlink -f "$lib")" 2>/dev/null || cp -L "$lib" "$disc/lib/$(basename "$lib")"
done
[ -e "$disc/lib/ld-linux-x86-64.so.2" ] || { log "no dynamic loader copied"; exit 1; }
cp -r "$release/." "$disc/release/"
xorriso -as mkisofs -quiet -R -o "$out/system.iso" "$disc" 2>/dev/null
rm -rf "$tree" "$disc"
log "guest ready: $(du -h "$out/initrd.cpio" | cut -f1) initramfs, $(du -h "$out/system.iso" | cut -f1) ISO"
