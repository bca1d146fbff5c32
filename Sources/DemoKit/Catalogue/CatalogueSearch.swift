import Foundation
import GRDB

/// Ranked full-text search over `catalogue.sqlite`, the way presenters search: by a
/// need (« gestion du courrier », « cimetière », « visio ») or by the proprietary
/// product used today (« Word », « Teams »).
///
/// - accent- and case-insensitive (`TextFolding`, the same as the page's script);
/// - every word must match, as a prefix (« cime » finds « cimetière »); French
///   little words (« de », « du », « la »…) are dropped and a final plural `s`/`x`
///   is removed, so « gestion des courriers » finds « courrier »;
/// - ranking in tiers: every word a whole word of the name, then of the name or
///   replaced products (« Word » before « WordPress »); then all words in the name,
///   then in the name or replaced products, then name, products or keywords, then
///   anywhere (`Result.tier` says which of these four); within a tier, the
///   entry's standing (`standing(_:in:)`: curated or on the key first, then community
///   health, then known users), then FTS5's bm25 with column weights name 10 >
///   replaces 6 > keywords 3 > description 1; then name and id for a stable order.
///   The page's script ranks the same way (`SearchIndex`).
public struct CatalogueSearch {
    public struct Filters: Sendable {
        var profile: String?
        var category: String?
        var licence: String?
        var platform: String?
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
        /// 0 name, 1 replaced products, 2 keywords, 3 description (nil without a query).
        var tier: Int?
        var score: Double
        public var health: Int?
        var healthLevel: String?
    }

    /// Column weights for FTS5's bm25: name, replaces, keywords, description.
    static let weights = "10.0, 6.0, 3.0, 1.0"

    /// Known users counted in a standing, at most (a standing is one number).
    static let usersCap = 999

    /// How much a presenter means an entry, inside a tier: bm25 alone favours the
    /// shortest texts, which put obscure imports (a one-line SILL entry) before the
    /// software the key shows. Higher first, as one number:
    /// on the key × 1,000,000 + health score (0–100) × 1,000 + known users (≤ 999).
    /// « On the key »: a curated entry, or one a profile lists, or one the live system
    /// installs. `standingSQL` computes the same from the database.
    static func standing(_ entry: CatalogueEntry, in kit: Kit) -> Int {
        let id = entry.id.value
        let onKey =
            entry.source.name == EntrySource.curated.name || !(kit.apps[id]?.livePackages.isEmpty ?? true)
            || kit.profiles.contains { $0.apps.contains { $0.value == id } }
        let health = min(max(kit.health(of: entry).score, 0), 100)
        return (onKey ? 1_000_000 : 0) + health * 1_000 + min(Set(entry.users).count, usersCap)
    }

    /// `standing(_:in:)` from the database's tables, for software `s` joined with its health `h`.
    static let standingSQL = """
        ((CASE WHEN s.source_id = 'curated'
            OR EXISTS (SELECT 1 FROM profile_app pa WHERE pa.software_id = s.id)
            OR EXISTS (SELECT 1 FROM app_delivery ad WHERE ad.software_id = s.id AND ad.kind = 'live') THEN 1000000 ELSE 0 END)
          + min(max(coalesce(h.score, 0), 0), 100) * 1000
          + min((SELECT count(*) FROM software_organisation so WHERE so.software_id = s.id AND so.role = 'user'), \(usersCap)))
        """

    /// Words dropped from queries when other words remain.
    static let stopWords: Set<String> = [
        "a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "logiciel", "ou", "par", "pour", "sur", "un", "une",
        "the", "of", "for", "and", "software",
    ]

    let queue: DatabaseQueue

