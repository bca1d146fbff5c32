import Foundation
import GRDB

/// Everything the catalogue database knows about one software, with where each fact
/// came from and its community health: what `demokit catalogue show` prints.
public struct SoftwareDetails: Sendable, Codable, Equatable {
    struct Organisation: Sendable, Codable, Equatable {
        var name: String
        var kind: String
        var source: String
    }
    struct Link: Sendable, Codable, Equatable {
        var kind: String
        var url: String
        var source: String
    }
    struct Fact: Sendable, Codable, Equatable {
        var field: String
        var source: String
        var sourceRef: String?
        var date: String?
    }
    struct Source: Sendable, Codable, Equatable {
        var id: String
        var name: String
        var licence: String?
        var date: String?
        var credit: String?
    }
    struct Health: Sendable, Codable, Equatable {
        struct Input: Sendable, Codable, Equatable {
            var key: String
            var labelFr: String
            var labelEn: String
            var valueFr: String
            var valueEn: String
            var points: Int
            var maximum: Int
        }
        var score: Int
        var level: String
        var labelFr: String
        var labelEn: String
        var adviceFr: String
        var adviceEn: String
        var referenceDate: String
        var inputs: [Input]
    }

    var id: String
    var name: String
    var descriptionFr: String
    var descriptionEn: String?
    var frenchMissing: Bool
    var licence: String
    var licences: [String]
    var deprecatedLicences: [String]
    var categories: [String]
    var platforms: [String]
    var replaces: [String]
    var keywords: [String]
    var users: [Organisation]
    var providers: [Organisation]
    var links: [Link]
    var version: String?
    var releaseDate: String?
    var developmentStatus: String?
    var maintenance: String?
    var sillID: String?
    var sillStatus: String?
    var sillYears: Int
    var supportContract: Bool
    var profiles: [String]
    var facts: [Fact]
    var sources: [Source]
    var health: Health?

