import Foundation
import GRDB

/// Writes `demokit/catalogue.sqlite` from a kit. A new file, the same statements in
/// the same order: the same kit gives the same bytes.
///
/// Not vacuumed: every page is written once into a new file, none is freed (its free
/// list is empty), so `VACUUM` would only copy the whole file to shrink it little.
public enum CatalogueWriter {
    public static func write(_ kit: Kit, to url: URL) throws {
        try write(kit, to: url, fields: nil)
    }

    /// `fields`: each entry's search fields, in catalogue order, if already known.
    static func write(_ kit: Kit, to url: URL, fields: [SearchFields]?) throws {
        try? FileManager.default.removeItem(at: url)
        var configuration = Configuration()
        configuration.journalMode = .default
        // A new file in the build's staging folder: an interrupted build throws it away,
        // so waiting for the disk at every transaction buys nothing.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = OFF")
            try db.execute(sql: "PRAGMA journal_mode = MEMORY")
        }
        do {
            let queue = try DatabaseQueue(path: url.path, configuration: configuration)
            try CatalogueSchema.migrator.migrate(queue)
            try queue.write { db in try insert(kit, db, fields: fields) }
            try queue.close()
        } catch let error as DatabaseError {
            throw FileError(
                path: url.path,
                reason: bilingual(
                    "écriture de la base du catalogue impossible : \(error.message ?? "\(error)")",
                    "cannot write the catalogue database: \(error.message ?? "\(error)")"))
        }
    }

    /// Every source named by the kit's entries and their facts, merged by name.
    static func sources(of kit: Kit) -> [EntrySource] {
        var sources: [String: EntrySource] = [:]
        func add(_ source: EntrySource) {
            var merged = sources[source.name] ?? EntrySource(name: source.name)
            merged.licence = merged.licence ?? source.licence
            if let date = source.date, date > (merged.date ?? "") { merged.date = date }
            sources[source.name] = merged
        }
        for entry in kit.catalogue {
            add(entry.source)
            entry.mergedSources.forEach(add)
            entry.provenance.values.forEach(add)
        }
        return sources.values.map { source in
            var source = source
            source.id = nil
            source.licence = source.licence ?? SourceInfo.licence(source.name)
            return source
        }.sorted { $0.name < $1.name }
    }

    static func insert(_ kit: Kit, _ db: Database, fields searchFields: [SearchFields]? = nil) throws {
        let settings = kit.settings
        for (key, value) in [
            ("id", settings.id), ("version", settings.version), ("date", settings.date),
            ("channel", settings.channel), ("name_fr", settings.name.fr), ("name_en", settings.name.english),
            ("schema_version", CatalogueSchema.version),
        ].sorted(by: { $0.0 < $1.0 }) {
            try db.run("INSERT INTO kit (key, value) VALUES (?, ?)", key, value)
        }
        let sources = sources(of: kit)
        for source in sources {
            try db.run(
                "INSERT INTO source (id, name, licence, url, date, credit) VALUES (?, ?, ?, ?, ?, ?)",
                source.name, SourceInfo.displayName(source.name), source.licence, SourceInfo.url(source.name), source.date,
                SourceInfo.credit(source.name))
        }
        let sourceDates = Dictionary(uniqueKeysWithValues: sources.map { ($0.name, $0.date) })
        for category in kit.categories.sorted(by: { $0.id.value < $1.id.value }) {
            try db.run(
                "INSERT INTO category (id, name_fr, name_en) VALUES (?, ?, ?)",
                category.id.value, category.name.fr, category.name.en)
        }
        for licence in Set(kit.catalogue.flatMap { SPDX.licenseIDs(in: $0.licence.value) }).sorted() {
            try db.run(
                "INSERT INTO licence (id, known, deprecated) VALUES (?, ?, ?)",
                licence, SPDX.isKnown(licence), SPDX.isDeprecated(licence))
        }
        var organisations: [String: Int64] = [:]
        let providerNames = Set(kit.catalogue.flatMap(\.providers))
        for name in Set(kit.catalogue.flatMap { $0.users + $0.providers }).sorted() {
            try db.run(
                "INSERT INTO organisation (name, kind) VALUES (?, ?)",
                name, OrganisationKind.guess(name, isProvider: providerNames.contains(name)))
            organisations[name] = db.lastInsertedRowID
        }
        for (number, entry) in kit.catalogue.enumerated() {
            let id = entry.id.value
            try db.run(
                """
                INSERT INTO software (id, name, description_fr, description_en, french_missing, licence, website, repository,
                    documentation, version, release_date, development_status, maintenance, sill_id, sill_status, sill_years,
                    sill_first_year, sill_last_year, support_contract, comptoir_id, source_id, source_ref)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                id, entry.name, entry.description.fr, entry.description.en, entry.missingFrench, entry.licence.value,
                entry.website, entry.repository, entry.documentation, entry.version, entry.releaseDate, entry.developmentStatus,
                entry.maintenance, entry.sill, entry.sillStatus, entry.sillYears.count, entry.sillYears.first, entry.sillYears.last,
                entry.supportContract, entry.comptoir, entry.source.name, entry.source.id)
            let rowID = db.lastInsertedRowID
            for licence in Set(SPDX.licenseIDs(in: entry.licence.value)).sorted() {
                try db.run("INSERT INTO software_licence VALUES (?, ?)", id, licence)
            }
            for category in Set(entry.categories.map(\.value)).sorted() {
                try db.run("INSERT INTO software_category VALUES (?, ?)", id, category)
            }
            for platform in Set(entry.platforms).sorted() {
                try db.run("INSERT INTO software_platform VALUES (?, ?)", id, platform)
            }
            for product in Set(entry.replaces).sorted() {
                try db.run("INSERT INTO replaced_product VALUES (?, ?)", id, product)
            }
            for keyword in Set(entry.keywords).sorted() {
                try db.run("INSERT INTO keyword VALUES (?, ?)", id, keyword)
            }
            for (role, key, names) in [("user", "users", entry.users), ("provider", "providers", entry.providers)] {
                for name in Set(names).sorted() {
                    let source = entry.source(of: "\(key):\(name)")
                    try db.run(
                        "INSERT OR IGNORE INTO software_organisation VALUES (?, ?, ?, ?)",
                        id, organisations[name], role, source.name)
                }
            }
            for link in links(entry) {
                try db.run("INSERT INTO link VALUES (?, ?, ?, ?)", id, link.kind, link.url, link.source)
            }
            var facts = entry.presentFields.map { ($0, entry.source(of: $0)) }
            if entry.description.en != nil {
                facts.append(("description_en", entry.provenance["description_en"] ?? entry.source(of: "description")))
            }
            for (field, source) in facts.sorted(by: { $0.0 < $1.0 }) {
                try db.run(
                    "INSERT INTO fact VALUES (?, ?, ?, ?, ?)",
                    id, field, source.name, source.id, source.date ?? sourceDates[source.name] ?? nil)
            }
            let health = kit.health(of: entry)
            try db.run(
                "INSERT INTO health VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                id, health.score, health.level.rawValue, health.level.label.fr, health.level.label.english, health.advice.fr,
                health.advice.english, settings.date)
            for (position, input) in health.inputs.enumerated() {
                try db.run(
                    "INSERT INTO health_input VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    id, position, input.key, input.label.fr, input.label.english, input.value.fr, input.value.english, input.points,
                    input.maximum)
            }
            if let facts = kit.packageFacts[id] { try insertPackageFacts(facts, db) }
            if let app = kit.apps[id] {
                for package in app.livePackages {
                    try db.run("INSERT OR IGNORE INTO app_delivery VALUES (?, 'live', ?)", id, package)
                }
                if let url = app.onlineURL {
                    try db.run("INSERT INTO app_delivery VALUES (?, 'online', ?)", id, url)
                }
            }
            let fields = searchFields?[number] ?? SearchFields(entry, categories: kit.categories)
            try db.run(
                "INSERT INTO software_search (rowid, name, replaces, keywords, description) VALUES (?, ?, ?, ?, ?)",
                rowID, fields.name, fields.replaces, fields.keywords, fields.description)
        }
        for (position, profile) in kit.profiles.enumerated() {
            try db.run(
                """
                INSERT INTO profile (id, position, name_fr, name_en, audience_fr, audience_en, pitch_fr, pitch_en)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                profile.id.value, position, profile.name.fr, profile.name.en, profile.audience.fr,
                profile.audience.en, profile.pitch.fr, profile.pitch.en)
            for (index, app) in profile.apps.enumerated() {
                try db.run("INSERT INTO profile_app VALUES (?, ?, ?)", profile.id.value, app.value, index)
            }
        }
        try insertProviders(kit, db)
    }

    /// Provider records, the places they serve as declared, the software linked to
    /// them (`Kit.providers(of:)`) and the source of each fact.
    static func insertProviders(_ kit: Kit, _ db: Database) throws {
        for departement in FrenchAreas.departements {
            try db.run("INSERT INTO departement VALUES (?, ?, ?)", departement.code, departement.name, departement.region)
        }
        let supported = kit.softwarePositionsByProvider()
        for provider in kit.providers.sorted(by: { $0.id.value < $1.id.value }) {
            let id = provider.id.value
            try db.run(
                "INSERT INTO provider VALUES (?, ?, ?, ?, ?, ?, ?)",
                id, provider.name, provider.website, provider.kind.rawValue, provider.national, provider.comptoir, provider.cnll)
            for region in Set(provider.regions).sorted() {
                try db.run("INSERT INTO provider_area VALUES (?, 'region', ?)", id, region)
            }
            for departement in Set(provider.departements).sorted() {
                try db.run("INSERT INTO provider_area VALUES (?, 'departement', ?)", id, departement)
            }
            let listed = Set(provider.software.map(\.value))
            for software in Set((supported[id] ?? []).map { kit.catalogue[$0].id.value }).sorted() {
                try db.run("INSERT INTO provider_software VALUES (?, ?, ?)", id, software, listed.contains(software) ? "record" : "name")
            }
            for fact in provider.presentFacts {
                guard let source = provider.source(of: fact) else { continue }
                try db.run("INSERT INTO provider_fact VALUES (?, ?, ?, ?, ?)", id, fact, source.url, source.document, source.date)
            }
        }
    }

    /// The entry's links, each with the source that gave it.
    static func links(_ entry: CatalogueEntry) -> [(kind: String, url: String, source: String)] {
        func source(_ field: String) -> String { entry.source(of: field).name }
        var links: [(kind: String, url: String, source: String)] = []
        if let url = entry.website { links.append(("website", url, source("website"))) }
        if let url = entry.repository { links.append(("repository", url, source("repository"))) }
        if let url = entry.documentation { links.append(("documentation", url, source("documentation"))) }
        if let sill = entry.sill { links.append(("sill", SourceInfo.sillURL(sill), source("sill"))) }
        if let comptoir = entry.comptoir {
            links.append(("comptoir", "https://comptoir-du-libre.org/fr/softwares/\(comptoir)", source("comptoir")))
        }
        return links
    }
}

