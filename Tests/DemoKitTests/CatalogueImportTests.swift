import Foundation
import Testing

@testable import DemoKit

enum CatalogueFixtures {
    static let folder = Repo.fixtures.appendingPathComponent("catalogue")
    /// `shared/` beside the repository (CI), or beside the worktrees' folder.
    static let shared: URL = {
        let candidates = [Repo.shared, Repo.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared")]
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("data").path) } ?? Repo.shared
    }()
    static let sillSnapshot = shared.appendingPathComponent("data/sill/sill-2022-05-10.json")
    static let publiccodeTestdata = shared.appendingPathComponent("data/publiccode-testdata")

    /// The minimal kit with the real kit's categories and two curated entries that the
    /// SILL also lists: LibreOffice (matched by `sill:` id) and GIMP (matched by name).
    static func kit(in dir: TemporaryDirectory) throws -> URL {
        let kit = try TestKit.make(in: dir)
        let categories = try String(contentsOf: folder.appendingPathComponent("categories.yml"), encoding: .utf8)
        let minimal = try String(contentsOf: kit.appendingPathComponent("payload/categories.yml"), encoding: .utf8)
        // Keep the minimal kit's ids (bureautique, cimetiere, education) and add the others.
        var merged = minimal
        for block in categories.components(separatedBy: "\n- ").dropFirst() where !minimal.contains("- " + block.prefix(while: { $0 != "\n" })) {
            merged += "- " + block.trimmingCharacters(in: .newlines) + "\n"
        }
        try merged.write(to: kit.appendingPathComponent("payload/categories.yml"), atomically: true, encoding: .utf8)
        try """
        id: libreoffice
        name: LibreOffice
        description:
          fr: Suite bureautique rédigée par l'association.
        categories: [bureautique]
        licence: MPL-2.0
        replaces: [Microsoft Office, Word]
        users: [Ville d'Essai]
        sill: "78"

        """.write(to: kit.appendingPathComponent("payload/catalogue/libreoffice.yml"), atomically: true, encoding: .utf8)
        try """
        id: retouche
        name: Gimp
        description:
          fr: Retouche photo.
        categories: [graphisme]
        licence: GPL-3.0-or-later
        replaces: [Photoshop]

        """.write(to: kit.appendingPathComponent("payload/catalogue/retouche.yml"), atomically: true, encoding: .utf8)
        return kit
    }

    static func importSILL(_ file: URL, into kit: URL, date: String? = nil) throws -> CatalogueImporter.Report {
        let importer = CatalogueImporter(kitRoot: kit)
        let batch = try SILLImporter.read(contentsOf: file, display: file.lastPathComponent, date: date, kitCategories: try importer.categories())
        return try importer.write(batch)
    }
}

@Suite struct SILLImportTests {
    @Test func realSnapshotImportsAndMergesWithCuratedEntries() throws {
        let dir = try TemporaryDirectory()
        let kit = try CatalogueFixtures.kit(in: dir)
        let report = try CatalogueFixtures.importSILL(CatalogueFixtures.sillSnapshot, into: kit)
        // 240 entries, each one mapped to a kit category (the generic one exists).
        #expect(report.count == 240)
        #expect(report.added.count == 240)
        let folder = kit.appendingPathComponent("payload/catalogue/imported/sill")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yml") }
        #expect(files.count == 240)
        // The two « Grammalecte » get distinct, stable ids from their parent software.
        #expect(files.contains("grammalecte-libreoffice.yml") && files.contains("grammalecte-firefox.yml"))
        // Curated ids are taken over: by SILL id (78) and by name (GIMP → retouche).
        #expect(files.contains("libreoffice.yml") && files.contains("retouche.yml"))

        let result = KitLoader(root: kit, displayPrefix: "").load()
        #expect(!result.diagnostics.hasErrors, "\(result.diagnostics.filter { $0.severity == .error }.prefix(5))")
        let loaded = try #require(result.kit)
        // One entry per software: 5 curated + 240 imported, two of them merged into curated ones.
        #expect(loaded.catalogue.count == 5 + 240 - 2)
        let libreoffice = try #require(loaded.entry("libreoffice"))
        #expect(libreoffice.description.fr == "Suite bureautique rédigée par l'association.")  // curated wins
        #expect(libreoffice.replaces == ["Microsoft Office", "Word"])
        #expect(libreoffice.description.en == "Office suite supported by the free software community.")  // SILL fills the gap
        #expect(libreoffice.sillStatus == "recommended")
        #expect(libreoffice.sillYears == [2018, 2019, 2020, 2021, 2022])
        #expect(libreoffice.supportContract)
        #expect(libreoffice.source(of: "description").name == "curated")
        #expect(libreoffice.source(of: "sill_years") == EntrySource(name: "sill", id: "78", licence: SILLImporter.licence, date: "2022-05-10"))
        let gimp = try #require(loaded.entry("retouche"))
        #expect(gimp.sill == "51" && gimp.name == "Gimp")
        #expect(loaded.entry("gimp") == nil)

        // Provenance and the data's licence credit reach the database.
        let db = dir.path("catalogue.sqlite")
        try CatalogueWriter.write(loaded, to: db)
        let credit = try run("sqlite3", ["-readonly", db.path, "SELECT credit FROM source WHERE id = 'sill';"])
        #expect(credit.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "SILL — DINUM / Etalab, Licence Ouverte 2.0")
        #expect(loaded.catalogueSources.contains { $0.source.name == "sill" && $0.credit == SILLImporter.credit })
        let facts = try run(
            "sqlite3",
            [
                "-readonly", db.path,
                "SELECT field || '=' || source_id || '#' || ifnull(source_ref, '') FROM fact WHERE software_id = 'libreoffice' ORDER BY field;",
            ])
        #expect(facts.stdout.contains("description=curated#"))
        #expect(facts.stdout.contains("sill_status=sill#78"))
    }

