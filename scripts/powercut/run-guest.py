#!/usr/bin/env python3
"""Boots the power-cut guest once on a key image and, if asked, cuts its power.

    run-guest.py GUEST_FOLDER IMAGE SERIAL_LOG [--cut-after PHASE --delay SECONDS]

With --cut-after, qemu gets SIGKILL `delay` seconds after the guest printed
`demokit-phase: PHASE` on its serial console. Everything the guest kernel had not yet
written to its disk (its page cache) dies with it, as when a key is pulled out.
Prints one JSON line: killed, the phase the cut landed in (the last marker qemu wrote
before dying), demokit's exit status when it finished, and each marker's time in
seconds after boot.

The disk: `cache=none`. Killing qemu loses the guest's memory, which holds the guest
kernel's page cache: that is the power cut. What the guest already sent to its virtual
disk is not lost with any cache mode: qemu keeps no volatile cache of its own for a raw
image, and `writeback`/`unsafe` leave those writes in the host's page cache, which
outlives qemu. `cache=none` (O_DIRECT, and a write cache announced to the guest) is
chosen because the guest kernel then sends its flushes as it would to a USB key
(`writethrough`/`directsync` announce no write cache, so the guest would skip them and
a missing flush could hide), and because the image file holds exactly what the disk
holds when fsck.fat and mtools read it right after the kill. A USB stick whose own
cache reorders or drops acknowledged writes is not modelled.
"""

import json
import os
import select
import signal
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    guest, image, serial_log = args[0], args[1], args[2]
    cut_after, delay, timeout = None, 0.0, 600.0
    i = 3
    while i < len(args):
        if args[i] == "--cut-after":
            cut_after = args[i + 1]
        elif args[i] == "--delay":
            delay = float(args[i + 1])
        elif args[i] == "--timeout":
            timeout = float(args[i + 1])
        else:
            sys.exit(f"unknown argument {args[i]}")
        i += 2
    command = [
        # -cpu max: TCG's RDRAND lets the kernel's random pool start at once; with the
        # default CPU, demokit's first getrandom() waits seconds for entropy.
        "qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", "768", "-smp", "1",
        "-nographic", "-nodefaults", "-no-reboot", "-monitor", "none", "-serial", "stdio",
        "-kernel", os.path.join(guest, "vmlinuz"), "-initrd", os.path.join(guest, "initrd.cpio"),
        "-append", "console=ttyS0 quiet loglevel=3 panic=-1",
        "-drive", f"file={image},format=raw,if=virtio,cache=none,aio=threads",
        "-drive", f"file={os.path.join(guest, 'system.iso')},format=raw,if=virtio,readonly=on",
    ]
    start = time.monotonic()
    qemu = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = b""
    markers = []
    pending = b""
    kill_at = None
    killed = False
    timed_out = False

    def take(chunk):
        nonlocal output, pending, kill_at
        output += chunk
        pending += chunk
        *lines, pending = pending.split(b"\n")
        now = time.monotonic() - start
        for line in lines:
            text = line.decode("utf-8", "replace").strip()
            for prefix in ("demokit-phase: ", "powercut: "):
                if text.startswith(prefix):
                    markers.append([text[len(prefix):], round(now, 3)])
                    if cut_after is not None and kill_at is None and prefix == "demokit-phase: " and text[len(prefix):] == cut_after:
                        kill_at = time.monotonic() + delay

    fd = qemu.stdout.fileno()
    while True:
        now = time.monotonic()
        if kill_at is not None and now >= kill_at:
            qemu.send_signal(signal.SIGKILL)
            killed = True
            break
        if now - start > timeout:
            qemu.send_signal(signal.SIGKILL)
            timed_out = True
            break
        wait = 0.5 if kill_at is None else max(0.0, min(0.5, kill_at - now))
        ready, _, _ = select.select([fd], [], [], wait)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            take(chunk)
    # What qemu wrote before dying is all in the pipe: the last marker is where the cut landed.
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        take(chunk)
    take(b"\n")
    qemu.wait()
    with open(serial_log, "wb") as log:
        log.write(output)
    phases = [name for name, _ in markers if not name.startswith(("booted", "mounted", "exit", "unmounted", "mount-failed"))]
    exits = [name.split()[1] for name, _ in markers if name.startswith("exit ")]
    print(json.dumps({
        "killed": killed,
        "timed_out": timed_out,
        "phase": phases[-1] if phases else None,
        "exit": int(exits[-1]) if exits else None,
        "unmounted": any(name == "unmounted" for name, _ in markers),
        "seconds": round(time.monotonic() - start, 3),
        "markers": markers,
    }))


if __name__ == "__main__":
    main()
