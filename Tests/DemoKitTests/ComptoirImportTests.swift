import Foundation
import Testing

@testable import DemoKit

/// `demokit catalogue import --format comptoir`: the Comptoir du Libre's export adds
/// users and providers to the kit's software.
@Suite struct ComptoirImportTests {
    static let folder = CatalogueFixtures.folder.appendingPathComponent("comptoir")
    static let export = folder.appendingPathComponent("comptoir-du-libre_export_v1.json")

    /// The catalogue fixtures' kit with the small SILL imported: curated LibreOffice
    /// (SILL 78), Gimp, Suite Bureau, Cimetière Libre; imported Cimetière Facile (SILL
    /// 10, Comptoir 501).
    static func kit(in dir: TemporaryDirectory) throws -> URL {
        let kit = try CatalogueFixtures.kit(in: dir)
        try CatalogueFixtures.importSILL(CatalogueFixtures.folder.appendingPathComponent("sill/sill-2022-01-01.json"), into: kit)
        return kit
    }

    static func importExport(_ file: URL = export, into kit: URL) throws -> (ImportBatch, CatalogueImporter.Report) {
        let batch = try ComptoirImporter.read(contentsOf: file, display: file.lastPathComponent, kitRoot: kit)
        return (batch, try CatalogueImporter(kitRoot: kit).write(batch))
    }

    @Test func messyExportCompletesTheKitsSoftware() throws {
        let dir = try TemporaryDirectory()
        let kit = try Self.kit(in: dir)
        let (batch, report) = try Self.importExport(into: kit)
        #expect(batch.source.name == "comptoir" && batch.source.date == "2026-02-01")  // date_of_export
        // Found by SILL id (LibreOffice), Comptoir id (Cimetière Facile), name (the others).
        #expect(report.added.map(\.id) == ["cimetiere-facile", "cemetery", "libreoffice", "office", "retouche"].sorted())
        let notes = batch.notes.map(\.message)
        #expect(notes.contains { $0.contains("« Logiciel Inconnu » ignoré : absent du kit (id SILL 99999 inconnu du kit)") })
        #expect(notes.contains { $0.contains("« Coop Libre » en double : gardé une fois") })
        #expect(notes.contains { $0.contains("« Jean Dupont » est une personne") })
        #expect(notes.contains { $0.contains("annonce 7 logiciels et en contient 6") })
        // A field of another shape is a warning at its position.
        let warning = try #require(batch.notes.first { $0.severity == .warning })
        #expect(warning.message.contains("« providers » : une liste est attendue") && warning.message.contains("$.softwares[5].providers"))
        #expect((warning.line, warning.column) == (85, 20), "\(warning)")

        let result = KitLoader(root: kit, displayPrefix: "").load()
        #expect(!result.diagnostics.hasErrors, "\(result.diagnostics.filter { $0.severity == .error })")
        let loaded = try #require(result.kit)

        let office = try #require(loaded.entry("libreoffice"))
        #expect(office.comptoir == "61")
        // Curated spellings win: « SOCIETE EXEMPLE » is the kit's « Société Exemple »;
        // « Ville d'Essai » is not doubled; a person is not listed.
        #expect(office.users == ["Ville d'Essai", "Mairie de Trifouillis"])
        #expect(office.providers == ["Société Exemple"])
        #expect(office.website == "https://www.libreoffice.org")
        #expect(office.description.fr == "Suite bureautique rédigée par l'association.")  // curated text kept

        // Same Comptoir organisation id, another spelling: the first one.
        let suite = try #require(loaded.entry("office"))
        #expect(suite.users == ["Ville d'Essai", "Département Exemple"])
        #expect(suite.comptoir == "900")

        // An imported (SILL) entry keeps its text, and gains the providers, once each.
        let cemetery = try #require(loaded.entry("cimetiere-facile"))
        #expect(cemetery.providers == ["Société Exemple", "Coop Libre"])
        #expect(cemetery.users == ["Commune de Saint-Exemple"])
        #expect(cemetery.sillStatus == "recommended" && cemetery.sill == "10")
        #expect(cemetery.description.fr == "Gestion des concessions du cimetière.")
        #expect(cemetery.website == "https://cimetiere.example.org")

        let gimp = try #require(loaded.entry("retouche"))
        #expect(gimp.repository == "https://gitlab.gnome.org/GNOME/gimp")
        #expect(gimp.users == ["Mairie de Trifouillis"])
        #expect(try #require(loaded.entry("cemetery")).users == ["Ville de Quelquepart"])
        #expect(loaded.entry("logiciel-inconnu") == nil)
    }

    @Test func reimportChangesNothing() throws {
        let dir = try TemporaryDirectory()
        let kit = try Self.kit(in: dir)
        _ = try Self.importExport(into: kit)
        let before = try TestKit.snapshot(kit)
        let (_, again) = try Self.importExport(into: kit)
        #expect(again.unchanged, "\(again.summary)")
        #expect(try TestKit.snapshot(kit) == before)
    }

