"""Checks a built key's catalogue website in real browsers.

Usage: check_site.py TREE [TREE...]  (each a key built by demokit)
Prints one line per check and "N passed, N failed" last; exits 1 on any failure.
"""
import html
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import browsers  # noqa: E402
import providers_check  # noqa: E402
import icons_check  # noqa: E402
import talk_check  # noqa: E402
import presenter_search_check  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VECTORS = os.path.join(REPO, "Tests", "DemoKitTests", "Fixtures", "folding-vectors.json")
passed = 0
failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("  ok   " + name)
    else:
        failed += 1
        print("  FAIL " + name + (": " + detail if detail else ""))


def results_in(dom):
    """Ids of the results list and the announced count, from a dumped DOM."""
    match = re.search(r'<ol id="resultats-liste">(.*?)</ol>', dom, re.S)
    ids = re.findall(r'href="[^"]*logiciels/([a-z0-9-]+)\.html"', match.group(1)) if match else []
    status = re.search(r'id="resultats-statut"[^>]*>([^<]*)<', dom)
    return ids, html.unescape(status.group(1)) if status else ""


# The rule (docs/theme.md): remote addresses may appear only as <a href>, a visible
# outbound link; src, <link href>, CSS url() and @import must stay on the key.
REMOTE = re.compile(r"^(https?:)?//", re.I)


def link_check(tree):
    broken, remote, checked = [], [], 0
    for folder, _, files in os.walk(tree):
        for name in files:
            if not (name.endswith(".html") or name.endswith(".css")):
                continue
            path = os.path.join(folder, name)
            text = open(path, encoding="utf-8").read()
            targets = [(m.group(3), m.group(1) == "a") for m in re.finditer(r'<(\w+)\b[^>]*?\s(href|src)="([^"]*)"', text)]
            targets += [(m.group(1), False) for m in re.finditer(r"url\(\s*[\"']?([^\"')]+)", text)]
            targets += [(m.group(1), False) for m in re.finditer(r"@import\s+[\"']([^\"']+)", text)]
            targets += [(m.group(1), False) for m in re.finditer(r'content="0; url=([^"]+)"', text)]
            for target, anchor in targets:
                target = html.unescape(target)
                if REMOTE.match(target):
                    if not anchor:
                        remote.append(os.path.relpath(path, tree) + ": " + target)
                    continue
                if target.startswith(("#", "data:", "mailto:")):
                    continue
                checked += 1
                file = target.split("#")[0].split("?")[0]
                resolved = os.path.normpath(os.path.join(folder, file))
                if not file or file.endswith("/") or not resolved.startswith(os.path.abspath(tree)) or not os.path.isfile(resolved):
                    broken.append(os.path.relpath(path, tree) + ": " + target)
    return checked, broken, remote


# What each kit's content makes certain. "minimal" is the test fixture kit (with
# injected markup); "repository" is the default kit of this repository.
KITS = {
    "minimal": {
        "accent": ("élèves", "office"), "upper": ("CIMETIERE", ["cemetery"]), "prefix": ("cim", "cemetery"),
        "profile": "beta", "markup": ("paint", "peinture"), "english": ("word", "office", "1 software"),
        "sheets": ("office", "alpha"), "firefox": ({"q": "élèves", "plateforme": "windows"}, "office", "windows"),
        "typed": ("cimeti", ["Cimetière Libre"]), "talks": [],
    },
    "repository": {
        "accent": ("cimetière", "opencimetiere"), "upper": ("CIMETIERE", ["opencimetiere"]), "prefix": ("cimet", "opencimetiere"),
        "profile": "ecole", "markup": None, "english": ("word", "libreoffice", None),
        "sheets": ("libreoffice", "mairie"), "firefox": ({"q": "cimetiere", "plateforme": "web"}, "opencimetiere", "web"),
        "typed": ("cimeti", ["openCimetière"]), "talks": ["citoyen", "ecole", "employe", "mairie"],
    },
}


def profile_apps(tree, profile):
    import json
    with open(os.path.join(tree, "demokit", "profiles", profile + ".json"), encoding="utf-8") as f:
        return sorted(app["id"] for app in json.load(f)["apps"])


