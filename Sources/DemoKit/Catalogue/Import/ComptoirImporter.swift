import Foundation
import Yams

/// Reads the Comptoir du Libre's public export (`comptoir-du-libre_export_v1.json`,
/// ADULLACT): `date_of_export`, `number_of_software`, `softwares[]` with `id`, `name`,
/// `url`, `licence`, `external_resources` (`website`, `repository`, `sill.id`), and
/// `providers[]` / `users[]` (`id`, `url`, `name`, `type`, `external_resources.website`).
///
/// The export describes no software (no description, no category): it tells who uses
/// and who supports them. So it only adds facts to software the kit already has, found
/// by Comptoir id, then SILL id, then name; the others are skipped with a note. Its
/// users and providers take the spelling of the kit's own organisations, matched by
/// Comptoir id (`payload/providers/*.yml`, `comptoir:`), then by folded name, so they
/// merge with the curated ones instead of doubling them.
public enum ComptoirImporter {
    static let sourceName = "comptoir"

    /// An entry of the kit, as written in its file (curated, or imported from another source).
    struct KitEntry {
        var id: String
        var name: String
        var curated: Bool
        var sill: String?
        var comptoir: String?
        var descriptionFR: String?
        var descriptionEN: String?
        var categories: [String]
        var licence: String?
        var website: String?
        var repository: String?
    }

    /// What the kit already knows, for matching.
    struct KitView {
        var entries: [KitEntry] = []
        /// Folded organisation name → the kit's spelling (curated entries and provider records).
        var organisations: [String: String] = [:]
        /// Comptoir id → provider record name (`payload/providers/<id>.yml` with `comptoir:`).
        var comptoirOrganisations: [String: String] = [:]

        static func read(kitRoot: URL) -> KitView {
            var view = KitView()
            let fm = FileManager.default
            let catalogue = kitRoot.appendingPathComponent("payload/catalogue")
            var paths: [String] = []
            if let enumerator = fm.enumerator(atPath: catalogue.path) {
                for case let path as String in enumerator where path.hasSuffix(".yml") && !path.hasPrefix("imported/\(sourceName)/") {
                    paths.append(path)
                }
            }
            for path in paths.sorted() {
                guard let text = try? String(contentsOf: catalogue.appendingPathComponent(path), encoding: .utf8),
                    case let .mapping(fields)? = try? Yams.compose(yaml: text), let id = fields["id"]?.string,
                    let name = fields["name"]?.string
                else { continue }
                let curated = !path.hasPrefix("imported/")
                var description: Node.Mapping?
                if case let .mapping(mapping)? = fields["description"] { description = mapping }
                view.entries.append(
                    KitEntry(
                        id: id, name: name, curated: curated, sill: fields["sill"]?.string, comptoir: fields["comptoir"]?.string,
                        descriptionFR: description?["fr"]?.string, descriptionEN: description?["en"]?.string,
                        categories: strings(fields["categories"]), licence: fields["licence"]?.string, website: fields["website"]?.string,
                        repository: fields["repository"]?.string))
                if curated {
                    for name in strings(fields["users"]) + strings(fields["providers"]) {
                        let folded = CatalogueMerge.normalisedName(name)
                        if !folded.isEmpty && view.organisations[folded] == nil { view.organisations[folded] = name }
                    }
                }
            }
            let providers = kitRoot.appendingPathComponent("payload/providers")
            for file in ((try? fm.contentsOfDirectory(atPath: providers.path)) ?? []).sorted() where file.hasSuffix(".yml") {
                guard let text = try? String(contentsOf: providers.appendingPathComponent(file), encoding: .utf8),
                    case let .mapping(fields)? = try? Yams.compose(yaml: text), let name = fields["name"]?.string
                else { continue }
                // A provider record's name wins over a spelling found in an entry.
                view.organisations[CatalogueMerge.normalisedName(name)] = name
                if let comptoir = fields["comptoir"]?.string { view.comptoirOrganisations[comptoir] = name }
            }
            return view
        }

        static func strings(_ node: Node?) -> [String] {
            switch node {
            case let .sequence(items)?: return items.compactMap(\.string)
            case let .scalar(scalar)?: return [scalar.string]
            default: return []
            }
        }

        /// The entry a Comptoir software completes: by Comptoir id, then SILL id (curated
        /// entries first), then folded name.
        func match(comptoir: String, sill: String?, name: String) -> KitEntry? {
            let curated = entries.filter(\.curated)
            let imported = entries.filter { !$0.curated }
            let folded = CatalogueMerge.normalisedName(name)
            // An entry with another Comptoir id is another software.
            let free = { (entry: KitEntry) in entry.comptoir == nil || entry.comptoir == comptoir }
            for group in [curated, imported] {
                if let found = group.first(where: { $0.comptoir == comptoir }) { return found }
                if let sill, let found = group.first(where: { $0.sill == sill && free($0) }) { return found }
            }
            for group in [curated, imported] {
                if let found = group.first(where: { CatalogueMerge.normalisedName($0.name) == folded && free($0) }) { return found }
            }
            return nil
        }
    }

