import Yams

/// `payload/catalogue/<id>.yml`: one free software of the catalogue.
public struct CatalogueEntry: Sendable {
    public var id: Located<String>
    public var name: String
    public var description: LocalizedText
    public var categories: [Located<String>]
    public var licence: Located<String>
    public var website: String?
    public var repository: String?
    /// Proprietary products it replaces, as users name them (« Word », « Teams »).
    public var replaces: [String]
    public var platforms: [String]
    /// Needs a presenter would type (« courrier », « cimetière »).
    public var keywords: [String]
    /// Communes and public bodies known to use it.
    public var users: [String]
    /// Companies offering support or services.
    public var providers: [String]
    /// Id in the State's SILL, used to merge imported data.
    public var sill: String?
    /// Where the entry came from: `curated`, or an importer's source name.
    public var source: EntrySource

    public static let platformValues = ["windows", "linux", "macos", "web", "android", "ios"]

    static func read(_ fields: MappingReader, source: EntrySource) -> CatalogueEntry? {
        let reader = fields.reader
        let id = fields.string("id", required: true)
        let name = fields.string("name", required: true)
        let description = fields.localized("description", required: true)
        let categories = fields.strings("categories", required: true)
        let licence = fields.string("licence", required: true)
        let website = fields.string("website")
        let repository = fields.string("repository")
        let replaces = fields.strings("replaces")
        let platforms = fields.strings("platforms")
        let keywords = fields.strings("keywords")
        let users = fields.strings("users")
        let providers = fields.strings("providers")
        let sill = fields.string("sill")
        let sourceNode = fields.value("source")
        fields.finish()

        if let id { checkIdentifier(id, reader, what: "id") }
        for url in [website, repository].compactMap({ $0 }) where !isWebAddress(url.value) {
            reader.appendDiagnostic(
                url.diagnostic(
                    bilingual(
                        "adresse invalide « \(url.value) » : elle doit commencer par https:// ou http://",
                        "invalid address \"\(url.value)\": it must start with https:// or http://")))
        }
        for platform in platforms where !platformValues.contains(platform.value) {
            reader.appendDiagnostic(
                platform.diagnostic(
                    bilingual(
                        "plateforme inconnue « \(platform.value) » (valeurs : \(platformValues.joined(separator: ", ")))",
                        "unknown platform \"\(platform.value)\" (values: \(platformValues.joined(separator: ", ")))")))
        }
        if let licence, let problem = SPDX.validate(licence.value) {
            reader.appendDiagnostic(licence.diagnostic(problem))
        }
        let entrySource = sourceNode.flatMap { EntrySource.read($0, reader) } ?? source
        guard let id, let name, let description, let licence else { return nil }
        return CatalogueEntry(
            id: id, name: name.value, description: description, categories: categories, licence: licence,
            website: website?.value, repository: repository?.value, replaces: replaces.map(\.value),
            platforms: platforms.map(\.value), keywords: keywords.map(\.value), users: users.map(\.value),
            providers: providers.map(\.value), sill: sill?.value, source: entrySource)
    }
}

/// Provenance of a catalogue entry: which source, its id there, licence and date.
public struct EntrySource: Sendable, Equatable {
    public var name: String
    public var id: String?
    public var licence: String?
    public var date: String?

    public static let curated = EntrySource(name: "curated", id: nil, licence: nil, date: nil)

    static func read(_ node: Yams.Node, _ reader: ManifestReader) -> EntrySource? {
        guard let fields = reader.mapping(node, what: "source") else { return nil }
        let name = fields.string("name", required: true)
        let id = fields.string("id")
        let licence = fields.string("licence")
        let date = fields.string("date")
        fields.finish()
        guard let name else { return nil }
        return EntrySource(name: name.value, id: id?.value, licence: licence?.value, date: date?.value)
    }
}

func isWebAddress(_ text: String) -> Bool {
    (text.hasPrefix("https://") || text.hasPrefix("http://")) && text.count > 10 && !text.contains(" ")
}