    @Test func reimportIsByteIdenticalAndSaysNothingChanged() throws {
        let dir = try TemporaryDirectory()
        let kit = try CatalogueFixtures.kit(in: dir)
        let file = CatalogueFixtures.folder.appendingPathComponent("sill/sill-2022-01-01.json")
        let first = try CatalogueFixtures.importSILL(file, into: kit)
        #expect(first.added.count == 5)
        let folder = kit.appendingPathComponent("payload/catalogue/imported/sill")
        let before = try TestKit.snapshot(folder)
        let second = try CatalogueFixtures.importSILL(file, into: kit)
        #expect(second.unchanged)
        #expect(second.summary.contains("rien n'a changé / "))
        #expect(second.summary.contains("nothing changed"))
        #expect(try TestKit.snapshot(folder) == before)
    }

    @Test func newerSnapshotShowsWhatChanged() throws {
        let dir = try TemporaryDirectory()
        let kit = try CatalogueFixtures.kit(in: dir)
        _ = try CatalogueFixtures.importSILL(CatalogueFixtures.folder.appendingPathComponent("sill/sill-2022-01-01.json"), into: kit)
        let report = try CatalogueFixtures.importSILL(CatalogueFixtures.folder.appendingPathComponent("sill/sill-2022-02-01.json"), into: kit)
        #expect(report.added.map(\.id) == ["visio-libre"])
        #expect(report.removed.map(\.id) == ["vieux-logiciel"])
        let changed = Dictionary(uniqueKeysWithValues: report.changed.map { ($0.id, $0.fields) })
        #expect(changed["cimetiere-facile"] == ["licence", "sill_years", "source"])
        // Every other entry only changes its source date.
        #expect(changed["grammalecte-firefox"] == ["source"])
        #expect(report.summary.contains("+ visio-libre"))
        #expect(report.summary.contains("~ cimetiere-facile (Cimetière Facile) : licence, sill_years, source"))
        #expect(!FileManager.default.fileExists(atPath: kit.appendingPathComponent("payload/catalogue/imported/sill/vieux-logiciel.yml").path))
    }

