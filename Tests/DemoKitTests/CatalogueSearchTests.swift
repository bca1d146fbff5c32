import Foundation
import GRDB
import Testing

@testable import DemoKit

@Suite struct CatalogueSearchTests {
    func database() throws -> (TemporaryDirectory, CatalogueSearch) {
        let dir = try TemporaryDirectory()
        let kit = try #require(KitLoader(root: try TestKit.make(in: dir), displayPrefix: "").load().kit)
        let url = dir.path("catalogue.sqlite")
        try CatalogueWriter.write(kit, to: url)
        return (dir, try CatalogueSearch(databaseAt: url))
    }

    @Test(arguments: [
        ("eleve", "office"), ("élèves", "office"), ("ELEVES", "office"),
        ("oeuvre", "office"), ("œuvres", "office"),
        ("cime", "cemetery"), ("cimetiere", "cemetery"), ("Cimetière", "cemetery"),
        ("word", "office"), ("excel", "office"), ("traitement texte", "office"),
        ("traitement de texte", "office"), ("cimetières", "cemetery"), ("gestion des concessions", "cemetery"),
    ])
    func findsFrenchWordsWithAndWithoutAccents(_ query: String, _ expected: String) throws {
        let (_, search) = try database()
        let results = try search.search(query)
        #expect(results.first?.id == expected, "\(query) → \(results.map(\.id))")
    }

    @Test func nameMatchesRankFirst() throws {
        let (_, search) = try database()
        let results = try search.search("cimetiere")
        #expect(results.map(\.id) == ["cemetery"])
        #expect(results.first?.tier == 0)
    }

    @Test func filters() throws {
        let (_, search) = try database()
        #expect(try search.search("", filters: .init(profile: "beta")).map(\.id).sorted() == ["office", "paint"])
        #expect(try search.search("", filters: .init(platform: "linux")).map(\.id).sorted() == ["office", "paint"])
        #expect(try search.search("", filters: .init(category: "cimetiere")).map(\.id) == ["cemetery"])
        #expect(try search.search("", filters: .init(licence: "GPL-2.0")).map(\.id) == ["paint"])
        #expect(try search.search("", filters: .init(licence: "agpl")).map(\.id) == ["cemetery"])
        #expect(try search.search("nothing-matches-this").isEmpty)
    }

    @Test func databaseOpensWithTheStockSqlite3Tool() throws {
        let (dir, _) = try database()
        let result = try run(
            "sqlite3",
            [
                "-readonly", dir.path("catalogue.sqlite").path,
                "SELECT s.id FROM software_search JOIN software s ON s.rowid = software_search.rowid WHERE software_search MATCH 'eleve*';",
            ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "office")
    }
}

@Suite struct TextFoldingTests {
    struct Vector: Decodable { var input: String; var folded: String; var tokens: [String] }

    /// The same vectors are checked against the page's JavaScript.
    static let vectors: [Vector] = {
        let url = Repo.fixtures.appendingPathComponent("folding-vectors.json")
        return (try? JSONDecoder().decode([Vector].self, from: Data(contentsOf: url))) ?? []
    }()

    @Test func vectorsExist() { #expect(Self.vectors.count >= 10) }

    @Test(arguments: vectors.indices)
    func foldingMatchesTheVectors(_ index: Int) {
        let vector = Self.vectors[index]
        #expect(TextFolding.fold(vector.input) == vector.folded)
        #expect(TextFolding.tokens(vector.input) == vector.tokens)
    }
}

/// Ranking and filters on a catalogue built for the purpose.
@Suite struct CatalogueRankingTests {
    static func database() throws -> (TemporaryDirectory, CatalogueSearch) {
        let dir = try TemporaryDirectory()
        var catalogue = [
            entry("a-word-libre", name: "Word Libre", description: "Un traitement de texte.", licence: "GPL-3.0-only", platforms: ["linux"]),
            entry("b-traitement", name: "Traitement", description: "Éditeur.", licence: "GPL-3.0-or-later", replaces: ["Microsoft Word"]),
            entry("c-editeur", name: "Éditeur", description: "Écrire.", licence: "LGPL-3.0-only", keywords: ["word", "courrier"]),
            entry("d-lecteur", name: "Lecteur", description: "Ouvre les fichiers Word et les courriers.", licence: "MIT", platforms: ["windows"]),
            entry("e-courrier-mairie", name: "Courrier Mairie", categories: ["courrier"], keywords: ["gestion"]),
            entry("f-registre", name: "Registre", description: "Gestion du courrier entrant et sortant.", categories: ["courrier"]),
            entry("g-gestion-courrier", name: "Gestion du courrier", categories: ["courrier"]),
            entry("h-visio", name: "Réunions", description: "Visioconférence pour les élus.", categories: ["visio"], replaces: ["Teams", "Zoom"]),
            entry("i-oeuvre", name: "Chef-d'œuvre", description: "Catalogue des œuvres pour les élèves."),
        ]
        catalogue.sort { $0.id.value < $1.id.value }
        let kit = Kit(
            root: dir.url,
            settings: KitSettings(
                id: "ranking", name: LocalizedText(fr: "Classement"), version: "1", date: "2026-01-15", channel: "stable", defaultProfile: nil,
                timeout: 5, profileOrder: []),
            profiles: [
                Profile(
                    id: located("mairie"), name: LocalizedText(fr: "Mairie"), audience: LocalizedText(fr: "Élus"), pitch: LocalizedText(fr: "."),
                    apps: [located("h-visio"), located("g-gestion-courrier")])
            ],
            categories: [
                Category(id: located("bureautique"), name: LocalizedText(fr: "Bureautique")),
                Category(id: located("courrier"), name: LocalizedText(fr: "Gestion du courrier")),
                Category(id: located("visio"), name: LocalizedText(fr: "Visioconférence")),
            ],
            catalogue: catalogue, apps: [:])
        let url = dir.path("catalogue.sqlite")
        try CatalogueWriter.write(kit, to: url)
        return (dir, try CatalogueSearch(databaseAt: url))
    }

