import Foundation
import Testing

@testable import DemoKit

/// The catalogue website as files: pages, links, escaping, the search index.
/// Real browsers are driven by scripts/test.d/50-site.
@Suite struct SiteTests {
    /// Builds the minimal kit once per test into a temporary folder.
    func builtSite() throws -> (TemporaryDirectory, URL) {
        let dir = try TemporaryDirectory()
        var options = KitBuilder.Options(kitRoot: try TestKit.make(in: dir), output: dir.path("out"))
        options.displayPrefix = ""
        options.environment = [:]
        _ = try KitBuilder(options: options).build()
        return (dir, dir.path("out"))
    }

    func htmlFiles(_ root: URL) throws -> [String] {
        try TestKit.allFiles(in: root).filter { $0.hasSuffix(".html") }
    }

    func read(_ root: URL, _ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func writesEveryPageInBothLanguages() throws {
        let (dir, out) = try builtSite()
        defer { withExtendedLifetime(dir) {} }
        let files = Set(try TestKit.allFiles(in: out))
        let pages = [
            "index.html", "profils/alpha.html", "profils/beta.html", "logiciels/index.html", "logiciels/office.html",
            "logiciels/paint.html", "logiciels/cemetery.html", "categories/index.html", "categories/cimetiere.html",
            "alternatives.html", "prestataires.html", "credits.html", "fiches/logiciels/office.html", "fiches/profils/alpha.html",
        ]
        for page in pages {
            #expect(files.contains("catalogue/" + page), "missing catalogue/\(page)")
            #expect(files.contains("catalogue/en/" + page), "missing catalogue/en/\(page)")
        }
        for asset in ["catalogue/search-index.js", "catalogue/assets/search.js", "catalogue/assets/style.css", "index.html"] {
            #expect(files.contains(asset), "missing \(asset)")
        }
    }

    /// A few representative pages of the minimal kit, byte for byte: a software page,
    /// a profile, its printed sheet, the English home. A template or string change shows
    /// here as a diff to read; re-record with DEMOKIT_RECORD=1 swift test once it is right.
    @Test(arguments: [
        "catalogue/logiciels/office.html", "catalogue/profils/alpha.html", "catalogue/fiches/profils/alpha.html", "catalogue/en/index.html",
    ])
    func representativePagesMatchTheirGoldenFiles(_ page: String) throws {
        let (dir, out) = try builtSite()
        defer { withExtendedLifetime(dir) {} }
        let data = try Data(contentsOf: out.appendingPathComponent(page))
        let golden = Repo.root.appendingPathComponent("Tests/DemoKitTests/Golden/pages/" + page.replacingOccurrences(of: "/", with: "--"))
        if Repo.recording {
            try FileManager.default.createDirectory(at: golden.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: golden)
        }
        let expected = try Data(contentsOf: golden)
        #expect(
            data == expected,
            "\(page) differs from \(golden.lastPathComponent); check the change, then re-record with DEMOKIT_RECORD=1 swift test")
    }

    @Test func importedMarkupStaysText() throws {
        let (dir, out) = try builtSite()
        defer { withExtendedLifetime(dir) {} }
        for language in ["catalogue/", "catalogue/en/"] {
            let page = try read(out, language + "logiciels/paint.html")
            #expect(page.contains("Peinture &lt;b&gt;Libre&lt;/b&gt;"))
            #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!page.contains("<b>Libre"))
            #expect(!page.contains("<script>alert"))
        }
        let index = try read(out, SiteGenerator.indexPath)
        #expect(!index.contains("<"), "a raw < in the index could close a script element")
        #expect(index.contains("\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"))
    }

    @Test func javaScriptLiteralsAreSafe() {
        #expect(JavaScript.string("a\"b\\c") == "\"a\\\"b\\\\c\"")
        #expect(JavaScript.string("</script>") == "\"\\u003c/script\\u003e\"")
        #expect(JavaScript.string("ligne\u{2028}suite\u{2029}") == "\"ligne\\u2028suite\\u2029\"")
        #expect(JavaScript.string("tab\tnl\n") == "\"tab\\u0009nl\\n\"")
        #expect(JavaScript.string("élève œuvre") == "\"élève œuvre\"")
    }

