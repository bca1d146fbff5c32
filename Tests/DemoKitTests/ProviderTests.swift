import Foundation
import GRDB
import Testing

@testable import DemoKit

/// Provider records (`payload/providers/`): reading, positioned errors, linking to
/// entries, the community health's input, the database rows and the pages.
@Suite struct ProviderTests {
    /// The minimal kit with these provider files (and `kit.yml` lines appended).
    func kit(_ files: [String: String], kitLines: String = "") throws -> (TemporaryDirectory, URL) {
        let dir = try TemporaryDirectory()
        let root = try TestKit.make(in: dir)
        let folder = root.appendingPathComponent("payload/providers")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        if !kitLines.isEmpty {
            let kitFile = root.appendingPathComponent("profiles/kit.yml")
            try (try String(contentsOf: kitFile, encoding: .utf8) + kitLines).write(to: kitFile, atomically: true, encoding: .utf8)
        }
        return (dir, root)
    }

    /// A record named like the fixture's « Société Exemple » (no accent, other case),
    /// serving Occitanie, that also lists `cemetery`.
    static let exemple = """
        id: societe-exemple
        name: SOCIETE exemple
        website: https://exemple.org/
        kind: cooperative
        regions: [occitanie]
        departements: ["34", "30"]
        software: [cemetery]
        sources:
          - facts: [name, website, kind, regions, departements]
            url: https://exemple.org/mentions
            date: 2026-12-04
          - facts: [software]
            document: Plaquette 2026
            date: 2026-12-01

        """

    static let national = """
        id: partout
        name: Partout
        kind: company
        national: true
        software: [paint]
        sources:
          - {facts: [name, kind, national, software], url: "https://partout.example/", date: 2026-12-04}

        """

    func messages(_ root: URL) -> [String] {
        KitLoader(root: root, displayPrefix: "").load().diagnostics.map(\.description)
    }

    @Test func readsARecord() throws {
        let (dir, root) = try kit(["societe-exemple.yml": Self.exemple], kitLines: "region: provence alpes cote d'azur\n")
        defer { withExtendedLifetime(dir) {} }
        let result = KitLoader(root: root, displayPrefix: "").load()
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let kit = try #require(result.kit)
        #expect(kit.settings.region == "Provence-Alpes-Côte d'Azur")
        let provider = try #require(kit.provider("societe-exemple"))
        #expect(provider.kind == .cooperative)
        #expect(provider.regions == ["Occitanie"])
        #expect(provider.departements == ["34", "30"])
        #expect(provider.servedDepartements.count == 13)
        #expect(provider.servedRegions == ["Occitanie"])
        #expect(provider.source(of: "software")?.document == "Plaquette 2026")
        #expect(provider.source(of: "kind")?.url == "https://exemple.org/mentions")
    }

    @Test func reportsBadInputAtItsPlace() throws {
        let text = """
            id: mauvais
            name: Mauvais
            kind: company
            regions: [Occitanie, Bretagnee]
            departements: ["34", "13", "345"]
            software: [ofice]
            sources:
              - facts: [name, kind, regions, departements, software, site]
                url: https://mauvais.example/
                date: 2026-13-01

            """
        let kind = "id: genre\nname: Genre\nkind: entreprise\nsources: [{facts: [name, kind], url: https://genre.example/, date: 2026-12-04}]\n"
        let (dir, root) = try kit(["mauvais.yml": text, "genre.yml": kind], kitLines: "region: Nord\n")
        defer { withExtendedLifetime(dir) {} }
        let found = messages(root)
        let expected = [
            "profiles/kit.yml:11:9: error: région inconnue « Nord »",
            "payload/providers/genre.yml:3:7: error: « kind » : valeur inconnue « entreprise »",
            "payload/providers/mauvais.yml:4:22: error: région inconnue « Bretagnee »",
            "payload/providers/mauvais.yml:5:22: error: le département 13 (Bouches-du-Rhône) est en Provence-Alpes-Côte d'Azur",
            "payload/providers/mauvais.yml:5:28: error: département inconnu « 345 »",
            "payload/providers/mauvais.yml:6:12: error: logiciel inconnu « ofice »",
            "payload/providers/mauvais.yml:8:58: error: fait inconnu « site »",
            "payload/providers/mauvais.yml:10:11: error: date invalide « 2026-13-01 »",
        ]
        for prefix in expected {
            #expect(found.contains { $0.hasPrefix(prefix) }, "\(prefix)\n\(found.joined(separator: "\n"))")
        }
        #expect(found.contains { $0.contains("vouliez-vous dire « Bretagne » ?") })
        #expect(found.contains { $0.contains("vouliez-vous dire « office » ?") })
    }

    @Test func everyFactNeedsASource() throws {
        let text = """
            id: sans-source
            name: Sans source
            kind: company
            national: true
            sources:
              - {facts: [name, kind], url: "https://sans.example/", date: 2026-12-04}
              - {facts: [name], date: 2026-12-04}

            """
        let (dir, root) = try kit(["sans-source.yml": text])
        defer { withExtendedLifetime(dir) {} }
        let found = messages(root)
        #expect(found.contains { $0.hasPrefix("payload/providers/sans-source.yml:6:3: error: faits sans source : national") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("payload/providers/sans-source.yml:7:5: error: source sans référence") }, "\(found)")
    }

