import Foundation
import Testing

@testable import DemoKit

/// Queries a presenter types on the default kit (curated entries and the SILL), with
/// the first result they expect, in the database and on the page: needs,
/// replaced products, names with and without accents, hyphens and spaces.
@Suite(.serialized) struct PresenterSearchTests {
    /// Queries with the first result a presenter expects: needs, replaced products,
    /// names with and without accents, hyphens and spaces (`first`); broad queries
    /// with the software meant among the first five (`firstFive`). Shared with the
    /// browsers' check (scripts/site/presenter_search_check.py).
    struct Queries: Decodable {
        struct First: Decodable { var query: String; var first: String }
        struct FirstFive: Decodable { var query: String; var expected: [String] }
        var first: [First]
        var firstFive: [FirstFive]
    }

    static let queries: Queries = {
        let url = Repo.fixtures.appendingPathComponent("presenter-queries.json")
        return (try? JSONDecoder().decode(Queries.self, from: Data(contentsOf: url))) ?? Queries(first: [], firstFive: [])
    }()
    static let expectations = queries.first.map { (query: $0.query, first: $0.first) }
    static let firstFive = queries.firstFive.map { (query: $0.query, expected: $0.expected) }

    struct Built {
        var dir: TemporaryDirectory
        var search: CatalogueSearch
        var index: URL
    }

    static func build() throws -> Built {
        let dir = try TemporaryDirectory()
        let result = KitLoader(root: Repo.root, displayPrefix: "").load()
        let kit = try #require(result.kit, "\(result.diagnostics.filter { $0.severity == .error }.prefix(3))")
        let database = dir.path("catalogue.sqlite")
        try CatalogueWriter.write(kit, to: database)
        let index = dir.path("search-index.js")
        try SearchIndex(kit: kit).script.write(to: index, atomically: true, encoding: .utf8)
        return Built(dir: dir, search: try CatalogueSearch(databaseAt: database), index: index)
    }

    /// The page's results (ids) for each query, from Node running the theme's script.
    static func pageResults(_ queries: [String], index: URL, in dir: TemporaryDirectory) throws -> [[String]] {
        let file = dir.path("queries.json")
        try JSONEncoder().encode(queries).write(to: file)
        let result = try run(
            "node",
            [
                "-e",
                """
                global.window = global; require(process.argv[2]);
                const s = require(process.argv[1]); const index = new s.Index(window.DEMOKIT_SEARCH);
                console.log(JSON.stringify(require(process.argv[3]).map(q => index.search(q, {}, 10).results.map(r => r.doc[0]))));
                """, "--", SiteScriptTests.script, index.path, file.path,
            ])
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONDecoder().decode([[String]].self, from: Data(result.stdout.utf8))
    }

    @Test func firstResultsInTheDatabaseAndOnThePage() throws {
        #expect(Self.expectations.count >= 30 && Self.firstFive.count >= 4)
        let built = try Self.build()
        let queries = Self.expectations.map(\.query)
        let page = try Self.pageResults(queries, index: built.index, in: built.dir)
        for ((query, first), pageIDs) in zip(Self.expectations, page) {
            let database = try built.search.search(query, limit: 10).map(\.id)
            #expect(database.first == first, "« \(query) »: database gives \(database.prefix(5))")
            #expect(pageIDs == database, "« \(query) »: page \(pageIDs.prefix(5)), database \(database.prefix(5))")
        }
    }

    @Test func whatAPresenterMeansIsInTheFirstFive() throws {
        let built = try Self.build()
        let page = try Self.pageResults(Self.firstFive.map(\.query), index: built.index, in: built.dir)
        for ((query, expected), pageIDs) in zip(Self.firstFive, page) {
            let database = try built.search.search(query, limit: 10).map(\.id)
            for id in expected {
                #expect(database.prefix(5).contains(id), "« \(query) »: \(id) not in \(database.prefix(5))")
            }
            #expect(pageIDs == database, "« \(query) »: page \(pageIDs.prefix(5)), database \(database.prefix(5))")
        }
    }

    /// Inside a tier, software on the key (curated, in a profile, in the live system)
    /// come before bare imports, whatever the length of their texts.
    @Test func softwareOnTheKeyBeforeBareImports() throws {
        let built = try Self.build()
        let results = try built.search.search("bureautique", limit: 50)
        let kit = try #require(KitLoader(root: Repo.root, displayPrefix: "").load().kit)
        let standings = Dictionary(uniqueKeysWithValues: kit.catalogue.map { ($0.id.value, CatalogueSearch.standing($0, in: kit)) })
        for tier in Set(results.compactMap(\.tier)) {
            let inTier = results.filter { $0.tier == tier }.map { standings[$0.id] ?? 0 }
            #expect(inTier == inTier.sorted(by: >), "tier \(tier): \(inTier)")
        }
        let onKey = results.filter { (standings[$0.id] ?? 0) >= 1_000_000 }
        #expect(onKey.count >= 2)
    }
}