    @Test func nameThenReplacedProductsThenKeywordsThenDescription() throws {
        let (_, search) = try Self.database()
        let results = try search.search("word")
        #expect(results.map(\.id) == ["a-word-libre", "b-traitement", "c-editeur", "d-lecteur"])
        #expect(results.map(\.tier) == [0, 1, 2, 3])
    }

    @Test func needsAcrossColumns() throws {
        let (_, search) = try Self.database()
        // All words in the name first; then name + keywords; then the description.
        let results = try search.search("gestion du courrier").map(\.id)
        #expect(Array(results.prefix(3)) == ["g-gestion-courrier", "e-courrier-mairie", "f-registre"])
        #expect(try search.search("Gestion des courriers").first?.id == "g-gestion-courrier")
    }

    @Test(arguments: [
        ("visio", "h-visio"), ("Teams", "h-visio"), ("zoom", "h-visio"), ("reunion", "h-visio"), ("RÉUNIONS", "h-visio"),
        ("oeuvre", "i-oeuvre"), ("œuvre", "i-oeuvre"), ("chef d'oeuvre", "i-oeuvre"), ("eleve", "i-oeuvre"), ("élèves", "i-oeuvre"),
    ])
    func frenchQueries(_ query: String, _ expected: String) throws {
        let (_, search) = try Self.database()
        #expect(try search.search(query).first?.id == expected, "\(query)")
    }

    @Test func licenceFiltersMatchFamilies() throws {
        let (_, search) = try Self.database()
        #expect(try search.search("", filters: .init(licence: "GPL-3.0")).map(\.id).sorted() == ["a-word-libre", "b-traitement"])
        #expect(try search.search("", filters: .init(licence: "LGPL-3.0-only")).map(\.id) == ["c-editeur"])
        #expect(try search.search("word", filters: .init(licence: "mit")).map(\.id) == ["d-lecteur"])
    }

    @Test func otherFiltersCombineWithTheQuery() throws {
        let (_, search) = try Self.database()
        #expect(try search.search("word", filters: .init(platform: "windows")).map(\.id) == ["d-lecteur"])
        #expect(
            try search.search("courrier", filters: .init(category: "courrier")).map(\.id).sorted() == ["e-courrier-mairie", "f-registre", "g-gestion-courrier"])
        #expect(try search.search("", filters: .init(profile: "mairie")).map(\.id).sorted() == ["g-gestion-courrier", "h-visio"])
        #expect(try search.search("courrier", filters: .init(profile: "mairie", category: "courrier")).map(\.id) == ["g-gestion-courrier"])
        #expect(try search.search("word", filters: .init(profile: "nobody")).isEmpty)
    }

    @Test func queryTokens() {
        #expect(CatalogueSearch.queryTokens("Gestion des courriers") == ["gestion", "courrier"])
        #expect(CatalogueSearch.queryTokens("de la") == ["de", "la"])
        #expect(CatalogueSearch.queryTokens("Œuvres & élèves") == ["oeuvre", "eleve"])
        #expect(CatalogueSearch.matchExpression("cime", columns: ["name"]) == "{name} : (\"cime\"*)")
    }

