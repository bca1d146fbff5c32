import Foundation
import Yams

/// Writes an importer's entries into a kit (`payload/catalogue/imported/<source>/`),
/// replacing the previous import of that source as a whole, and says what changed.
///
/// - ids: an entry matching a curated one (same SILL id; else same folded name) takes
///   its id, so the kit has one entry per software; otherwise the id given at the
///   previous import of the same source id; otherwise a slug of the name, made unique
///   (duplicated names get their hint, then their source id).
/// - every file is checked with the kit's own reader before anything is written;
/// - files are written to a staging folder in the kit, then moved into place: a
///   failure leaves the kit as it was. Re-importing the same data writes nothing.
public struct CatalogueImporter {
    var kitRoot: URL

    public init(kitRoot: URL) {
        self.kitRoot = kitRoot.standardizedFileURL
    }

    struct Change: Sendable, Equatable, Codable {
        var id: String
        var name: String
        /// Top-level fields that differ (`licence`, `description`, …); empty for added/removed.
        var fields: [String]
    }

    public struct Report: Sendable {
        var source: String
        var folder: URL
        var count: Int
        var added: [Change]
        var removed: [Change]
        var changed: [Change]
        public var notes: [Diagnostic]
        /// Files left out (not all-or-nothing), with their errors.
        public var refused: [ImportBatch.Refusal] = []
        /// Ids whose previous entry was kept because their file was refused this time.
        var kept: [String] = []
        var unchanged: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }

        /// The summary printed by `demokit catalogue import`.
        public var summary: String {
            var lines: [String] = []
            if unchanged {
                lines.append(
                    bilingual(
                        "\(source) : \(count) logiciels, rien n'a changé", "\(source): \(count) software, nothing changed"))
                return lines.joined(separator: "\n")
            }
            lines.append(
                bilingual(
                    "\(source) : \(count) logiciels — \(added.count) ajouté(s), \(removed.count) retiré(s), \(changed.count) modifié(s)",
                    "\(source): \(count) software — \(added.count) added, \(removed.count) removed, \(changed.count) changed"))
            for change in added { lines.append("  + \(change.id) (\(change.name))") }
            for change in removed { lines.append("  - \(change.id) (\(change.name))") }
            for change in changed { lines.append("  ~ \(change.id) (\(change.name)) : \(change.fields.joined(separator: ", "))") }
            return lines.joined(separator: "\n")
        }

