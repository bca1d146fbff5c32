import Foundation
import GRDB

/// Writes `demokit/catalogue.sqlite` from a kit. Rows go in sorted order and the file
/// is vacuumed, so the same kit gives the same bytes.
public enum CatalogueWriter {
    public static func write(_ kit: Kit, to url: URL) throws {
        try? FileManager.default.removeItem(at: url)
        var configuration = Configuration()
        configuration.journalMode = .default
        do {
            let queue = try DatabaseQueue(path: url.path, configuration: configuration)
            try CatalogueSchema.migrator.migrate(queue)
            try queue.write { db in try insert(kit, db) }
            try queue.vacuum()
            try queue.close()
        } catch let error as DatabaseError {
            throw FileError(
                path: url.path,
                reason: bilingual(
                    "écriture de la base du catalogue impossible : \(error.message ?? "\(error)")",
                    "cannot write the catalogue database: \(error.message ?? "\(error)")"))
        }
    }

    static func insert(_ kit: Kit, _ db: Database) throws {
        let settings = kit.settings
        for (key, value) in [
            ("id", settings.id), ("version", settings.version), ("date", settings.date),
            ("channel", settings.channel), ("name_fr", settings.name.fr), ("name_en", settings.name.english),
        ] {
            try db.execute(sql: "INSERT INTO kit (key, value) VALUES (?, ?)", arguments: [key, value])
        }
        var sources: [String: EntrySource] = [:]
        for entry in kit.catalogue { sources[entry.source.name] = entry.source }
        for (name, source) in sources.sorted(by: { $0.key < $1.key }) {
            try db.execute(
                sql: "INSERT INTO source (id, name, licence, url, date) VALUES (?, ?, ?, ?, ?)",
                arguments: [name, SourceInfo.displayName(name), source.licence ?? SourceInfo.licence(name), SourceInfo.url(name), source.date])
        }
        for category in kit.categories.sorted(by: { $0.id.value < $1.id.value }) {
            try db.execute(
                sql: "INSERT INTO category (id, name_fr, name_en) VALUES (?, ?, ?)",
                arguments: [category.id.value, category.name.fr, category.name.en])
        }
        var organisations: [String: Int64] = [:]
        for name in Set(kit.catalogue.flatMap { $0.users + $0.providers }).sorted() {
            try db.execute(sql: "INSERT INTO organisation (name) VALUES (?)", arguments: [name])
            organisations[name] = db.lastInsertedRowID
        }
        for entry in kit.catalogue {
            let id = entry.id.value
            try db.execute(
                sql: """
                    INSERT INTO software (id, name, description_fr, description_en, licence, website, repository, sill_id, source_id, source_ref)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    id, entry.name, entry.description.fr, entry.description.en, entry.licence.value,
                    entry.website, entry.repository, entry.sill, entry.source.name, entry.source.id,
                ])
            let rowID = db.lastInsertedRowID
            for category in Set(entry.categories.map(\.value)).sorted() {
                try db.execute(sql: "INSERT INTO software_category VALUES (?, ?)", arguments: [id, category])
            }
            for platform in Set(entry.platforms).sorted() {
                try db.execute(sql: "INSERT INTO software_platform VALUES (?, ?)", arguments: [id, platform])
            }
            for product in Set(entry.replaces).sorted() {
                try db.execute(sql: "INSERT INTO replaced_product VALUES (?, ?)", arguments: [id, product])
            }
            for keyword in Set(entry.keywords).sorted() {
                try db.execute(sql: "INSERT INTO keyword VALUES (?, ?)", arguments: [id, keyword])
            }
            for (role, names) in [("user", entry.users), ("provider", entry.providers)] {
                for name in Set(names).sorted() {
                    try db.execute(sql: "INSERT INTO software_organisation VALUES (?, ?, ?)", arguments: [id, organisations[name], role])
                }
            }
            if let app = kit.apps[id] {
                for package in app.livePackages {
                    try db.execute(sql: "INSERT OR IGNORE INTO app_delivery VALUES (?, 'live', ?)", arguments: [id, package])
                }
                if let url = app.onlineURL {
                    try db.execute(sql: "INSERT INTO app_delivery VALUES (?, 'online', ?)", arguments: [id, url])
                }
            }
            let fields = SearchFields(entry)
            try db.execute(
                sql: "INSERT INTO software_search (rowid, name, replaces, keywords, description) VALUES (?, ?, ?, ?, ?)",
                arguments: [rowID, fields.name, fields.replaces, fields.keywords, fields.description])
        }
        for (position, profile) in kit.profiles.enumerated() {
            try db.execute(
                sql: """
                    INSERT INTO profile (id, position, name_fr, name_en, audience_fr, audience_en, pitch_fr, pitch_en)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    profile.id.value, position, profile.name.fr, profile.name.en, profile.audience.fr,
                    profile.audience.en, profile.pitch.fr, profile.pitch.en,
                ])
            for (index, app) in profile.apps.enumerated() {
                try db.execute(sql: "INSERT INTO profile_app VALUES (?, ?, ?)", arguments: [profile.id.value, app.value, index])
            }
        }
    }
}

/// The text of each search column, accent-folded the way the page folds queries.
public struct SearchFields: Sendable {
    public var name: String
    public var replaces: String
    public var keywords: String
    public var description: String

    public init(_ entry: CatalogueEntry) {
        name = TextFolding.fold(entry.name + " " + entry.id.value)
        replaces = TextFolding.fold(entry.replaces.joined(separator: " "))
        let categoryWords = entry.categories.map(\.value).joined(separator: " ")
        keywords = TextFolding.fold((entry.keywords + [categoryWords]).joined(separator: " "))
        description = TextFolding.fold([entry.description.fr, entry.description.en ?? ""].joined(separator: " "))
    }
}

/// Names and licences of the catalogue's data sources, credited on the site.
public enum SourceInfo {
    public static func displayName(_ id: String) -> String {
        switch id {
        case "curated": return "demokit (fiches rédigées par l'association)"
        case "sill": return "SILL — DINUM / Etalab"
        case "publiccode": return "publiccode.yml"
        default: return id
        }
    }

    public static func licence(_ id: String) -> String? {
        id == "sill" ? "Licence Ouverte 2.0 (Etalab-2.0)" : nil
    }

    public static func url(_ id: String) -> String? {
        id == "sill" ? "https://code.gouv.fr/sill/" : nil
    }
}
