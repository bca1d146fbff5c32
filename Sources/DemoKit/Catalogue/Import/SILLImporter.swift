import Foundation

/// Reads the State's SILL export (`sill.json`, short keys: see `docs/catalogue-database.md`
/// and the data's SOURCES.md): a JSON array of objects with string values.
public enum SILLImporter {
    static let sourceName = "sill"
    static let licence = "Licence Ouverte 2.0 (Etalab-2.0)"
    static let credit = "SILL — DINUM / Etalab, Licence Ouverte 2.0"

    /// Descriptions from Wikidata that say nothing (« Logiciel informatique »).
    static let emptyDescriptions: Set<String> = ["logiciel informatique", "logiciel", "software", "computer software"]

    /// - Parameters:
    ///   - display: the file name shown in diagnostics.
    ///   - date: the data's date; by default the `YYYY-MM-DD` in the file name.
    public static func read(
        contentsOf url: URL, display: String? = nil, date: String? = nil, kitCategories: Set<String>
    ) throws -> ImportBatch {
        let file = display ?? url.path
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ImportError(diagnostics: [Diagnostic(file: file, message: bilingual("fichier illisible", "cannot read file"))])
        }
        return try read(data: data, file: file, date: date ?? dateInName(url.lastPathComponent), kitCategories: kitCategories)
    }

    /// `sill-2022-05-10.json` → `2022-05-10`.
    static func dateInName(_ name: String) -> String? {
        guard let range = name.range(of: #"\d{4}-\d{2}-\d{2}"#, options: .regularExpression) else { return nil }
        let text = String(name[range])
        return SourceDate.parseDay(text) == nil ? nil : text
    }

    static func read(data: Data, file: String, date: String?, kitCategories: Set<String>) throws -> ImportBatch {
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
        guard case let .array(items) = root.value else {
            throw ImportError(diagnostics: [
                Diagnostic(
                    file: file, line: root.line, column: root.column,
                    message: bilingual("une liste de logiciels [ … ] est attendue ($)", "expected a list of software [ … ] ($)"))
            ])
        }
        var errors: [Diagnostic] = []
        var notes: [Diagnostic] = []
        var entries: [ImportedEntry] = []
        var seenIDs: [String: LocatedJSON] = [:]
        func error(_ at: LocatedJSON, _ fr: String, _ en: String) {
            errors.append(Diagnostic(file: file, line: at.line, column: at.column, message: bilingual("\(fr) (\(at.path))", "\(en) (\(at.path))")))
        }
        func note(_ at: LocatedJSON, _ fr: String, _ en: String) {
            notes.append(
                Diagnostic(.note, file: file, line: at.line, column: at.column, message: bilingual("\(fr) (\(at.path))", "\(en) (\(at.path))")))
        }
        for item in items {
            guard case let .object(pairs) = item.value else {
                error(item, "un objet { … } est attendu", "expected an object { … }")
                continue
            }
            // Every value is a string, null, or (frama) an object: anything else is malformed.
            for pair in pairs {
                switch pair.value.value {
                case .string, .null, .number: break
                case .object where pair.key == "frama": break
                default: error(pair.value, "« \(pair.key) » : un texte est attendu", "\"\(pair.key)\": expected a string")
                }
            }
            guard let idNode = item["id"], let id = idNode.text else {
                error(item, "champ « id » manquant", "missing field \"id\"")
                continue
            }
            if let first = seenIDs[id] {
                error(idNode, "id « \(id) » en double (déjà ligne \(first.line))", "duplicate id \"\(id)\" (already at line \(first.line))")
                continue
            }
            seenIDs[id] = idNode
            guard let name = item["i"]?.text else {
                error(item, "champ « i » (nom) manquant", "missing field \"i\" (name)")
                continue
            }
            let function = item["f"]?.text ?? ""
            let sillCategory = item["c"]?.text ?? ""
            guard let category = SILLCategoryMap.category(function: function, category: sillCategory, kitCategories: kitCategories) else {
                note(
                    item, "« \(name) » ignoré : aucune catégorie du kit ne convient à « \(sillCategory) »",
                    "\"\(name)\" skipped: no kit category fits \"\(sillCategory)\"")
                continue
            }
            let licence = LicenceNormaliser.normalise(item["l"]?.text)
            if let original = licence.original, let at = item["l"] {
                note(
                    at, "« \(name) » : licence « \(original) » lue comme « \(licence.expression) »",
                    "\"\(name)\": licence \"\(original)\" read as \"\(licence.expression)\"")
            }
            var entry = ImportedEntry(sourceID: id, name: name, licence: licence.expression)
            entry.nameHint = item["p"]?.text
            entry.sill = id
            entry.categories = [category]
            let frDesc = item["fr-desc"]?.text
            var fr = function.isEmpty ? nil : function
            if let frDesc, !emptyDescriptions.contains(frDesc.lowercased()) {
                let (a, b) = (TextFolding.fold(function), TextFolding.fold(frDesc))
                if b.contains(a) {
                    fr = frDesc  // « Suite bureautique » ⊂ « Suite bureautique soutenue par… »
                } else if !a.contains(b) {
                    fr = fr.map { "\($0). \(frDesc)" } ?? frDesc
                }
            }
            entry.descriptionFR = fr.map(sentence)
            entry.descriptionEN = item["en-desc"]?.text.flatMap { emptyDescriptions.contains($0.lowercased()) ? nil : sentence($0) }
            if entry.descriptionFR == nil && entry.descriptionEN == nil {
                entry.descriptionFR = name
            }
            entry.keywords = sillCategory.isEmpty ? [] : [sillCategory]
            for (key, keyPath) in [("website", \ImportedEntry.website), ("sources", \.repository), ("doc", \.documentation)] {
                guard let node = item[key], let url = node.text else { continue }
                if isWebAddress(url) {
                    entry[keyPath: keyPath] = url
                } else {
                    note(node, "adresse ignorée « \(url) »", "address ignored \"\(url)\"")
                }
            }
            switch item["st"]?.text {
            case "R": entry.sillStatus = "recommended"
            case "O": entry.sillStatus = "observation"
            case "FR": entry.sillStatus = "withdrawn"
            case let other?:
                if let at = item["st"] { note(at, "statut inconnu « \(other) »", "unknown status \"\(other)\"") }
            case nil: break
            }
            entry.sillYears = Array(
                Set(
                    (item["y"]?.text ?? "").split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }.filter { (2000...2100).contains($0) }
                )
            ).sorted()
            entry.supportContract = ["oui", "yes", "true"].contains(item["su"]?.text?.lowercased() ?? "")
            entry.comptoir = item["co"]?.text.flatMap { Int($0) != nil ? $0 : nil }
            entries.append(entry)
        }
        guard errors.isEmpty else { throw ImportError(diagnostics: errors.sortedByPosition()) }
        entries.sort { (Int($0.sourceID) ?? Int.max, $0.sourceID) < (Int($1.sourceID) ?? Int.max, $1.sourceID) }
        return ImportBatch(source: ImportSource(name: sourceName, licence: licence, date: date), entries: entries, notes: notes)
    }

    /// Capitalised, with a final full stop.
    static func sentence(_ text: String) -> String {
        var text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let first = text.first, first.isLowercase { text = first.uppercased() + text.dropFirst() }
        if let last = text.last, !".!?…)".contains(last) { text += "." }
        return text
    }
}