    /// The literal is made on UTF-8 bytes: it must equal the definition, scalar by
    /// scalar, on texts mixing every case (ASCII controls, the escaped characters,
    /// U+2028 and U+2029 and their neighbours sharing their first bytes, any plane).
    @Test func javaScriptLiteralsEqualTheScalarDefinition() {
        func definition(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "<", ">", "&", "\u{2028}", "\u{2029}", "\u{7F}": out += String(format: "\\u%04x", scalar.value)
                default:
                    if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
                }
            }
            return out + "\""
        }
        let pool: [Unicode.Scalar] =
            (0...0x80).compactMap(Unicode.Scalar.init) + [
                "é", "œ", "\u{2026}", "\u{2027}", "\u{2028}", "\u{2029}", "\u{202A}", "\u{20AC}", "\u{1F600}", "\u{FFFD}",
            ]
        var numbers = GeneratedKit.Numbers(state: 7)
        for _ in 0..<2000 {
            var text = String.UnicodeScalarView()
            for _ in 0..<numbers.next(40) { text.append(pool[numbers.next(pool.count)]) }
            let string = String(text)
            #expect(JavaScript.string(string) == definition(string), "\(string.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    @Test(arguments: [0, 1, 31, 32, 33, 1023, 1024, 99_999, 1 << 30])
    func varintRoundTrips(_ value: Int) {
        #expect(Varint.decode(Varint.encode(value)) == [value])
        #expect(Varint.decode(Varint.encode(value) + Varint.encode(7)) == [value, 7])
    }

    /// Internal links name files that exist; nothing is loaded from elsewhere.
    @Test func everyInternalLinkResolvesAndNothingIsRemote() throws {
        let (dir, out) = try builtSite()
        defer { withExtendedLifetime(dir) {} }
        let report = try SiteLinkCheck.check(out)
        #expect(report.broken.isEmpty, "\(report.broken)")
        #expect(report.remoteLoads.isEmpty, "\(report.remoteLoads)")
        #expect(report.checked > 100)
        // Outbound links to software websites are allowed: visible <a href>, not loads.
        #expect(report.outbound.contains("https://office.example.org/"))
    }

    @Test func pagesHaveLanguageUniqueTitlesAndLandmarks() throws {
        let (dir, out) = try builtSite()
        defer { withExtendedLifetime(dir) {} }
        var titles: [String: String] = [:]
        for path in try htmlFiles(out) where path != "index.html" {
            let page = try read(out, path)
            let lang = path.hasPrefix("catalogue/en/") ? "en" : "fr"
            #expect(page.contains("<html lang=\"\(lang)\">"), "\(path)")
            let title = try #require(page.firstMatch(of: /<title>([^<]*)<\/title>/)).1
            #expect(titles[String(title)] == nil, "\(path) has the same title as \(titles[String(title)] ?? "")")
            titles[String(title)] = path
            #expect(page.contains("<main id=\"contenu\""), "\(path)")
            #expect(page.contains("<h1"), "\(path)")
            #expect(page.contains("Content-Security-Policy"), "\(path)")
            if !path.contains("/fiches/") {
                #expect(page.contains("href=\"#contenu\""), "\(path): skip link")
                #expect(page.contains("role=\"status\""), "\(path): result count announced")
                #expect(page.contains("<label for=\"recherche-q\">"), "\(path): labelled search")
            }
        }
    }

    @Test func englishPagesMarkFrenchFallbacks() throws {
        let (dir, out) = try builtSite()
        defer { withExtendedLifetime(dir) {} }
        // cemetery has no English description: the English page marks it as French.
        let page = try read(out, "catalogue/en/logiciels/cemetery.html")
        #expect(page.contains("<div class=\"description\" lang=\"fr\"><p>Gestion des concessions"))
        let office = try read(out, "catalogue/en/logiciels/office.html")
        #expect(office.contains("lang=\"en\"><p>Word processor and spreadsheet."))
        // And the switch leads to the same page in the other language.
        #expect(office.contains("href=\"../../../catalogue/logiciels/office.html\" hreflang=\"fr\""))
        let french = try read(out, "catalogue/logiciels/office.html")
        #expect(french.contains("href=\"../../catalogue/en/logiciels/office.html\" hreflang=\"en\""))
    }

    @Test func pagesShowWhatTheIssueAsksFor() throws {
        let (dir, out) = try builtSite()
        defer { withExtendedLifetime(dir) {} }
        let office = try read(out, "catalogue/logiciels/office.html")
        for text in ["Microsoft Word, Excel", "Ville d&#39;Essai", "Société Exemple", "MPL-2.0", "Sur cette clé", "office-writer office-calc"] {
            #expect(office.contains(text), "office page lacks \(text)")
        }
        let profile = try read(out, "catalogue/profils/alpha.html")
        #expect(profile.contains("https://demo.office.example.org/"))
        #expect(profile.contains("Premier paragraphe.</p><p>Second paragraphe."))
        let alternatives = try read(out, "catalogue/alternatives.html")
        #expect(alternatives.contains("<dt>Excel</dt>"))
        let credits = try read(out, "catalogue/credits.html")
        #expect(credits.contains("demokit (fiches rédigées par l&#39;association)"))
        let providers = try read(out, "catalogue/prestataires.html")
        #expect(providers.contains("<dt>Société Exemple</dt>"))
    }

    @Test func creditsNameTheSillAndItsLicence() throws {
        let dir = try TemporaryDirectory()
        let kitRoot = try TestKit.make(in: dir)
        let entry = """
            id: agenda
            name: Agenda
            description:
              fr: Agenda partagé.
            categories: [bureautique]
            licence: MIT
            source:
              name: sill
              id: "1234"
            """
        try entry.write(to: kitRoot.appendingPathComponent("payload/catalogue/agenda.yml"), atomically: true, encoding: .utf8)
        let kit = try KitLoader(root: kitRoot, displayPrefix: "").loadValid().kit
        let theme = try Theme.load(from: kitRoot.appendingPathComponent("payload/theme"))
        let files = try SiteGenerator(kit: kit, theme: theme).plan()
        let credits = try #require(files.first { $0.path == "catalogue/credits.html" })
        guard case .generated(let make) = credits.content else { Issue.record("credits not a generated page"); return }
        let data = try make().render()
        #expect(String(decoding: data, as: UTF8.self).contains("SILL — DINUM / Etalab</strong>, Licence Ouverte 2.0"))
    }

    @Test func themeStringsMustHaveBothLanguages() throws {
        let dir = try TemporaryDirectory()
        let kitRoot = try TestKit.make(in: dir)
        let strings = kitRoot.appendingPathComponent("payload/theme/strings.json")
        try #"{"fr": {"skip": "Aller", "only": "x"}, "en": {"skip": "Skip"}}"#.write(to: strings, atomically: true, encoding: .utf8)
        do {
            _ = try Theme.load(from: kitRoot.appendingPathComponent("payload/theme"))
            Issue.record("a missing English string must be reported")
        } catch let error as KitValidationError {
            #expect(error.diagnostics.map(\.description).joined().contains("only"))
        }
    }

    /// docs/theme.md names every template, so a restyler knows what each one gets.
    @Test func themeDocNamesEveryTemplate() throws {
        let doc = try String(contentsOf: Repo.root.appendingPathComponent("docs/theme.md"), encoding: .utf8)
        let templates = try FileManager.default.contentsOfDirectory(atPath: Repo.theme.appendingPathComponent("templates").path)
        for name in templates where name.hasSuffix(".mustache") {
            #expect(doc.contains("`\(name.dropLast(".mustache".count))`"), "docs/theme.md does not describe \(name)")
        }
    }

    @Test func sitesAreIdenticalAcrossBuilds() throws {
        let (dirOne, one) = try builtSite()
        let (dirTwo, two) = try builtSite()
        defer { withExtendedLifetime([dirOne, dirTwo]) {} }
        for path in try TestKit.allFiles(in: one) where !path.hasSuffix(".sqlite") {
            #expect(try Data(contentsOf: one.appendingPathComponent(path)) == Data(contentsOf: two.appendingPathComponent(path)), "\(path)")
        }
    }

    @Test func indexStaysSmall() throws {
        let dir = try TemporaryDirectory()
        let kit = try GeneratedKit.make(in: dir, entries: 400)
        let index = SearchIndex(kit: kit)
        #expect(index.docs.count == 400 + 3)
        // The 200-byte budget is for realistic descriptions; the generated ones are shorter.
        #expect(index.indexBytes / index.docs.count <= 200, "\(index.indexBytes / index.docs.count) bytes per entry")
    }
}

