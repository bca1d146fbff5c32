"""« Présenter »: each profile's talk driven with the keyboard in chromium and firefox-esr.

For every talk of a built key: it opens from the profile page's « Présenter » link; the
forward keys (→, Space, PgDn) walk every slide and the back keys (←, PgUp) return, one
slide shown at a time, its number in the URL; Home and End; a reload keeps the slide;
N opens the presenter's view and back; nothing is loaded from outside; Esc returns to
the catalogue; the handout prints on exactly one A4 page.
"""
import os
import tempfile
import time

import browsers

FORWARD = ["ArrowRight", " ", "PageDown"]
BACK = ["ArrowLeft", "PageUp"]


class ChromiumDriver:
    name = "chromium"

    def __init__(self):
        self.browser = browsers.Chromium()

    def open(self, url):
        self.browser.navigate(url)

    def js(self, expression):
        return self.browser.script(expression)

    def key(self, name):
        self.browser.press(name)
        time.sleep(0.05)

    def reload(self):
        self.browser.send("Page.reload", session=True)
        time.sleep(0.3)
        self.browser.wait("document.readyState === 'complete'")

    def print_pdf(self, url, pdf):
        return browsers.chromium_pdf(url, pdf)

    def close(self):
        self.browser.close()


class FirefoxDriver:
    name = "firefox"
    KEYS = None

    def __init__(self):
        from marionette_driver.keys import Keys
        self.browser = browsers.Firefox()
        self.KEYS = {"ArrowRight": Keys.RIGHT, "ArrowLeft": Keys.LEFT, " ": Keys.SPACE, "PageDown": Keys.PAGE_DOWN,
                     "PageUp": Keys.PAGE_UP, "Home": Keys.HOME, "End": Keys.END, "Escape": Keys.ESCAPE, "n": "n"}

    def open(self, url):
        self.browser.navigate(url)

    def js(self, expression):
        return self.browser.script("return " + expression)

    def key(self, name):
        self.browser.client.find_element("css selector", "body").send_keys(self.KEYS[name])
        time.sleep(0.05)

    def reload(self):
        self.browser.client.refresh()

    def print_pdf(self, url, pdf):
        self.browser.navigate(url)
        self.browser.print_pdf(pdf)
        return os.path.exists(pdf)

    def close(self):
        self.browser.close()


def shown(driver):
    """[hash, the ids of the visible slides]"""
    return driver.js("[location.hash, Array.from(document.querySelectorAll('.slide')).filter(s => !s.hidden).map(s => s.id)]")


def at(driver, number, notes=False):
    """Waits a moment for the slide, then says whether it is the only one shown."""
    expected = ["#%d%s" % (number, "/notes" if notes else ""), ["diapo-%d" % number]]
    for _ in range(40):
        state = shown(driver)
        if state == expected:
            return True, state
        time.sleep(0.05)
    return False, state


def walk(driver, numbers, keys, label, check):
    """Presses the keys in turn, expecting each slide of numbers; the first miss is a failed check."""
    for number in numbers:
        driver.key(keys[number % len(keys)])
        ok, state = at(driver, number)
        if not ok:
            check(label + " to slide %d" % number, False, str(state))
            return False
    return True


def drive(driver, tree, profile, check):
    cat = os.path.join(tree, "catalogue")
    profile_page = os.path.join(cat, "profils", profile + ".html")
    label = "%s: talk %s" % (driver.name, profile)
    driver.open(browsers.file_url(profile_page))
    href = driver.js("(document.querySelector('a.talk') || {}).href || ''")
    check(label + " opens from the profile page", href.endswith("/presenter/%s.html" % profile), href)
    if not href:
        return
    driver.open(href)
    count = driver.js("document.querySelectorAll('.slide').length")
    first = driver.js("Array.from(document.querySelectorAll('.slide')).filter(s => !s.hidden).map(s => s.id)")
    check(label + " shows its first slide alone", first == ["diapo-1"] and count >= 5, "%s of %s" % (first, count))
    # Forward through every slide, cycling the forward keys, and one more (stays at the end).
    walked = walk(driver, range(2, count + 1), FORWARD, label + " forward", check)
    driver.key("ArrowRight")
    check(label + " → / Space / PgDn walk all %d slides" % count, walked and at(driver, count)[0], str(shown(driver)))
    check(label + " ← / PgUp come back to the first", walk(driver, range(count - 1, 0, -1), BACK, label + " back", check))
    driver.key("End")
    end = at(driver, count)[0]
    driver.key("Home")
    check(label + " End and Home", end and at(driver, 1)[0], str(shown(driver)))
    driver.key("ArrowRight")
    driver.key("ArrowRight")
    driver.reload()
    check(label + " a reload keeps the slide (#3)", at(driver, 3)[0], str(shown(driver)))
    driver.key("n")
    notes_ok, state = at(driver, 3, notes=True)
    view = driver.js("[!document.querySelector('.presenter').hidden, document.querySelector('[data-next]').textContent.trim().length > 0, "
                     "document.querySelector('[data-clock]').textContent]")
    check(label + " N opens the presenter's view (next slide, notes, clock)", notes_ok and view[0] and view[1] and ":" in view[2], "%s %s" % (state, view))
    driver.key("n")
    check(label + " N closes it", at(driver, 3)[0], str(shown(driver)))
    remote = driver.js("performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith('file:'))")
    check(label + " loads nothing from outside", remote == [], str(remote))
    driver.key("Escape")
    back_to = None
    for _ in range(40):
        back_to = driver.js("location.pathname")
        if back_to and back_to.endswith("/profils/%s.html" % profile):
            break
        time.sleep(0.1)
    check(label + " Esc returns to the catalogue", bool(back_to) and back_to.endswith("/profils/%s.html" % profile), str(back_to))
    with tempfile.TemporaryDirectory() as tmp:
        pdf = os.path.join(tmp, "handout.pdf")
        handout = browsers.file_url(os.path.join(cat, "fiches", "presentations", profile + ".html"))
        try:
            made = driver.print_pdf(handout, pdf)
            info = browsers.pdf_info(pdf) if made else {}
            check(label + " handout prints on one A4 page", info.get("Pages") == "1" and "(A4)" in info.get("Page size", ""),
                  "%s, %s" % (info.get("Pages"), info.get("Page size")))
        except Exception as error:  # noqa: BLE001 - reported as a failed check
            check(label + " handout prints on one A4 page", False, str(error))


def run(tree, check, expect_talks=None):
    folder = os.path.join(tree, "catalogue", "presenter")
    profiles = sorted(n[:-5] for n in os.listdir(folder) if n.endswith(".html")) if os.path.isdir(folder) else []
    if expect_talks is not None:
        check("talks: one per profile (%s)" % ", ".join(expect_talks), profiles == sorted(expect_talks), str(profiles))
    if not profiles:
        return
    for make in (ChromiumDriver, FirefoxDriver):
        try:
            driver = make()
        except Exception as error:  # noqa: BLE001
            check("%s: starts for the talks" % make.name, False, str(error))
            continue
        try:
            for profile in profiles:
                drive(driver, tree, profile, check)
        finally:
            driver.close()
