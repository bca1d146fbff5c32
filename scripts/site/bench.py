"""scripts/bench-site's work: generate a catalogue, build it with demokit and the
same number of pages with Hugo, measure the search index in headless Chromium.

Usage: bench.py DEMOKIT WORKDIR ENTRIES
"""
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import browsers  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

SYLLABLES = ["ma", "ri", "é", "co", "lé", "ge", "ci", "me", "tiè", "re", "cour", "rier", "dé", "li", "bé", "ra",
             "tion", "bu", "reau", "ta", "bleur", "pa", "ge", "œu", "vre", "ges", "ti", "on", "ar", "chi", "ve",
             "pla", "ni", "fi", "ca", "ur", "ba", "nis", "mé", "dia", "thè", "que", "ser", "vi", "ce", "pu", "blic"]
PRODUCTS = ["Microsoft Word", "Excel", "PowerPoint", "Teams", "Zoom", "Outlook", "Photoshop", "Dropbox", "Doodle",
            "SharePoint", "OneDrive", "Google Docs", "Slack", "Acrobat", "Illustrator", "WhatsApp", "Trello"]


def vocabulary(rng, size=6000):
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def zipf_pick(rng, words):
    # Frequent words are frequent, as in real descriptions.
    return words[min(int(rng.paretovariate(1.1)) - 1, len(words) - 1)] if rng.random() < 0.6 else rng.choice(words)


def generate_kit(folder, entries, rng):
    shutil.copytree(os.path.join(REPO, "Tests", "DemoKitTests", "Fixtures", "kits", "minimal"), folder)
    shutil.copytree(os.path.join(REPO, "payload", "theme"), os.path.join(folder, "payload", "theme"))
    words = vocabulary(rng)
    rng.shuffle(words)
    catalogue = os.path.join(folder, "payload", "catalogue")
    descriptions = []
    for n in range(entries):
        description = " ".join(zipf_pick(rng, words) for _ in range(rng.randint(60, 120))).capitalize() + "."
        name = " ".join(rng.choice(words) for _ in range(rng.randint(1, 2))).title() + " " + str(n)
        replaces = sorted(set(rng.choice(PRODUCTS) for _ in range(rng.randint(0, 2))))
        keywords = [rng.choice(words) for _ in range(3)]
        with open(os.path.join(catalogue, "gen-%05d.yml" % n), "w", encoding="utf-8") as out:
            out.write("id: gen-%05d\nname: %s\ndescription:\n  fr: %s\n" % (n, json.dumps(name, ensure_ascii=False), json.dumps(description, ensure_ascii=False)))
            out.write("categories: [%s]\nlicence: %s\nplatforms: [%s]\n" % (
                rng.choice(["bureautique", "cimetiere", "education"]), rng.choice(["MIT", "GPL-3.0-or-later", "MPL-2.0", "AGPL-3.0-only"]),
                rng.choice(["windows", "linux", "web"])))
            out.write("replaces: %s\nkeywords: %s\n" % (json.dumps(replaces, ensure_ascii=False), json.dumps(keywords, ensure_ascii=False)))
            out.write("providers: [%s]\n" % json.dumps("Prestataire " + str(rng.randint(1, 300))))
        descriptions.append((name, description))
    return words, descriptions


def hugo_site(folder, pages, descriptions):
    """A Hugo site with as many pages, each a title and a description like demokit's."""
    os.makedirs(os.path.join(folder, "content", "logiciels"))
    os.makedirs(os.path.join(folder, "layouts", "_default"))
    with open(os.path.join(folder, "config.toml"), "w") as out:
        out.write('baseURL = "/"\nlanguageCode = "fr"\ntitle = "Bench"\nuglyURLs = true\nrelativeURLs = true\n'
                  'disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n')
    with open(os.path.join(folder, "layouts", "_default", "single.html"), "w") as out:
        out.write('<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
                  '<link rel="stylesheet" href="../style.css"></head><body><header><nav><a href="../index.html">Accueil</a></nav></header>'
                  '<main><h1>{{ .Title }}</h1>{{ .Content }}<dl><dt>Licence</dt><dd>{{ .Params.licence }}</dd></dl></main>'
                  '<footer>Kit</footer></body></html>')
    with open(os.path.join(folder, "layouts", "_default", "list.html"), "w") as out:
        out.write('<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body><ul>'
                  '{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></body></html>')
    for n in range(pages):
        name, description = descriptions[n % len(descriptions)]
        with open(os.path.join(folder, "content", "logiciels", "p%06d.md" % n), "w", encoding="utf-8") as out:
            out.write("---\ntitle: %s\nlicence: MIT\n---\n%s\n" % (json.dumps(name + " " + str(n), ensure_ascii=False), description))


