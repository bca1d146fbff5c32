import Foundation
import Yams

/// Reads `publiccode.yml` files, as found in the wild: versions 0.2 to 0.7 of the
/// standard (and the older `publiccode-yaml-version` dialect), lowercase licence ids,
/// empty strings, descriptions in one language only, keys this reader does not know
/// (ignored). Only what is needed for a catalogue entry is read; a file that is not
/// YAML, not a mapping, or has no name, is malformed.
public enum PublicCodeImporter {
    public static let sourceName = "publiccode"

    /// publiccode.yml categories → kit categories (first one the kit defines wins).
    public static let categoryMap: [String: [String]] = [
        "office": ["bureautique"], "productivity-suite": ["bureautique"], "word-processor": ["bureautique"],
        "spreadsheet": ["bureautique"], "email-management": ["messagerie"], "email-marketing": ["messagerie"],
        "instant-messaging": ["messagerie-instantanee", "messagerie"], "video-conferencing": ["visioconference"],
        "web-conferencing": ["visioconference"], "voip": ["visioconference"], "collaboration": ["collaboration"],
        "project-collaboration": ["collaboration"], "web-collaboration": ["collaboration"], "knowledge-management": ["collaboration"],
        "task-management": ["collaboration"], "project-management": ["collaboration"], "mind-mapping": ["collaboration"],
        "enterprise-social-networking": ["collaboration"], "survey": ["sondage"], "feedback-and-reviews-management": ["sondage"],
        "document-management": ["gestion-documentaire"], "digital-asset-management": ["gestion-documentaire"],
        "e-signature": ["signature-electronique"], "geographic-information-systems": ["cartographie-sig"],
        "digital-citizenship": ["participation-citoyenne", "relation-usagers"], "online-community": ["participation-citoyenne"],
        "contact-management": ["relation-usagers"], "crm": ["relation-usagers"], "customer-service-and-support": ["relation-usagers"],
        "help-desk": ["relation-usagers"], "service-desk": ["relation-usagers"], "online-booking": ["relation-usagers"],
        "appointment-scheduling": ["relation-usagers"], "visitor-management": ["relation-usagers"],
        "content-management": ["site-web"], "website-builder": ["site-web"], "blog": ["site-web"], "seo": ["site-web"],
        "it-asset-management": ["parc-informatique"], "it-management": ["parc-informatique"],
        "it-service-management": ["parc-informatique"], "network-management": ["parc-informatique"],
        "inventory-management": ["parc-informatique"], "cloud-management": ["parc-informatique"], "remote-support": ["parc-informatique"],
        "it-security": ["securite"], "identity-management": ["securite"], "graphic-design": ["graphisme"], "design": ["graphisme"],
        "cad": ["graphisme"], "video-editing": ["multimedia"], "educational-content": ["education"],
        "learning-management-system": ["education"], "integrated-library-system": ["bibliotheque"],
        "workflow-management": ["dematerialisation"], "business-process-management": ["dematerialisation"],
        "regulations-and-directives": ["dematerialisation"], "backup": ["utilitaires"],
    ]

    static let platformMap: [String: String] = [
        "web": "web", "windows": "windows", "win": "windows", "linux": "linux", "mac": "macos", "macos": "macos", "osx": "macos",
        "android": "android", "ios": "ios",
    ]