    @Test func linksEntriesByNameAndBySoftwareList() throws {
        let (dir, root) = try kit(["societe-exemple.yml": Self.exemple, "partout.yml": Self.national])
        defer { withExtendedLifetime(dir) {} }
        let kit = try #require(KitLoader(root: root, displayPrefix: "").load().kit)
        let office = try #require(kit.entry("office"))
        // « Société Exemple » in office.yml is the record « SOCIETE exemple ».
        #expect(kit.providers(of: office).map(\.name) == ["SOCIETE exemple"])
        #expect(kit.providers(of: office).first?.record?.id.value == "societe-exemple")
        let cemetery = try #require(kit.entry("cemetery"))
        let linked = kit.providers(of: cemetery)
        #expect(linked.contains { $0.record?.id.value == "societe-exemple" })
        // The health counts the linked providers once each.
        let before = CommunityHealth.compute(cemetery, reference: kit.settings.date).inputs.first { $0.key == "providers" }
        let after = kit.health(of: cemetery).inputs.first { $0.key == "providers" }
        #expect(cemetery.providers.isEmpty && linked.count == 1)
        #expect(before?.value.fr == "0" && after?.value.fr == "1")
        #expect((after?.points ?? 0) > (before?.points ?? 0))
        let byProvider = kit.softwarePositionsByProvider()
        #expect(Set((byProvider["societe-exemple"] ?? []).map { kit.catalogue[$0].id.value }) == ["office", "cemetery"])
        #expect((byProvider["partout"] ?? []).map { kit.catalogue[$0].id.value } == ["paint"])
    }

    @Test func namesWithoutARecordStayPlain() throws {
        let (dir, root) = try kit(["partout.yml": Self.national])
        defer { withExtendedLifetime(dir) {} }
        let kit = try #require(KitLoader(root: root, displayPrefix: "").load().kit)
        let office = try #require(kit.entry("office"))
        #expect(kit.providers(of: office) == [EntryProvider(name: "Société Exemple", record: nil)])
        #expect(kit.health(of: office) == CommunityHealth.compute(office, reference: kit.settings.date))
    }

    @Test func writesProviderRows() throws {
        let (dir, root) = try kit(["societe-exemple.yml": Self.exemple, "partout.yml": Self.national])
        defer { withExtendedLifetime(dir) {} }
        let kit = try #require(KitLoader(root: root, displayPrefix: "").load().kit)
        let url = dir.path("catalogue.sqlite")
        try CatalogueWriter.write(kit, to: url)
        let queue = try DatabaseQueue(path: url.path)
        try queue.read { db in
            let providers = try Row.fetchAll(db, sql: "SELECT id, kind, national FROM provider ORDER BY id")
            #expect(providers.map { $0["id"] as String } == ["partout", "societe-exemple"])
            #expect(providers.map { $0["national"] as Int } == [1, 0])
            let software = try Row.fetchAll(
                db, sql: "SELECT software_id, via FROM provider_software WHERE provider_id = 'societe-exemple' ORDER BY software_id")
            #expect(software.map { "\($0["software_id"] as String)/\($0["via"] as String)" } == ["cemetery/record", "office/name"])
            let areas = try String.fetchAll(db, sql: "SELECT kind || ':' || value FROM provider_area WHERE provider_id = 'societe-exemple' ORDER BY 1")
            #expect(areas == ["departement:30", "departement:34", "region:Occitanie"])
            let source = try Row.fetchOne(db, sql: "SELECT url, document, date FROM provider_fact WHERE provider_id = 'societe-exemple' AND fact = 'software'")
            #expect(source?["document"] as String? == "Plaquette 2026")
            #expect(source?["date"] as String? == "2026-12-01")
            // Who serves the Gard: the record (declared there) and the national one.
            let gard = try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT p.id FROM provider p LEFT JOIN provider_area a ON a.provider_id = p.id
                    WHERE (a.kind = 'departement' AND a.value = '30') OR p.national = 1 ORDER BY p.id
                    """)
            #expect(gard == ["partout", "societe-exemple"])
            #expect(try String.fetchOne(db, sql: "SELECT region FROM departement WHERE code = '2A'") == "Corse")
        }
    }

    @Test func pagesLinkProvidersBothWays() throws {
        let exemple = Self.exemple.replacingOccurrences(of: "name: SOCIETE exemple", with: "name: \"SOCIETE <b>exemple</b>\"")
        let (dir, root) = try kit(["societe-exemple.yml": exemple, "partout.yml": Self.national], kitLines: "region: Occitanie\n")
        defer { withExtendedLifetime(dir) {} }
        var options = KitBuilder.Options(kitRoot: root, output: dir.path("out"))
        options.displayPrefix = ""
        options.environment = [:]
        _ = try KitBuilder(options: options).build()
        func page(_ path: String) throws -> String {
            try String(contentsOf: dir.path("out/catalogue/" + path), encoding: .utf8)
        }
        for language in ["", "en/"] {
            let office = try page(language + "logiciels/office.html")
            #expect(office.contains("<a href=\"../prestataires/societe-exemple.html\">SOCIETE &lt;b&gt;exemple&lt;/b&gt;</a>"))
            #expect(office.contains("Hérault (34)"))
            let list = try page(language + "prestataires.html")
            #expect(!list.contains("<b>exemple"))
            // « Près de chez vous » comes first and holds the Occitanie record only.
            let near = try #require(list.range(of: "id=\"pres-de-chez-vous\""))
            let all = try #require(list.range(of: "id=\"tous-prestataires\""))
            let nearPart = String(list[near.upperBound..<all.lowerBound])
            #expect(nearPart.contains("data-id=\"societe-exemple\"") && !nearPart.contains("data-id=\"partout\""))
            #expect(list.contains("data-id=\"partout\" data-departements=\"\" data-regions=\"\" data-national=\"1\""))
            let record = try page(language + "prestataires/societe-exemple.html")
            #expect(record.contains("href=\"../logiciels/cemetery.html\"") && record.contains("href=\"../logiciels/office.html\""))
            #expect(record.contains("Plaquette 2026"))
        }
    }
}
