#!/usr/bin/env python3
"""Boot a demo key with a real live system in qemu and check the session on screen.

usage: live-boot-test.py IMAGE MODE ENTRY [TIMEOUT] [options]

  IMAGE, MODE, ENTRY as boot-test.py (uefi | secureboot | bios; menu index or id)
  TIMEOUT  seconds for the whole run (default 900); qemu is always killed

What it does, reusing boot-test.py: starts qemu (-accel tcg, -m MEMORY, the key as
usb-storage, -snapshot, -net none, the serial console on stdio, the monitor on a unix
socket), waits for the boot menu on the serial port, selects ENTRY and presses
Enter, then waits for the marker line the live session writes to the serial console
("DEMOKIT-SESSION: profile=<id>", see Sources/DemoKit/Boot/LiveSession.swift), then
takes a screenshot (monitor screendump) every --interval seconds and reads it with
tesseract (-l fra) until every --ocr-expect text is found (compared folded: accents,
dashes, case and spaces ignored). Exits 0 when found, 1 otherwise (tail of the serial
log on stderr), 2 on bad usage.

Options:
  --wait-marker TEXT   serial line to wait for (default "DEMOKIT-SESSION: profile=<id>"
                       for a profile entry); "" to skip
  --ocr-expect TEXT    text that must appear on screen (repeatable); none: no OCR
  --ocr-lang LANG      tesseract language (default fra)
  --memory MIB         guest memory (default 2048)
  --smp N              guest CPUs (default 2)
  --interval SECONDS   between screenshots while waiting for the text (default 10)
  --screenshot FILE    the last screenshot taken (PNG), kept
  --shots-dir DIR      keep every screenshot there (shot-<seconds>.png)
  --log FILE           raw serial log
  --menu-json FILE, --qemu BIN, --ovmf-dir DIR, --settle SECONDS   as boot-test.py
  --writable           the guest writes to IMAGE itself (no -snapshot)
  --network            qemu's user-mode network (the host's loopback at 10.0.2.2)
  --after-marker SECONDS  let the guest run that long after the marker (its writes
                       reach IMAGE), before the screenshots
  --ocr-within SECONDS the text must be on screen that soon after the marker
                       (default: until the timeout)

Prints "live-boot-test: PASS|FAIL ... menu=S marker=S page=S total=S qemu-cpu=S"
(seconds since qemu started: boot menu complete, marker seen, text found on screen).
Needs tesseract-ocr (+ tesseract-ocr-fra) for --ocr-expect.
"""
import argparse
import importlib.util
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("boot_test", os.path.join(HERE, "boot-test.py"))
bt = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bt)


def qemu_command(args, image, vars_copy, monitor_path):
    cmd = bt.qemu_command(args, image, vars_copy, monitor_path)
    cmd[cmd.index("-m") + 1] = str(args.memory)
    cmd += ["-smp", str(args.smp)]
    if args.writable:
        cmd.remove("-snapshot")
    if args.network:
        # qemu's user-mode network: DHCP gives 10.0.2.15, and 10.0.2.2 is the host's
        # loopback (a server on 127.0.0.1 there is reached at 10.0.2.2).
        i = cmd.index("-net")
        cmd[i:i + 2] = ["-nic", "user,model=virtio-net-pci"]
    return cmd


def ocr(png, lang):
    r = subprocess.run(["tesseract", png, "-", "-l", lang], capture_output=True, text=True)
    return r.stdout