    @Test func databaseIsByteIdenticalAcrossBuilds() throws {
        let (a, _) = try Self.database()
        let (b, _) = try Self.database()
        #expect(try Data(contentsOf: a.path("catalogue.sqlite")) == Data(contentsOf: b.path("catalogue.sqlite")))
    }

    /// The file is not vacuumed (`CatalogueWriter`): sound while writing it frees no
    /// page, which this checks on a catalogue large enough for the full-text index
    /// to merge its segments.
    @Test func writingFreesNoPage() throws {
        let dir = try TemporaryDirectory()
        let kit = try GeneratedKit.make(in: dir, entries: 1500)
        let url = dir.path("catalogue.sqlite")
        try CatalogueWriter.write(kit, to: url)
        let queue = try DatabaseQueue(path: url.path)
        let (free, pages) = try queue.read { db in
            (try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? -1, try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0)
        }
        #expect(free == 0)
        #expect(pages > 100)
    }
}

@Suite struct FastFoldingTests {
    /// The table path folds Latin text exactly as the full path (normalisation) does.
    @Test func latinTableMatchesTheFullFolding() {
        var samples = [
            "Œuvre ÉCOLE à Château-Thierry", "Ærø", "İstanbul ŁÓDŹ", "straße ĳssel", "ŉ ŀ ǅ ǈ", "Ça coûte très cher, naïve",
        ]
        samples.append(String(String.UnicodeScalarView((0x80..<TextFolding.latinLimit).compactMap(Unicode.Scalar.init))))
        for text in samples {
            #expect(TextFolding.fold(text) == TextFolding.slowFold(text), "\(text)")
        }
        // Beyond the table the full path is taken.
        #expect(TextFolding.fold("Ελλάδα e\u{301}") == TextFolding.slowFold("Ελλάδα e\u{301}"))
    }

    /// Random texts over letters, digits, punctuation, every kind of space below
    /// U+0300, combining marks, Greek, CJK and emoji.
    static func randomTexts(count: Int, seed: UInt64) -> [String] {
        let pieces = [
            "a", "Z", "é", "É", "œ", "ß", "9", "½", "²", "-", "'", ",", "’", "€", " ", "  ", "\t", "\n", "\r\n", "\u{A0}", "\u{85}", "\u{0B}",
            "e\u{301}", "\u{2003}", "λ", "字", "🙂", "x\u{200D}y", "Château", "LibreOffice", "3D",
        ]
        var state = seed
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        return (0..<count).map { _ in (0..<(next() % 120)).map { _ in pieces[next() % pieces.count] }.joined() }
    }

    /// Tokens by bytes are the runs of letters and digits of the scalar definition.
    @Test func tokensMatchTheDefinition() {
        for text in Self.randomTexts(count: 2000, seed: 4) {
            #expect(TextFolding.tokens(text) == TextFolding.slowTokens(text), "\(text.debugDescription)")
        }
    }