@Suite struct SiteFilesTests {
    @Test func resolvesFilesInsideTheTreeOnly() throws {
        let dir = try TemporaryDirectory()
        let root = dir.path("tree")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("catalogue"), withIntermediateDirectories: true)
        try "home".write(to: root.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        try "cat".write(to: root.appendingPathComponent("catalogue/index.html"), atomically: true, encoding: .utf8)
        try "secret".write(to: dir.path("secret.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("link.txt"), withDestinationURL: dir.path("secret.txt"))
        #expect(SiteFiles.resolve("/", in: root)?.lastPathComponent == "index.html")
        #expect(SiteFiles.resolve("/catalogue/", in: root)?.path.hasSuffix("catalogue/index.html") == true)
        #expect(SiteFiles.resolve("/catalogue", in: root)?.path.hasSuffix("catalogue/index.html") == true)
        for attack in [
            "/../secret.txt", "/catalogue/../../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/link.txt",
            "/catalogue/..\\..\\secret.txt", "/.hidden", "/missing.html", "/index.html%00.png",
        ] {
            #expect(SiteFiles.resolve(attack, in: root) == nil, "\(attack) must be refused")
        }
    }
}

/// Parses every built HTML and CSS file: links must resolve to files of the key,
/// and nothing may be loaded from another host. The rule, also in docs/theme.md:
/// a remote address may only appear as the `href` of an `<a>` (a visible outbound
/// link the person chooses to follow); `src`, `<link href>`, CSS `url()` and
/// `@import` must be relative.
enum SiteLinkCheck {
    struct Report {
        var checked = 0
        var broken: [String] = []
        var remoteLoads: [String] = []
        var outbound: Set<String> = []
    }

    static func check(_ root: URL) throws -> Report {
        var report = Report()
        for path in try TestKit.allFiles(in: root) where path.hasSuffix(".html") || path.hasSuffix(".css") {
            let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
            let folder = (path as NSString).deletingLastPathComponent
            var targets: [(String, Bool)] = []
            for match in text.matches(of: /<(\w+)\b[^>]*?\s(href|src)="([^"]*)"/) {
                targets.append((String(match.3), match.1 == "a"))
            }
            for match in text.matches(of: /url\(\s*["']?([^"')]+)/) { targets.append((String(match.1), false)) }
            for match in text.matches(of: /@import\s+["']([^"']+)/) { targets.append((String(match.1), false)) }
            for match in text.matches(of: /content="0; url=([^"]+)"/) { targets.append((String(match.1), false)) }
            for (target, isAnchor) in targets {
                let lower = target.lowercased()
                if lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("//") {
                    if isAnchor { report.outbound.insert(target) } else { report.remoteLoads.append("\(path): \(target)") }
                    continue
                }
                if lower.hasPrefix("#") || lower.hasPrefix("data:") || lower.hasPrefix("mailto:") { continue }
                report.checked += 1
                let file = String(target.split(separator: "#").first?.split(separator: "?").first ?? "")
                guard !file.hasSuffix("/"), !file.isEmpty else {
                    report.broken.append("\(path): \(target) (must name a file)")
                    continue
                }
                let resolved = URL(fileURLWithPath: root.appendingPathComponent(folder).path).appendingPathComponent(file).standardizedFileURL
                if !resolved.path.hasPrefix(root.standardizedFileURL.path) || !FileManager.default.fileExists(atPath: resolved.path) {
                    report.broken.append("\(path): \(target)")
                }
            }
        }
        return report
    }
}

/// A kit with many generated entries (French words with accents), for ranking
/// comparisons and size budgets.
enum GeneratedKit {
    static let words = [
        "mairie", "élève", "école", "cimetière", "courrier", "délibération", "état", "civil", "tableur", "texte",
        "agenda", "réunion", "visio", "conférence", "budget", "comptabilité", "œuvre", "archive", "carte", "plan",
        "urbanisme", "citoyen", "démarche", "formulaire", "signature", "parapheur", "messagerie", "dessin", "photo",
        "vidéo", "musique", "bibliothèque", "médiathèque", "inscription", "cantine", "périscolaire", "élection",
        "liste", "recensement", "salle", "réservation", "association", "subvention", "marché", "public", "facture",
        "paie", "ressources", "humaines", "planning", "tâches", "projet", "wiki", "documentation", "sauvegarde",
    ]
    static let products = ["Microsoft Word", "Excel", "Teams", "Zoom", "Outlook", "Photoshop", "Dropbox", "Doodle", "SharePoint"]

    /// Deterministic pseudo-random numbers (a linear congruential generator).
    struct Numbers {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    static func make(in dir: TemporaryDirectory, entries: Int) throws -> Kit {
        let root = try TestKit.make(in: dir)
        var numbers = Numbers(state: 42)
        let categories = ["bureautique", "cimetiere", "education"]
        let licences = ["MIT", "GPL-3.0-or-later", "AGPL-3.0-only", "MPL-2.0", "Apache-2.0"]
        let platforms = ["windows", "linux", "web", "macos"]
        for number in 0..<entries {
            func some(_ count: Int) -> String { (0..<count).map { _ in words[numbers.next(words.count)] }.joined(separator: " ") }
            let name = some(1 + numbers.next(2)).capitalized
            let replaces = (0..<numbers.next(3)).map { _ in products[numbers.next(products.count)] }
            let yaml = """
                id: gen-\(number)
                name: "\(name) \(number)"
                description:
                  fr: "\(some(8 + numbers.next(25)))."
                categories: [\(categories[numbers.next(categories.count)])]
                licence: \(licences[numbers.next(licences.count)])
                platforms: [\(platforms[numbers.next(platforms.count)])]
                replaces: [\(Array(Set(replaces)).sorted().map { "\"\($0)\"" }.joined(separator: ", "))]
                keywords: ["\(some(2))"]
                """
            try yaml.write(to: root.appendingPathComponent("payload/catalogue/gen-\(number).yml"), atomically: true, encoding: .utf8)
        }
        return try KitLoader(root: root, displayPrefix: "").loadValid().kit
    }
}

@Suite struct SheetPitchTests {
    @Test func sheetKeepsWholeParagraphsWithinTheBudget() {
        let long = String(repeating: "a", count: 500)
        #expect(SitePages.sheetParagraphs([long, long, "court"]) == [long])
        #expect(SitePages.sheetParagraphs(["un", "deux", "trois"]) == ["un", "deux", "trois"])
        // A first paragraph longer than the budget is still kept: a sheet never loses its pitch.
        let huge = String(repeating: "b", count: 2000)
        #expect(SitePages.sheetParagraphs([huge, "suite"]) == [huge])
    }
}

@Suite struct PageRenderingTests {
    /// The byte-level escaping replaces the five characters Mustache's HTML content
    /// type replaces, and nothing else — a `<` before a combining mark included.
    @Test func escapingReplacesTheFiveCharacters() {
        func reference(_ text: String) -> String {
            let replaced: [Unicode.Scalar: String] = ["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"]
            return text.unicodeScalars.map { replaced[$0] ?? String($0) }.joined()
        }
        let texts =
            FastFoldingTests.randomTexts(count: 500, seed: 3) + [
                "<script>alert('x')</script>", "a & b \"c\" d", "", "<\u{301}b>", "&amp;", "plain", "é<é>é",
            ]
        for text in texts {
            #expect(PageHTML.escape(text) == reference(text), "\(text.debugDescription)")
        }
    }

    /// Every template gets the escaping through a pragma line Mustache drops: a
    /// template still renders exactly its text, and parse errors keep their line.
    @Test func pragmaLeavesTemplatesAsWritten() throws {
        let dir = try TemporaryDirectory()
        let kitRoot = try TestKit.make(in: dir)
        let templates = kitRoot.appendingPathComponent("payload/theme/templates")
        try "{{> part}}\nA {{x}}\n".write(to: templates.appendingPathComponent("probe.mustache"), atomically: true, encoding: .utf8)
        try "<b>{{y}}</b>\n".write(to: templates.appendingPathComponent("part.mustache"), atomically: true, encoding: .utf8)
        let theme = try Theme.load(from: kitRoot.appendingPathComponent("payload/theme"))
        #expect(try theme.render("probe", ["x": "<1>", "y": "a'b"]) == "<b>a&#39;b</b>\nA &lt;1&gt;\n")

        try "line one\nline two {{/close}}\nline three\n".write(to: templates.appendingPathComponent("broken.mustache"), atomically: true, encoding: .utf8)
        do {
            _ = try Theme.load(from: kitRoot.appendingPathComponent("payload/theme"))
            Issue.record("a section closed but never opened must be reported")
        } catch let error as KitValidationError {
            let diagnostic = try #require(error.diagnostics.first { $0.file.hasSuffix("broken.mustache") })
            #expect(diagnostic.line == 2, "line \(diagnostic.line)")
        }
    }

    /// A page's key changes with each of its inputs, its template, the theme and the
    /// values every page shares.
    @Test func pageKeysFollowTheirInputs() {
        let shared = (keys: ["t", "kit"], digest: PageKey.digest(of: ["t": ["a": "b"], "kit": ["name": "K"]]))
        let otherShared = (keys: ["t", "kit"], digest: PageKey.digest(of: ["t": ["a": "c"], "kit": ["name": "K"]]))
        let inputs = PageKey.inputs(entries: ["d1", "d2"], catalogue: "c", kit: "k", path: "catalogue/categories/a.html")
        let key = PageKey.hash(template: "category", inputs: inputs, shared: shared, theme: "h")
        #expect(key == PageKey.hash(template: "category", inputs: inputs, shared: shared, theme: "h"))
        #expect(key != PageKey.hash(template: "category", inputs: inputs, shared: otherShared, theme: "h"))
        #expect(key != PageKey.hash(template: "software-list", inputs: inputs, shared: shared, theme: "h"))
        #expect(key != PageKey.hash(template: "category", inputs: inputs, shared: shared, theme: "h2"))
        let others = [
            PageKey.inputs(entries: ["d2", "d1"], catalogue: "c", kit: "k", path: "catalogue/categories/a.html"),
            PageKey.inputs(entries: ["d1"], catalogue: "c", kit: "k", path: "catalogue/categories/a.html"),
            PageKey.inputs(entries: ["d1", "d2"], catalogue: "c", kit: "k2", path: "catalogue/categories/a.html"),
            PageKey.inputs(entries: ["d1", "d2"], catalogue: "c", kit: "k", path: "catalogue/en/categories/a.html"),
            PageKey.inputs(entries: nil, catalogue: "c", kit: "k", path: "catalogue/categories/a.html"),
        ]
        #expect(Set(others + [inputs]).count == others.count + 1)
        // The catalogue's digest counts only for a page of the whole catalogue.
        #expect(inputs == PageKey.inputs(entries: ["d1", "d2"], catalogue: "c2", kit: "k", path: "catalogue/categories/a.html"))
        #expect(others[4] != PageKey.inputs(entries: nil, catalogue: "c2", kit: "k", path: "catalogue/categories/a.html"))
        #expect(PageKey.catalogue(["d1", "d2"]) != PageKey.catalogue(["d2", "d1"]))
    }

    /// A page named by its context (`SitePages.Inputs.context`): its key changes with
    /// its own values and with the values every page shares; a page's own value under
    /// a shared key does not count (it is replaced).
    @Test func contextKeysFollowOwnAndSharedValues() {
        let shared = (keys: ["t", "kit"], digest: PageKey.digest(of: ["t": ["a": "b"], "kit": ["name": "K"]]))
        let otherShared = (keys: ["t", "kit"], digest: PageKey.digest(of: ["t": ["a": "c"], "kit": ["name": "K"]]))
        let page: [String: Any] = ["title": "T", "list": [["x": 1], ["x": 2]], "flag": true]
        let key = PageKey.hash(template: "home", context: page, shared: shared, theme: "h")
        #expect(key == PageKey.hash(template: "home", context: page, shared: shared, theme: "h"))
        #expect(key != PageKey.hash(template: "home", context: page, shared: otherShared, theme: "h"))
        #expect(key != PageKey.hash(template: "credits", context: page, shared: shared, theme: "h"))
        #expect(key != PageKey.hash(template: "home", context: page, shared: shared, theme: "h2"))
        var changed = page
        changed["list"] = [["x": 1], ["x": 3]]
        #expect(key != PageKey.hash(template: "home", context: changed, shared: shared, theme: "h"))
        var withShadow = page
        withShadow["t"] = ["a": "ignored"]
        #expect(key == PageKey.hash(template: "home", context: withShadow, shared: shared, theme: "h"))
    }
}

/// Partials that show only shared values are rendered once per language
/// (`ConstantPartials`): never at the cost of a byte.
@Suite struct ConstantPartialTests {
    func pages(_ kit: Kit, _ theme: Theme) -> [(site: LanguageSite, page: SitePage, template: String, context: [String: Any])] {
        let generator = SiteGenerator(kit: kit, theme: theme)
        return SiteLanguage.allCases.flatMap { language in
            let site = LanguageSite(generator: generator, language: language)
            let strings = theme.strings[language.rawValue] ?? [:]
            return SitePages(kit: kit, language: language, strings: strings).all().map { page, template, make, _ in
                var context = generator.pageContext(page, make())
                context.merge(site.shared) { _, shared in shared }
                return (site, page, template, context)
            }
        }
    }

    /// Every page of a generated catalogue, rendered with the swapped partials and
    /// with the theme as written: the same bytes.
    func expectSameBytes(_ kit: Kit, _ theme: Theme) throws {
        for (site, page, template, context) in pages(kit, theme) {
            let fast = try site.theme.render(template, context)
            let slow = try theme.render(template, context)
            #expect(fast == slow, "\(page.keyPath)")
            if fast != slow { return }
        }
    }

    @Test func defaultThemeSwapsTheSearchFormAndKeepsTheBytes() throws {
        let dir = try TemporaryDirectory()
        let kit = try GeneratedKit.make(in: dir, entries: 40)
        let theme = try Theme.load(from: kit.root.appendingPathComponent("payload/theme"))
        let site = LanguageSite(generator: SiteGenerator(kit: kit, theme: theme), language: .fr)
        let constants = ConstantPartials(theme: theme, shared: SiteGenerator(kit: kit, theme: theme).sharedContext(.fr))
        // The search form is what makes it worth it; header and footer show the page's title and paths.
        #expect(constants.html.keys.sorted() == ["search"])
        #expect(constants.html["search"]?.contains("f-categorie") == true)
        #expect(site.theme.library.getTemplate(named: "search")?.render([:] as [String: Any]) == "")
        // The shared words are written into the other templates: the footer shows
        // them with no context at all.
        let strings = theme.strings["fr"] ?? [:]
        let footer = site.theme.library.getTemplate(named: "footer")?.render([:] as [String: Any]) ?? ""
        let navCredits = try #require(strings["navCredits"]), offline = try #require(strings["offline"])
        #expect(footer.contains(PageHTML.escape(navCredits)) && footer.contains(PageHTML.escape(offline)))
        try expectSameBytes(kit, theme)
    }

    /// A word is written into the templates only where that cannot change a byte:
    /// not with a brace, a line break, or nothing but spaces; escaped for `{{…}}`
    /// and not for `{{{…}}}` or `{{&…}}`; inside sections and indented partials alike.
    @Test func wordsAreWrittenOnlyWhereTheBytesStay() throws {
        let dir = try TemporaryDirectory()
        let kit = try GeneratedKit.make(in: dir, entries: 12)
        let folder = kit.root.appendingPathComponent("payload/theme")
        let stringsURL = folder.appendingPathComponent("strings.json")
        var strings = try JSONDecoder().decode([String: [String: String]].self, from: Data(contentsOf: stringsURL))
        let tricky = ["version": "v{{x}}", "offline": "deux\nlignes", "navCredits": " \t ", "skip": "<b>&\"'</b> é", "onKey": "}", "sheet": "{"]
        for language in ["fr", "en"] { strings[language]?.merge(tricky) { _, new in new } }
        try JSONEncoder().encode(strings).write(to: stringsURL)
        let templates = folder.appendingPathComponent("templates")
        try """
        </main><p>{{title}}</p>
        {{#kit}}{{t.navCredits}}
        {{/kit}}
        <p>{{t.version}} {{{t.skip}}} {{& t.skip}} {{ t.skip }} {{t.offline}} {{t.onKey}}{{t.sheet}}{x}}</p>
        {{#kit}}
          {{> sheet-footer}}
        {{/kit}}
        </body></html>

        """.write(to: templates.appendingPathComponent("footer.mustache"), atomically: true, encoding: .utf8)
        try "{{t.offline}}|{{t.skip}}|{{t.navCredits}}|{{kit.name}}\n{{title}}\n".write(
            to: templates.appendingPathComponent("sheet-footer.mustache"), atomically: true, encoding: .utf8)
        let theme = try Theme.load(from: folder)
        let words = ConstantPartials.words(SiteGenerator(kit: kit, theme: theme).sharedContext(.fr))
        #expect(words["t.skip"] == tricky["skip"] && words["kit.name"] != nil)
        for key in ["version", "offline", "navCredits", "onKey", "sheet"] { #expect(words["t." + key] == nil, "\(key)") }
        let site = LanguageSite(generator: SiteGenerator(kit: kit, theme: theme), language: .fr)
        let footer = site.theme.library.getTemplate(named: "footer")?.render([:] as [String: Any]) ?? ""
        #expect(footer.contains("&lt;b&gt;&amp;&quot;&#39;&lt;/b&gt; é") && footer.contains("<b>&\"'</b> é"))
        try expectSameBytes(kit, theme)
    }

    /// A partial that reads a page's value — at its top, or as a fallback from a
    /// section's item — that is included indented (directly or through its
    /// includer), or a theme with a delimiter change: not swapped. Page templates
    /// never are.
    @Test func partialsThatCouldDifferAreNotSwapped() throws {
        let cases: [(template: String, text: String, expected: [String])] = [
            ("search", "<p>{{title}}</p>\n", []),
            ("search", "{{#filters.profiles}}<i>{{lang}}</i>{{/filters.profiles}}\n", []),
            // The header shows nothing of the page now: it is swapped whole, its
            // indented search form included.
            ("header", "<html>\n  {{> search}}\n<main>\n", ["header"]),
            ("software", "  {{> header}}\n{{title}}\n{{> footer}}\n", []),
            ("credits", "{{=<% %>=}}<%> header%>\n", []),
            ("search", "{{#t}}<b>{{searchLabel}}</b>{{/t}}\n", ["search"]),
        ]
        for (template, text, expected) in cases {
            let dir = try TemporaryDirectory()
            let kit = try GeneratedKit.make(in: dir, entries: 12)
            let folder = kit.root.appendingPathComponent("payload/theme")
            try text.write(to: folder.appendingPathComponent("templates/\(template).mustache"), atomically: true, encoding: .utf8)
            let theme = try Theme.load(from: folder)
            let constants = ConstantPartials(theme: theme, shared: SiteGenerator(kit: kit, theme: theme).sharedContext(.en))
            #expect(constants.html.keys.sorted() == expected, "\(template): \(text)")
            try expectSameBytes(kit, theme)
        }
    }

    /// Sections cannot hide the shared values: no page context uses their keys.
    @Test func pageContextsLeaveTheSharedKeysAlone() throws {
        let dir = try TemporaryDirectory()
        let kit = try GeneratedKit.make(in: dir, entries: 30)
        let theme = try Theme.load(from: kit.root.appendingPathComponent("payload/theme"))
        let generator = SiteGenerator(kit: kit, theme: theme)
        let reserved = Set(generator.sharedContext(.fr).keys).union([ConstantPartials.contextKey])
        func keys(_ value: Any) -> Set<String> {
            if let dictionary = value as? [String: Any] { return Set(dictionary.keys).union(dictionary.values.flatMap(keys)) }
            if let array = value as? [Any] { return Set(array.flatMap(keys)) }
            return []
        }
        var checked = 0
        for language in SiteLanguage.allCases {
            for (page, _, make, _) in SitePages(kit: kit, language: language, strings: theme.strings[language.rawValue] ?? [:]).all() {
                let used = keys(generator.pageContext(page, make()))
                #expect(used.isDisjoint(with: reserved), "\(page.keyPath): \(used.intersection(reserved))")
                checked += 1
            }
        }
        #expect(checked > 100)
    }
}

/// Pages are named by their inputs (the entries they show, the kit without its
/// catalogue, the path) instead of their context, which a rebuild would otherwise
/// make for every page. Sound only if equal inputs always give equal contexts: this
/// changes each kind of thing a kit holds and checks it on every page.
@Suite struct PageKeyInputTests {
    typealias Keys = [String: (inputs: String, context: String)]

    func keys(_ kit: Kit, _ theme: Theme) throws -> Keys {
        let generator = SiteGenerator(kit: kit, theme: theme)
        let others = PageKey.kitWithoutCatalogue(kit)
        let entryDigests = PageKey.entryDigests(kit.catalogue)
        let catalogue = PageKey.catalogue(entryDigests)
        var keys: Keys = [:]
        for language in SiteLanguage.allCases {
            let pages = SitePages(kit: kit, language: language, strings: theme.strings[language.rawValue] ?? [:])
            for (page, _, make, inputs) in pages.all() {
                var listed: [String]?
                if case let .entries(positions) = inputs { listed = positions.map { entryDigests[$0] } }
                let context = PageKey.digest(of: generator.pageContext(page, make()))
                let named = inputs == .context ? context : PageKey.inputs(entries: listed, catalogue: catalogue, kit: others, path: page.keyPath)
                keys[page.keyPath] = (named, context)
            }
        }
        return keys
    }

    @Test func equalInputsMeanEqualContexts() throws {
        let dir = try TemporaryDirectory()
        let kit = try GeneratedKit.make(in: dir, entries: 24)
        let theme = try Theme.load(from: kit.root.appendingPathComponent("payload/theme"))
        let before = try keys(kit, theme)
        #expect(before.count > kit.catalogue.count * 4)
        #expect(try keys(kit, theme).mapValues(\.inputs) == before.mapValues(\.inputs), "the same kit, the same keys")

        // A page that lists a few entries keeps its key when another entry changes:
        // what makes a rebuild after one entry changed cheap.
        var described = kit
        described.catalogue[4].description = LocalizedText(fr: "Autre.", en: "Other.")
        let afterDescription = try keys(described, theme)
        let unlisting = try #require(kit.categories.first { category in !kit.catalogue[4].categories.contains { $0.value == category.id.value } })
        let categoryPage = "catalogue/categories/\(unlisting.id.value).html"
        #expect(afterDescription[categoryPage]?.inputs == before[categoryPage]?.inputs)
        #expect(afterDescription["catalogue/logiciels/index.html"]?.inputs != before["catalogue/logiciels/index.html"]?.inputs)

        let changes: [(String, (inout Kit) -> Void)] = [
            ("an entry's name", { $0.catalogue[3].name += " bis" }),
            ("an entry's description", { $0.catalogue[4].description = LocalizedText(fr: "Autre.\n\nTexte.", en: "Other") }),
            ("an entry's category", { $0.catalogue[5].categories = [$0.catalogue[6].categories[0], $0.catalogue[7].categories[0]] }),
            ("an entry's users", { $0.catalogue[6].users = ["Commune de Test"] }),
            ("an entry's source", { $0.catalogue[7].source = EntrySource(name: "sill", id: "1", licence: "etalab-2.0") }),
            ("an entry removed", { $0.catalogue.remove(at: 8) }),
            (
                "an entry added",
                { kit in
                    var entry = kit.catalogue[9]
                    entry.id.value = "zz-new"
                    entry.name = "Nouveau"
                    kit.catalogue.append(entry)
                }
            ),
            ("other entries renamed", { kit in for i in kit.catalogue.indices where i != 0 { kit.catalogue[i].name = "Z \(i)" } }),
            ("a category renamed", { $0.categories[0].name = LocalizedText(fr: "Bureau", en: "Office") }),
            ("the kit's name", { $0.settings.name = LocalizedText(fr: "Autre clé", en: "Other key") }),
            ("the kit's date", { $0.settings.date = "2031-06-01" }),
            ("an application added to a profile", { kit in kit.profiles[0].apps.append(kit.catalogue[10].id) }),
            ("profiles", { $0.profiles.removeLast() }),
            ("a profile's applications reordered", { $0.profiles[0].apps.reverse() }),
            ("an entry's replaced products", { $0.catalogue[11].replaces = ["Zoom", "Teams"] }),
            ("an entry's providers", { $0.catalogue[12].providers = ["Société Test"] }),
            ("an entry's licence", { $0.catalogue[13].licence.value = "EUPL-1.2" }),
            ("an entry's id", { $0.catalogue[14].id.value = "autre-id" }),
            ("entries reordered", { $0.catalogue.swapAt(1, 2) }),
            (
                "the last entry a profile shows",
                { kit in
                    let shown = kit.profiles.flatMap { profile in profile.apps.map(\.value).filter { id in kit.catalogue.contains { $0.id.value == id } } }
                    if let last = shown.last, let position = kit.catalogue.firstIndex(where: { $0.id.value == last }) {
                        kit.catalogue[position].name += " bis"
                    }
                }
            ),
        ]
        var changedPages = 0
        for (name, change) in changes {
            var other = kit
            change(&other)
            let after = try keys(other, theme)
            for (path, key) in after {
                guard let old = before[path] else { continue }
                if old.inputs == key.inputs {
                    #expect(old.context == key.context, "\(name): \(path) keeps its inputs but its context changed")
                } else if old.context != key.context {
                    changedPages += 1
                }
            }
        }
        // The changes above do change pages: the check is not vacuous.
        #expect(changedPages > 100)
    }
}
