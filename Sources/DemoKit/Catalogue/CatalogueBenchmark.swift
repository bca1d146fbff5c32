import Foundation

/// `demokit catalogue bench`: imports, indexes and queries a generated catalogue
/// (SILL-format JSON, default 10,000 entries) through the real code paths, and
/// reports times and query latency percentiles. Deterministic data (a fixed
/// pseudo-random sequence); the times of course depend on the machine.
public struct CatalogueBenchmark {
    public struct Result: Sendable, Codable {
        var entries: Int
        var generateSeconds: Double
        var parseSeconds: Double
        var importSeconds: Double
        var loadSeconds: Double
        var indexSeconds: Double
        var databaseBytes: Int
        var queries: Int
        var p50Milliseconds: Double
        var p95Milliseconds: Double
        var maxMilliseconds: Double

        public var text: String {
            func s(_ value: Double) -> String { String(format: "%.2f s", value) }
            func ms(_ value: Double) -> String { String(format: "%.2f ms", value) }
            return """
                entries: \(entries)
                generate JSON: \(s(generateSeconds))
                parse SILL JSON (\(entries - 1) entries): \(s(parseSeconds))
                import: write \(entries - 1) YAML files (checked by the kit reader): \(s(importSeconds))
                load kit (read + validate + merge): \(s(loadSeconds))
                build catalogue.sqlite (with FTS5 index): \(s(indexSeconds)) (\(databaseBytes / 1024) KiB)
                queries: \(queries), p50 \(ms(p50Milliseconds)), p95 \(ms(p95Milliseconds)), max \(ms(maxMilliseconds))
                """
        }
    }

    var entries: Int
    var rounds: Int

    public init(entries: Int = 10_000, rounds: Int = 20) {
        self.entries = entries
        self.rounds = rounds
    }

    static let words = [
        "courrier", "cimetière", "visioconférence", "élections", "urbanisme", "délibérations", "tableur", "traitement", "texte", "agenda",
        "messagerie", "sondage", "archivage", "signature", "parapheur", "facturation", "budget", "état civil", "cantine", "bibliothèque",
        "école", "élèves", "œuvres", "cartographie", "cadastre", "plan", "réunion", "gestion", "partage", "fichiers", "photo", "vidéo",
    ]
    static let products = ["Word", "Excel", "Outlook", "Teams", "Photoshop", "Zoom", "SharePoint", "Acrobat", "Dropbox", "Skype"]
    static let queries = [
        "courrier", "gestion du courrier", "cime", "cimetiere", "visio", "Word", "Teams", "photoshop", "eleve", "oeuvre", "élections",
        "tableur", "agenda partagé", "signature électronique", "plan cadastre", "budget", "x", "zzz", "logiciel 42", "réunion vidéo",
    ]

    /// A deterministic linear congruential generator.
    struct Random {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    func generateSILL() -> Data {
        var random = Random(state: 42)
        var items: [String] = []
        let statuses = ["R", "O", "FR"]
        let licences = ["GPL-3.0-only", "AGPL-3.0", "MIT", "MPL-2.0", "Apache-2.0", "GPL V2.0", "LGPL-2.1, LGPL-3.0", "N/A"]
        let categories = [
            "Consultation et édition de documents", "Outil collaboratif", "Outil métier", "Messagerie agenda contacts", "Visiophonie", "Test & Intégration",
        ]
        for index in 1...entries {
            let name = "\(Self.words[random.next(Self.words.count)].capitalized) \(Self.words[random.next(Self.words.count)]) \(index)"
            let function = (0..<6).map { _ in Self.words[random.next(Self.words.count)] }.joined(separator: " ")
            let years = (2018...2022).filter { _ in random.next(2) == 0 }.map(String.init).joined(separator: " ; ")
            func json(_ text: String) -> String {
                "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            }
            items.append(
                """
                {"id":\(json(String(index))),"i":\(json(name)),"f":\(json("Gestion \(function)")),"c":\(json(categories[random.next(categories.count)])),\
                "l":\(json(licences[random.next(licences.count)])),"st":\(json(statuses[random.next(3)])),"y":\(json(years)),\
                "su":\(json(random.next(3) == 0 ? "Oui" : "")),"co":"","p":"","si":"","a":"","u":"","v-":"","v+":"","g":"MIMO","se":"","la":"",\
                "fr-desc":\(json("Remplace \(Self.products[random.next(Self.products.count)]) pour \(function)")),"en-desc":null,\
                "website":\(json("https://example.org/\(index)")),"doc":null}
                """)
        }
        return Data(("[\n" + items.joined(separator: ",\n") + "\n]\n").utf8)
    }