def select_entry(proc, serial, menu, index, mode, settle, deadline, text):
    wanted = [bt.fold(m["title"]) for m in menu]
    while True:
        t, last = text()
        folded = bt.fold(t)
        if all(w in folded for w in wanted) and time.monotonic() - last >= settle:
            break
        bad = bt.FATAL_RE.search(t)
        if bad:
            raise RuntimeError("before the menu: " + bad.group(0))
        if proc.poll() is not None:
            raise RuntimeError("qemu exited (%s) before the menu" % proc.returncode)
        if time.monotonic() > deadline:
            raise RuntimeError("timeout waiting for the menu")
        time.sleep(0.1)

    def send(key):
        proc.stdin.write(key)
        proc.stdin.flush()

    menu_start = max(0, len(text()[0]) - 20000)

    def highlighted():
        t = text()[0]
        best, at = -1, None
        for i, m in enumerate(menu):
            p = t.rfind("*" + m["title"], menu_start)
            if p > best:
                best, at = p, i
        return at

    cur = highlighted() if mode != "bios" else None
    if cur is None:
        for _ in range(index):
            send(bt.KEY_DOWN)
            time.sleep(0.3)
    else:
        presses = 0
        while cur != index:
            if presses >= 3 * len(menu) or time.monotonic() > deadline:
                raise RuntimeError("menu highlight stuck on entry %s" % cur)
            send(bt.KEY_DOWN if cur < index else bt.KEY_UP)
            presses += 1
            moved = time.monotonic() + 3
            while time.monotonic() < moved:
                time.sleep(0.1)
                now = highlighted()
                if now != cur:
                    break
            cur = now
    send(bt.KEY_ENTER)
    return len(text()[0])


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("image")
    p.add_argument("mode", choices=["uefi", "secureboot", "bios"])
    p.add_argument("entry")
    p.add_argument("timeout", nargs="?", type=float, default=900.0)
    p.add_argument("--wait-marker")
    p.add_argument("--ocr-expect", action="append", default=[])
    p.add_argument("--ocr-lang", default="fra")
    p.add_argument("--memory", type=int, default=2048)
    p.add_argument("--smp", type=int, default=2)
    p.add_argument("--interval", type=float, default=10.0)
    p.add_argument("--screenshot")
    p.add_argument("--shots-dir")
    p.add_argument("--log")
    p.add_argument("--menu-json")
    p.add_argument("--qemu", default="qemu-system-x86_64")
    p.add_argument("--ovmf-dir", default="/usr/share/OVMF")
    p.add_argument("--settle", type=float, default=0.5)
    p.add_argument("--writable", action="store_true")
    p.add_argument("--network", action="store_true")
    p.add_argument("--after-marker", type=float, default=0.0)
    p.add_argument("--ocr-within", type=float)
    args = p.parse_args()

    menu = bt.MENU
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
        p.error("entry index out of range")
    marker = args.wait_marker
    if marker is None:
        expect = menu[index].get("expect", "")
        prof = expect[len("demokit.profile="):] if expect.startswith("demokit.profile=") \
            else menu[0]["id"]
        marker = "DEMOKIT-SESSION: profile=" + prof
    if not os.path.isfile(args.image):
        p.error("no such image: " + args.image)
    if args.ocr_expect and not shutil.which("tesseract"):
        p.error("tesseract not found (apt-get install tesseract-ocr tesseract-ocr-fra)")

    tmpdir = tempfile.mkdtemp(prefix="demokit-liveboot.")
    vars_copy = os.path.join(tmpdir, "vars.fd")
    if args.mode != "bios":
        src = "OVMF_VARS_4M.ms.fd" if args.mode == "secureboot" else "OVMF_VARS_4M.fd"
        shutil.copyfile(os.path.join(args.ovmf_dir, src), vars_copy)
    monitor_path = os.path.join(tmpdir, "monitor.sock")
    cmd = qemu_command(args, os.path.abspath(args.image), vars_copy, monitor_path)
    if args.shots_dir:
        os.makedirs(args.shots_dir, exist_ok=True)

    label = "mode=%s entry=%d(%s)" % (args.mode, index, menu[index]["id"])
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    deadline = t0 + args.timeout
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    serial = bt.Serial(proc)
    result, reason = 1, ""
    t_menu = t_marker = t_page = None
    found_text = ""

    def text():
        raw, last = serial.snapshot()
        return bt.strip_ansi(bt.decode(raw, args.mode)), last

    def save_log():
        # the serial log as it grows (tail -f it while the guest boots)
        if args.log:
            with open(args.log, "wb") as f:
                f.write(serial.snapshot()[0])

    try:
        menu_end = select_entry(proc, serial, menu, index, args.mode, args.settle,
                                deadline, text)
        t_menu = time.monotonic() - t0
        if marker:
            while True:
                t, _ = text()
                if marker in t[menu_end:]:
                    t_marker = time.monotonic() - t0
                    print("live-boot-test: marker %r after %.1fs" % (marker, t_marker),
                          flush=True)
                    time.sleep(args.after_marker)
                    break
                bad = bt.FATAL_RE.search(t, menu_end)
                if bad:
                    raise RuntimeError("after the selection: " + bad.group(0))
                if proc.poll() is not None:
                    raise RuntimeError("qemu exited (%s) before the marker" % proc.returncode)
                if time.monotonic() > deadline:
                    raise RuntimeError("timeout waiting for %r" % marker)
                save_log()
                time.sleep(1)
        wanted = [bt.fold(w) for w in args.ocr_expect]
        if args.ocr_within is not None:
            deadline = min(deadline, time.monotonic() + args.ocr_within)
        shot = args.screenshot or os.path.join(tmpdir, "shot.png")
        while True:
            bt.screendump(monitor_path, shot, tmpdir)
            os.remove(os.path.join(tmpdir, "screen.ppm"))
            now = time.monotonic() - t0
            if args.shots_dir:
                shutil.copyfile(shot, os.path.join(args.shots_dir, "shot-%04d.png" % now))
            save_log()
            if not wanted:
                result = 0
                break
            found_text = ocr(shot, args.ocr_lang)
            folded = bt.fold(found_text)
            missing = [w for w, f in zip(args.ocr_expect, wanted) if f not in folded]
            print("live-boot-test: %.0fs OCR %s" % (
                now, "found all" if not missing else "missing " + "; ".join(missing)),
                flush=True)
            if not missing:
                t_page = now
                result = 0
                break
            if proc.poll() is not None:
                raise RuntimeError("qemu exited (%s)" % proc.returncode)
            if time.monotonic() + args.interval > deadline:
                raise RuntimeError("text not found on screen: " + "; ".join(missing))
            time.sleep(args.interval)
    except (RuntimeError, OSError) as e:
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
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)

    def s(v):
        return "%.1fs" % v if v is not None else "-"
    timing = "menu=%s marker=%s page=%s total=%.1fs qemu-cpu=%.1fs" % (
        s(t_menu), s(t_marker), s(t_page), total, cpu)
    if result == 0:
        print("live-boot-test: PASS %s %s" % (label, timing))
    else:
        tail = bt.strip_ansi(bt.decode(raw, args.mode))[-3000:]
        print("live-boot-test: serial log tail:\n" + tail, file=sys.stderr)
        if found_text:
            print("live-boot-test: last OCR text:\n" + found_text, file=sys.stderr)
        print("live-boot-test: FAIL %s %s: %s" % (label, timing, reason))
    return result


if __name__ == "__main__":
    sys.exit(main())
