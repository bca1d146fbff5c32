"""The providers page's filter by région and département, in real browsers.

Called by check_site.py for every tree; a key without provider records is skipped.
What each filter must keep is read from the key's own database
(demokit/catalogue.sqlite), so the checks follow the kit's records.
"""
import os
import re
import sqlite3

import browsers


def expected(tree, departement=None, region=None):
    """(local ids, national-only ids) for a département code or a région's official name."""
    db = sqlite3.connect("file:%s?mode=ro" % os.path.join(tree, "demokit", "catalogue.sqlite"), uri=True)
    try:
        if departement:
            region = db.execute("SELECT region FROM departement WHERE code = ?", (departement,)).fetchone()[0]
            codes = [departement]
        else:
            codes = [row[0] for row in db.execute("SELECT code FROM departement WHERE region = ?", (region,))]
        marks = ",".join("?" * len(codes))
        local = {row[0] for row in db.execute(
            "SELECT provider_id FROM provider_area WHERE (kind = 'departement' AND value IN (%s)) OR (kind = 'region' AND value = ?)" % marks,
            codes + [region])}
        national = {row[0] for row in db.execute("SELECT id FROM provider WHERE national = 1")} - local
        every = {row[0] for row in db.execute("SELECT id FROM provider")}
        return sorted(local), sorted(national), sorted(every)
    finally:
        db.close()


def cards(dom, list_id):
    """(shown ids, hidden ids) of the provider cards in the list with this id."""
    match = re.search(r'<ul[^>]*id="%s"[^>]*>(.*?)</ul>' % list_id, dom, re.S)
    shown, hidden = [], []
    for tag in re.findall(r'<li class="provider"[^>]*>', match.group(1) if match else ""):
        ident = re.search(r'data-id="([^"]+)"', tag).group(1)
        (hidden if re.search(r'\shidden(=|\s|>)', tag) else shown).append(ident)
    return sorted(shown), sorted(hidden)


def has_records(tree):
    path = os.path.join(tree, "demokit", "catalogue.sqlite")
    try:
        db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
        count = db.execute("SELECT count(*) FROM provider").fetchone()[0]
        db.close()
        return count > 0
    except sqlite3.Error:
        return False


def run(tree, check):
    if not has_records(tree):
        return
    page = os.path.join(tree, "catalogue", "prestataires.html")
    local, national, every = expected(tree, departement="34")
    # Without JavaScript: the file itself lists every record, none hidden.
    static = open(page, encoding="utf-8").read()
    check("providers: without JavaScript every record is listed", cards(static, "prestataires-liste") == (every, []),
          str(cards(static, "prestataires-liste")))
    dom = browsers.chromium_dom(browsers.file_url(page, {"departement": "34"}))
    shown, _ = cards(dom, "prestataires-liste")
    france, _ = cards(dom, "prestataires-france-liste")
    check("chromium: providers ?departement=34 keeps only the Hérault's (%s)" % ", ".join(local), shown == local and bool(local),
          "%s != %s" % (shown, local))
    check("chromium: providers working all over France are apart, under their own heading", france == national,
          "%s != %s" % (france, national))
    status = re.search(r'id="prestataires-statut"[^>]*>([^<]*)<', dom)
    check("chromium: the providers filter is announced", bool(status) and "34" in status.group(1), status.group(1) if status else "")
    try:
        firefox = browsers.Firefox()
    except Exception as error:  # noqa: BLE001 - reported as a failed check
        check("firefox: starts with Marionette (providers)", False, str(error))
        return
    try:
        firefox.navigate(browsers.file_url(page, {"departement": "75"}))
        firefox.wait("return document.getElementById('prestataires-filtre').hidden === false;")
        visible = "return Array.from(document.querySelectorAll('#%s li.provider')).filter(e => !e.hidden).map(e => e.dataset.id).sort();"
        local, national, _ = expected(tree, departement="75")
        check("firefox: providers ?departement=75 keeps only Paris's", firefox.script(visible % "prestataires-liste") == local and bool(local),
              str(firefox.script(visible % "prestataires-liste")))
        check("firefox: the département menu is restored from the URL",
              firefox.script("return document.getElementById('f-departement').value") == "75")
        firefox.script("var s = document.getElementById('f-departement'); s.value = '38'; s.dispatchEvent(new Event('change'));")
        local, national, _ = expected(tree, departement="38")
        check("firefox: choosing the Isère keeps its providers, all-France ones apart",
              firefox.script(visible % "prestataires-liste") == local and firefox.script(visible % "prestataires-france-liste") == national,
              "%s %s" % (firefox.script(visible % "prestataires-liste"), firefox.script(visible % "prestataires-france-liste")))
        check("firefox: the URL keeps the département", firefox.script("return location.search") == "?departement=38",
              firefox.script("return location.search"))
        firefox.script("var s = document.getElementById('f-region'); s.value = 'occitanie'; s.dispatchEvent(new Event('change'));")
        local, national, _ = expected(tree, region="Occitanie")
        check("firefox: a région keeps the providers of its départements",
              firefox.script(visible % "prestataires-liste") == local and firefox.script("return location.search") == "?region=occitanie",
              "%s %s" % (firefox.script(visible % "prestataires-liste"), firefox.script("return location.search")))
        firefox.script("var s = document.getElementById('f-region'); s.value = ''; s.dispatchEvent(new Event('change'));")
        check("firefox: no filter shows every provider again", firefox.script(visible % "prestataires-liste") == every
              and firefox.script("return document.getElementById('prestataires-france').hidden") is True)
    finally:
        firefox.close()