    /// A provider record (`payload/providers/<id>.yml`) with a Comptoir id names the
    /// provider, whatever the Comptoir calls it.
    @Test func providerRecordsMatchByComptoirID() throws {
        let dir = try TemporaryDirectory()
        let kit = try Self.kit(in: dir)
        let providers = kit.appendingPathComponent("payload/providers")
        try FileManager.default.createDirectory(at: providers, withIntermediateDirectories: true)
        try "id: coop-libre\nname: Coopérative Libre du Nord\ncomptoir: \"101\"\n".write(
            to: providers.appendingPathComponent("coop-libre.yml"), atomically: true, encoding: .utf8)
        let (batch, _) = try Self.importExport(into: kit)
        let cemetery = try #require(batch.entries.first { $0.sourceID == "501" })
        #expect(cemetery.providers == ["Société Exemple", "Coopérative Libre du Nord"])
    }

    @Test(arguments: [
        ("comptoir-malformed.json", 6, 25, "champ « name » (texte) manquant ($.softwares[1].name)"),
        ("comptoir-not-an-export.json", 1, 1, "export du Comptoir du Libre attendu"),
    ])
    func malformedExportsGivePositionsAndWriteNothing(_ name: String, _ line: Int, _ column: Int, _ message: String) throws {
        let dir = try TemporaryDirectory()
        let kit = try Self.kit(in: dir)
        let before = try TestKit.snapshot(kit)
        do {
            _ = try Self.importExport(Self.folder.appendingPathComponent(name), into: kit)
            Issue.record("a malformed export must not import")
        } catch let error as ImportError {
            let first = try #require(error.diagnostics.first)
            #expect(first.file == name)
            #expect((first.line, first.column) == (line, column), "\(first)")
            #expect(first.message.contains(message), "\(first)")
        }
        #expect(try TestKit.snapshot(kit) == before)
    }

    @Test func duplicateSoftwareIDsAreErrors() throws {
        let dir = try TemporaryDirectory()
        let kit = try Self.kit(in: dir)
        #expect {
            try Self.importExport(Self.folder.appendingPathComponent("comptoir-malformed.json"), into: kit)
        } throws: { error in
            (error as? ImportError)?.diagnostics.contains { $0.line == 7 && $0.column == 13 && $0.message.contains("déjà ligne 5") } == true
        }
    }

    @Test func commandLine() throws {
        let dir = try TemporaryDirectory()
        let kit = try Self.kit(in: dir)
        let arguments = ["catalogue", "import", "--format", "comptoir", "comptoir-du-libre_export_v1.json", "--kit", kit.path]
        let first = try run(demokitBinary, arguments, cwd: Self.folder)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("comptoir : 5 logiciels — 5 ajouté(s)"))
        #expect(first.stderr.contains("comptoir-du-libre_export_v1.json:85:20: warning: "))  // the warning, shown without --verbose
        let again = try run(demokitBinary, arguments, cwd: Self.folder)
        #expect(again.stdout.contains("rien n'a changé"))
        let broken = try run(
            demokitBinary, ["catalogue", "import", "--format", "comptoir", "comptoir-malformed.json", "--kit", kit.path], cwd: Self.folder)
        #expect(broken.status == 1)
        #expect(broken.stderr.hasPrefix("comptoir-malformed.json:6:25: error: "))
        let validate = try run(demokitBinary, ["validate", "--kit", kit.path])
        #expect(validate.status == 0, "\(validate.stderr)")
    }
}

@Suite struct ImportOrderTests {
    static func entry(_ id: String, file: String, sill: String, source: String, website: String? = nil) -> CatalogueEntry {
        CatalogueEntry(
            id: Located(id, file: file, line: 1, column: 1), name: id.capitalized, description: LocalizedText(fr: "Texte"),
            categories: [], licence: Located("GPL-3.0-or-later", file: file, line: 1, column: 1), website: website, sill: sill,
            source: EntrySource(name: source))
    }

    /// A Comptoir du Libre entry that names a SILL id joins the SILL's entry, even
    /// when its folder sorts first (`imported/a-comptoir/` before `imported/sill/`).
    @Test func comptoirEntriesJoinTheSILLEntryWhateverTheFolders() {
        var diagnostics: [Diagnostic] = []
        let sill = Self.entry("grist", file: "payload/catalogue/imported/sill/grist.yml", sill: "42", source: "sill")
        let comptoir = Self.entry(
            "grist-core", file: "payload/catalogue/imported/a-comptoir/grist-core.yml", sill: "42", source: "comptoir",
            website: "https://example.org/grist")
        let merged = CatalogueMerge.merge(curated: [], imported: [comptoir, sill], diagnostics: &diagnostics)
        #expect(diagnostics.isEmpty)
        #expect(merged.map(\.id.value) == ["grist"])
        #expect(merged.first?.website == "https://example.org/grist")
    }
}
