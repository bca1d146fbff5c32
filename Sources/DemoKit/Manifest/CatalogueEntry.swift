import Yams

/// `payload/catalogue/<id>.yml`: one free software of the catalogue. Imported entries
/// (`payload/catalogue/imported/<source>/<id>.yml`) use the same format.
/// The site pages that show an entry are named from all its stored properties
/// (`PageKey.entryDigests`). `Codable` for the build cache (`EntryCache`).
public struct CatalogueEntry: Sendable, Codable {
    var id: Located<String>
    var name: String
    var description: LocalizedText
    /// True when the source gave no French text: `description.fr` is then the English one.
    var missingFrench: Bool = false
    var categories: [Located<String>]
    var licence: Located<String>
    var website: String?
    var repository: String?
    var documentation: String?
    /// Proprietary products it replaces, as users name them (« Word », « Teams »).
    var replaces: [String]
    var platforms: [String]
    /// Needs a presenter would type (« courrier », « cimetière »).
    var keywords: [String]
    /// Communes and public bodies known to use it.
    var users: [String]
    /// Companies offering support or services.
    var providers: [String]
    /// Id in the State's SILL, used to merge imported data.
    var sill: String?
    /// On the SILL: `recommended`, `observation` or `withdrawn`.
    var sillStatus: String?
    /// Years the software was on the SILL (`[2018, 2019, …]`).
    var sillYears: [Int] = []
    /// Covered by the State's support contract for free software (SILL `su`).
    var supportContract: Bool = false
    /// Id on the Comptoir du Libre (ADULLACT).
    var comptoir: String?
    /// Last known release: version and day (`YYYY-MM-DD`).
    var version: String?
    var releaseDate: String?
    /// publiccode.yml `developmentStatus`: concept, development, beta, stable, obsolete.
    var developmentStatus: String?
    /// publiccode.yml `maintenance.type`: internal, contract, community, none.
    var maintenance: String?
    /// Where the entry came from: `curated`, or an importer's source name.
    var source: EntrySource
    /// The fields another source than `source` gave, after merging (`field` → source);
    /// a field not listed is `source`'s (`source(of:)`). Organisations are keyed
    /// `users:<name>` / `providers:<name>`. Only the exceptions are kept: every field
    /// of every entry listed with its source would weigh on a build's peak memory.
    var provenance: [String: EntrySource] = [:]
    /// The imported entries merged into this one (their sources, file order).
    var mergedSources: [EntrySource] = []

    static let platformValues = ["windows", "linux", "macos", "web", "android", "ios"]
    static let sillStatusValues = ["recommended", "observation", "withdrawn"]
    static let developmentStatusValues = ["concept", "development", "beta", "stable", "obsolete"]
    static let maintenanceValues = ["internal", "contract", "community", "none"]

    /// Fields that can come from a source, in the order provenance is listed.
    static let factFields = [
        "name", "description", "categories", "licence", "website", "repository", "documentation", "replaces", "platforms",
        "keywords", "sill", "sill_status", "sill_years", "support_contract", "comptoir", "version", "release_date",
        "development_status", "maintenance",
    ]

    init(
        id: Located<String>, name: String, description: LocalizedText, categories: [Located<String>], licence: Located<String>,
        website: String? = nil, repository: String? = nil, replaces: [String] = [], platforms: [String] = [], keywords: [String] = [],
        users: [String] = [], providers: [String] = [], sill: String? = nil, source: EntrySource = .curated
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.categories = categories
        self.licence = licence
        self.website = website
        self.repository = repository
        self.replaces = replaces
        self.platforms = platforms
        self.keywords = keywords
        self.users = users
        self.providers = providers
        self.sill = sill
        self.source = source
    }