    /// Reads files (a folder is searched for `*.yml` / `*.yaml`). All files are read
    /// before throwing, so every malformed one is reported.
    public static func read(paths: [URL], display: (URL) -> String = { $0.path }, date: String? = nil, kitCategories: Set<String>) throws
        -> ImportBatch
    {
        var files: [URL] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory) else {
                throw ImportError(diagnostics: [Diagnostic(file: display(path), message: bilingual("fichier introuvable", "file not found"))])
            }
            if isDirectory.boolValue {
                let enumerator = FileManager.default.enumerator(atPath: path.path)
                var found: [URL] = []
                while let relative = enumerator?.nextObject() as? String {
                    if relative.hasSuffix(".yml") || relative.hasSuffix(".yaml") { found.append(path.appendingPathComponent(relative)) }
                }
                files += found.sorted { $0.path < $1.path }
            } else {
                files.append(path)
            }
        }
        var errors: [Diagnostic] = []
        var notes: [Diagnostic] = []
        var entries: [ImportedEntry] = []
        var bySourceID: [String: String] = [:]
        for url in files {
            let file = display(url)
            let reader = ManifestReader(file: file)
            guard let node = reader.parse(contentsOf: url) else {
                errors += reader.diagnostics.isEmpty ? [Diagnostic(file: file, message: bilingual("fichier vide", "empty file"))] : reader.diagnostics
                continue
            }
            switch readEntry(node, file: file, kitCategories: kitCategories) {
            case let .failure(diagnostics):
                errors += diagnostics.diagnostics
            case let .success((entry, entryNotes)):
                notes += entryNotes
                guard let entry else { continue }
                if let first = bySourceID[entry.sourceID] {
                    notes.append(
                        Diagnostic(
                            .note, file: file,
                            message: bilingual(
                                "même dépôt que \(first) (\(entry.sourceID)) : ignoré", "same repository as \(first) (\(entry.sourceID)): skipped")))
                    continue
                }
                bySourceID[entry.sourceID] = file
                entries.append(entry)
            }
        }
        guard errors.isEmpty else { throw ImportError(diagnostics: errors) }
        entries.sort { $0.sourceID < $1.sourceID }
        return ImportBatch(source: ImportSource(name: sourceName, licence: nil, date: date), entries: entries, notes: notes)
    }

    /// Reads one parsed file: an entry (nil when skipped, with a note), or errors.
    static func readEntry(_ node: Node, file: String, kitCategories: Set<String>) -> Result<(ImportedEntry?, [Diagnostic]), ImportError> {
        var errors: [Diagnostic] = []
        var notes: [Diagnostic] = []
        func at(_ node: Node?) -> (Int, Int) { (node?.mark?.line ?? 1, node?.mark?.column ?? 1) }
        func error(_ node: Node?, _ fr: String, _ en: String) {
            let (line, column) = at(node)
            errors.append(Diagnostic(file: file, line: line, column: column, message: bilingual(fr, en)))
        }
        func note(_ node: Node?, _ fr: String, _ en: String) {
            let (line, column) = at(node)
            notes.append(Diagnostic(.note, file: file, line: line, column: column, message: bilingual(fr, en)))
        }
        guard case let .mapping(root) = node else {
            error(node, "publiccode.yml : une table (clé: valeur) est attendue", "publiccode.yml: expected a mapping (key: value)")
            return .failure(ImportError(diagnostics: errors))
        }
        /// A text value; nil when absent, null or empty. A list or a mapping is an error.
        func text(_ mapping: Node.Mapping?, _ key: String) -> String? {
            guard let value = mapping?[key] else { return nil }
            guard case let .scalar(scalar) = value else {
                error(value, "« \(key) » : un texte est attendu", "\"\(key)\": expected a string")
                return nil
            }
            if scalar.style == .plain && ["~", "null", "Null", "NULL"].contains(scalar.string) { return nil }
            let trimmed = scalar.string.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : trimmed
        }
        /// A list of texts; a single text is a one-item list.
        func texts(_ mapping: Node.Mapping?, _ key: String) -> [String] {
            guard let value = mapping?[key] else { return [] }
            switch value {
            case .scalar: return text(mapping, key).map { [$0] } ?? []
            case let .sequence(items):
                return items.compactMap { item in
                    guard case let .scalar(scalar) = item else {
                        error(item, "« \(key) » : chaque élément doit être un texte", "\"\(key)\": each item must be a string")
                        return nil
                    }
                    let trimmed = scalar.string.trimmingCharacters(in: .whitespacesAndNewlines)
                    return trimmed.isEmpty || trimmed == "~" ? nil : trimmed
                }
            default:
                error(value, "« \(key) » : une liste est attendue", "\"\(key)\": expected a list")
                return []
            }
        }
        func mapping(_ parent: Node.Mapping?, _ key: String) -> Node.Mapping? {
            guard let value = parent?[key] else { return nil }
            switch value {
            case let .mapping(mapping): return mapping
            case let .scalar(scalar) where scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null": return nil
            default:
                error(value, "« \(key) » : une table est attendue", "\"\(key)\": expected a mapping")
                return nil
            }
        }

        let version = text(root, "publiccodeYmlVersion") ?? text(root, "publiccode-yaml-version")
        if version == nil {
            note(node, "version du standard absente (publiccodeYmlVersion) : lu comme 0.2", "no standard version (publiccodeYmlVersion): read as 0.2")
        }
        let repository = text(root, "url")
        let website = text(root, "landingURL") ?? text(root, "landingUrl")
        let licenceText = text(mapping(root, "legal"), "license") ?? text(mapping(root, "legal"), "licence")

        // Descriptions by language: `fr`, `fr-FR`, `en`, `en-GB`, … (also `eng`/`fra` in old files).
        var french: Node.Mapping?
        var english: Node.Mapping?
        var otherLanguages: [String] = []
        if let descriptions = mapping(root, "description") {
            for (keyNode, value) in descriptions {
                guard let language = keyNode.string?.lowercased(), case let .mapping(content) = value else {
                    if case .mapping = value {
                    } else {
                        error(value, "« description » : une table par langue est attendue", "\"description\": expected a mapping per language")
                    }
                    continue
                }
                if language.hasPrefix("fr") {
                    if french == nil { french = content }
                } else if language.hasPrefix("en") {
                    if english == nil { english = content }
                } else {
                    otherLanguages.append(language)
                }
            }
        }
        func summary(_ content: Node.Mapping?) -> String? {
            guard let content else { return nil }
            if let short = text(content, "shortDescription") { return oneLine(short) }
            if let long = text(content, "longDescription") { return oneLine(String(long.prefix(400))) }
            return text(content, "genericName").map(oneLine)
        }
        let name = text(root, "name") ?? text(french, "localisedName") ?? text(english, "localisedName")
        guard let name else {
            error(node, "champ « name » manquant : ce n'est pas un publiccode.yml", "missing field \"name\": this is not a publiccode.yml")
            return .failure(ImportError(diagnostics: errors))
        }
        let licence = LicenceNormaliser.normalise(licenceText)
        var entry = ImportedEntry(sourceID: repository ?? CatalogueImporter.slug(name), name: name, licence: licence.expression)
        entry.descriptionFR = summary(french)
        entry.descriptionEN = summary(english)
        if let frName = text(french, "localisedName"), frName != name { entry.keywords.append(frName) }
        for content in [french, english] {
            if let generic = text(content, "genericName") { entry.keywords.append(generic) }
        }
        entry.keywords += texts(french ?? english, "features").prefix(8)
        entry.keywords = unique(entry.keywords)
        entry.documentation = [text(french, "documentation"), text(english, "documentation")].compactMap { $0 }.first(where: isWebAddress)
        entry.repository = repository.flatMap { isWebAddress($0) ? $0 : nil }
        entry.website = website.flatMap { isWebAddress($0) ? $0 : nil }
        entry.version = text(root, "softwareVersion")
        if let date = text(root, "releaseDate") {
            let day = String(date.prefix(10))
            if SourceDate.parseDay(day) != nil {
                entry.releaseDate = day
            } else {
                note(root["releaseDate"], "date de version illisible « \(date) » : ignorée", "unreadable release date \"\(date)\": ignored")
            }
        }
        if let status = text(root, "developmentStatus")?.lowercased() {
            if CatalogueEntry.developmentStatusValues.contains(status) { entry.developmentStatus = status }
        }
        let maintenance = mapping(root, "maintenance")
        if let type = text(maintenance, "type")?.lowercased(), CatalogueEntry.maintenanceValues.contains(type) {
            entry.maintenance = type
        }
        if case let .sequence(contractors)? = maintenance?["contractors"] {
            for contractor in contractors {
                if case let .mapping(fields) = contractor, let provider = text(fields, "name") { entry.providers.append(provider) }
            }
        }
        entry.providers = unique(entry.providers)
        entry.users = unique(texts(root, "usedBy"))
        entry.platforms = unique(texts(root, "platforms").compactMap { platformMap[$0.lowercased()] })
        let categories = texts(root, "categories").map { $0.lowercased() }
        if let category = categories.lazy.compactMap({ categoryMap[$0]?.first(where: kitCategories.contains) }).first
            ?? SILLCategoryMap.generic.first(where: kitCategories.contains)
        {
            entry.categories = [category]
        } else {
            note(node, "« \(name) » ignoré : aucune catégorie du kit ne convient", "\"\(name)\" skipped: no kit category fits")
            return errors.isEmpty ? .success((nil, notes)) : .failure(ImportError(diagnostics: errors.sortedByPosition()))
        }
        guard errors.isEmpty else { return .failure(ImportError(diagnostics: errors.sortedByPosition())) }
        if entry.descriptionFR == nil && entry.descriptionEN == nil {
            let languages = otherLanguages.sorted().joined(separator: ", ")
            note(
                node, "« \(name) » ignoré : pas de description en français ni en anglais (\(languages))",
                "\"\(name)\" skipped: no French or English description (\(languages))")
            return .success((nil, notes))
        }
        if let original = licence.original {
            note(
                root["legal"], "licence « \(original) » lue comme « \(licence.expression) »", "licence \"\(original)\" read as \"\(licence.expression)\"")
        }
        return .success((entry, notes))
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    static func unique(_ values: [String]) -> [String] {
        var seen: Set<String> = []
        return values.filter { seen.insert($0.lowercased()).inserted }
    }
}