    /// - Parameters:
    ///   - display: the file name shown in diagnostics.
    ///   - date: the data's date; by default `date_of_export`, else the date in the file name.
    public static func read(contentsOf url: URL, display: String? = nil, date: String? = nil, kitRoot: URL) throws -> ImportBatch {
        let file = display ?? url.path
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ImportError(diagnostics: [Diagnostic(file: file, message: bilingual("fichier illisible", "cannot read file"))])
        }
        var batch = try read(data: data, file: file, date: date, kitRoot: kitRoot)
        if batch.source.date == nil { batch.source.date = SILLImporter.dateInName(url.lastPathComponent) }
        return batch
    }

    /// `date`: the data's date; by default `date_of_export`.
    static func read(data: Data, file: String, date: String?, kitRoot: URL) throws -> ImportBatch {
        try read(data: data, file: file, date: date, kit: KitView.read(kitRoot: kitRoot))
    }

    /// The export matched against `kit`, what the kit's files say.
    static func read(data: Data, file: String, date: String?, kit: KitView) throws -> ImportBatch {
        let root: LocatedJSON
        do {
            root = try JSONParser.parse(data)
        } catch {
            throw ImportError(diagnostics: [
                Diagnostic(
                    file: file, line: error.line, column: error.column,
                    message: bilingual("JSON invalide (\(error.path)) : ", "invalid JSON (\(error.path)): ") + error.problem)
            ])
        }
        var errors: [Diagnostic] = []
        var notes: [Diagnostic] = []
        func error(_ at: LocatedJSON, _ fr: String, _ en: String) {
            errors.append(Diagnostic(file: file, line: at.line, column: at.column, message: bilingual("\(fr) (\(at.path))", "\(en) (\(at.path))")))
        }
        func note(_ at: LocatedJSON, _ fr: String, _ en: String) {
            notes.append(
                Diagnostic(.note, file: file, line: at.line, column: at.column, message: bilingual("\(fr) (\(at.path))", "\(en) (\(at.path))")))
        }
        /// A field of another shape than the export's: left out, with its position.
        func warn(_ at: LocatedJSON, _ fr: String, _ en: String) {
            notes.append(
                Diagnostic(
                    .warning, file: file, line: at.line, column: at.column,
                    message: bilingual("\(fr), champ ignoré (\(at.path))", "\(en), field ignored (\(at.path))")))
        }
        guard case .object = root.value, let softwaresNode = root["softwares"], case let .array(softwares) = softwaresNode.value else {
            let at = root["softwares"] ?? root
            throw ImportError(diagnostics: [
                Diagnostic(
                    file: file, line: at.line, column: at.column,
                    message: bilingual(
                        "export du Comptoir du Libre attendu : { \"softwares\": [ … ] } (\(at.path))",
                        "expected a Comptoir du Libre export: { \"softwares\": [ … ] } (\(at.path))"))
            ])
        }
        if let count = root["number_of_software"], let number = count.text.flatMap({ Int($0) }), number != softwares.count {
            note(
                count, "l'export annonce \(number) logiciels et en contient \(softwares.count)",
                "the export announces \(number) software and holds \(softwares.count)")
        }
        let exportDate = root["date_of_export"]?.text.map { String($0.prefix(10)) }.flatMap { SourceDate.parseDay($0) == nil ? nil : $0 }
        var entries: [ImportedEntry] = []
        var seenIDs: [String: LocatedJSON] = [:]
        var targets: [String: String] = [:]
        /// Comptoir organisation id → the name first given to it: one spelling per organisation.
        var organisationNames: [String: String] = [:]
        var skipped = 0

        /// A string, null/absent (nil), or another type (a warning, nil).
        func optionalText(_ node: LocatedJSON?, _ key: String) -> String? {
            guard let node else { return nil }
            switch node.value {
            case .string, .number: return node.text
            case .null: return nil
            default:
                warn(node, "« \(key) » : un texte est attendu", "\"\(key)\": expected a string")
                return nil
            }
        }

        /// Users or providers of one software: resolved names, without duplicates.
        func organisations(_ node: LocatedJSON?, _ key: String) -> [String] {
            guard let node else { return [] }
            guard case let .array(items) = node.value else {
                if node.value != .null {
                    warn(node, "« \(key) » : une liste est attendue", "\"\(key)\": expected a list")
                }
                return []
            }
            var names: [String] = []
            for item in items {
                guard case .object = item.value else {
                    warn(item, "« \(key) » : un objet { … } est attendu", "\"\(key)\": expected an object { … }")
                    continue
                }
                guard let raw = optionalText(item["name"], "name") else {
                    note(item, "organisation sans nom : ignorée", "organisation without a name: skipped")
                    continue
                }
                if optionalText(item["type"], "type")?.lowercased() == "person" {
                    // Private persons stay on the Comptoir: the key lists organisations.
                    note(item, "« \(raw) » est une personne : non reprise", "\"\(raw)\" is a person: not taken")
                    continue
                }
                let comptoirID = optionalText(item["id"], "id")
                var name = raw
                if let comptoirID, let known = kit.comptoirOrganisations[comptoirID] ?? organisationNames[comptoirID] {
                    name = known
                } else if let known = kit.organisations[CatalogueMerge.normalisedName(raw)] {
                    name = known
                }
                if let comptoirID, organisationNames[comptoirID] == nil { organisationNames[comptoirID] = name }
                if names.contains(where: { $0.lowercased() == name.lowercased() }) {
                    note(item, "« \(raw) » en double : gardé une fois", "\"\(raw)\" twice: kept once")
                    continue
                }
                names.append(name)
            }
            return names
        }

        for item in softwares {
            guard case .object = item.value else {
                error(item, "un objet { … } est attendu", "expected an object { … }")
                continue
            }
            guard let idNode = item["id"], let id = idNode.text, Int(id) != nil else {
                error(item["id"] ?? item, "champ « id » (nombre) manquant", "missing field \"id\" (a number)")
                continue
            }
            if let first = seenIDs[id] {
                error(idNode, "id « \(id) » en double (déjà ligne \(first.line))", "duplicate id \"\(id)\" (already at line \(first.line))")
                continue
            }
            seenIDs[id] = idNode
            guard let nameNode = item["name"], case .string = nameNode.value, let name = nameNode.text else {
                error(item["name"] ?? item, "champ « name » (texte) manquant", "missing field \"name\" (a string)")
                continue
            }
            var resources: LocatedJSON?
            if let node = item["external_resources"] {
                if case .object = node.value {
                    resources = node
                } else if node.value != .null && node.value != .array([]) {
                    warn(node, "« external_resources » : un objet est attendu", "\"external_resources\": expected an object")
                }
            }
            // `sill` is an object, or `[]` when the software is not on the SILL.
            var sill: String?
            if let node = resources?["sill"] {
                switch node.value {
                case .object: sill = optionalText(node["id"], "sill.id")
                case .array([]), .null: break
                default:
                    warn(node, "« sill » : un objet { id } est attendu", "\"sill\": expected an object { id }")
                }
            }
            let users = organisations(item["users"], "users")
            let providers = organisations(item["providers"], "providers")
            let website = optionalText(resources?["website"], "website")
            let repository = optionalText(resources?["repository"], "repository")
            let licenceText = optionalText(item["licence"], "licence")
            let page = optionalText(item["url"], "url")

            guard let target = kit.match(comptoir: id, sill: sill, name: name) else {
                skipped += 1
                if let sill, !kit.entries.contains(where: { $0.sill == sill }) {
                    note(
                        item, "« \(name) » ignoré : absent du kit (id SILL \(sill) inconnu du kit)",
                        "\"\(name)\" skipped: not in the kit (SILL id \(sill) unknown to the kit)")
                } else {
                    note(item, "« \(name) » ignoré : absent du kit", "\"\(name)\" skipped: not in the kit")
                }
                continue
            }
            if let first = targets[target.id] {
                note(
                    item, "« \(name) » complète déjà « \(target.id) » (logiciel \(first)) : ignoré",
                    "\"\(name)\" already completes \"\(target.id)\" (software \(first)): skipped")
                continue
            }
            targets[target.id] = id
            if let sill, let other = target.sill, sill != other {
                note(
                    item, "« \(name) » : id SILL \(sill) différent de celui de « \(target.id) » (\(other)) : non repris",
                    "\"\(name)\": SILL id \(sill) differs from \"\(target.id)\"'s (\(other)): not taken")
            }
            // The text, categories and licence of the entry it completes, so the merged
            // entry reads the same whichever file the merge takes first.
            let licence = target.licence ?? LicenceNormaliser.normalise(licenceText).expression
            var entry = ImportedEntry(sourceID: id, name: target.name, licence: licence)
            entry.fixedID = target.id
            entry.descriptionFR = target.descriptionFR
            entry.descriptionEN = target.descriptionEN
            if entry.descriptionFR == nil && entry.descriptionEN == nil { entry.descriptionFR = target.name }
            entry.categories = target.categories
            entry.comptoir = id
            entry.sill = target.sill == sill ? sill : nil
            if target.website == nil, let website, isWebAddress(website) { entry.website = website }
            if target.repository == nil, let repository, isWebAddress(repository) { entry.repository = repository }
            if let page, !isWebAddress(page), let at = item["url"] {
                note(at, "adresse ignorée « \(page) »", "address ignored \"\(page)\"")
            }
            entry.users = users
            entry.providers = providers
            entries.append(entry)
        }
        guard errors.isEmpty else { throw ImportError(diagnostics: errors.sortedByPosition()) }
        if skipped > 0 {
            notes.append(
                Diagnostic(
                    .note, file: file,
                    message: bilingual(
                        "\(skipped) logiciel(s) du Comptoir absent(s) du kit : ignoré(s)", "\(skipped) Comptoir software not in the kit: skipped")))
        }
        entries.sort { (Int($0.sourceID) ?? Int.max, $0.sourceID) < (Int($1.sourceID) ?? Int.max, $1.sourceID) }
        return ImportBatch(source: ImportSource(name: sourceName, licence: nil, date: date ?? exportDate), entries: entries, notes: notes)
    }
}