    @Test func messyValuesAreCleanedUp() throws {
        let dir = try TemporaryDirectory()
        let kit = try CatalogueFixtures.kit(in: dir)
        let report = try CatalogueFixtures.importSILL(CatalogueFixtures.folder.appendingPathComponent("sill/sill-2022-01-01.json"), into: kit)
        let loaded = try #require(KitLoader(root: kit, displayPrefix: "").load().kit)
        let cemetery = try #require(loaded.entry("cimetiere-facile"))
        #expect(cemetery.categories.map(\.value) == ["cimetiere"])
        #expect(cemetery.licence.value == "AGPL-3.0")  // deprecated, but SPDX
        #expect(cemetery.description.fr == "Gestion des concessions du cimetière.")  // « Logiciel informatique » dropped
        #expect(cemetery.comptoir == "501")
        let old = try #require(loaded.entry("vieux-logiciel"))
        #expect(old.licence.value == LicenceNormaliser.unknownID)
        #expect(old.sillStatus == "withdrawn")
        // The SILL's « Suite Bureau » takes the id of the curated entry with the same name
        // (the minimal kit's « office »); the curated fields win when merged.
        let imported = try String(contentsOf: kit.appendingPathComponent("payload/catalogue/imported/sill/office.yml"), encoding: .utf8)
        #expect(imported.contains("licence: \"GPL-2.0\"\n"))  // « GPL V2.0 »
        #expect(!imported.contains("website:"))  // « pas une adresse »
        #expect(report.notes.contains { $0.message.contains("GPL V2.0") })
        let office = try #require(loaded.entry("office"))
        #expect(office.licence.value == "MPL-2.0")
        #expect(office.website == "https://office.example.org/")
        #expect(office.sillStatus == "observation")
        #expect(office.source(of: "licence").name == "curated")
        #expect(office.source(of: "sill_status").name == "sill")
    }

    @Test(arguments: [
        ("sill-malformed.json", 80, 5, "$[3].i"),
        ("sill-wrong-type.json", 34, 10, "$[1].y"),
    ])
    func malformedFileGivesLineAndWritesNothing(_ name: String, _ line: Int, _ column: Int, _ path: String) throws {
        let dir = try TemporaryDirectory()
        let kit = try CatalogueFixtures.kit(in: dir)
        let before = try TestKit.snapshot(kit)
        do {
            _ = try CatalogueFixtures.importSILL(CatalogueFixtures.folder.appendingPathComponent("sill/\(name)"), into: kit)
            Issue.record("a malformed file must not import")
        } catch let error as ImportError {
            let first = try #require(error.diagnostics.first)
            #expect(first.file == name)
            #expect(first.line == line && first.column == column, "\(first)")
            #expect(first.message.contains(path), "\(first)")
        }
        #expect(try TestKit.snapshot(kit) == before)
    }

    @Test func jsonParserTracksLinesAndPaths() throws {
        let text = "{\n  \"a\": [1, \"é\",\n    {\"b\": nul}\n  ]\n}"
        #expect(
            throws: JSONSyntaxError(
                line: 3, column: 11, path: "$.a[2].b", problem: "valeur inconnue (true, false ou null attendu) / unknown value (expected true, false or null)")
        ) {
            try JSONParser.parse(Data(text.utf8))
        }
        let value = try JSONParser.parse(Data("[{\"x\": \"\\u00e9\\ud83d\\ude00\", \"n\": -1.5e3}]".utf8))
        guard case let .array(items) = value.value else { Issue.record("not an array"); return }
        #expect(items[0]["x"]?.text == "é😀")
        #expect(items[0]["n"]?.text == "-1.5e3")
        #expect(items[0]["x"]?.column == 8)
    }

    @Test(arguments: [
        ("GPL V2.0", "GPL-2.0"), ("LGPL-v2.1", "LGPL-2.1"), ("MPL 2.0 et EPL 1.0", "MPL-2.0 AND EPL-1.0"),
        ("LGPL-2.1, LGPL-2.0,  LGPL-3.0", "LGPL-2.1 OR LGPL-2.0 OR LGPL-3.0"), ("GPL-2.0-only / LGPL-2.0-only", "GPL-2.0-only OR LGPL-2.0-only"),
        ("agpl-3.0-or-later", "AGPL-3.0-or-later"), ("mit or apache-2.0", "MIT OR Apache-2.0"), ("AGPL-3", "AGPL-3.0"), ("BSD-3.0", "BSD-3-Clause"),
        ("N/A", "LicenseRef-unknown"), ("", "LicenseRef-unknown"), ("CPA", "LicenseRef-CPA"), ("GPL-2.0+", "GPL-2.0+"),
    ])
    func licencesAreNormalised(_ raw: String, _ expected: String) {
        let result = LicenceNormaliser.normalise(raw)
        #expect(result.expression == expected)
        #expect(SPDX.validate(result.expression) == nil)
    }

    @Test(arguments: [
        ("Cimetière Facile", "cimetiere-facile"), ("LibreOffice (Collabora) online", "libreoffice-collabora-online"),
        ("LemonLDAP::NG", "lemonldap-ng"), ("Œuvres & Élèves", "oeuvres-eleves"), ("Démarches simplifiées", "demarches-simplifiees"),
        ("!!!", ""),
    ])
    func slugs(_ name: String, _ slug: String) {
        #expect(CatalogueImporter.slug(name) == slug)
    }

    @Test func categoryMappingPrefersTheMostPreciseKitCategory() {
        let all = Set(["bureautique", "visioconference", "collaboration", "messagerie", "utilitaires", "parc-informatique", "cimetiere"])
        #expect(SILLCategoryMap.category(function: "Outil de conférence en ligne", category: "Visiophonie", kitCategories: all) == "visioconference")
        #expect(SILLCategoryMap.category(function: "Courrielleur", category: "Messagerie agenda contacts", kitCategories: all) == "messagerie")
        #expect(SILLCategoryMap.category(function: "Junit", category: "Test & Intégration", kitCategories: all) == "utilitaires")
        #expect(SILLCategoryMap.category(function: "Junit", category: "Test & Intégration", kitCategories: ["cimetiere"]) == nil)
        // « son » is a whole word: « personne » does not select multimedia.
        #expect(!SILLCategoryMap.matches("une personne", "son"))
    }
}

