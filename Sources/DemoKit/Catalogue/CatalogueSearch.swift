import Foundation
import GRDB

/// Ranked full-text search over `catalogue.sqlite`: accent- and case-insensitive,
/// prefix matching, name matches first, then replaced products, keywords, description.
public struct CatalogueSearch {
    public struct Filters: Sendable {
        public var profile: String?
        public var category: String?
        public var licence: String?
        public var platform: String?
        public init(profile: String? = nil, category: String? = nil, licence: String? = nil, platform: String? = nil) {
            self.profile = profile
            self.category = category
            self.licence = licence
            self.platform = platform
        }
    }

    public struct Result: Sendable, Codable, Equatable {
        public var id: String
        public var name: String
        public var description: String
        public var licence: String
        public var score: Double
    }

    /// Column weights for FTS5's bm25: name, replaces, keywords, description.
    static let weights = "10.0, 6.0, 3.0, 1.0"

    let queue: DatabaseQueue

    public init(databaseAt url: URL) throws {
        var configuration = Configuration()
        configuration.readonly = true
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw FileError(
                path: url.path, reason: bilingual("base du catalogue introuvable", "catalogue database not found"),
                hint: bilingual("construisez d'abord la clé : demokit build", "build the key first: demokit build"))
        }
        queue = try DatabaseQueue(path: url.path, configuration: configuration)
    }

    /// The FTS5 query for what a person typed: every word must match, as a prefix.
    public static func matchExpression(_ query: String) -> String? {
        let tokens = TextFolding.tokens(query)
        guard !tokens.isEmpty else { return nil }
        return tokens.map { "\"\($0)\"*" }.joined(separator: " AND ")
    }

    public func search(_ query: String, filters: Filters = Filters(), limit: Int = 50) throws -> [Result] {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        let match = Self.matchExpression(query)
        if let match {
            conditions.append("software_search MATCH ?")
            arguments.append(match)
        }
        if let profile = filters.profile {
            conditions.append("s.id IN (SELECT software_id FROM profile_app WHERE profile_id = ?)")
            arguments.append(profile)
        }
        if let category = filters.category {
            conditions.append("s.id IN (SELECT software_id FROM software_category WHERE category_id = ?)")
            arguments.append(category)
        }
        if let licence = filters.licence {
            conditions.append("s.licence LIKE ?")
            arguments.append("%\(licence)%")
        }
        if let platform = filters.platform {
            conditions.append("s.id IN (SELECT software_id FROM software_platform WHERE platform = ?)")
            arguments.append(platform)
        }
        let score = match == nil ? "0.0" : "-bm25(software_search, \(Self.weights))"
        let join = match == nil ? "" : "JOIN software_search ON software_search.rowid = s.rowid"
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = """
            SELECT s.id, s.name, s.description_fr, s.licence, \(score) AS score
            FROM software s \(join) \(whereClause)
            ORDER BY score DESC, s.name COLLATE NOCASE LIMIT ?
            """
        arguments.append(limit)
        return try queue.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                Result(id: row[0], name: row[1], description: row[2], licence: row[3], score: row[4])
            }
        }
    }
}
