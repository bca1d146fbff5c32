#!/usr/bin/env bash
# boot-matrix.sh IMAGE [ci|all|MODE:ENTRY...]
#
# Runs boot-test.py several times on one image, one boot after the other, and
# ends with the plain summary line "N passed, N failed".
#   ci   (default) 6 boots: the 4 profiles under uefi, ecole under secureboot,
#        employe under bios (every mode, every profile, real menu selection)
#   all  18 boots: the 6 menu entries under each of uefi, secureboot, bios
#   MODE:ENTRY ...  explicit list, e.g. uefi:mairie bios:3
# Environment: BOOT_TIMEOUT (seconds per boot, default 240), BOOT_LOGDIR
# (keep each serial log there as MODE-ENTRY.log), BOOT_MENU_JSON (menu to
# expect, passed as boot-test.py --menu-json; menu-json.py makes it from a
# demokit grub.cfg).
# Exit status: 0 when every boot passed.
set -u
[ $# -ge 1 ] || { echo "usage: $0 IMAGE [ci|all|MODE:ENTRY...]" >&2; exit 2; }
image=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
timeout=${BOOT_TIMEOUT:-240}
case ${1:-ci} in
    ci)  set -- uefi:mairie uefi:employe uefi:citoyen uefi:ecole secureboot:ecole bios:employe ;;
    all) set --
         for m in uefi secureboot bios; do
             for e in mairie employe citoyen ecole verify toram; do set -- "$@" "$m:$e"; done
         done ;;
esac
pass=0 fail=0 start=$(date +%s)
for run in "$@"; do
    mode=${run%%:*} entry=${run#*:}
    logopt=()
    [ -n "${BOOT_MENU_JSON:-}" ] && logopt=(--menu-json "$BOOT_MENU_JSON")
    if [ -n "${BOOT_LOGDIR:-}" ]; then
        mkdir -p "$BOOT_LOGDIR"; logopt+=(--log "$BOOT_LOGDIR/$mode-$entry.log")
    fi
    if python3 "$here/boot-test.py" "$image" "$mode" "$entry" "$timeout" "${logopt[@]}"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
    fi
done
echo "boot-matrix: $# boots in $(( $(date +%s) - start )) s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
