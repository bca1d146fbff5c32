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
    ])
    func findsFrenchWordsWithAndWithoutAccents(_ query: String, _ expected: String) throws {
        let (_, search) = try database()
        let results = try search.search(query)
        #expect(results.first?.id == expected, "\(query) → \(results.map(\.id))")
    }

    @Test func nameMatchesRankFirst() throws {
        let (_, search) = try database()
        // "libre" is in the name of two entries and nowhere else for office.
        let results = try search.search("cimetiere")
        #expect(results.map(\.id) == ["cemetery"])
    }

    @Test func filters() throws {
        let (_, search) = try database()
        #expect(try search.search("", filters: .init(profile: "beta")).map(\.id).sorted() == ["office", "paint"])
        #expect(try search.search("", filters: .init(platform: "linux")).map(\.id).sorted() == ["office", "paint"])
        #expect(try search.search("", filters: .init(category: "cimetiere")).map(\.id) == ["cemetery"])
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
