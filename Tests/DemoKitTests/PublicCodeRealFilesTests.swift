import Foundation
import Testing

@testable import DemoKit

/// publiccode.yml files as public bodies write them: code.gouv.fr's dialect, other languages, fields of unexpected shapes, and
/// a batch where one file is broken.
@Suite struct PublicCodeRealFilesTests {
    static let real = CatalogueFixtures.folder.appendingPathComponent("publiccode-real")
    static let earlier = CatalogueFixtures.folder.appendingPathComponent("publiccode-earlier")

    static func read(_ paths: [URL], kit: URL, allOrNothing: Bool = false) throws -> ImportBatch {
        try PublicCodeImporter.read(
            paths: paths, display: { $0.lastPathComponent }, date: "2026-01-15",
            kitCategories: try CatalogueImporter(kitRoot: kit).categories(), allOrNothing: allOrNothing)
    }

    @Test func codeGouvFrDialectGivesUsersFundersAndRelease() throws {
        let dir = try TemporaryDirectory()
        let kit = try CatalogueFixtures.kit(in: dir)
        let batch = try Self.read([Self.real.appendingPathComponent("guichet-cimetiere.yml")], kit: kit, allOrNothing: true)
        let entry = try #require(batch.entries.first)
        #expect(entry.users == ["Ville d'Exemple", "Communauté de communes du Val d'Essai", "Mairie de Trifouillis"])
        #expect(entry.funders == ["Ville d'Exemple", "Région Exemple"])
        #expect(entry.version == "3.4.1" && entry.releaseDate == "2025-09-30")  // latestRelease
        #expect(entry.website == nil)  // landingURL: null
        #expect(entry.licence == "CECILL-2.1")
        #expect(entry.documentation == "https://docs.example.fr/guichet-cimetiere")
        #expect(!batch.notes.contains { $0.severity != .note }, "\(batch.notes)")

        try CatalogueImporter(kitRoot: kit).write(batch)
        let loaded = try #require(KitLoader(root: kit, displayPrefix: "").load().kit)
        #expect(try #require(loaded.entry("guichet-cimetiere")).users.count == 3)
    }

    @Test func standardFundedByWithURIAndOtherLanguages() throws {
        let dir = try TemporaryDirectory()
        let kit = try CatalogueFixtures.kit(in: dir)
        let batch = try Self.read([Self.real.appendingPathComponent("raadsinformatie-nl.yml")], kit: kit, allOrNothing: true)
        let entry = try #require(batch.entries.first)
        #expect(entry.users == ["Gemeente Voorbeeld", "Gemeente Proefstad"])
        // A funder given only by its uri has no name to show: a note, not a funder.
        #expect(entry.funders == ["Gemeente Voorbeeld"])
        #expect(batch.notes.contains { $0.line == 22 && $0.severity == .note && $0.message.contains("sans nom") })
        #expect(entry.descriptionEN == "Publishes council papers, agendas and decisions.")
        #expect(entry.providers == ["Voorbeeld Software B.V."])
        #expect(entry.categories == ["gestion-documentaire"])
    }