/// The text of each search column, accent-folded the way the page folds queries.
struct SearchFields: Sendable {
    var name: String
    var replaces: String
    var keywords: String
    var description: String

    init(_ entry: CatalogueEntry, categories: [Category] = []) {
        name = TextFolding.fold(entry.name + " " + TextFolding.hyphensAsSpaces(entry.id.value))
        replaces = TextFolding.fold(entry.replaces.joined(separator: " ; "))
        var words = entry.keywords
        for category in entry.categories {
            words.append(TextFolding.hyphensAsSpaces(category.value))
            if let known = categories.first(where: { $0.id.value == category.value }) { words.append(known.name.fr) }
        }
        keywords = TextFolding.fold(words.joined(separator: " ; "))
        description = TextFolding.fold([entry.description.fr, entry.description.en ?? ""].joined(separator: " "))
    }
}

/// What kind of organisation a name is, for the `organisation.kind` column. A guess
/// from the name: communes by their usual prefixes; otherwise providers are companies
/// and users public bodies (the catalogue only lists public users).
enum OrganisationKind {
    static let communePrefixes = ["ville ", "ville d", "commune ", "commune d", "mairie ", "mairie d", "comune ", "municipalite "]

    static func guess(_ name: String, isProvider: Bool) -> String {
        let folded = TextFolding.fold(name)
        if communePrefixes.contains(where: folded.hasPrefix) { return "commune" }
        return isProvider ? "company" : "public"
    }
}

