#!/usr/bin/env bash
# make-test-tree.sh BASE.iso TREE
#
# Lays out the file tree of a demo key (what demokit itself will write) from a
# Debian-Live-shaped base ISO, reading the ISO with bsdtar (no mount, no root):
#
#   .disk/info                 from the ISO (also what gcdx64 searches for)
#   md5sum.txt, sha256sum.txt  from the ISO (live-boot verify-checksums)
#   live/vmlinuz, live/initrd.img, live/filesystem.squashfs   from the ISO
#   EFI/BOOT/BOOTX64.EFI       /usr/lib/shim/shimx64.efi.signed
#   EFI/BOOT/grubx64.efi       /usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed
#   EFI/BOOT/mmx64.efi         /usr/lib/shim/mmx64.efi.signed
#   boot/grub/grub.cfg         menu: one entry per profile + verify + toram
#   syslinux/syslinux.cfg      same menu for BIOS (CP437 text, see below)
#   syslinux/menu.c32, syslinux/libutil.c32   text menu, arrow keys work on
#                              the keyboard and on serial (ldlinux.sys and
#                              ldlinux.c32 are written by `syslinux --install`,
#                              see make-image.sh)
#
# Profiles, in menu order (id and French title):
#   mairie  "Mairie — élus et secrétariat"
#   employe "Employé — poste de travail"
#   citoyen "Citoyen — démarches en ligne"
#   ecole   "École — élèves et enseignants"
# then "Vérifier l'intégrité de la clé" (verify-checksums) and
# "Démarrer en mémoire (toram)" (toram); both boot the first profile.
#
# Environment:
#   DEMOKIT_GRUB_TERMINAL  where GRUB shows its menu:
#     gfx (default)  screen through gfxterm with the Unicode font built into
#                    gcdx64 ((memdisk)/fonts/unicode.pf2) AND serial COM1
#                    (UTF-8 terminfo); input from the firmware console (the
#                    keyboard; in qemu OVMF feeds it from COM1). What a real
#                    PC needs, and what boot-test.py reads in qemu (OVMF does
#                    not copy graphics to its serial port: no duplicates).
#     serial         COM1 only (`serial ...; terminal_input serial;
#                    terminal_output serial`): tests pass but a real PC's
#                    screen stays on "Welcome to GRUB!" with no menu.
#     console        firmware text console only: the screen of a real PC;
#                    in qemu OVMF mirrors it to serial but drops every
#                    non-ASCII character (é, —), so titles do not match.
#     both           console + serial: under OVMF every line reaches the
#                    serial port twice (GRUB's and OVMF's copy).
#   DEMOKIT_MENU_TIMEOUT   seconds before the default entry boots (default 10)
#   DEMOKIT_KERNEL_CONSOLE kernel console= options (default
#                          "console=ttyS0,115200")
#   SOURCE_DATE_EPOCH      mtime given to every file of the tree (default
#                          1704067200); make-image.sh does not need it, but it
#                          keeps `tar`/`cmp -r` comparisons quiet.
#
# Rootless. Needs: bsdtar (libarchive-tools), iconv, shim-signed,
# shim-helpers-amd64-signed, grub-efi-amd64-signed, syslinux-common.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 BASE.iso TREE" >&2; exit 2; }
iso=$1 tree=$2
export LC_ALL=C TZ=UTC
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1704067200}
term=${DEMOKIT_GRUB_TERMINAL:-gfx}
timeout=${DEMOKIT_MENU_TIMEOUT:-10}
kcons=${DEMOKIT_KERNEL_CONSOLE:-console=ttyS0,115200}

SHIM=/usr/lib/shim/shimx64.efi.signed
MM=/usr/lib/shim/mmx64.efi.signed
GRUB=/usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed
SYSLINUX_MODS=/usr/lib/syslinux/modules/bios
for f in "$SHIM" "$MM" "$GRUB" "$SYSLINUX_MODS/menu.c32" "$SYSLINUX_MODS/libutil.c32"; do
    [ -r "$f" ] || { echo "make-test-tree: missing $f" >&2; exit 1; }
done

[ ! -e "$tree" ] || [ -z "$(ls -A "$tree")" ] || { echo "make-test-tree: $tree is not empty" >&2; exit 1; }
mkdir -p "$tree"

# 1. live system files out of the ISO (libarchive reads ISO 9660 + Rock Ridge)
bsdtar -x -f "$iso" -C "$tree" --no-same-owner --no-same-permissions \
    .disk/info live/vmlinuz live/initrd.img live/filesystem.squashfs
for f in md5sum.txt sha256sum.txt; do
    bsdtar -x -f "$iso" -C "$tree" --no-same-owner --no-same-permissions "$f" 2>/dev/null || true
done
chmod -R u+w "$tree"