    /// Each field of an unexpected shape is a warning at its line and column; the
    /// rest of the file imports.
    @Test func fieldsOfOtherShapesAreWarningsAtTheirPosition() throws {
        let dir = try TemporaryDirectory()
        let kit = try CatalogueFixtures.kit(in: dir)
        let batch = try Self.read([Self.real.appendingPathComponent("odd-shapes.yml")], kit: kit, allOrNothing: true)
        let entry = try #require(batch.entries.first)
        let warnings = batch.notes.filter { $0.severity == .warning }
        let expected: [(Int, Int, String)] = [
            (7, 3, "landingURL"), (11, 3, "platforms"), (13, 20, "developmentStatus"), (16, 5, "usedBy"), (22, 7, "documentation"),
            (25, 9, "features"), (26, 7, "description.it"), (29, 14, "maintenance"),
        ]
        #expect(warnings.count == expected.count, "\(warnings)")
        for (line, column, key) in expected {
            #expect(
                warnings.contains { $0.file == "odd-shapes.yml" && $0.line == line && $0.column == column && $0.message.contains("« \(key) »") },
                "no warning at \(line):\(column) for \(key): \(warnings)")
        }
        #expect(entry.users == ["Ville de Quelquepart"])
        #expect(entry.funders == ["Département Exemple"])
        #expect(entry.platforms.isEmpty && entry.developmentStatus == nil && entry.maintenance == nil && entry.website == nil)
        #expect(entry.keywords == ["rendez-vous état civil"])
        #expect(entry.categories == ["relation-usagers"])  // a single string for the list
        #expect(entry.version == "1.2")
    }

    /// One broken file does not keep the others out: each file's problems are
    /// reported, the good files are imported.
    @Test func brokenFilesAreReportedAndTheOthersImported() throws {
        let dir = try TemporaryDirectory()
        let kit = try CatalogueFixtures.kit(in: dir)
        let batch = try Self.read([Self.real], kit: kit)
        #expect(batch.entries.map(\.name).sorted() == ["Guichet Cimetière", "Prise de RDV", "Raadsinformatie"])
        #expect(batch.refused.map(\.file) == ["registre-courrier.yml", "truncated.yml"])
        let courrier = try #require(batch.refused.first?.diagnostics.first)
        #expect((courrier.line, courrier.column, courrier.severity) == (7, 7, .error), "\(courrier)")
        #expect(courrier.message.contains("« description.fr » : une table est attendue"))
        #expect(batch.refused.first?.sourceID == "https://git.example.fr/ville/registre-courrier")
        let truncated = try #require(batch.refused.last?.diagnostics.first)
        #expect(truncated.line == 4 && truncated.message.contains("YAML invalide"), "\(truncated)")
        #expect(batch.refused.last?.sourceID == nil)

        let report = try CatalogueImporter(kitRoot: kit).write(batch)
        #expect(report.added.map(\.id) == ["guichet-cimetiere", "prise-de-rdv", "raadsinformatie"])
        #expect(report.refusedSummary?.contains("2 fichier(s) refusé(s)") == true)
        let result = KitLoader(root: kit, displayPrefix: "").load()
        #expect(!result.diagnostics.hasErrors, "\(result.diagnostics)")

        // Same files again: nothing changes.
        #expect(try CatalogueImporter(kitRoot: kit).write(try Self.read([Self.real], kit: kit)).unchanged)
    }

    @Test func allOrNothingRefusesTheBatch() throws {
        let dir = try TemporaryDirectory()
        let kit = try CatalogueFixtures.kit(in: dir)
        let before = try TestKit.snapshot(kit)
        #expect(throws: ImportError.self) { try Self.read([Self.real], kit: kit, allOrNothing: true) }
        do {
            _ = try Self.read([Self.real], kit: kit, allOrNothing: true)
        } catch let error as ImportError {
            #expect(error.diagnostics.map(\.file) == ["registre-courrier.yml", "truncated.yml"])
            #expect(error.diagnostics.allSatisfy { $0.severity == .error })
        }
        #expect(try TestKit.snapshot(kit) == before)
    }

    /// A file imported before and broken today keeps its previous entry, instead of
    /// disappearing from the catalogue.
    @Test func aRefusedFileKeepsItsPreviousEntry() throws {
        let dir = try TemporaryDirectory()
        let kit = try CatalogueFixtures.kit(in: dir)
        let importer = CatalogueImporter(kitRoot: kit)
        let first = try importer.write(try Self.read([Self.earlier, Self.real.appendingPathComponent("odd-shapes.yml")], kit: kit))
        #expect(first.added.map(\.id) == ["prise-de-rdv", "registre-courrier"])
        let kept = kit.appendingPathComponent("payload/catalogue/imported/publiccode/registre-courrier.yml")
        let text = try String(contentsOf: kept, encoding: .utf8)

        let second = try importer.write(try Self.read([Self.real], kit: kit))
        #expect(second.kept == ["registre-courrier"])
        #expect(second.removed.isEmpty, "\(second.summary)")
        #expect(second.refusedSummary?.contains("registre-courrier") == true)
        #expect(try String(contentsOf: kept, encoding: .utf8) == text)
    }

    @Test func commandLineReportsEachFileAndImportsTheRest() throws {
        let dir = try TemporaryDirectory()
        let kit = try CatalogueFixtures.kit(in: dir)
        let arguments = ["catalogue", "import", "--format", "publiccode", "publiccode-real", "--kit", kit.path]
        let before = try TestKit.snapshot(kit)
        let strict = try run(demokitBinary, arguments + ["--all-or-nothing"], cwd: CatalogueFixtures.folder)
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("publiccode-real/registre-courrier.yml:7:7: error: "))
        #expect(strict.stderr.contains("aucun fichier écrit"))
        #expect(try TestKit.snapshot(kit) == before)

        let partial = try run(demokitBinary, arguments, cwd: CatalogueFixtures.folder)
        #expect(partial.status == 1)
        #expect(partial.stdout.contains("+ guichet-cimetiere (Guichet Cimetière)"))
        #expect(partial.stderr.contains("publiccode-real/registre-courrier.yml:7:7: error: "))
        #expect(partial.stderr.contains("publiccode-real/truncated.yml:4:1: error: "))
        // Warnings are shown without --verbose; notes are counted.
        #expect(partial.stderr.contains("publiccode-real/odd-shapes.yml:13:20: warning: "))
        #expect(partial.stderr.contains("2 fichier(s) refusé(s)"))
        let validate = try run(demokitBinary, ["validate", "--kit", kit.path])
        #expect(validate.status == 0, "\(validate.stderr)")
    }
}