@Suite struct PublicCodeImportTests {
    static let testdata: [String] = {
        ((try? FileManager.default.contentsOfDirectory(atPath: CatalogueFixtures.publiccodeTestdata.path)) ?? []).filter { $0.hasSuffix(".yml") }.sorted()
    }()

    @Test func thereAre31ValidFixtures() { #expect(Self.testdata.count == 31) }

    @Test(arguments: testdata)
    func everyValidFixtureParses(_ name: String) throws {
        let url = CatalogueFixtures.publiccodeTestdata.appendingPathComponent(name)
        let batch = try PublicCodeImporter.read(paths: [url], kitCategories: ["bureautique", "parc-informatique", "utilitaires"])
        let entry = try #require(batch.entries.first, "\(batch.notes)")
        #expect(!entry.name.isEmpty)
        #expect(SPDX.validate(entry.licence) == nil)
        #expect(entry.descriptionEN != nil)
    }

    @Test func allValidFixturesImportIntoAKit() throws {
        let dir = try TemporaryDirectory()
        let kit = try CatalogueFixtures.kit(in: dir)
        let importer = CatalogueImporter(kitRoot: kit)
        let batch = try PublicCodeImporter.read(paths: [CatalogueFixtures.publiccodeTestdata], kitCategories: try importer.categories())
        // They all describe the same repository: one entry, the others noted as duplicates.
        #expect(batch.entries.count == 1)
        #expect(batch.notes.filter { $0.message.contains("même dépôt") }.count == 30)
        try importer.write(batch)
        #expect(!KitLoader(root: kit, displayPrefix: "").load().diagnostics.hasErrors)
    }

    @Test func messyFilesImport() throws {
        let dir = try TemporaryDirectory()
        let kit = try CatalogueFixtures.kit(in: dir)
        let importer = CatalogueImporter(kitRoot: kit)
        let batch = try PublicCodeImporter.read(
            paths: [CatalogueFixtures.folder.appendingPathComponent("publiccode-messy")], display: { $0.lastPathComponent },
            date: "2026-01-01", kitCategories: try importer.categories())
        // The Italian-only file is skipped with a note naming the file.
        #expect(batch.notes.contains { $0.file == "italian-only.yml" && $0.message.contains("pas de description en français ni en anglais") })
        #expect(batch.entries.map(\.name).sorted() == ["Old Scanner", "Registre des Délibérations", "Visio Mairie"])
        let report = try importer.write(batch)
        #expect(report.added.map(\.id) == ["old-scanner", "registre-des-deliberations", "visio-mairie"])
        let result = KitLoader(root: kit, displayPrefix: "").load()
        #expect(!result.diagnostics.hasErrors, "\(result.diagnostics)")
        let loaded = try #require(result.kit)

        let old = try #require(loaded.entry("registre-des-deliberations"))
        #expect(old.licence.value == "AGPL-3.0-or-later")  // lowercase id fixed
        #expect(old.platforms == ["linux", "windows"])  // « toaster » dropped
        #expect(old.categories.map(\.value) == ["gestion-documentaire"])
        #expect(old.users == ["Ville de Saint-Essai"])  // a single string
        #expect(old.developmentStatus == "stable" && old.maintenance == "community")
        #expect(old.website == nil)  // empty string
        #expect(old.description.fr.hasPrefix("Rédaction, vote et publication"))
        #expect(old.description.en == nil && !old.missingFrench)
        #expect(old.keywords.contains("Gestion des délibérations"))
        #expect(old.source == EntrySource(name: "publiccode", id: "https://git.example.fr/mairie/deliberations.git", date: "2026-01-01"))

        let english = try #require(loaded.entry("old-scanner"))
        #expect(english.missingFrench)
        #expect(english.description.en == "Scans paper mail into PDF.")
        #expect(english.licence.value == "MIT")

        let visio = try #require(loaded.entry("visio-mairie"))
        #expect(visio.providers == ["Société Visio", "Coop Libre"])
        #expect(visio.users.count == 2)
        #expect(visio.licence.value == "AGPL-3.0-or-later OR EUPL-1.2")
        #expect(visio.documentation == "https://docs.example.org/visio")
        #expect(visio.categories.map(\.value) == ["visioconference"])
    }

    @Test(arguments: [
        ("syntax.yml", 8, "YAML invalide"),
        ("not-a-mapping.yml", 1, "une table (clé: valeur) est attendue"),
        ("no-name.yml", 1, "champ « name » manquant"),
        ("wrong-type.yml", 4, "« description » : une table est attendue"),
    ])
    func malformedFilesGiveFileLineAndWriteNothing(_ name: String, _ line: Int, _ message: String) throws {
        let dir = try TemporaryDirectory()
        let kit = try CatalogueFixtures.kit(in: dir)
        let before = try TestKit.snapshot(kit)
        let paths = [
            CatalogueFixtures.folder.appendingPathComponent("publiccode-messy/modern.yml"),
            CatalogueFixtures.folder.appendingPathComponent("publiccode-malformed/\(name)"),
        ]
        do {
            let batch = try PublicCodeImporter.read(
                paths: paths, display: { $0.lastPathComponent }, kitCategories: try CatalogueImporter(kitRoot: kit).categories())
            try CatalogueImporter(kitRoot: kit).write(batch)
            Issue.record("a malformed file must not import")
        } catch let error as ImportError {
            let first = try #require(error.diagnostics.first)
            #expect(first.file == name)
            #expect(first.line == line, "\(first)")
            #expect(first.message.contains(message), "\(first)")
        }
        #expect(try TestKit.snapshot(kit) == before)
    }
}

/// The SILL snapshot shipped in the default kit (`payload/catalogue/imported/sill/`).
@Suite struct ShippedSILLImportTests {
    static let folder = Repo.root.appendingPathComponent("payload/catalogue/imported/sill")