    /// The byte-level summary cuts where the `Character` one does, spaces folded alike.
    @Test func summaryMatchesTheDefinition() {
        var texts = Self.randomTexts(count: 2000, seed: 9)
        let word = String(repeating: "mot ", count: 39) + "mots"  // 160 characters exactly
        texts += [word, word + "x", word + " x", " " + word + " ", String(repeating: "é", count: 400), "\r\n" + word + "\r\nfin", ""]
        for text in texts {
            #expect(SearchIndex.summary(text) == SearchIndex.slowSummary(text), "\(text.debugDescription)")
        }
    }
}

@Suite struct ParagraphTests {
    /// The byte-based split gives what the Foundation one gave, and what the
    /// scalar-by-scalar one before it gave (which differs from Foundation's on
    /// "\r\n", a single `Character` there), on random texts too.
    @Test func paragraphsAsBefore() throws {
        func foundation(_ text: String) -> [String] {
            text.components(separatedBy: "\n\n").map { $0.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        }
        func scalars(_ text: String) -> [String] {
            func isBlank(_ scalar: Unicode.Scalar) -> Bool { scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator }
            var paragraphs: [String] = []
            var current = String.UnicodeScalarView()
            func flush() {
                if let first = current.firstIndex(where: { !isBlank($0) }), let last = current.lastIndex(where: { !isBlank($0) }) {
                    paragraphs.append(String(current[first...last]))
                }
                current = String.UnicodeScalarView()
            }
            var lineIsEmpty = true
            for scalar in text.unicodeScalars {
                if scalar == "\n" {
                    if lineIsEmpty { flush() } else { current.append(" ") }
                    lineIsEmpty = true
                } else {
                    current.append(scalar)
                    lineIsEmpty = false
                }
            }
            flush()
            return paragraphs
        }
        let dir = try TemporaryDirectory()
        let kit = try KitLoader(root: try TestKit.make(in: dir), displayPrefix: "").loadValid().kit
        let pages = SitePages(kit: kit, language: .fr, strings: [:])
        let fixed = [
            "a\nb", "a\n\nb", "a\n\n\nb", "a\n\n\n\nb", " a \n \n b\t", "\u{A0}Été\u{A0}\n\n\u{2003}x", "", "\n\n", "a\n \nb", "é\u{301}\n\ne",
            "\u{3000}\u{202F}\n\n\u{1680}", "\t\u{200A}mot\u{205F}\n\n\n", "x\u{85}\n\n\u{2028}",
        ]
        for text in fixed {
            #expect(pages.paragraphs(text) == foundation(text), "\(text.debugDescription)")
        }
        for text in fixed + ["a\r\n\r\nb", "a\r\n\nb"] + FastFoldingTests.randomTexts(count: 3000, seed: 12) {
            #expect(pages.paragraphs(text) == scalars(text), "\(text.debugDescription)")
        }
    }
}

/// A sheet cuts a long description at `sheetDescriptionLength` characters
/// (`Character`s: a letter with its accent is one) and marks the cut; a page never does.
@Suite struct SheetDescriptionTests {
    @Test func cutAtTheLengthInCharacters() throws {
        let dir = try TemporaryDirectory()
        let kit = try KitLoader(root: try TestKit.make(in: dir), displayPrefix: "").loadValid().kit
        let pages = SitePages(kit: kit, language: .fr, strings: [:])
        let page = SitePage(language: .fr, path: "fiches/logiciels/x.html")
        var entry = try #require(kit.catalogue.first)
        let length = SitePages.sheetDescriptionLength
        let cases = [
            ("court", "court"),
            (String(repeating: "é", count: length), String(repeating: "é", count: length)),
            (String(repeating: "e\u{301}", count: length), String(repeating: "e\u{301}", count: length)),
            (String(repeating: "e\u{301}", count: length + 1), String(repeating: "e\u{301}", count: length) + "…"),
            (String(repeating: "a", count: length - 1) + "🙂x", String(repeating: "a", count: length - 1) + "🙂…"),
            (String(repeating: "a", count: length + 1), String(repeating: "a", count: length) + "…"),
        ]
        func shown(_ detail: [String: Any]) -> String? {
            (detail["description"] as? [[String: Any]])?.compactMap { $0["text"] as? String }.joined()
        }
        for (text, expected) in cases {
            entry.description = LocalizedText(fr: text)
            #expect(shown(pages.softwareDetail(entry, from: page, sheet: true)) == expected, "\(text.count) characters")
            #expect(shown(pages.softwareDetail(entry, from: page, sheet: false)) == text)
        }
    }
}

/// The writer binds its values to SQLite itself (`Database.run`): they must be stored
/// as GRDB stores them, and a refused row must say why.
@Suite struct CatalogueBindingTests {
    @Test func valuesAreStoredAsGRDBStoresThem() throws {
        let queue = try DatabaseQueue()
        let rows = try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (a, b, c, d, e, f, g)")
            let missing: String? = nil
            try db.run("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", "", "é€ texte", 42, Int64(-7), true, false, missing)
            try db.execute(sql: "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", arguments: ["", "é€ texte", 42, Int64(-7), true, false, missing])
            return try Row.fetchAll(db, sql: "SELECT typeof(a), a, typeof(b), b, typeof(c), c, d, e, f, typeof(g) FROM t")
        }
        #expect(rows.count == 2)
        #expect(rows[0] == rows[1], "bound by demokit: \(rows[0]); by GRDB: \(rows[1])")
        #expect(rows[0][0] as String? == "text", "an empty string is text, not NULL")
        #expect(rows[0][3] as String? == "é€ texte")
        #expect(rows[0][9] as String? == "null")
    }

    @Test func aRefusedRowThrowsWithSQLitesReason() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in try db.execute(sql: "CREATE TABLE t (id TEXT PRIMARY KEY)") }
        let error = #expect(throws: DatabaseError.self) {
            try queue.write { db in
                try db.run("INSERT INTO t VALUES (?)", "x")
                try db.run("INSERT INTO t VALUES (?)", "x")
            }
        }
        #expect(error?.resultCode == .SQLITE_CONSTRAINT)
        #expect(error?.message?.contains("UNIQUE") == true)
        // The statement was reset: the connection goes on.
        try queue.write { db in try db.run("INSERT INTO t VALUES (?)", "y") }
        #expect(try queue.read { db in try String.fetchAll(db, sql: "SELECT id FROM t") } == ["y"])
    }
}