def index_sizes(path):
    text = open(path, encoding="utf-8").read()
    index = sum(len(m.group(1).encode("utf-8")) for m in re.finditer(r'^(?:terms|postings|lengths):"(.*)",$', text, re.M))
    return index, len(text.encode("utf-8"))


def bench_page(tree, words, rng):
    folder = os.path.join(tree, "catalogue", "bench")
    os.makedirs(folder, exist_ok=True)
    queries = []
    for _ in range(60):
        # As-you-type: every prefix of one or two words, like a person typing.
        phrase = " ".join(rng.choice(words) for _ in range(rng.choice([1, 1, 2])))
        queries += [phrase[:i] for i in range(1, len(phrase) + 1) if phrase[:i].strip()]
    queries += ["word", "excel", "microsoft word", "teams", "é", "ma"]
    with open(os.path.join(folder, "start.js"), "w") as out:
        out.write("window.T0 = performance.now();\n")
    with open(os.path.join(folder, "queries.js"), "w", encoding="utf-8") as out:
        out.write("window.QUERIES = " + json.dumps(queries, ensure_ascii=False) + ";\n")
    with open(os.path.join(folder, "run.js"), "w") as out:
        out.write("""
var parsed = performance.now();
var index = new DemoKitSearch.Index(window.DEMOKIT_SEARCH);
var ready = performance.now();
var times = [], total = 0;
for (var round = 0; round < 3; round++) {
  window.QUERIES.forEach(function (q) {
    var t = performance.now(); var r = index.search(q, {}); var d = performance.now() - t;
    if (round > 0) times.push(d); total += r.total;
  });
}
times.sort(function (a, b) { return a - b; });
function pct(p) { return times[Math.min(times.length - 1, Math.floor(p * times.length))]; }
document.getElementById('out').textContent = JSON.stringify({parse: parsed - window.T0, build: ready - parsed,
  p50: pct(0.5), p95: pct(0.95), max: times[times.length - 1], queries: times.length, hits: total});
""")
    page = os.path.join(folder, "bench.html")
    with open(page, "w") as out:
        out.write('<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>bench</title></head><body>'
                  '<pre id="out">not run</pre><script src="../assets/search.js"></script><script src="queries.js"></script>'
                  '<script src="start.js"></script><script src="../search-index.js"></script><script src="run.js"></script></body></html>')
    return page


def timed(args, **kwargs):
    start = time.monotonic()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, **kwargs)
    return time.monotonic() - start


