"""Application icons from Debian packages, and the release dates they give, in real browsers.

Called by check_site.py for every tree; a key whose GIMP has no icon (the minimal
fixture kit) is skipped. The GIMP page must show its icon, the file must decode
(pngcheck or rsvg-convert, and both browsers), and the health inputs must show the
release date read from the package, as the key's database records it.
"""
import html
import os
import re
import sqlite3
import subprocess
import tempfile

import browsers

APP = "gimp"


def package_facts(tree):
    """(icon path on the key, release date, package reference) of APP, or None."""
    db = sqlite3.connect("file:%s?mode=ro" % os.path.join(tree, "demokit", "catalogue.sqlite"), uri=True)
    try:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'package_facts'").fetchone():
            return None
        return db.execute("SELECT icon_file, release_date, package || ' ' || version FROM package_facts WHERE software_id = ?",
                          (APP,)).fetchone()
    finally:
        db.close()


def decodes(path):
    """Whether a Debian tool reads the whole image."""
    if path.endswith(".png"):
        result = subprocess.run(["pngcheck", "-q", path], capture_output=True, text=True)
        return result.returncode == 0, result.stdout + result.stderr
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "icon.png")
        result = subprocess.run(["rsvg-convert", "-w", "64", "-o", out, path], capture_output=True, text=True)
        return result.returncode == 0 and os.path.getsize(out) > 0, result.stderr


def chromium_decodes(tree, icon):
    """Chromium loads the icon from file:// and reports its natural size."""
    folder = os.path.join(tree, "catalogue", "test")
    os.makedirs(folder, exist_ok=True)
    page = os.path.join(folder, "icon.html")
    with open(page, "w", encoding="utf-8") as f:
        f.write('<!doctype html><meta charset="utf-8"><pre id="out">pending</pre>'
                '<img id="i" src="../../%s" onload="document.getElementById(\'out\').textContent = '
                '\'size=\' + this.naturalWidth + \'x\' + this.naturalHeight" '
                'onerror="document.getElementById(\'out\').textContent = \'error\'">' % icon)
    dom = browsers.chromium_dom(browsers.file_url(page))
    out = re.search(r'<pre id="out">([^<]*)', dom)
    return out.group(1) if out else dom[:200]


def run(tree, check):
    facts = package_facts(tree)
    if not facts or not facts[0]:
        return
    icon, release, package = facts
    path = os.path.join(tree, icon)
    ok, detail = decodes(path) if os.path.isfile(path) else (False, "missing " + icon)
    check("the %s icon decodes (%s)" % (APP, os.path.basename(icon)), ok, detail.strip()[:200])
    size = chromium_decodes(tree, icon)
    check("chromium: the %s icon loads from file://" % APP, re.match(r"size=[1-9]\d*x[1-9]\d*$", size) is not None, size)
    software = os.path.join(tree, "catalogue", "logiciels", APP + ".html")
    dom = browsers.chromium_dom(browsers.file_url(software))
    images = re.findall(r'<img class="app-icon[^"]*" src="([^"]+)"', dom)
    resolved = [os.path.normpath(os.path.join(os.path.dirname(software), src)) for src in images]
    check("chromium: the %s page shows its icon" % APP, os.path.normpath(path) in resolved, str(images))
    health = re.search(r'<section class="health".*?</section>', dom, re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", health.group(0))) if health else ""
    check("chromium: the health inputs show the release date from the package",
          bool(release) and release in text and ("paquet Debian " + package) in text, text[-300:])
    try:
        firefox = browsers.Firefox()
    except Exception as error:  # noqa: BLE001 - reported as a failed check
        check("firefox: starts with Marionette", False, str(error))
        return
    try:
        firefox.navigate(browsers.file_url(software))
        shown = firefox.wait("var i = document.querySelector('h1 img.app-icon');"
                             "return i && i.complete && [i.naturalWidth, i.getBoundingClientRect().width];")
        check("firefox: the %s page shows its decoded icon" % APP, bool(shown) and shown[0] > 0 and shown[1] > 0, str(shown))
    finally:
        firefox.close()