# 2. UEFI: shim (signed by Microsoft) -> grubx64.efi = gcdx64 (signed by Debian)
mkdir -p "$tree/EFI/BOOT" "$tree/boot/grub" "$tree/syslinux"
cp "$SHIM" "$tree/EFI/BOOT/BOOTX64.EFI"
cp "$GRUB" "$tree/EFI/BOOT/grubx64.efi"
cp "$MM"   "$tree/EFI/BOOT/mmx64.efi"

# 3. menus
profiles="mairie|Mairie — élus et secrétariat
employe|Employé — poste de travail
citoyen|Citoyen — démarches en ligne
ecole|École — élèves et enseignants"
first=mairie
base="boot=live components"
tail="$kcons panic=-1"

{
    echo "# demokit: generated, do not edit"
    case $term in
    serial)
        echo "serial --unit=0 --speed=115200"
        echo "terminal_input serial"
        echo "terminal_output serial"
        # default serial terminfo is vt100 (ASCII: é would print as '?')
        echo "terminfo -u serial" ;;
    console)
        echo "terminal_input console"
        echo "terminal_output console" ;;
    both)
        echo "serial --unit=0 --speed=115200"
        echo "terminal_input console serial"
        echo "terminal_output console serial"
        echo "terminfo -u serial" ;;
    gfx)
        # screen: gfxterm with the Unicode font built into gcdx64's memdisk
        # (accents and dashes drawn by GRUB itself); serial: UTF-8 terminfo.
        # OVMF does not mirror graphics to its serial port: no duplicates.
        # A PC without COM1: `serial` fails, the menu is on the screen alone.
        echo "set dk_serial="
        echo "if serial --unit=0 --speed=115200 ; then"
        echo "    set dk_serial=serial"
        echo "    terminfo -u serial"
        echo "fi"
        # input: console only. Under OVMF the firmware's own serial driver
        # polls COM1 too; with "terminal_input console serial" both read the
        # UART and an arrow key (ESC [ B) can be split between them (seen:
        # wrong entry booted). OVMF turns serial input into console keys.
        echo "terminal_input console"
        echo "if loadfont (memdisk)/fonts/unicode.pf2 ; then"
        echo "    set gfxmode=auto"
        echo "    set gfxpayload=keep"
        echo "    terminal_output gfxterm \$dk_serial"
        echo "else"
        echo "    terminal_output console \$dk_serial"
        echo "fi" ;;
    *) echo "make-test-tree: DEMOKIT_GRUB_TERMINAL must be serial, console, both or gfx" >&2; exit 1 ;;
    esac
    echo "set default=0"
    echo "set timeout=$timeout"
    echo "set timeout_style=menu"
    echo
    while IFS='|' read -r id title; do
        echo "menuentry '$title' --id $id {"
        echo "    linux /live/vmlinuz $base demokit.profile=$id $tail"
        echo "    initrd /live/initrd.img"
        echo "}"
    done <<< "$profiles"
    echo "menuentry 'Vérifier l'\\''intégrité de la clé' --id verify {"
    echo "    linux /live/vmlinuz $base verify-checksums demokit.profile=$first $tail"
    echo "    initrd /live/initrd.img"
    echo "}"
    echo "menuentry 'Démarrer en mémoire (toram)' --id toram {"
    echo "    linux /live/vmlinuz $base toram demokit.profile=$first $tail"
    echo "    initrd /live/initrd.img"
    echo "}"
} > "$tree/boot/grub/grub.cfg"

# syslinux: SERIAL must be the first directive. menu.c32 prints bytes as they
# are; a PC's VGA text mode shows them with code page 437, so the file is
# written in CP437 ("—" is not in CP437: " - " instead). On the serial port the
# same bytes arrive: decode them as CP437 (boot-test.py does).
{
    echo "SERIAL 0 115200"
    echo "UI menu.c32"
    echo "MENU TITLE Clé de démonstration"
    echo "PROMPT 0"
    echo "TIMEOUT $((timeout * 10))"
    echo "DEFAULT $first"
    echo
    entry() { # label title options
        echo "LABEL $1"
        echo "  MENU LABEL $2"
        echo "  LINUX /live/vmlinuz"
        echo "  APPEND initrd=/live/initrd.img $3"
        echo
    }
    while IFS='|' read -r id title; do
        entry "$id" "${title//—/-}" "$base demokit.profile=$id $tail"
    done <<< "$profiles"
    entry verify "Vérifier l'intégrité de la clé" "$base verify-checksums demokit.profile=$first $tail"
    entry toram "Démarrer en mémoire (toram)" "$base toram demokit.profile=$first $tail"
} | iconv -f UTF-8 -t CP437 > "$tree/syslinux/syslinux.cfg"
# menu.c32 needs libutil.c32 (readelf -d: NEEDED); ldlinux.c32 comes from
# `syslinux --install`.
cp "$SYSLINUX_MODS/menu.c32" "$SYSLINUX_MODS/libutil.c32" "$tree/syslinux/"

find "$tree" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
echo "make-test-tree: wrote $tree (grub terminal: $term)" >&2
