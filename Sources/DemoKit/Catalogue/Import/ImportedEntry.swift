import Foundation

/// One software as an importer read it from a public catalogue, before it gets a kit
/// id. Written as `payload/catalogue/imported/<source>/<id>.yml`, in the format of
/// curated entries.
struct ImportedEntry: Sendable, Equatable {
    /// Its id in the source (SILL id, publiccode.yml `url`).
    var sourceID: String
    var name: String
    /// Disambiguates two entries with the same name (SILL parent: « LibreOffice », « Firefox »).
    var nameHint: String?
    var descriptionFR: String?
    var descriptionEN: String?
    var categories: [String] = []
    var licence: String
    var website: String?
    var repository: String?
    var documentation: String?
    var replaces: [String] = []
    var platforms: [String] = []
    var keywords: [String] = []
    var users: [String] = []
    var providers: [String] = []
    /// Public bodies that paid for it (publiccode.yml `fundedBy`). Read, not written
    /// yet: the entry format has no `funders:` field.
    var funders: [String] = []
    /// The kit id this entry must have (the Comptoir du Libre only adds facts to
    /// software the kit already has); nil lets `CatalogueImporter` choose.
    var fixedID: String?
    var sill: String?
    var sillStatus: String?
    var sillYears: [Int] = []
    var supportContract = false
    var comptoir: String?
    var version: String?
    var releaseDate: String?
    var developmentStatus: String?
    var maintenance: String?

    init(sourceID: String, name: String, licence: String) {
        self.sourceID = sourceID
        self.name = name
        self.licence = licence
    }

    /// The YAML file, keys in a fixed order so the same data gives the same bytes.
    func yaml(id: String, source: ImportSource) -> String {
        var out = "# \(source.header)\n"
        func scalar(_ key: String, _ value: String?, forceQuotes: Bool = false) {
            guard let value, !value.isEmpty else { return }
            out += "\(key): \(YAMLText.scalar(value, forceQuotes: forceQuotes))\n"
        }
        func list(_ key: String, _ values: [String]) {
            guard !values.isEmpty else { return }
            out += "\(key):\n"
            for value in values { out += "  - \(YAMLText.scalar(value))\n" }
        }
        scalar("id", id)
        scalar("name", name, forceQuotes: true)
        out += "description:\n"
        if let fr = descriptionFR { out += "  fr: \(YAMLText.scalar(fr, forceQuotes: true))\n" }
        if let en = descriptionEN { out += "  en: \(YAMLText.scalar(en, forceQuotes: true))\n" }
        list("categories", categories)
        scalar("licence", licence, forceQuotes: true)
        scalar("website", website)
        scalar("repository", repository)
        scalar("documentation", documentation)
        list("replaces", replaces)
        list("platforms", platforms)
        list("keywords", keywords)
        list("users", users)
        list("providers", providers)
        scalar("sill", sill, forceQuotes: true)
        scalar("sill_status", sillStatus)
        if !sillYears.isEmpty { out += "sill_years: [\(sillYears.map(String.init).joined(separator: ", "))]\n" }
        if supportContract { out += "support_contract: true\n" }
        scalar("comptoir", comptoir, forceQuotes: true)
        scalar("version", version, forceQuotes: true)
        scalar("release_date", releaseDate)
        scalar("development_status", developmentStatus)
        scalar("maintenance", maintenance)
        out += "source:\n"
        out += "  name: \(YAMLText.scalar(source.name))\n"
        out += "  id: \(YAMLText.scalar(sourceID, forceQuotes: true))\n"
        if let licence = source.licence { out += "  licence: \(YAMLText.scalar(licence, forceQuotes: true))\n" }
        if let date = source.date { out += "  date: \(YAMLText.scalar(date, forceQuotes: true))\n" }
        return out
    }
}

/// Which public catalogue a batch of entries comes from.
struct ImportSource: Sendable, Equatable {
    /// Folder name under `payload/catalogue/imported/` and `source.name` (`sill`, `publiccode`).
    var name: String
    /// Licence of the data, credited on the site.
    var licence: String?
    /// Date of the data (`YYYY-MM-DD`), never the clock: re-importing gives the same bytes.
    var date: String?

    init(name: String, licence: String? = nil, date: String? = nil) {
        self.name = name
        self.licence = licence
        self.date = date
    }

    var header: String {
        "Importé (\(name)) par demokit catalogue import : ne pas modifier, complétez la fiche rédigée. / "
            + "Imported (\(name)) by demokit catalogue import: do not edit, complete the curated entry."
    }
}

/// What an importer read: entries, plus notes on what it skipped or fixed.
public struct ImportBatch: Sendable {
    var source: ImportSource
    var entries: [ImportedEntry]
    /// Notes and warnings (`severity`), each with its file and position.
    var notes: [Diagnostic]
    /// Files left out of a batch that is not all-or-nothing, with their errors.
    var refused: [Refusal] = []

    /// A file that could not be imported. When its software's id in the source is
    /// known (`sourceID`), the entry of the previous import is kept as it was.
    public struct Refusal: Sendable, Equatable {
        var file: String
        var sourceID: String?
        public var diagnostics: [Diagnostic]
    }

    init(source: ImportSource, entries: [ImportedEntry], notes: [Diagnostic]) {
        self.source = source
        self.entries = entries
        self.notes = notes
    }
}

/// A source file could not be imported; nothing was written.
public struct ImportError: UserFacingError {
    public var diagnostics: [Diagnostic]
    public var message: String {
        bilingual(
            "import impossible : \(diagnostics.filter { $0.severity == .error }.count) erreur(s), aucun fichier écrit",
            "cannot import: \(diagnostics.filter { $0.severity == .error }.count) error(s), no file written")
    }
}

/// YAML scalars written so that any text reads back as the same string.
enum YAMLText {
    static func scalar(_ text: String, forceQuotes: Bool = false) -> String {
        if !forceQuotes && isPlainSafe(text) { return text }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) || scalar.value == 0xFEFF
                    || scalar.value == 0x2028 || scalar.value == 0x2029
                {
                    out += String(format: "\\u%04X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Plain scalars only for simple words, URLs and ids that YAML cannot misread.
    static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first.properties.isAlphabetic, first.isASCII,
            text.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_./:".unicodeScalars.contains($0)) }),
            !text.contains(": "), !text.hasSuffix(":")
        else { return false }
        return !["true", "false", "yes", "no", "on", "off", "null", "y", "n"].contains(text.lowercased())
    }
}