def chromium_checks(tree, k):
    cat = os.path.join(tree, "catalogue")
    index = os.path.join(cat, "index.html")
    query, first = k["accent"]
    dom = browsers.chromium_dom(browsers.file_url(index, {"q": query}))
    ids, status = results_in(dom)
    check("chromium: ?q=%s finds %s first" % (query, first), ids[:1] == [first], "%s %r" % (ids, status))
    check("chromium: the count is in the status region", status.startswith("%d logiciel" % len(ids)), repr(status))
    query, expected = k["upper"]
    dom = browsers.chromium_dom(browsers.file_url(index, {"q": query}))
    ids, _ = results_in(dom)
    check("chromium: accent- and case-insensitive (%s)" % query, ids == expected, str(ids))
    query, first = k["prefix"]
    dom = browsers.chromium_dom(browsers.file_url(index, {"q": query}))
    check("chromium: prefix match (%s)" % query, results_in(dom)[0][:1] == [first], str(results_in(dom)[0]))
    dom = browsers.chromium_dom(browsers.file_url(index, {"profil": k["profile"]}))
    ids, status = results_in(dom)
    check("chromium: filter profil=%s" % k["profile"], sorted(ids) == profile_apps(tree, k["profile"]), "%s %r" % (ids, status))
    if k["markup"]:
        page, query = k["markup"]
        dom = browsers.chromium_dom(browsers.file_url(os.path.join(cat, "logiciels", page + ".html"), {"q": query}))
        check("chromium: markup in data stays text in results",
              "&lt;b&gt;Libre&lt;/b&gt;" in dom and "<b>Libre" not in dom, "")
    query, expected, count = k["english"]
    dom = browsers.chromium_dom(browsers.file_url(os.path.join(cat, "en", "index.html"), {"q": query}))
    ids, status = results_in(dom)
    if count:
        ok = ids[:1] == [expected] and status.startswith(count)
    else:
        ok = expected in ids and "software found" in status
    check("chromium: English page searches too", ok, "%s %r" % (ids, status))
    dom = browsers.chromium_dom(browsers.file_url(index, {"q": "zzzz"}))
    check("chromium: no result is announced", results_in(dom)[1].startswith("Aucun"), results_in(dom)[1])
    page = browsers.write_vectors_page(tree, VECTORS)
    dom = browsers.chromium_dom(browsers.file_url(page))
    out = re.search(r'<pre id="out">([^<]*)', dom)
    check("chromium: folding vectors", out is not None and " bad=0" in out.group(1), out.group(1) if out else dom[:200])
    with tempfile.TemporaryDirectory() as tmp:
        software, _ = k["sheets"]
        profile_sheets = sorted(n[:-5] for n in os.listdir(os.path.join(cat, "fiches", "profils")) if n.endswith(".html"))
        for kind, sheet in [("software", "fiches/logiciels/%s.html" % software)] + [
                ("profile " + p, "fiches/profils/%s.html" % p) for p in profile_sheets]:
            pdf = os.path.join(tmp, kind + ".pdf")
            browsers.chromium_pdf(browsers.file_url(os.path.join(cat, sheet)), pdf)
            info = browsers.pdf_info(pdf) if os.path.exists(pdf) else {}
            check("chromium: %s sheet prints on exactly one A4 page" % kind,
                  info.get("Pages") == "1" and "A4" in info.get("Page size", ""), str(info.get("Pages")) + " " + info.get("Page size", ""))
        long_sheet = longest_sheet(cat)
        if long_sheet:
            pdf = os.path.join(tmp, "long.pdf")
            browsers.chromium_pdf(browsers.file_url(long_sheet), pdf)
            info = browsers.pdf_info(pdf) if os.path.exists(pdf) else {}
            check("chromium: the longest sheet (%s) fits one page" % os.path.basename(long_sheet), info.get("Pages") == "1", str(info.get("Pages")))


def longest_sheet(cat):
    folder = os.path.join(cat, "fiches", "logiciels")
    sheets = [os.path.join(folder, n) for n in os.listdir(folder)] if os.path.isdir(folder) else []
    return max(sheets, key=os.path.getsize) if sheets else None