/// Names and licences of the catalogue's data sources, credited on the site.
enum SourceInfo {
    static func displayName(_ id: String) -> String {
        switch id {
        case "curated": return "demokit (fiches rédigées par l'association)"
        case "sill": return "SILL — DINUM / Etalab"
        case "publiccode": return "publiccode.yml"
        case "comptoir": return "Comptoir du Libre — ADULLACT"
        case PackageFacts.sourceName: return "Debian — paquets des applications (métainfo AppStream)"
        default: return id
        }
    }

    static func licence(_ id: String) -> String? {
        id == "sill" ? SILLImporter.licence : nil
    }

    static func url(_ id: String) -> String? {
        switch id {
        case "sill": return "https://code.gouv.fr/sill/"
        case "comptoir": return "https://comptoir-du-libre.org/"
        case PackageFacts.sourceName: return "https://packages.debian.org/"
        default: return nil
        }
    }

    /// The attribution line the site must show when it shows the source's data.
    static func credit(_ id: String) -> String? {
        id == "sill" ? SILLImporter.credit : nil
    }

    static func sillURL(_ id: String) -> String {
        "https://code.gouv.fr/sill/detail?id=\(id)"
    }
}

extension Kit {
    /// The data sources of the catalogue with their licence and credit line, for the
    /// site's « sources des données » section.
    var catalogueSources: [(source: EntrySource, credit: String?)] {
        CatalogueWriter.sources(of: self).map { ($0, SourceInfo.credit($0.name)) }
    }
}
