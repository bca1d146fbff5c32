#!/usr/bin/env python3
"""Boot a demo-key disk image in qemu and pick a menu entry over the serial port.

usage: boot-test.py IMAGE MODE ENTRY [TIMEOUT] [options]

  IMAGE    raw disk image (make-image.sh); qemu opens it read-only (snapshot),
           so the image is never modified and tests may run in parallel
  MODE     uefi        OVMF_CODE_4M.fd + a copy of OVMF_VARS_4M.fd
           secureboot  q35,smm=on, secure pflash, OVMF_CODE_4M.secboot.fd +
                       a copy of OVMF_VARS_4M.ms.fd (Microsoft keys enrolled,
                       Secure Boot on); also requires the initramfs to report
                       "secureboot=1"
           bios        SeaBIOS (qemu's default firmware)
  ENTRY    menu index (0-based) or entry id: mairie employe citoyen ecole
           verify toram
  TIMEOUT  seconds for the whole run (default 240); qemu is always killed

What it does: starts qemu (-accel tcg -m 512 -display none -serial stdio
-monitor none -no-reboot -net none -snapshot, the key as `-device qemu-xhci
-device usb-storage`; not -nographic: with SeaBIOS it turns on SeaBIOS's serial
console, which doubles every character syslinux prints), reads the serial
console (qemu's stdio), strips ANSI escape sequences, waits until every menu title is
shown, sends "arrow down" (ESC [ B) until entry ENTRY is highlighted (GRUB:
checked on the "*Title" marker, a lost key is pressed again; syslinux: ENTRY
blind presses) then Enter, waits for the line
"DEMOKIT-CMDLINE: ..." printed by the test initramfs, prints it and exits 0
when it holds the expected option (demokit.profile=<id>, verify-checksums,
toram). Otherwise exits 1 (2 on bad usage) and prints the tail of the serial
log. Titles are compared after folding (accents dropped, dashes unified, case
and spaces ignored) because syslinux prints CP437 bytes and "—" becomes "-".

Options:
  --log FILE         write the raw serial log there
  --menu-json FILE   menu to expect instead of the built-in demokit one:
                     [{"id": "...", "title": "...", "expect": "..."}, ...]
  --expect STR       option the kernel command line must contain
  --qemu BIN         default qemu-system-x86_64
  --ovmf-dir DIR     default /usr/share/OVMF
  --settle SECONDS   quiet time after the menu is complete before typing
                     (default 0.5)
  --screenshot FILE  once the menu is complete, save the VGA/GOP screen (what
                     a person sees) as PNG (FILE ending in .png) or PPM, via
                     the qemu monitor's screendump

Prints timings: "boot-test: PASS|FAIL ... menu=S.s cmdline=S.s total=S.s
qemu-cpu=S.s" (seconds since start to a complete menu, to DEMOKIT-CMDLINE, to
the end; CPU seconds used by qemu, stable on a loaded machine).
Python 3 standard library only.
"""
import argparse
import json
import os
import resource
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import zlib

MENU = [
    {"id": "mairie", "title": "Mairie — élus et secrétariat",
     "expect": "demokit.profile=mairie"},
    {"id": "employe", "title": "Employé — poste de travail",
     "expect": "demokit.profile=employe"},
    {"id": "citoyen", "title": "Citoyen — démarches en ligne",
     "expect": "demokit.profile=citoyen"},
    {"id": "ecole", "title": "École — élèves et enseignants",
     "expect": "demokit.profile=ecole"},
    {"id": "verify", "title": "Vérifier l'intégrité de la clé",
     "expect": "verify-checksums"},
    {"id": "toram", "title": "Démarrer en mémoire (toram)",
     "expect": "toram"},
]

KEY_DOWN = b"\x1b[B"
KEY_UP = b"\x1b[A"
KEY_ENTER = b"\r"