    /// A small kit in `folder` for the generated entries to go in.
    static func makeKit(in folder: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: folder.appendingPathComponent("profiles"), withIntermediateDirectories: true)
        try fm.createDirectory(at: folder.appendingPathComponent("payload/catalogue"), withIntermediateDirectories: true)
        try """
        id: bench
        name: {fr: Banc d'essai, en: Benchmark}
        version: 1.0.0
        date: 2026-01-15
        profiles: [mairie]
        """.write(to: folder.appendingPathComponent("profiles/kit.yml"), atomically: true, encoding: .utf8)
        try """
        id: mairie
        name: {fr: Mairie}
        audience: {fr: Les agents.}
        pitch: {fr: Essai.}
        apps: [courrier-libre]
        """.write(to: folder.appendingPathComponent("profiles/mairie.yml"), atomically: true, encoding: .utf8)
        try """
        id: courrier-libre
        name: Courrier Libre
        description: {fr: Gestion du courrier.}
        categories: [courrier]
        licence: AGPL-3.0-only
        replaces: [Outlook]
        """.write(to: folder.appendingPathComponent("payload/catalogue/courrier-libre.yml"), atomically: true, encoding: .utf8)
        let categories = ["bureautique", "collaboration", "courrier", "messagerie", "visioconference", "relation-usagers", "utilitaires"]
        try categories.map { "- id: \($0)\n  fr: \($0.capitalized)\n" }.joined()
            .write(to: folder.appendingPathComponent("payload/categories.yml"), atomically: true, encoding: .utf8)
    }

    public func run(in folder: URL) throws -> Result {
        func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
            let start = DispatchTime.now().uptimeNanoseconds
            let value = try body()
            return (value, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        try Self.makeKit(in: folder)
        let (data, generate) = time { generateSILL() }
        let importer = CatalogueImporter(kitRoot: folder)
        let categories = try importer.categories()
        let (batch, parse) = try time {
            try SILLImporter.read(data: data, file: "bench.json", date: "2026-01-01", kitCategories: categories)
        }
        let (_, importing) = try time { try importer.write(batch) }
        let (kit, load) = try time { try KitLoader(root: folder, displayPrefix: "").loadValid().kit }
        let database = folder.appendingPathComponent("catalogue.sqlite")
        let (_, index) = try time { try CatalogueWriter.write(kit, to: database) }
        let search = try CatalogueSearch(databaseAt: database)
        var latencies: [Double] = []
        for _ in 0..<rounds {
            for query in Self.queries {
                let (_, seconds) = try time { try search.search(query, limit: 20) }
                latencies.append(seconds * 1000)
            }
        }
        latencies.sort()
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        let size = ((try? FileManager.default.attributesOfItem(atPath: database.path))?[.size] as? Int) ?? 0
        return Result(
            entries: kit.catalogue.count, generateSeconds: generate, parseSeconds: parse, importSeconds: importing, loadSeconds: load, indexSeconds: index,
            databaseBytes: size, queries: latencies.count, p50Milliseconds: percentile(0.5), p95Milliseconds: percentile(0.95),
            maxMilliseconds: latencies.last ?? 0)
    }
}