    @Test func everyShippedFileReadsWithoutError() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasSuffix(".yml") }.sorted()
        #expect(files.count == 240)
        var sillIDs: Set<String> = []
        for file in files {
            let reader = ManifestReader(file: file)
            let node = try #require(reader.parse(contentsOf: Self.folder.appendingPathComponent(file)))
            let fields = try #require(reader.mapping(node, what: file))
            let entry = try #require(CatalogueEntry.read(fields, source: .curated, imported: true), "\(reader.diagnostics)")
            #expect(!reader.diagnostics.hasErrors, "\(reader.diagnostics)")
            #expect(entry.id.value + ".yml" == file)
            #expect(entry.source.name == "sill" && entry.source.licence == SILLImporter.licence && entry.source.date == "2022-05-10")
            if let sill = entry.sill { sillIDs.insert(sill) }
        }
        #expect(sillIDs.count == 240)
    }

    /// Re-importing the snapshot over the shipped files changes nothing: they are what the
    /// importer writes today. When this fails, run `scripts/import-sill` and commit.
    @Test func shippedFilesAreUpToDate() throws {
        let categories = Repo.root.appendingPathComponent("payload/categories.yml")
        let dir = try TemporaryDirectory()
        let kit = dir.path("kit")
        try FileManager.default.createDirectory(at: kit.appendingPathComponent("payload/catalogue/imported"), withIntermediateDirectories: true)
        // The kit's categories once the curated catalogue is merged; the same list meanwhile.
        let source = FileManager.default.fileExists(atPath: categories.path) ? categories : CatalogueFixtures.folder.appendingPathComponent("categories.yml")
        try FileManager.default.copyItem(at: source, to: kit.appendingPathComponent("payload/categories.yml"))
        try FileManager.default.copyItem(at: Self.folder, to: kit.appendingPathComponent("payload/catalogue/imported/sill"))
        let report = try CatalogueFixtures.importSILL(CatalogueFixtures.sillSnapshot, into: kit)
        #expect(report.unchanged, "scripts/import-sill: \(report.summary)")
    }
}
