import Foundation
import Yams

/// Reads `publiccode.yml` files, as found in the wild: versions 0.2 to 0.7 of the
/// standard (and the older `publiccode-yaml-version` dialect), lowercase licence ids,
/// empty strings, descriptions in one language only, keys this reader does not know
/// (ignored). Only what is needed for a catalogue entry is read; a file that is not
/// YAML, not a mapping, or has no name, is malformed.
public enum PublicCodeImporter {
    static let sourceName = "publiccode"

    /// publiccode.yml categories → kit categories (first one the kit defines wins).
    static let categoryMap: [String: [String]] = [
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

    /// Reads files (a folder is searched for `*.yml` / `*.yaml`). Every file is read,
    /// so every problem of every file is reported.
    ///
    /// - allOrNothing: true (the default), any refused file throws and the batch is
    ///   not returned; false, the refused files' errors are in `batch.refused` and
    ///   the files that are fine are in the batch (`demokit catalogue import` without
    ///   `--all-or-nothing`).
    public static func read(
        paths: [URL], display: (URL) -> String = { $0.path }, date: String? = nil, kitCategories: Set<String>, allOrNothing: Bool = true
    ) throws -> ImportBatch {
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
        var refused: [ImportBatch.Refusal] = []
        var notes: [Diagnostic] = []
        var entries: [ImportedEntry] = []
        var bySourceID: [String: String] = [:]
        for url in files {
            let file = display(url)
            let reader = ManifestReader(file: file)
            guard let node = reader.parse(contentsOf: url) else {
                let errors = reader.diagnostics.isEmpty ? [Diagnostic(file: file, message: bilingual("fichier vide", "empty file"))] : reader.diagnostics
                refused.append(ImportBatch.Refusal(file: file, sourceID: nil, diagnostics: errors))
                continue
            }
            let read = readEntry(node, file: file, kitCategories: kitCategories)
            if read.errors.hasErrors {
                refused.append(ImportBatch.Refusal(file: file, sourceID: read.sourceID, diagnostics: read.errors + read.notes))
                continue
            }
            notes += read.notes
            guard let entry = read.entry else { continue }
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
        if allOrNothing && !refused.isEmpty {
            throw ImportError(diagnostics: refused.flatMap(\.diagnostics).filter { $0.severity == .error })
        }
        entries.sort { $0.sourceID < $1.sourceID }
        var batch = ImportBatch(source: ImportSource(name: sourceName, licence: nil, date: date), entries: entries, notes: notes)
        batch.refused = refused
        return batch
    }

    /// What one file gave: its entry (nil when refused or skipped), and its problems.
    /// `sourceID` is the file's `url` when it could be read, even from a refused file:
    /// the previous import of that software is then kept.
    struct FileRead {
        var entry: ImportedEntry?
        var sourceID: String?
        var errors: [Diagnostic]
        var notes: [Diagnostic]
    }

    /// Reads one parsed file. Errors are for what an entry cannot do without (the
    /// file, `name`, `url`, the description's texts, the licence); a field of another
    /// shape than the standard's is a positioned warning, and is left out.
    static func readEntry(_ node: Node, file: String, kitCategories: Set<String>) -> FileRead {
        var errors: [Diagnostic] = []
        var notes: [Diagnostic] = []
        func at(_ node: Node?) -> (Int, Int) { (node?.mark?.line ?? 1, node?.mark?.column ?? 1) }
        /// `needed`: an error (the file is refused); otherwise a warning (the field is left out).
        func problem(_ node: Node?, needed: Bool, _ fr: String, _ en: String) {
            let (line, column) = at(node)
            if needed {
                errors.append(Diagnostic(file: file, line: line, column: column, message: bilingual(fr, en)))
            } else {
                notes.append(
                    Diagnostic(
                        .warning, file: file, line: line, column: column,
                        message: bilingual("\(fr) : champ ignoré", "\(en): field ignored")))
            }
        }
        func note(_ node: Node?, _ fr: String, _ en: String) {
            let (line, column) = at(node)
            notes.append(Diagnostic(.note, file: file, line: line, column: column, message: bilingual(fr, en)))
        }
        func done(_ entry: ImportedEntry?, _ sourceID: String?) -> FileRead {
            FileRead(entry: errors.isEmpty ? entry : nil, sourceID: sourceID, errors: errors.sortedByPosition(), notes: notes.sortedByPosition())
        }
        guard case let .mapping(root) = node else {
            problem(node, needed: true, "publiccode.yml : une table (clé: valeur) est attendue", "publiccode.yml: expected a mapping (key: value)")
            return done(nil, nil)
        }
        func isNull(_ scalar: Node.Scalar) -> Bool {
            scalar.style == .plain && ["~", "null", "Null", "NULL"].contains(scalar.string)
        }
        /// A text value; nil when absent, null or empty.
        func text(_ mapping: Node.Mapping?, _ key: String, needed: Bool = false) -> String? {
            guard let value = mapping?[key] else { return nil }
            guard case let .scalar(scalar) = value else {
                problem(value, needed: needed, "« \(key) » : un texte est attendu", "\"\(key)\": expected a string")
                return nil
            }
            if isNull(scalar) { return nil }
            let trimmed = scalar.string.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : trimmed
        }
        /// A list of texts; a single text is a one-item list. Items of another shape
        /// are left out with a warning.
        func texts(_ mapping: Node.Mapping?, _ key: String) -> [String] {
            guard let value = mapping?[key] else { return [] }
            switch value {
            case .scalar: return text(mapping, key).map { [$0] } ?? []
            case let .sequence(items):
                return items.compactMap { item in
                    guard case let .scalar(scalar) = item else {
                        problem(item, needed: false, "« \(key) » : chaque élément doit être un texte", "\"\(key)\": each item must be a string")
                        return nil
                    }
                    let trimmed = scalar.string.trimmingCharacters(in: .whitespacesAndNewlines)
                    return trimmed.isEmpty || isNull(scalar) ? nil : trimmed
                }
            default:
                problem(value, needed: false, "« \(key) » : une liste est attendue", "\"\(key)\": expected a list")
                return []
            }
        }
        func mapping(_ parent: Node.Mapping?, _ key: String, needed: Bool = false) -> Node.Mapping? {
            guard let value = parent?[key] else { return nil }
            switch value {
            case let .mapping(mapping): return mapping
            case let .scalar(scalar) where scalar.string.isEmpty || isNull(scalar): return nil
            default:
                problem(value, needed: needed, "« \(key) » : une table est attendue", "\"\(key)\": expected a mapping")
                return nil
            }
        }
        /// Organisations: names, or `{name, url}` / `{name, uri}` objects (code.gouv.fr's
        /// dialect of `usedBy`, and `fundedBy` in the standard and that dialect).
        func organisations(_ key: String) -> [String] {
            guard let value = root[key] else { return [] }
            let items: [Node]
            switch value {
            case .scalar: return text(root, key).map { [$0] } ?? []
            case let .sequence(list): items = Array(list)
            case .mapping: items = [value]
            default: return []
            }
            var names: [String] = []
            for item in items {
                switch item {
                case let .scalar(scalar):
                    let trimmed = scalar.string.trimmingCharacters(in: .whitespacesAndNewlines)
                    if !trimmed.isEmpty && !isNull(scalar) { names.append(trimmed) }
                case let .mapping(fields):
                    if let name = text(fields, "name") {
                        names.append(name)
                    } else {
                        note(item, "« \(key) » : organisation sans nom (name) : ignorée", "\"\(key)\": organisation without a name: skipped")
                    }
                default:
                    problem(
                        item, needed: false, "« \(key) » : un nom ou une table {name, url} est attendu",
                        "\"\(key)\": expected a name or a {name, url} mapping")
                }
            }
            return unique(names)
        }

        let version = text(root, "publiccodeYmlVersion") ?? text(root, "publiccode-yaml-version")
        if version == nil {
            note(node, "version du standard absente (publiccodeYmlVersion) : lu comme 0.2", "no standard version (publiccodeYmlVersion): read as 0.2")
        }
        let repository = text(root, "url", needed: true)
        let website = text(root, "landingURL") ?? text(root, "landingUrl")
        let legal = mapping(root, "legal", needed: true)
        let licenceText = text(legal, "license", needed: true) ?? text(legal, "licence", needed: true)

        // Descriptions by language: `fr`, `fr-FR`, `en`, `en-GB`, … (also `eng`/`fra` in old files).
        var french: Node.Mapping?
        var english: Node.Mapping?
        var otherLanguages: [String] = []
        if let descriptions = mapping(root, "description", needed: true) {
            for (keyNode, value) in descriptions {
                let language = keyNode.string?.lowercased() ?? ""
                let wanted = language.hasPrefix("fr") || language.hasPrefix("en")
                guard case let .mapping(content) = value else {
                    problem(
                        value, needed: wanted, "« description.\(language) » : une table est attendue",
                        "\"description.\(language)\": expected a mapping")
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
            if let short = text(content, "shortDescription", needed: true) { return oneLine(short) }
            if let long = text(content, "longDescription", needed: true) { return oneLine(String(long.prefix(400))) }
            return text(content, "genericName").map(oneLine)
        }
        let name = text(root, "name", needed: true) ?? text(french, "localisedName") ?? text(english, "localisedName")
        guard let name else {
            if errors.isEmpty {
                problem(node, needed: true, "champ « name » manquant : ce n'est pas un publiccode.yml", "missing field \"name\": this is not a publiccode.yml")
            }
            return done(nil, repository)
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
        // code.gouv.fr's dialect: `latestRelease: {date, version}` instead of
        // `softwareVersion` and `releaseDate`.
        let latest = mapping(root, "latestRelease")
        entry.version = text(root, "softwareVersion") ?? text(latest, "version")
        let dateNode = root["releaseDate"] != nil ? root["releaseDate"] : latest?["date"]
        if let date = text(root, "releaseDate") ?? text(latest, "date") {
            let day = String(date.prefix(10))
            if SourceDate.parseDay(day) != nil {
                entry.releaseDate = day
            } else {
                note(dateNode, "date de version illisible « \(date) » : ignorée", "unreadable release date \"\(date)\": ignored")
            }
        }
        if let status = text(root, "developmentStatus")?.lowercased() {
            if CatalogueEntry.developmentStatusValues.contains(status) { entry.developmentStatus = status }
        }
        let maintenance = mapping(root, "maintenance")
        if let type = text(maintenance, "type")?.lowercased(), CatalogueEntry.maintenanceValues.contains(type) {
            entry.maintenance = type
        }
        switch maintenance?["contractors"] {
        case let .sequence(contractors)?:
            for contractor in contractors {
                if case let .mapping(fields) = contractor, let provider = text(fields, "name") {
                    entry.providers.append(provider)
                } else if case let .scalar(scalar) = contractor, !scalar.string.isEmpty, !isNull(scalar) {
                    entry.providers.append(scalar.string.trimmingCharacters(in: .whitespacesAndNewlines))
                } else {
                    problem(
                        contractor, needed: false, "« contractors » : une table {name, until} est attendue",
                        "\"contractors\": expected a {name, until} mapping")
                }
            }
        case let other?:
            if case let .scalar(scalar) = other, scalar.string.isEmpty || isNull(scalar) { break }
            problem(other, needed: false, "« contractors » : une liste est attendue", "\"contractors\": expected a list")
        case nil: break
        }
        entry.providers = unique(entry.providers)
        entry.users = organisations("usedBy")
        entry.funders = organisations("fundedBy")
        entry.platforms = unique(texts(root, "platforms").compactMap { platformMap[$0.lowercased()] })
        let categories = texts(root, "categories").map { $0.lowercased() }
        guard errors.isEmpty else { return done(nil, entry.sourceID) }
        if let category = categories.lazy.compactMap({ categoryMap[$0]?.first(where: kitCategories.contains) }).first
            ?? SILLCategoryMap.generic.first(where: kitCategories.contains)
        {
            entry.categories = [category]
        } else {
            note(node, "« \(name) » ignoré : aucune catégorie du kit ne convient", "\"\(name)\" skipped: no kit category fits")
            return done(nil, entry.sourceID)
        }
        if entry.descriptionFR == nil && entry.descriptionEN == nil {
            let languages = otherLanguages.sorted().joined(separator: ", ")
            note(
                node, "« \(name) » ignoré : pas de description en français ni en anglais (\(languages))",
                "\"\(name)\" skipped: no French or English description (\(languages))")
            return done(nil, entry.sourceID)
        }
        if let original = licence.original {
            note(
                root["legal"], "licence « \(original) » lue comme « \(licence.expression) »", "licence \"\(original)\" read as \"\(licence.expression)\"")
        }
        return done(entry, entry.sourceID)
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    static func unique(_ values: [String]) -> [String] {
        var seen: Set<String> = []
        return values.filter { seen.insert($0.lowercased()).inserted }
    }
}