# Escape sequences seen on the serial port: GRUB (CSI cursor moves, colours),
# OVMF (CSI incl. "ESC [=3h"), syslinux menu.c32 (ESC e, ESC % @, ESC ) 0,
# then box borders as DEC line-drawing letters between SO and SI).
ANSI_RE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"                 # CSI (incl. OVMF's ESC[=3h)
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"    # OSC
    r"|\x1b[()*+%#][0-9A-Za-z@]"               # charset selection (ESC ) 0, ESC % @)
    r"|\x1b[^\[\]()*+%#]"                      # other 2-byte sequences (ESC c, ESC e)
    r"|\x0e[^\x0f\x1b\r\n]*\x0f?"               # SO ... SI: DEC line drawing (syslinux)
    r"|[\x0e\x0f]"
)


# Failures worth stopping for at once instead of waiting for the timeout.
FATAL_RE = re.compile(
    r"bad shim signature|Access Denied|Security Violation|Kernel panic"
    r"|error: file `[^']*' not found|you need to load the kernel first"
    r"|error: no such device|Could not find kernel image|Failed to load ldlinux"
    r"|Boot failed|No bootable device|No bootable option or device")


def strip_ansi(text):
    return ANSI_RE.sub("", text)


def fold(text):
    """Compare titles whatever the firmware did to them."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[\u2010-\u2015\-]+", "-", text)
    text = re.sub(r"[^0-9A-Za-z()'\-]+", "", text)
    return text.lower()


def decode(raw, mode):
    # syslinux (bios) prints the CP437 bytes of syslinux.cfg; GRUB prints UTF-8
    if mode == "bios":
        return raw.decode("cp437", errors="replace")
    return raw.decode("utf-8", errors="replace")


def qemu_command(args, image, vars_copy, monitor_path=None):
    ovmf = args.ovmf_dir
    # "-display none -serial stdio -monitor none" = -nographic without two of
    # its side effects: the monitor multiplexed on stdio (Ctrl-A), and, with
    # SeaBIOS, its serial console ("sercon"), which mirrors the VGA text
    # screen to COM1 so that every character syslinux prints arrives twice.
    cmd = [args.qemu, "-accel", "tcg", "-m", "512",
           "-display", "none", "-serial", "stdio",
           "-monitor", ("unix:%s,server=on,wait=off" % monitor_path
                        if monitor_path else "none"),
           "-no-reboot", "-net", "none", "-snapshot"]
    if args.mode == "secureboot":
        cmd += ["-machine", "q35,smm=on",
                "-global", "driver=cfi.pflash01,property=secure,value=on",
                "-drive", "if=pflash,format=raw,unit=0,readonly=on,file="
                + os.path.join(ovmf, "OVMF_CODE_4M.secboot.fd"),
                "-drive", "if=pflash,format=raw,unit=1,file=" + vars_copy]
    elif args.mode == "uefi":
        cmd += ["-machine", "q35",
                "-drive", "if=pflash,format=raw,unit=0,readonly=on,file="
                + os.path.join(ovmf, "OVMF_CODE_4M.fd"),
                "-drive", "if=pflash,format=raw,unit=1,file=" + vars_copy]
    else:
        cmd += ["-machine", "q35"]
    cmd += ["-drive", "if=none,id=key,format=raw,file=" + image,
            "-device", "qemu-xhci,id=xhci",
            "-device", "usb-storage,bus=xhci.0,drive=key,bootindex=0"]
    return cmd


def ppm_to_png(ppm, png):
    """qemu screendump writes binary PPM (P6, maxval 255)."""
    with open(ppm, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    pos += 1
    width, height = int(fields[1]), int(fields[2])
    rows = b"".join(b"\0" + data[pos + y * width * 3:pos + (y + 1) * width * 3]
                    for y in range(height))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + \
            struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff)
    with open(png, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(rows, 9)))
        f.write(chunk(b"IEND", b""))


def screendump(monitor_path, out, tmpdir):
    ppm = os.path.join(tmpdir, "screen.ppm")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(monitor_path)
    s.sendall(("screendump %s\n" % ppm).encode())
    end = time.monotonic() + 10
    size = -1
    while time.monotonic() < end:
        time.sleep(0.5)
        if os.path.exists(ppm) and os.path.getsize(ppm) == size and size > 0:
            break
        size = os.path.getsize(ppm) if os.path.exists(ppm) else -1
    s.close()
    if out.lower().endswith(".png"):
        ppm_to_png(ppm, out)
    else:
        shutil.copyfile(ppm, out)


class Serial:
    """Collects qemu's stdout (the serial console) in a background thread."""

    def __init__(self, proc):
        self.proc = proc
        self.raw = bytearray()
        self.lock = threading.Lock()
        self.last = time.monotonic()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        fd = self.proc.stdout.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            with self.lock:
                self.raw += chunk
                self.last = time.monotonic()

    def snapshot(self):
        with self.lock:
            return bytes(self.raw), self.last


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("image")
    p.add_argument("mode", choices=["uefi", "secureboot", "bios"])
    p.add_argument("entry")
    p.add_argument("timeout", nargs="?", type=float, default=240.0)
    p.add_argument("--log")
    p.add_argument("--menu-json")
    p.add_argument("--expect")
    p.add_argument("--qemu", default="qemu-system-x86_64")
    p.add_argument("--ovmf-dir", default="/usr/share/OVMF")
    p.add_argument("--settle", type=float, default=0.5)
    p.add_argument("--screenshot")
    args = p.parse_args()

    menu = MENU
    if args.menu_json:
        with open(args.menu_json, encoding="utf-8") as f:
            menu = json.load(f)
    ids = [m["id"] for m in menu]
    if args.entry.isdigit():
        index = int(args.entry)
    elif args.entry in ids:
        index = ids.index(args.entry)
    else:
        p.error("entry must be an index or one of: " + " ".join(ids))
    if not 0 <= index < len(menu):
        p.error("entry index out of range 0..%d" % (len(menu) - 1))
    expect = args.expect or menu[index].get("expect") or \
        "demokit.profile=" + menu[index]["id"]
    if not os.path.isfile(args.image):
        p.error("no such image: " + args.image)

    tmpdir = tempfile.mkdtemp(prefix="demokit-boottest.")
    vars_copy = os.path.join(tmpdir, "vars.fd")
    if args.mode != "bios":
        src = "OVMF_VARS_4M.ms.fd" if args.mode == "secureboot" else "OVMF_VARS_4M.fd"
        shutil.copyfile(os.path.join(args.ovmf_dir, src), vars_copy)
    monitor_path = os.path.join(tmpdir, "monitor.sock") if args.screenshot else None
    cmd = qemu_command(args, os.path.abspath(args.image), vars_copy, monitor_path)

    label = "mode=%s entry=%d(%s)" % (args.mode, index, menu[index]["id"])
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    deadline = t0 + args.timeout
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    serial = Serial(proc)
    result, reason, cmdline, firmware = 1, "", None, None
    t_menu = t_cmd = None
    wanted = [fold(m["title"]) for m in menu]

    def text():
        raw, last = serial.snapshot()
        return strip_ansi(decode(raw, args.mode)), last

    try:
        # 1. wait for the whole menu
        while True:
            t, last = text()
            folded = fold(t)
            if all(w in folded for w in wanted):
                if time.monotonic() - last >= args.settle or \
                        time.monotonic() - last > 2:
                    break
            bad = FATAL_RE.search(t)
            if bad:
                raise RuntimeError("before the menu: " + bad.group(0))
            if proc.poll() is not None:
                raise RuntimeError("qemu exited (%s) before the menu was shown"
                                   % proc.returncode)
            if time.monotonic() > deadline:
                missing = [m["title"] for m, w in zip(menu, wanted) if w not in folded]
                raise RuntimeError("timeout waiting for the menu; missing: "
                                   + "; ".join(missing))
            time.sleep(0.1)
        t_menu = time.monotonic() - t0
        if args.screenshot:
            try:
                screendump(monitor_path, args.screenshot, tmpdir)
            except OSError as e:
                print("boot-test: screenshot failed: %s" % e, file=sys.stderr)

        # 2. select, then Enter. GRUB marks the highlighted entry "*Title" on
        # serial: press one arrow at a time and check that the highlight
        # moved (a key lost on the way is pressed again, and a stuck menu is
        # reported). syslinux menu.c32 marks it by colour only: blind presses.
        def send(key):
            proc.stdin.write(key)
            proc.stdin.flush()

        def highlighted():
            t = text()[0]
            best, at = -1, None
            for i, m in enumerate(menu):
                p = t.rfind("*" + m["title"], menu_start)
                if p > best:
                    best, at = p, i
            return at

        menu_start = max(0, len(text()[0]) - 20000)
        cur = highlighted() if args.mode != "bios" else None
        if cur is None:
            for _ in range(index):
                send(KEY_DOWN)
                time.sleep(0.3)
        else:
            presses = 0
            while cur != index:
                if presses >= 3 * len(menu) or time.monotonic() > deadline:
                    raise RuntimeError("menu highlight stuck on entry %s (%s)"
                                       % (cur, menu[cur]["id"]))
                send(KEY_DOWN if cur < index else KEY_UP)
                presses += 1
                moved = time.monotonic() + 3
                while time.monotonic() < moved:
                    time.sleep(0.1)
                    now = highlighted()
                    if now != cur:
                        break
                cur = now
        send(KEY_ENTER)
        menu_end = len(text()[0])

        # 3. wait for the initramfs report
        pat = re.compile(r"DEMOKIT-CMDLINE: ([^\r\n]*)[\r\n]")
        fwpat = re.compile(r"DEMOKIT-FIRMWARE: ([^\r\n]*)[\r\n]")
        while True:
            t, _ = text()
            m = pat.search(t)
            if m and cmdline is None:
                cmdline = m.group(1).strip()
                t_cmd = time.monotonic() - t0
            if cmdline is not None:
                f = fwpat.search(t)
                if f:
                    firmware = f.group(1).strip()
                    break
                if time.monotonic() - t0 - t_cmd > 10:
                    break
            bad = FATAL_RE.search(t, menu_end)
            if bad and cmdline is None:
                raise RuntimeError("after the selection: " + bad.group(0))
            if proc.poll() is not None and cmdline is None:
                raise RuntimeError("qemu exited (%s) without DEMOKIT-CMDLINE"
                                   % proc.returncode)
            if time.monotonic() > deadline:
                raise RuntimeError("timeout waiting for DEMOKIT-CMDLINE")
            time.sleep(0.1)

        print("DEMOKIT-CMDLINE: " + cmdline)
        if firmware:
            print("DEMOKIT-FIRMWARE: " + firmware)
        opts = cmdline.split()
        if expect not in opts:
            reason = "expected %r in the kernel command line" % expect
        elif args.mode == "secureboot" and (not firmware or "secureboot=1" not in firmware):
            reason = "Secure Boot not reported on by the booted kernel"
        elif args.mode == "bios" and firmware and not firmware.startswith("bios"):
            reason = "bios mode but the kernel saw EFI"
        elif args.mode != "bios" and firmware and not firmware.startswith("efi"):
            reason = "uefi mode but the kernel saw no EFI"
        else:
            result = 0
    except RuntimeError as e:
        reason = str(e)
    finally:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
        serial.thread.join(timeout=2)
        shutil.rmtree(tmpdir, ignore_errors=True)
        raw, _ = serial.snapshot()
        if args.log:
            with open(args.log, "wb") as f:
                f.write(raw)

    total = time.monotonic() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)   # qemu, once reaped
    cpu = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
    timing = "menu=%s cmdline=%s total=%.1fs qemu-cpu=%s" % (
        "%.1fs" % t_menu if t_menu is not None else "-",
        "%.1fs" % t_cmd if t_cmd is not None else "-", total,
        "%.1fs" % cpu)
    if result == 0:
        print("boot-test: PASS %s %s" % (label, timing))
    else:
        tail = strip_ansi(decode(raw, args.mode))[-3000:]
        print("boot-test: serial log tail:\n" + tail, file=sys.stderr)
        print("boot-test: FAIL %s %s: %s" % (label, timing, reason))
    return result


if __name__ == "__main__":
    sys.exit(main())