def main(demokit, work, entries):
    rng = random.Random(4)
    kit = os.path.join(work, "kit")
    print("• generating %d entries" % entries, flush=True)
    words, descriptions = generate_kit(kit, entries, rng)
    tree = os.path.join(work, "tree")
    build = timed([demokit, "build", "--quiet", "--kit", kit, "--out", tree])
    pages = sum(1 for folder, _, files in os.walk(os.path.join(tree, "catalogue")) for f in files if f.endswith(".html"))
    print("• hugo, %d pages" % pages, flush=True)
    hugo_dir = os.path.join(work, "hugo")
    hugo_site(hugo_dir, pages, descriptions)
    hugo = timed(["hugo", "--quiet", "-s", hugo_dir, "-d", os.path.join(work, "hugo-out")])
    index_bytes, file_bytes = index_sizes(os.path.join(tree, "catalogue", "search-index.js"))
    print("• chromium", flush=True)
    page = bench_page(tree, words, rng)
    runs = []
    for _ in range(3):
        dom = chromium_real_time(page)
        match = re.search(r'<pre id="out">([^<]*)', dom)
        if match and match.group(1).startswith("{"):
            runs.append(json.loads(match.group(1)))
    print("• firefox", flush=True)
    firefox_runs = firefox_timings(page)
    rows = [
        ("entries", "%d" % entries, ""),
        ("HTML pages written (fr + en, pages + sheets)", "%d" % pages, ""),
        ("demokit build, whole key (database, site, index, tree)", "%.2f s" % build, ""),
        ("hugo, same number of pages", "%.2f s" % hugo, ""),
        ("ratio demokit / hugo", "%.2f" % (build / hugo), "lower is better"),
        ("search index, per entry (terms + postings + lengths)", "%d bytes" % (index_bytes / entries), "aim ≤ 200"),
        ("search-index.js, whole file incl. display data", "%.1f MB (%d bytes/entry)" % (file_bytes / 1e6, file_bytes / entries), ""),
    ]
    if runs:
        best = min(runs, key=lambda r: r["p95"])
        rows += [
            ("index load in Chromium (parse + decode)", "%.0f ms + %.0f ms" % (best["parse"], best["build"]), "median of 3 runs below"),
            ("query p50 (%d as-you-type queries)" % best["queries"], "%.2f ms" % sorted(r["p50"] for r in runs)[len(runs) // 2], ""),
            ("query p95", "%.2f ms" % sorted(r["p95"] for r in runs)[len(runs) // 2], "aim ≤ 5 ms"),
            ("query max", "%.2f ms" % sorted(r["max"] for r in runs)[len(runs) // 2], ""),
        ]
    else:
        rows.append(("chromium timings", "failed", ""))
    if firefox_runs:
        best = min(firefox_runs, key=lambda r: r["p95"])
        rows += [
            ("index load in Firefox (parse + decode)", "%.0f ms + %.0f ms" % (best["parse"], best["build"]), "median of 3 runs below"),
            ("Firefox query p50", "%.2f ms" % sorted(r["p50"] for r in firefox_runs)[len(firefox_runs) // 2], ""),
            ("Firefox query p95", "%.2f ms" % sorted(r["p95"] for r in firefox_runs)[len(firefox_runs) // 2], "aim ≤ 5 ms"),
            ("Firefox query max", "%.2f ms" % sorted(r["max"] for r in firefox_runs)[len(firefox_runs) // 2], ""),
        ]
    else:
        rows.append(("firefox timings", "failed", ""))
    width = max(len(r[0]) for r in rows)
    print()
    print("%-*s  %-28s %s" % (width, "measure", "value", "note"))
    print("-" * (width + 45))
    for row in rows:
        print("%-*s  %-28s %s" % (width, row[0], row[1], row[2]))


def firefox_timings(page, runs=3):
    """The same page in firefox-esr, timer precision not reduced so that
    performance.now() measures sub-millisecond queries."""
    results = []
    try:
        firefox = browsers.Firefox(prefs={"privacy.reduceTimerPrecision": False})
    except Exception as error:  # noqa: BLE001 - reported as a failed row
        print("firefox: " + str(error))
        return results
    try:
        for _ in range(runs):
            firefox.navigate(browsers.file_url(page))
            out = firefox.wait("var o = document.getElementById('out').textContent; return o.charAt(0) === '{' && o;", timeout=180)
            if out:
                results.append(json.loads(out))
    finally:
        firefox.close()
    return results


def chromium_real_time(page):
    """--dump-dom without a virtual time budget, so performance.now() is real time."""
    import tempfile
    profile = tempfile.mkdtemp(prefix="demokit-chromium-")
    try:
        args = [a.format(profile=profile) for a in browsers.CHROMIUM] + ["--dump-dom", browsers.file_url(page)]
        return subprocess.run(args, capture_output=True, text=True, timeout=180).stdout
    finally:
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