def firefox_checks(tree, k):
    cat = os.path.join(tree, "catalogue")
    index = os.path.join(cat, "index.html")
    try:
        firefox = browsers.Firefox()
    except Exception as error:  # noqa: BLE001 - reported as a failed check
        check("firefox: starts with Marionette", False, str(error))
        return
    try:
        params, only, platform = k["firefox"]
        firefox.navigate(browsers.file_url(index, params))
        status = firefox.wait("var s = document.getElementById('resultats-statut'); return s && s.textContent;")
        ids = firefox.script("return Array.from(document.querySelectorAll('#resultats-liste a')).map(a => a.getAttribute('href'));")
        check("firefox: ?q=%s&plateforme=%s finds %s" % (params["q"], platform, only),
              bool(ids) and ids[0].endswith("logiciels/%s.html" % only) and len(ids) == 1, "%s %r" % (ids, status))
        check("firefox: the count is announced (role=status)", (status or "").startswith("1 logiciel") and
              firefox.script("return document.getElementById('resultats-statut').getAttribute('role')") == "status", repr(status))
        check("firefox: filters are restored from the URL",
              firefox.script("return document.getElementById('f-plateforme').value") == platform)
        # Typing: results follow and the URL keeps the state for a bookmark.
        typed, expected_names = k["typed"]
        firefox.script("""var q = document.getElementById('recherche-q'); q.value = '%s';""" % typed + """
            q.dispatchEvent(new Event('input', {bubbles: true}));""")
        firefox.script("document.getElementById('f-plateforme').value = ''; document.getElementById('f-plateforme').dispatchEvent(new Event('change'));")
        href = firefox.script("return location.search")
        names = firefox.script("return Array.from(document.querySelectorAll('#resultats-liste a')).map(a => a.textContent)")
        check("firefox: as-you-type results", names == expected_names, str(names))
        check("firefox: the URL holds the query", href == "?q=" + typed, href)
        page = browsers.write_vectors_page(tree, VECTORS)
        firefox.navigate(browsers.file_url(page))
        out = firefox.wait("var o = document.getElementById('out').textContent; return o.indexOf('checked=') === 0 && o;")
        check("firefox: folding vectors", out is not None and " bad=0" in out, str(out))
        # No request leaves the page: the CSP forbids it, and the page made none.
        firefox.navigate(browsers.file_url(os.path.join(cat, "logiciels", k["sheets"][0] + ".html")))
        remote = firefox.script("return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith('file:'))")
        check("firefox: no request leaves the page", remote == [], str(remote))
        # 320 px wide: nothing scrolls sideways.
        firefox.client.set_window_rect(width=320, height=700)
        overflow = firefox.script("return [document.documentElement.scrollWidth, window.innerWidth]")
        check("firefox: readable at 320 px (no horizontal scroll)", overflow[0] <= overflow[1], str(overflow))
        firefox.client.set_window_rect(width=1280, height=900)
        firefox.navigate(browsers.file_url(os.path.join(cat, "fiches", "logiciels", k["sheets"][0] + ".html")))
        with tempfile.TemporaryDirectory() as tmp:
            pdf = os.path.join(tmp, "firefox.pdf")
            try:
                firefox.print_pdf(pdf)
                check("firefox: the sheet prints on one page", browsers.pdf_info(pdf).get("Pages") == "1", str(browsers.pdf_info(pdf).get("Pages")))
            except Exception as error:  # noqa: BLE001
                check("firefox: the sheet prints on one page", False, str(error))
    finally:
        firefox.close()


def main(trees):
    for tree in trees:
        tree = os.path.abspath(tree)
        print("• " + tree)
        checked, broken, remote = link_check(tree)
        check("every internal link resolves (%d links)" % checked, checked > 0 and not broken, "; ".join(broken[:5]))
        check("no page loads a remote address", not remote, "; ".join(remote[:5]))
        kit = KITS.get(os.path.basename(tree))
        if kit is None:
            check("known kit (%s)" % os.path.basename(tree), False, "add its expectations to KITS")
            continue
        chromium_checks(tree, kit)
        firefox_checks(tree, kit)
        providers_check.run(tree, check)
        icons_check.run(tree, check)
        talk_check.run(tree, check, kit.get("talks"))
        if os.path.basename(tree) == "repository":
            presenter_search_check.run(tree, check)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
