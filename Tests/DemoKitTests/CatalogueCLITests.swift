import Foundation
import Testing

@testable import DemoKit

/// Runs every ```sql block of docs/catalogue-database.md through the stock `sqlite3`.
@Suite struct CatalogueDocsTests {
    static let queries: [String] = {
        let url = Repo.root.appendingPathComponent("docs/catalogue-database.md")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.components(separatedBy: "```sql\n").dropFirst().compactMap { $0.components(separatedBy: "```").first }
    }()

    static func database(in dir: TemporaryDirectory) throws -> URL {
        let kit = try CatalogueFixtures.kit(in: dir)
        _ = try CatalogueFixtures.importSILL(CatalogueFixtures.folder.appendingPathComponent("sill/sill-2022-01-01.json"), into: kit)
        let loaded = try #require(KitLoader(root: kit, displayPrefix: "").load().kit)
        let url = dir.path("catalogue.sqlite")
        try CatalogueWriter.write(loaded, to: url)
        return url
    }

    @Test func theDocumentHasQueries() { #expect(Self.queries.count >= 10) }

    @Test func documentedQueriesRunReadOnly() throws {
        let dir = try TemporaryDirectory()
        let db = try Self.database(in: dir)
        for query in Self.queries {
            let result = try run("sqlite3", ["-readonly", "-bail", db.path, query])
            #expect(result.status == 0 && result.stderr.isEmpty, "\(query)\n\(result.stderr)")
            #expect(!result.stdout.isEmpty, "no row for:\n\(query)")
        }
        let word = try run(
            "sqlite3",
            [
                "-readonly", db.path,
                "SELECT s.id FROM software_search JOIN software s ON s.rowid = software_search.rowid WHERE software_search MATCH '{name replaces} : word*';",
            ])
        #expect(word.stdout.split(separator: "\n").sorted() == ["libreoffice", "office"])
        // Read-only really is: a write fails.
        let write = try run("sqlite3", ["-readonly", db.path, "DELETE FROM software;"])
        #expect(write.status != 0)
    }

    @Test func everyTableIsDocumented() throws {
        let dir = try TemporaryDirectory()
        let db = try Self.database(in: dir)
        let doc = try String(contentsOf: Repo.root.appendingPathComponent("docs/catalogue-database.md"), encoding: .utf8)
        let tables = try run(
            "sqlite3",
            [
                "-readonly", db.path,
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'software_search_%' AND name NOT LIKE 'grdb_%' ORDER BY name;",
            ])
        for table in tables.stdout.split(separator: "\n") {
            #expect(doc.contains("`\(table)`") || doc.contains("`\(table).") || doc.contains("`organisation` and `software_organisation`"), "\(table)")
        }
        let columns = try run("sqlite3", ["-readonly", db.path, "SELECT name FROM pragma_table_info('software');"])
        for column in columns.stdout.split(separator: "\n") {
            #expect(doc.contains("`\(column)`") || doc.contains("`\(column),") || doc.contains(", `\(column)`"), "software.\(column)")
        }
    }
}

/// `demokit catalogue …` through the built binary: exit codes, output, JSON.
@Suite struct CatalogueCLITests {
    @Test func searchPrintsRankedJSON() throws {
        let dir = try TemporaryDirectory()
        let kit = try TestKit.make(in: dir)
        let result = try run(demokitBinary, ["catalogue", "search", "Word", "--kit", kit.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(json.first?["id"] as? String == "office")
        #expect(json.first?["tier"] as? Int == 1)
        #expect(json.first?["health_level"] as? String != nil)

        let text = try run(demokitBinary, ["catalogue", "search", "cime", "--kit", kit.path])
        #expect(text.status == 0)
        #expect(text.stdout.hasPrefix("cemetery\tCimetière Libre"))

        let filtered = try run(demokitBinary, ["catalogue", "search", "", "--kit", kit.path, "--platform", "linux", "--licence", "MPL-2.0", "--json"])
        let ids = (try JSONSerialization.jsonObject(with: Data(filtered.stdout.utf8)) as? [[String: Any]])?.compactMap { $0["id"] as? String }
        #expect(ids == ["office"])
    }

    @Test func searchAndShowOnABuiltDatabase() throws {
        let dir = try TemporaryDirectory()
        let db = try CatalogueDocsTests.database(in: dir)
        let search = try run(demokitBinary, ["catalogue", "search", "correction grammaticale", "--db", db.path, "--json"])
        #expect(search.status == 0, "\(search.stderr)")
        let ids = (try JSONSerialization.jsonObject(with: Data(search.stdout.utf8)) as? [[String: Any]])?.compactMap { $0["id"] as? String }
        #expect(ids?.sorted() == ["grammalecte-firefox", "grammalecte-libreoffice"])

        let show = try run(demokitBinary, ["catalogue", "show", "cimetiere-facile", "--db", db.path, "--json"])
        #expect(show.status == 0, "\(show.stderr)")
        let details = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        #expect(details["sill_status"] as? String == "recommended")
        let health = try #require(details["health"] as? [String: Any])
        #expect((health["inputs"] as? [Any])?.count == 6)
        #expect(health["reference_date"] as? String == "2026-01-15")
        let facts = try #require(details["facts"] as? [[String: Any]])
        #expect(facts.contains { $0["field"] as? String == "sill_years" && $0["source"] as? String == "sill" && $0["source_ref"] as? String == "10" })
        let sources = try #require(details["sources"] as? [[String: Any]])
        #expect(sources.contains { $0["credit"] as? String == SILLImporter.credit })

        // « office » (curated) merged with the SILL's « Suite Bureau ».
        let text = try run(demokitBinary, ["catalogue", "show", "office", "--db", db.path])
        #expect(text.status == 0)
        #expect(text.stdout.contains("Santé de la communauté / Community health"))
        #expect(text.stdout.contains("description ← curated"))
        #expect(text.stdout.contains("sill_status ← sill #14 (2022-01-01)"))
        #expect(text.stdout.contains("SILL — DINUM / Etalab, Licence Ouverte 2.0"))

        let unknown = try run(demokitBinary, ["catalogue", "show", "libreofice", "--db", db.path])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("vouliez-vous dire « libreoffice »"))

        let missing = try run(demokitBinary, ["catalogue", "search", "x", "--db", dir.path("nope.sqlite").path])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("base du catalogue introuvable"))
    }