    static func read(_ fields: MappingReader, source: EntrySource, imported: Bool = false) -> CatalogueEntry? {
        let reader = fields.reader
        let id = fields.string("id", required: true)
        let name = fields.string("name", required: true)
        let description = fields.localized("description", required: true, frenchOptional: imported)
        let categories = fields.strings("categories", required: true)
        let licence = fields.string("licence", required: true)
        let website = fields.string("website")
        let repository = fields.string("repository")
        let documentation = fields.string("documentation")
        let replaces = fields.strings("replaces")
        let platforms = fields.strings("platforms")
        let keywords = fields.strings("keywords")
        let users = fields.strings("users")
        let providers = fields.strings("providers")
        let sill = fields.string("sill")
        let sillStatus = fields.string("sill_status")
        let sillYears = fields.strings("sill_years")
        let supportContract = fields.bool("support_contract")
        let comptoir = fields.string("comptoir")
        let version = fields.string("version")
        let releaseDate = fields.string("release_date")
        let developmentStatus = fields.string("development_status")
        let maintenance = fields.string("maintenance")
        let sourceNode = fields.value("source")
        fields.finish()

        if let id { checkIdentifier(id, reader, what: "id") }
        for url in [website, repository, documentation].compactMap({ $0 }) where !isWebAddress(url.value) {
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
        for (field, value, allowed) in [
            ("sill_status", sillStatus, sillStatusValues), ("development_status", developmentStatus, developmentStatusValues),
            ("maintenance", maintenance, maintenanceValues),
        ] {
            if let value, !allowed.contains(value.value) {
                reader.appendDiagnostic(
                    value.diagnostic(
                        bilingual(
                            "« \(field) » : valeur inconnue « \(value.value) » (valeurs : \(allowed.joined(separator: ", ")))",
                            "\"\(field)\": unknown value \"\(value.value)\" (values: \(allowed.joined(separator: ", ")))")))
            }
        }
        var years: [Int] = []
        for year in sillYears {
            if let number = Int(year.value), (2000...2100).contains(number) {
                years.append(number)
            } else {
                reader.appendDiagnostic(
                    year.diagnostic(
                        bilingual("« sill_years » : année invalide « \(year.value) »", "\"sill_years\": invalid year \"\(year.value)\"")))
            }
        }
        if let releaseDate, SourceDate.parseDay(releaseDate.value) == nil {
            reader.appendDiagnostic(
                releaseDate.diagnostic(
                    bilingual(
                        "date invalide « \(releaseDate.value) » : écrivez AAAA-MM-JJ", "invalid date \"\(releaseDate.value)\": write YYYY-MM-DD")))
        }
        if let licence, let problem = SPDX.validate(licence.value) {
            reader.appendDiagnostic(licence.diagnostic(problem))
        }
        let entrySource = sourceNode.flatMap { EntrySource.read($0, reader) } ?? source
        guard let id, let name, let description, let licence else { return nil }
        var entry = CatalogueEntry(
            id: id, name: name.value, description: description.text, categories: categories, licence: licence,
            website: website?.value, repository: repository?.value, replaces: replaces.map(\.value),
            platforms: platforms.map(\.value), keywords: keywords.map(\.value), users: users.map(\.value),
            providers: providers.map(\.value), sill: sill?.value, source: entrySource)
        entry.missingFrench = description.missingFrench
        entry.documentation = documentation?.value
        entry.sillStatus = sillStatus?.value
        entry.sillYears = Array(Set(years)).sorted()
        entry.supportContract = supportContract ?? false
        entry.comptoir = comptoir?.value
        entry.version = version?.value
        entry.releaseDate = releaseDate?.value
        entry.developmentStatus = developmentStatus?.value
        entry.maintenance = maintenance?.value
        return entry
    }

    /// The source that gave `field` (a `factFields` name, `description_en`, or
    /// `users:<name>` / `providers:<name>`).
    func source(of field: String) -> EntrySource {
        provenance[field] ?? source
    }

    /// The `factFields` this entry has a value for.
    var presentFields: [String] {
        Self.factFields.filter { field in
            switch field {
            case "name", "description", "categories", "licence": return true
            case "website": return website != nil
            case "repository": return repository != nil
            case "documentation": return documentation != nil
            case "replaces": return !replaces.isEmpty
            case "platforms": return !platforms.isEmpty
            case "keywords": return !keywords.isEmpty
            case "sill": return sill != nil
            case "sill_status": return sillStatus != nil
            case "sill_years": return !sillYears.isEmpty
            case "support_contract": return supportContract
            case "comptoir": return comptoir != nil
            case "version": return version != nil
            case "release_date": return releaseDate != nil
            case "development_status": return developmentStatus != nil
            case "maintenance": return maintenance != nil
            default: return false
            }
        }
    }
}

/// Provenance of a catalogue entry: which source, its id there, licence and date.
struct EntrySource: Sendable, Equatable, Hashable, Codable {
    var name: String
    var id: String?
    var licence: String?
    var date: String?

    init(name: String, id: String? = nil, licence: String? = nil, date: String? = nil) {
        self.name = name
        self.id = id
        self.licence = licence
        self.date = date
    }

    static let curated = EntrySource(name: "curated", id: nil, licence: nil, date: nil)

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
