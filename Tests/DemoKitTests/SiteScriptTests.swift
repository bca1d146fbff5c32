import Foundation
import Testing

@testable import DemoKit

/// The page's search code (payload/theme/assets/search.js) run by Node: it must
/// fold like Swift and rank like the database. The same file runs in Chromium and
/// Firefox in scripts/test.d/50-site.
@Suite struct SiteScriptTests {
    static let script = Repo.theme.appendingPathComponent("assets/search.js").path

    func node(_ program: String, _ arguments: [String]) throws -> String {
        let result = try run("node", ["-e", program, "--"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    @Test func foldingMatchesTheSharedVectors() throws {
        let vectors = Repo.fixtures.appendingPathComponent("folding-vectors.json").path
        let output = try node(
            """
            const s = require(process.argv[1]); const v = require(process.argv[2]);
            console.log(JSON.stringify(v.map(x => ({folded: s.fold(x.input), tokens: s.tokens(x.input)}))));
            """, [Self.script, vectors])
        struct Folded: Decodable, Equatable { var folded: String; var tokens: [String] }
        let got = try JSONDecoder().decode([Folded].self, from: Data(output.utf8))
        #expect(got.count == TextFoldingTests.vectors.count)
        for (vector, folded) in zip(TextFoldingTests.vectors, got) {
            #expect(folded == Folded(folded: vector.folded, tokens: vector.tokens), "\(vector.input)")
            #expect(TextFolding.tokens(vector.input) == folded.tokens)
        }
    }

    @Test func pageRanksLikeTheDatabase() throws {
        let dir = try TemporaryDirectory()
        let kit = try GeneratedKit.make(in: dir, entries: 300)
        let database = dir.path("catalogue.sqlite")
        try CatalogueWriter.write(kit, to: database)
        let search = try CatalogueSearch(databaseAt: database)
        let indexFile = dir.path("search-index.js")
        try SearchIndex(kit: kit).script.write(to: indexFile, atomically: true, encoding: .utf8)

        struct Query: Codable {
            var q: String
            var profil: String?
            var categorie: String?
            var licence: String?
            var plateforme: String?
        }
        let queries: [Query] =
            [
                "mairie", "élève", "ECOLE", "cim", "courrier délib", "œuvre", "oeuvre", "word", "microsoft", "tableur texte",
                "vi", "e", "zzz", "visio-conférence", "Suite", "d", "p", "ma", "réunion agenda", "gestion des courriers", "les suites", "des",
            ].map { Query(q: $0) } + [
                Query(q: "", profil: "beta"), Query(q: "", categorie: "cimetiere"), Query(q: "mairie", licence: "MIT"),
                Query(q: "e", plateforme: "linux"), Query(q: "texte", categorie: "bureautique", plateforme: "windows"),
            ]
        let queryFile = dir.path("queries.json")
        try JSONEncoder().encode(queries).write(to: queryFile)
        let output = try node(
            """
            global.window = global; require(process.argv[2]);
            const s = require(process.argv[1]); const index = new s.Index(window.DEMOKIT_SEARCH);
            const queries = require(process.argv[3]);
            console.log(JSON.stringify(queries.map(q => index.search(q.q, q).results.map(r => r.doc[0]))));
            """, [Self.script, indexFile.path, queryFile.path])
        let pageResults = try JSONDecoder().decode([[String]].self, from: Data(output.utf8))
        #expect(pageResults.count == queries.count)
        var nonEmpty = 0
        for (query, page) in zip(queries, pageResults) {
            let filters = CatalogueSearch.Filters(
                profile: query.profil, category: query.categorie, licence: query.licence, platform: query.plateforme)
            let expected = try search.search(query.q, filters: filters).map(\.id)
            #expect(page == expected, "« \(query.q) » \(filters): page \(page.prefix(8)) database \(expected.prefix(8))")
            if !expected.isEmpty { nonEmpty += 1 }
        }
        #expect(nonEmpty >= queries.count - 2)
    }
}