    static func fetch(_ id: String, _ db: Database) throws -> SoftwareDetails? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM software WHERE id = ?", arguments: [id]) else { return nil }
        func strings(_ sql: String) throws -> [String] { try String.fetchAll(db, sql: sql, arguments: [id]) }
        func organisations(_ role: String) throws -> [Organisation] {
            try Row.fetchAll(
                db,
                sql: """
                    SELECT o.name, o.kind, so.source_id FROM software_organisation so JOIN organisation o ON o.id = so.organisation_id
                    WHERE so.software_id = ? AND so.role = ? ORDER BY o.name
                    """, arguments: [id, role]
            ).map { Organisation(name: $0[0], kind: $0[1], source: $0[2]) }
        }
        let facts = try Row.fetchAll(db, sql: "SELECT field, source_id, source_ref, date FROM fact WHERE software_id = ? ORDER BY field", arguments: [id])
            .map { Fact(field: $0[0], source: $0[1], sourceRef: $0[2], date: $0[3]) }
        let sources = try Row.fetchAll(
            db,
            sql: """
                SELECT id, name, licence, date, credit FROM source
                WHERE id IN (SELECT source_id FROM fact WHERE software_id = ?1 UNION SELECT source_id FROM software_organisation WHERE software_id = ?1)
                ORDER BY id
                """, arguments: [id]
        ).map { Source(id: $0[0], name: $0[1], licence: $0[2], date: $0[3], credit: $0[4]) }
        var health: Health?
        if let h = try Row.fetchOne(db, sql: "SELECT * FROM health WHERE software_id = ?", arguments: [id]) {
            let inputs = try Row.fetchAll(db, sql: "SELECT * FROM health_input WHERE software_id = ? ORDER BY position", arguments: [id]).map {
                Health.Input(
                    key: $0["key"], labelFr: $0["label_fr"], labelEn: $0["label_en"], valueFr: $0["value_fr"], valueEn: $0["value_en"],
                    points: $0["points"], maximum: $0["maximum"])
            }
            health = Health(
                score: h["score"], level: h["level"], labelFr: h["label_fr"], labelEn: h["label_en"], adviceFr: h["advice_fr"],
                adviceEn: h["advice_en"], referenceDate: h["reference_date"], inputs: inputs)
        }
        return SoftwareDetails(
            id: row["id"], name: row["name"], descriptionFr: row["description_fr"], descriptionEn: row["description_en"],
            frenchMissing: row["french_missing"], licence: row["licence"],
            licences: try strings("SELECT licence_id FROM software_licence WHERE software_id = ? ORDER BY licence_id"),
            deprecatedLicences: try strings(
                "SELECT l.id FROM software_licence sl JOIN licence l ON l.id = sl.licence_id WHERE sl.software_id = ? AND l.deprecated ORDER BY l.id"),
            categories: try strings("SELECT category_id FROM software_category WHERE software_id = ? ORDER BY category_id"),
            platforms: try strings("SELECT platform FROM software_platform WHERE software_id = ? ORDER BY platform"),
            replaces: try strings("SELECT product FROM replaced_product WHERE software_id = ? ORDER BY product"),
            keywords: try strings("SELECT keyword FROM keyword WHERE software_id = ? ORDER BY keyword"),
            users: try organisations("user"), providers: try organisations("provider"),
            links: try Row.fetchAll(db, sql: "SELECT kind, url, source_id FROM link WHERE software_id = ? ORDER BY kind", arguments: [id]).map {
                Link(kind: $0[0], url: $0[1], source: $0[2])
            },
            version: row["version"], releaseDate: row["release_date"], developmentStatus: row["development_status"],
            maintenance: row["maintenance"], sillID: row["sill_id"], sillStatus: row["sill_status"], sillYears: row["sill_years"],
            supportContract: row["support_contract"],
            profiles: try strings("SELECT profile_id FROM profile_app WHERE software_id = ? ORDER BY profile_id"), facts: facts,
            sources: sources, health: health)
    }

    /// The text `demokit catalogue show` prints, French first then English.
    public var text: String {
        var lines: [String] = []
        lines.append("\(name) (\(id))")
        lines.append("  \(descriptionFr)")
        if let descriptionEn, descriptionEn != descriptionFr { lines.append("  \(descriptionEn)") }
        if frenchMissing { lines.append("  ⚠ " + bilingual("pas de description en français", "no French description")) }
        func line(_ fr: String, _ en: String, _ value: String?) {
            guard let value, !value.isEmpty else { return }
            lines.append((fr == en ? fr : "\(fr) / \(en)") + " : \(value)")
        }
        lines.append("")
        line("Licence", "Licence", licence + (deprecatedLicences.isEmpty ? "" : " (identifiant SPDX obsolète / deprecated SPDX id)"))
        line("Catégories", "Categories", categories.joined(separator: ", "))
        line("Remplace", "Replaces", replaces.joined(separator: ", "))
        line("Plateformes", "Platforms", platforms.joined(separator: ", "))
        line("Mots-clés", "Keywords", keywords.joined(separator: ", "))
        line("Profils", "Profiles", profiles.joined(separator: ", "))
        line("Version", "Version", [version, releaseDate.map { "(\($0))" }].compactMap { $0 }.joined(separator: " "))
        line("SILL", "SILL", sillID.map { "\($0) — \(sillStatus ?? "?"), \(sillYears) an(s) / year(s)" })
        line(
            "Utilisateurs", "Users", users.map { "\($0.name) [\($0.source)]" }.joined(separator: ", "))
        line("Prestataires", "Providers", providers.map { "\($0.name) [\($0.source)]" }.joined(separator: ", "))
        for link in links { line("Lien", "Link", "\(link.kind): \(link.url) [\(link.source)]") }
        if let health {
            lines.append("")
            lines.append("Santé de la communauté / Community health : \(health.score)/100 — \(health.labelFr) / \(health.labelEn)")
            for input in health.inputs {
                lines.append("  \(input.labelFr) / \(input.labelEn) : \(input.valueFr) → \(input.points)/\(input.maximum)")
            }
            lines.append("  \(health.adviceFr)")
            lines.append("  \(health.adviceEn)")
            lines.append("  (" + bilingual("calculée au \(health.referenceDate), date du kit", "computed at \(health.referenceDate), the kit's date") + ")")
        }
        lines.append("")
        lines.append(bilingual("Provenance des informations", "Where the facts came from") + " :")
        for fact in facts {
            lines.append("  \(fact.field) ← \(fact.source)" + (fact.sourceRef.map { " #\($0)" } ?? "") + (fact.date.map { " (\($0))" } ?? ""))
        }
        for source in sources where source.credit != nil || source.licence != nil {
            lines.append("  " + bilingual("Données", "Data") + " : " + (source.credit ?? "\(source.name), \(source.licence ?? "")"))
        }
        return lines.joined(separator: "\n")
    }
}
