#!/usr/bin/env python3
"""menu-json.py GRUB.CFG: prints the menu of a demokit grub.cfg as boot-test.py's
--menu-json reads it: [{"id", "title", "expect"}, ...] in menu order. The expected
kernel option is demokit.profile=<id> for a profile, verify-checksums or toram for
the two last entries. Python 3 standard library only."""
import json
import re
import sys

if len(sys.argv) != 2:
    sys.exit("usage: menu-json.py GRUB.CFG")
menu = []
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"menuentry '((?:[^']|'\\'')*)' --id (\S+) \{", line)
    if not m:
        continue
    title, entry = m.group(1).replace("'\\''", "'"), m.group(2)
    expect = {"verify": "verify-checksums", "toram": "toram"}.get(entry, "demokit.profile=" + entry)
    menu.append({"id": entry, "title": title, "expect": expect})
if not menu:
    sys.exit("menu-json.py: no menuentry in " + sys.argv[1])
json.dump(menu, sys.stdout, ensure_ascii=False, indent=1)
print()