    public init(databaseAt url: URL) throws {
        var configuration = Configuration()
        configuration.readonly = true
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw FileError(
                path: url.path, reason: bilingual("base du catalogue introuvable", "catalogue database not found"),
                hint: bilingual("construisez d'abord la clé : demokit build", "build the key first: demokit build"))
        }
        do {
            queue = try DatabaseQueue(path: url.path, configuration: configuration)
            _ = try queue.read { db in try String.fetchOne(db, sql: "SELECT value FROM kit WHERE key = 'schema_version'") }
        } catch {
            throw FileError(
                path: url.path,
                reason: bilingual("ce n'est pas une base du catalogue demokit", "this is not a demokit catalogue database"),
                hint: bilingual("reconstruisez-la : demokit build", "rebuild it: demokit build"))
        }
    }

    /// The words searched for what a person typed (folded, little words and plurals removed).
    static func queryTokens(_ query: String) -> [String] {
        let tokens = TextFolding.tokens(query)
        let meaningful = tokens.filter { !stopWords.contains($0) }
        return (meaningful.isEmpty ? tokens : meaningful).map { token in
            if token.count > 3, let last = token.last, last == "s" || last == "x" { return String(token.dropLast()) }
            return token
        }
    }

    /// The FTS5 query for what a person typed: every word must match, as a prefix
    /// (or, `prefix: false`, as a whole word), optionally restricted to some columns
    /// (`{name replaces}`).
    static func matchExpression(_ query: String, columns: [String]? = nil, prefix: Bool = true) -> String? {
        let tokens = queryTokens(query)
        guard !tokens.isEmpty else { return nil }
        let expression = tokens.map { "\"\($0)\"" + (prefix ? "*" : "") }.joined(separator: " AND ")
        guard let columns else { return expression }
        return "{\(columns.joined(separator: " "))} : (\(expression))"
    }

    static let tiers: [[String]] = [["name"], ["name", "replaces"], ["name", "replaces", "keywords"]]
    /// Before the tiers, whole words: every word is a whole word of the name, then of
    /// the name or replaced products. « Word » is Word before it is WordPress.
    static let exactTiers: [[String]] = [["name"], ["name", "replaces"]]

    public func search(_ query: String, filters: Filters = Filters(), limit: Int = 50) throws -> [Result] {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        let match = Self.matchExpression(query)
        var tierSQL = "NULL"
        var rankSQL = "NULL"
        if let match {
            let inMatch = "s.rowid IN (SELECT rowid FROM software_search WHERE software_search MATCH ?)"
            var cases: [String] = []
            var tierArguments: [String] = []
            for (index, columns) in Self.tiers.enumerated() {
                cases.append("WHEN \(inMatch) THEN \(index)")
                tierArguments.append(Self.matchExpression(query, columns: columns) ?? match)
            }
            tierSQL = "CASE \(cases.joined(separator: " ")) ELSE \(Self.tiers.count) END"
            // The order: whole words in the name, in name or replaced products, then the tiers.
            var rankCases: [String] = []
            var rankArguments: [String] = []
            for (index, columns) in Self.exactTiers.enumerated() {
                rankCases.append("WHEN \(inMatch) THEN \(index)")
                rankArguments.append(Self.matchExpression(query, columns: columns, prefix: false) ?? match)
            }
            rankSQL = "CASE \(rankCases.joined(separator: " ")) ELSE \(Self.exactTiers.count) + \(tierSQL) END"
            // In the order of the placeholders: the tier, then the rank (which repeats the tier).
            arguments += tierArguments + rankArguments + tierArguments
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
            // `GPL-3.0` finds GPL-3.0-only and GPL-3.0-or-later; `AGPL` the whole family.
            conditions.append(
                "s.id IN (SELECT software_id FROM software_licence WHERE licence_id = ? COLLATE NOCASE OR licence_id LIKE ? ESCAPE '\\')")
            arguments.append(licence)
            arguments.append(licence.replacingOccurrences(of: "_", with: "\\_").replacingOccurrences(of: "%", with: "\\%") + "-%")
        }
        if let platform = filters.platform {
            conditions.append("s.id IN (SELECT software_id FROM software_platform WHERE platform = ? COLLATE NOCASE)")
            arguments.append(platform)
        }
        let score = match == nil ? "0.0" : "-bm25(software_search, \(Self.weights))"
        let join = match == nil ? "" : "JOIN software_search ON software_search.rowid = s.rowid"
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = """
            SELECT s.id, s.name, s.description_fr, s.licence, \(tierSQL) AS tier, \(score) AS score, h.score, h.level,
                \(Self.standingSQL) AS standing, \(rankSQL) AS rank_tier
            FROM software s \(join) LEFT JOIN health h ON h.software_id = s.id \(whereClause)
            ORDER BY rank_tier, standing DESC, score DESC, s.name COLLATE NOCASE, s.id LIMIT ?
            """
        arguments.append(limit)
        return try queue.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                Result(
                    id: row[0], name: row[1], description: row[2], licence: row[3], tier: row[4],
                    score: ((row[5] as Double) * 1000).rounded() / 1000, health: row[6], healthLevel: row[7])
            }
        }
    }

    /// Everything the database knows about one software, or nil.
    public func details(_ id: String) throws -> SoftwareDetails? {
        try queue.read { db in try SoftwareDetails.fetch(id, db) }
    }

    /// Ids of all software, sorted (suggestions for an unknown id).
    public func allIDs() throws -> [String] {
        try queue.read { db in try String.fetchAll(db, sql: "SELECT id FROM software ORDER BY id") }
    }
}