    @Test func importReportsChangesAndFailsCleanly() throws {
        let dir = try TemporaryDirectory()
        let kit = try CatalogueFixtures.kit(in: dir)
        let sill = CatalogueFixtures.folder.appendingPathComponent("sill")
        let first = try run(
            demokitBinary, ["catalogue", "import", "--format", "sill", sill.appendingPathComponent("sill-2022-01-01.json").path, "--kit", kit.path])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("5 ajouté(s)"))
        let again = try run(
            demokitBinary, ["catalogue", "import", "--format", "sill", sill.appendingPathComponent("sill-2022-01-01.json").path, "--kit", kit.path])
        #expect(again.stdout.contains("rien n'a changé / sill: 5 software, nothing changed"))
        let newer = try run(
            demokitBinary, ["catalogue", "import", "--format", "sill", sill.appendingPathComponent("sill-2022-02-01.json").path, "--kit", kit.path])
        #expect(newer.stdout.contains("- vieux-logiciel (Vieux Logiciel)"))

        let before = try TestKit.snapshot(kit)
        let broken = try run(demokitBinary, ["catalogue", "import", "--format", "sill", "sill-malformed.json", "--kit", kit.path], cwd: sill)
        #expect(broken.status == 1)
        #expect(broken.stderr.hasPrefix("sill-malformed.json:80:5: error: "))
        #expect(broken.stderr.contains("aucun fichier écrit / "))
        #expect(try TestKit.snapshot(kit) == before)

        let publiccode = try run(
            demokitBinary,
            [
                "catalogue", "import", "--format", "publiccode", CatalogueFixtures.folder.appendingPathComponent("publiccode-messy").path, "--kit", kit.path,
                "--verbose",
            ])
        #expect(publiccode.status == 0, "\(publiccode.stderr)")
        #expect(publiccode.stdout.contains("+ visio-mairie"))
        #expect(publiccode.stderr.contains("italian-only.yml"))
        let validate = try run(demokitBinary, ["validate", "--kit", kit.path])
        #expect(validate.status == 0, "\(validate.stderr)")
    }

    @Test func checkReportsQualityAndFailsOnlyOnErrors() throws {
        let dir = try TemporaryDirectory()
        let kit = try CatalogueFixtures.kit(in: dir)
        _ = try CatalogueFixtures.importSILL(CatalogueFixtures.folder.appendingPathComponent("sill/sill-2022-01-01.json"), into: kit)
        let batch = try PublicCodeImporter.read(
            paths: [CatalogueFixtures.folder.appendingPathComponent("publiccode-messy")], kitCategories: try CatalogueImporter(kitRoot: kit).categories())
        try CatalogueImporter(kitRoot: kit).write(batch)
        let check = try run(demokitBinary, ["catalogue", "check", "--kit", kit.path])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let out = check.stdout
        #expect(out.contains("« old-scanner » : pas de description en français"))
        #expect(out.contains("licence inconnue « LicenseRef-unknown »"))
        #expect(out.contains("identifiant SPDX obsolète « AGPL-3.0 »"))
        #expect(out.contains("même logiciel en double ? (name) : grammalecte-firefox"))
        #expect(out.contains("« cemetery » n'a aucune livraison Windows ni Linux"))
        #expect(out.contains(": warning: "))
        #expect(out.contains("0 erreur(s)"))

        let brokenDir = try TemporaryDirectory()
        let broken = try TestKit.make(in: brokenDir, overlay: "missing-reference")
        let failing = try run(demokitBinary, ["catalogue", "check", "--kit", broken.path])
        #expect(failing.status == 1)
        #expect(failing.stdout.contains("application inconnue"))
    }
}