        /// What the refused files mean for the kit, for the end of the output.
        public var refusedSummary: String? {
            guard !refused.isEmpty else { return nil }
            let list = kept.joined(separator: ", ")
            let keptText = kept.isEmpty ? "" : bilingual(" ; entrée précédente gardée : \(list)", "; previous entry kept: \(list)")
            return bilingual(
                "\(refused.count) fichier(s) refusé(s) (erreurs ci-dessus), les autres sont importés",
                "\(refused.count) file(s) refused (errors above), the others are imported") + keptText
        }
    }

    /// What the kit already holds: its categories, curated entries, previous import.
    struct Context {
        var categories: Set<String>
        var curated: [(id: String, name: String, sill: String?)]
        /// Previous import of this source: file id → text, source id → file id.
        var previous: [String: String]
        var previousIDs: [String: String]
    }

    var folderName: String { "payload/catalogue/imported" }

    public func categories() throws -> Set<String> {
        try context(source: nil).categories
    }

    func context(source: String?) throws -> Context {
        let fm = FileManager.default
        let categoriesURL = kitRoot.appendingPathComponent("payload/categories.yml")
        guard let data = fm.contents(atPath: categoriesURL.path), let text = String(data: data, encoding: .utf8) else {
            throw FileError(
                path: categoriesURL.path,
                reason: bilingual(
                    "liste des catégories introuvable : l'import en a besoin pour classer les logiciels",
                    "category list not found: the import needs it to classify software"),
                hint: bilingual("indiquez le kit avec --kit DOSSIER", "name the kit with --kit DIR"))
        }
        var categories: Set<String> = []
        if case let .sequence(items)? = try? Yams.compose(yaml: text) {
            for item in items {
                if case let .mapping(mapping) = item, let id = mapping["id"]?.string { categories.insert(id) }
            }
        }
        var curated: [(id: String, name: String, sill: String?)] = []
        let catalogue = kitRoot.appendingPathComponent("payload/catalogue")
        if let enumerator = fm.enumerator(atPath: catalogue.path) {
            for case let path as String in enumerator where !path.hasPrefix("imported/") && path.hasSuffix(".yml") {
                guard let text = try? String(contentsOf: catalogue.appendingPathComponent(path), encoding: .utf8),
                    case let .mapping(mapping)? = try? Yams.compose(yaml: text), let id = mapping["id"]?.string,
                    let name = mapping["name"]?.string
                else { continue }
                curated.append((id, name, mapping["sill"]?.string))
            }
        }
        curated.sort { $0.id < $1.id }
        var previous: [String: String] = [:]
        var previousIDs: [String: String] = [:]
        if let source {
            let folder = kitRoot.appendingPathComponent("\(folderName)/\(source)")
            for file in ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).sorted() where file.hasSuffix(".yml") {
                guard let text = try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8) else { continue }
                let id = String(file.dropLast(4))
                previous[id] = text
                if case let .mapping(mapping)? = try? Yams.compose(yaml: text), case let .mapping(sourceMapping)? = mapping["source"],
                    let sourceID = sourceMapping["id"]?.string
                {
                    previousIDs[sourceID] = id
                }
            }
        }
        return Context(categories: categories, curated: curated, previous: previous, previousIDs: previousIDs)
    }

    /// Writes `batch` into the kit and reports what changed. Throws without writing
    /// anything when a generated file would not load.
    @discardableResult
    public func write(_ batch: ImportBatch) throws -> Report {
        let source = batch.source.name
        let context = try context(source: source)
        let ids = assignIDs(batch.entries, context)
        var files: [String: String] = [:]
        var names: [String: String] = [:]
        // A refused file keeps its software's previous entry: a file broken today does
        // not remove what an earlier, good version of it gave.
        var kept: [String] = []
        for refusal in batch.refused {
            guard let sourceID = refusal.sourceID, let id = context.previousIDs[sourceID], let text = context.previous[id],
                !ids.contains(id)
            else { continue }
            files[id] = text
            names[id] = Self.name(in: text) ?? id
            kept.append(id)
        }
        var problems: [Diagnostic] = []
        for (entry, id) in zip(batch.entries, ids) {
            let text = entry.yaml(id: id, source: batch.source)
            files[id] = text
            names[id] = entry.name
            // The kit's own reader must accept what we write.
            let reader = ManifestReader(file: "\(folderName)/\(source)/\(id).yml")
            if let node = reader.parse(text), let fields = reader.mapping(node, what: id) {
                _ = CatalogueEntry.read(fields, source: .curated, imported: true)
            }
            problems += reader.diagnostics.filter { $0.severity == .error }
            for category in entry.categories where !context.categories.contains(category) {
                problems.append(
                    Diagnostic(
                        file: reader.file,
                        message: bilingual("catégorie inconnue « \(category) »", "unknown category \"\(category)\"")))
            }
        }
        guard problems.isEmpty else { throw ImportError(diagnostics: batch.notes + problems) }

        var report = Report(
            source: source, folder: kitRoot.appendingPathComponent("\(folderName)/\(source)"), count: files.count, added: [],
            removed: [], changed: [], notes: batch.notes, refused: batch.refused, kept: kept.sorted())
        for id in Set(files.keys).union(context.previous.keys).sorted() {
            switch (context.previous[id], files[id]) {
            case (nil, _?): report.added.append(Change(id: id, name: names[id] ?? id, fields: []))
            case (let old?, nil): report.removed.append(Change(id: id, name: Self.name(in: old) ?? id, fields: []))
            case (let old?, let new?) where old != new:
                report.changed.append(Change(id: id, name: names[id] ?? id, fields: Self.changedFields(old, new)))
            default: break
            }
        }
        if !report.unchanged {
            try replaceFolder(source: source, with: files)
        }
        return report
    }

    /// Stages every file, then swaps the folder in: the kit never holds half an import.
    func replaceFolder(source: String, with files: [String: String]) throws {
        let fm = FileManager.default
        let target = kitRoot.appendingPathComponent("\(folderName)/\(source)")
        let staging = kitRoot.appendingPathComponent(".demokit-import-\(source).staging")
        let old = kitRoot.appendingPathComponent(".demokit-import-\(source).old")
        do {
            try? fm.removeItem(at: staging)
            try? fm.removeItem(at: old)
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
            for (id, text) in files.sorted(by: { $0.key < $1.key }) {
                try Self.writeFile(text, to: staging.appendingPathComponent("\(id).yml"))
            }
            try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            if fm.fileExists(atPath: target.path) {
                try fm.moveItem(at: target, to: old)
            }
            do {
                try fm.moveItem(at: staging, to: target)
            } catch {
                if fm.fileExists(atPath: old.path) { try? fm.moveItem(at: old, to: target) }
                throw error
            }
            try? fm.removeItem(at: old)
        } catch {
            try? fm.removeItem(at: staging)
            throw FileError(
                path: target.path,
                reason: bilingual("écriture de l'import impossible : \(error.localizedDescription)", "cannot write the import: \(error.localizedDescription)"))
        }
    }

    /// Plain write without the fsync `Data.write` does on Linux: ten thousand fsyncs
    /// made imports I/O-bound, and the staging folder is swapped in only when complete.
    static func writeFile(_ text: String, to url: URL) throws {
        guard let file = fopen(url.path, "wb") else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
        guard fclose(file) == 0, written == bytes.count else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
    }

    /// Ids for the entries, in the same order. See the type's documentation.
    func assignIDs(_ entries: [ImportedEntry], _ context: Context) -> [String] {
        var ids = [String?](repeating: nil, count: entries.count)
        var used: Set<String> = []
        let curatedIDs = Set(context.curated.map(\.id))
        let bySill = Dictionary(context.curated.compactMap { c in c.sill.map { ($0, c.id) } }, uniquingKeysWith: { a, _ in a })
        let byName = Dictionary(
            context.curated.map { (CatalogueMerge.normalisedName($0.name), $0) }, uniquingKeysWith: { a, _ in a })
        // 0. An id the importer fixed (the entry adds facts to a software the kit has).
        for (index, entry) in entries.enumerated() {
            if let id = entry.fixedID, used.insert(id).inserted { ids[index] = id }
        }
        // 1. Same SILL id as a curated entry.
        for (index, entry) in entries.enumerated() where ids[index] == nil {
            if let sill = entry.sill, let id = bySill[sill], used.insert(id).inserted { ids[index] = id }
        }
        // 2. Same source id as at the previous import (not a curated id taken by another software).
        for (index, entry) in entries.enumerated() where ids[index] == nil {
            if let id = context.previousIDs[entry.sourceID], !curatedIDs.contains(id), used.insert(id).inserted { ids[index] = id }
        }
        // 3. Same folded name as a curated entry that has no other SILL id.
        for (index, entry) in entries.enumerated() where ids[index] == nil {
            if let curated = byName[CatalogueMerge.normalisedName(entry.name)], curated.sill == nil || entry.sill == nil,
                used.insert(curated.id).inserted
            {
                ids[index] = curated.id
            }
        }
        // 4. A slug of the name.
        var nameCounts: [String: Int] = [:]
        for entry in entries { nameCounts[Self.slug(entry.name), default: 0] += 1 }
        for (index, entry) in entries.enumerated() where ids[index] == nil {
            var base = Self.slug(entry.name)
            if base.isEmpty { base = "logiciel" }
            if nameCounts[Self.slug(entry.name), default: 0] > 1, let hint = entry.nameHint, !Self.slug(hint).isEmpty {
                base = Self.slug(entry.name + " " + hint)
            }
            var candidate = base
            if curatedIDs.contains(candidate) || used.contains(candidate) {
                candidate = Self.slug(base + " " + entry.sourceID)
            }
            var counter = 2
            while curatedIDs.contains(candidate) || used.contains(candidate) || candidate.isEmpty {
                candidate = Self.slug(base + " \(counter)")
                counter += 1
            }
            used.insert(candidate)
            ids[index] = candidate
        }
        return ids.map { $0 ?? "logiciel" }
    }

    /// `[a-z0-9-]`, accents folded, at most 64 characters, no leading or trailing dash.
    static func slug(_ text: String) -> String {
        let tokens = TextFolding.tokens(text).map { token in
            String(String.UnicodeScalarView(token.unicodeScalars.filter { ("a"..."z").contains($0) || ("0"..."9").contains($0) }))
        }.filter { !$0.isEmpty }
        var slug = tokens.joined(separator: "-")
        if slug.count > 64 {
            slug = String(slug.prefix(64))
            while slug.hasSuffix("-") { slug.removeLast() }
        }
        return slug
    }

    static func name(in text: String) -> String? {
        guard case let .mapping(mapping)? = try? Yams.compose(yaml: text) else { return nil }
        return mapping["name"]?.string
    }

    /// Top-level keys whose text differs between two files of our own format.
    static func changedFields(_ old: String, _ new: String) -> [String] {
        let a = blocks(old), b = blocks(new)
        return Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.sorted()
    }

    static func blocks(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        var key: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("#") || line.isEmpty { continue }
            if let first = line.first, first != " ", first != "-", let colon = line.firstIndex(of: ":") {
                key = String(line[..<colon])
                result[key ?? ""] = String(line[colon...])
            } else if let key {
                result[key, default: ""] += "\n" + line
            }
        }
        return result
    }
}
