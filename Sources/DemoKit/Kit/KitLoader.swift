import Foundation
import Yams

/// Loads a kit folder (`profiles/` + `payload/`) and checks it whole: every file's
/// own problems and every cross-reference, all reported in one run.
public struct KitLoader {
    var root: URL
    /// How paths are shown in diagnostics: relative to the kit when it is the
    /// current folder, otherwise prefixed with the kit path as the user typed it.
    var displayPrefix: String
    /// Entries parsed by an earlier build, taken by their file's hash (a build sets it).
    var entryCache: (any ParsedEntries)?

    public init(root: URL, displayPrefix: String? = nil) {
        self.root = root.standardizedFileURL
        if let displayPrefix {
            self.displayPrefix = displayPrefix
        } else {
            let cwd = FileManager.default.currentDirectoryPath
            self.displayPrefix = self.root.path == URL(fileURLWithPath: cwd).standardizedFileURL.path ? "" : self.root.path + "/"
        }
    }

    public struct Result: Sendable {
        public var kit: Kit?
        public var diagnostics: [Diagnostic]
    }

    /// Loads and validates; `kit` is nil when there is any error.
    public func load() -> Result {
        var diagnostics: [Diagnostic] = []
        let fm = FileManager.default
        let profilesDir = root.appendingPathComponent("profiles")
        let kitFile = profilesDir.appendingPathComponent(KitSettings.fileName)
        guard fm.fileExists(atPath: kitFile.path) else {
            diagnostics.append(
                Diagnostic(
                    file: display("profiles/kit.yml"),
                    message: bilingual(
                        "fichier introuvable : ce dossier n'est pas un kit (il faut profiles/kit.yml et payload/) ; indiquez le kit avec --kit DOSSIER",
                        "file not found: this folder is not a kit (it needs profiles/kit.yml and payload/); name the kit with --kit DIR")))
            return Result(kit: nil, diagnostics: diagnostics)
        }

        var settings = readOne("profiles/kit.yml", &diagnostics) { KitSettings.read($0) }

        var profiles: [Profile] = []
        for file in yamlFiles(in: "profiles") where file != "profiles/kit.yml" {
            guard let profile = readOne(file, &diagnostics, { Profile.read($0) }) else { continue }
            checkFileName(profile.id, file, &diagnostics)
            if let other = profiles.first(where: { $0.id.value == profile.id.value }) {
                diagnostics.append(
                    profile.id.diagnostic(
                        bilingual(
                            "profil « \(profile.id.value) » déjà défini dans \(other.id.file)",
                            "profile \"\(profile.id.value)\" already defined in \(other.id.file)")))
                continue
            }
            profiles.append(profile)
        }

        var categories: [Category] = []
        let categoriesFile = "payload/categories.yml"
        if fm.fileExists(atPath: root.appendingPathComponent(categoriesFile).path) {
            categories = readList(categoriesFile, &diagnostics) { Category.read($0) }
            var seen: [String: Located<String>] = [:]
            for category in categories {
                if let first = seen[category.id.value] {
                    diagnostics.append(
                        category.id.diagnostic(
                            bilingual(
                                "catégorie « \(category.id.value) » en double (déjà ligne \(first.line))",
                                "duplicate category \"\(category.id.value)\" (already at line \(first.line))")))
                }
                seen[category.id.value] = category.id
            }
        } else {
            diagnostics.append(
                Diagnostic(
                    file: display(categoriesFile),
                    message: bilingual(
                        "fichier introuvable : la liste des catégories est obligatoire", "file not found: the category list is required")))
        }

        var curated: [CatalogueEntry] = []
        var imported: [CatalogueEntry] = []
        // Thousands of entries: parsed on every core (or taken from the entry cache),
        // then taken in file order so diagnostics come out the same on every run.
        let catalogueFiles = yamlFiles(in: "payload/catalogue")
        let parsed = parallelMap(catalogueFiles) { file in readEntry(file) }
        for (file, (entry, found)) in zip(catalogueFiles, parsed) {
            diagnostics += found
            guard let entry else { continue }
            checkFileName(entry.id, file, &diagnostics)
            if file.hasPrefix("payload/catalogue/imported/") { imported.append(entry) } else { curated.append(entry) }
        }
        let catalogue = CatalogueMerge.merge(curated: curated, imported: imported, diagnostics: &diagnostics)

        var apps: [String: AppDelivery] = [:]
        for file in yamlFiles(in: "payload/apps") {
            guard let app = readOne(file, &diagnostics, { AppDelivery.read($0) }) else { continue }
            checkFileName(app.id, file, &diagnostics)
            apps[app.id.value] = app
        }

        var providers: [Provider] = []
        for file in yamlFiles(in: "payload/providers") {
            guard let provider = readOne(file, &diagnostics, { Provider.read($0) }) else { continue }
            checkFileName(provider.id, file, &diagnostics)
            providers.append(provider)
        }

        var packageFacts: [String: PackageFacts] = [:]
        for file in yamlFiles(in: PackageFacts.folder) {
            guard let facts = readOne(file, &diagnostics, { PackageFacts.read($0) }) else { continue }
            checkFileName(facts.id, file, &diagnostics)
            if let problem = facts.iconDiagnostic(kitRoot: root, file: display(file)) { diagnostics.append(problem) }
            packageFacts[facts.id.value] = facts
        }

        // Cross-references. An entry whose file exists but has errors was already
        // reported; references to it are not reported again as unknown.
        let entryIDs = Set(catalogue.map(\.id.value))
        let entryFiles = Set(yamlFiles(in: "payload/catalogue").map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension })
        let categoryIDs = categories.map(\.id.value)
        for entry in catalogue {
            for category in entry.categories where !categoryIDs.contains(category.value) {
                var message = BilingualMessage("catégorie inconnue « \(category.value) »", "unknown category \"\(category.value)\"")
                message.suggest(closest(to: category.value, in: categoryIDs))
                diagnostics.append(category.diagnostic(message.text))
            }
        }
        for app in apps.values.sorted(by: { $0.id.value < $1.id.value }) where !entryIDs.contains(app.id.value) && !entryFiles.contains(app.id.value) {
            diagnostics.append(
                app.id.diagnostic(
                    bilingual(
                        "application « \(app.id.value) » absente du catalogue : ajoutez payload/catalogue/\(app.id.value).yml",
                        "application \"\(app.id.value)\" is not in the catalogue: add payload/catalogue/\(app.id.value).yml")))
        }
        for profile in profiles {
            for app in profile.apps where !entryIDs.contains(app.value) && !entryFiles.contains(app.value) {
                diagnostics.append(Self.unknownEntry(app, Self.unknownApplication, ids: entryIDs))
            }
        }
        for provider in providers {
            for software in provider.software where !entryIDs.contains(software.value) && !entryFiles.contains(software.value) {
                diagnostics.append(Self.unknownEntry(software, (fr: "logiciel inconnu", en: "unknown software"), ids: entryIDs))
            }
        }
        let profileIDs = profiles.map(\.id.value)
        if let settings {
            for id in settings.profileOrder where !profileIDs.contains(id.value) {
                diagnostics.append(
                    id.diagnostic(
                        bilingual(
                            "profil inconnu « \(id.value) » : aucun fichier profiles/\(id.value).yml",
                            "unknown profile \"\(id.value)\": no file profiles/\(id.value).yml")))
            }
            if let id = settings.defaultProfile, !profileIDs.contains(id.value) {
                diagnostics.append(
                    id.diagnostic(
                        bilingual(
                            "profil par défaut inconnu « \(id.value) »", "unknown default profile \"\(id.value)\"")))
            }
        }
        if profiles.isEmpty, settings != nil {
            diagnostics.append(
                Diagnostic(
                    file: display("profiles/kit.yml"),
                    message: bilingual(
                        "aucun profil : ajoutez au moins un fichier profiles/<id>.yml", "no profile: add at least one profiles/<id>.yml file")))
        }

        let (talks, facts) = loadTalks(profiles: profiles, entryIDs: entryIDs, entryFiles: entryFiles, &diagnostics)
        if let updates = settings?.updates {
            settings?.updates?.publicKeyText = readUpdateKey(updates.publicKey, &diagnostics) ?? ""
        }

        diagnostics = diagnostics.sortedByPosition()
        guard let settings, !diagnostics.hasErrors else {
            return Result(kit: nil, diagnostics: diagnostics)
        }
        let order = settings.profileOrder.map(\.value)
        profiles.sort { a, b in
            let ia = order.firstIndex(of: a.id.value) ?? Int.max, ib = order.firstIndex(of: b.id.value) ?? Int.max
            return (ia, a.id.value) < (ib, b.id.value)
        }
        var kit = Kit(
            root: root, settings: settings, profiles: profiles,
            categories: categories, catalogue: catalogue, apps: apps, providers: providers, talks: talks, facts: facts)
        kit.packageFacts = packageFacts
        kit.catalogue = PackageFacts.apply(packageFacts, to: kit.catalogue)
        return Result(kit: kit, diagnostics: diagnostics)
    }

    /// The public key named by `updates.key`, checked as minisign reads it.
    func readUpdateKey(_ path: Located<String>, _ diagnostics: inout [Diagnostic]) -> String? {
        let url = root.appendingPathComponent(path.value)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            diagnostics.append(
                path.diagnostic(
                    bilingual(
                        "clé publique introuvable « \(path.value) » (chemin depuis le dossier du kit) : demokit keygen --out DOSSIER en fait une",
                        "public key not found \"\(path.value)\" (path from the kit's folder): demokit keygen --out DIR makes one")))
            return nil
        }
        do {
            _ = try MinisignPublicKey(text: text)
        } catch {
            diagnostics.append(
                path.diagnostic(
                    bilingual(
                        "« \(path.value) » n'est pas une clé publique minisign (demokit.pub) : \(error)",
                        "\"\(path.value)\" is not a minisign public key (demokit.pub): \(error)")))
            return nil
        }
        return text
    }

    /// Loads or throws `KitValidationError` carrying every diagnostic.
    public func loadValid() throws -> (kit: Kit, warnings: [Diagnostic]) {
        let result = load()
        guard let kit = result.kit else { throw KitValidationError(diagnostics: result.diagnostics) }
        return (kit, result.diagnostics)
    }

    // MARK: - Files

    func display(_ relative: String) -> String { displayPrefix + relative }

    /// `*.yml` / `*.yaml` files below a kit folder, recursively, sorted.
    func yamlFiles(in folder: String) -> [String] {
        let base = root.appendingPathComponent(folder)
        guard let enumerator = FileManager.default.enumerator(atPath: base.path) else { return [] }
        var files: [String] = []
        for case let path as String in enumerator where path.hasSuffix(".yml") || path.hasSuffix(".yaml") {
            files.append(folder + "/" + path)
        }
        return files.sorted()
    }

    func readOne<T>(_ file: String, _ diagnostics: inout [Diagnostic], _ read: (MappingReader) -> T?) -> T? {
        let reader = ManifestReader(file: display(file))
        defer { diagnostics += reader.diagnostics }
        guard let node = reader.parse(contentsOf: root.appendingPathComponent(file, isDirectory: false)) else {
            if reader.diagnostics.isEmpty {
                reader.error(at: nil, bilingual("fichier vide", "empty file"))
            }
            return nil
        }
        guard let fields = reader.mapping(node, what: file) else { return nil }
        return read(fields)
    }

    /// One catalogue entry file: from the entry cache when its bytes did not change,
    /// else parsed (and recorded when it has no error).
    private func readEntry(_ file: String) -> (CatalogueEntry?, [Diagnostic]) {
        let url = root.appendingPathComponent(file, isDirectory: false)
        if let cached = entryCache?.lookup(file, at: url) { return cached }
        let isImported = file.hasPrefix("payload/catalogue/imported/")
        let reader = ManifestReader(file: display(file))
        guard let data = FileManager.default.contents(atPath: url.path) else {
            reader.error(at: nil, bilingual("fichier illisible", "cannot read file"))
            return (nil, reader.diagnostics)
        }
        guard let node = reader.parse(data: data) else {
            if reader.diagnostics.isEmpty { reader.error(at: nil, bilingual("fichier vide", "empty file")) }
            return (nil, reader.diagnostics)
        }
        guard let fields = reader.mapping(node, what: file) else { return (nil, reader.diagnostics) }
        let entry = CatalogueEntry.read(fields, source: .curated, imported: isImported)
        if let entry, let entryCache, !reader.diagnostics.hasErrors {
            entryCache.record(file, sha256: FileHashing.sha256(of: data), entry: entry, diagnostics: reader.diagnostics)
        }
        return (entry, reader.diagnostics)
    }

    func readList<T>(_ file: String, _ diagnostics: inout [Diagnostic], _ read: (MappingReader) -> T?) -> [T] {
        let reader = ManifestReader(file: display(file))
        defer { diagnostics += reader.diagnostics }
        guard let node = reader.parse(contentsOf: root.appendingPathComponent(file, isDirectory: false)) else { return [] }
        guard case let .sequence(items) = node else {
            reader.error(at: node, bilingual("une liste est attendue", "expected a list"))
            return []
        }
        return items.compactMap { item in reader.mapping(item, what: file).flatMap(read) }
    }

    static let unknownApplication = (fr: "application inconnue", en: "unknown application")

    /// A reference to a catalogue entry that has no file, with the closest id as a hint.
    static func unknownEntry(_ reference: Located<String>, _ what: (fr: String, en: String), ids: Set<String>) -> Diagnostic {
        var message = BilingualMessage(
            "\(what.fr) « \(reference.value) » : aucune entrée payload/catalogue/\(reference.value).yml",
            "\(what.en) \"\(reference.value)\": no entry payload/catalogue/\(reference.value).yml")
        message.suggest(closest(to: reference.value, in: ids.sorted()))
        return reference.diagnostic(message.text)
    }

    func checkFileName(_ id: Located<String>, _ file: String, _ diagnostics: inout [Diagnostic]) {
        let name = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        if name != id.value {
            diagnostics.append(
                id.diagnostic(
                    bilingual(
                        "l'identifiant « \(id.value) » doit être le nom du fichier (« \(name) ») : renommez l'un ou l'autre",
                        "the id \"\(id.value)\" must match the file name (\"\(name)\"): rename one of them")))
        }
    }
}

/// Catalogue entries as an earlier load parsed them (the incremental layer's
/// `EntryCache`): asked before a file is parsed, told of each file parsed without error.
protocol ParsedEntries: AnyObject, Sendable {
    /// The entry and warnings of `file` (kit-relative) at `url`, if its bytes are the
    /// ones they were parsed from.
    func lookup(_ file: String, at url: URL) -> (entry: CatalogueEntry, diagnostics: [Diagnostic])?
    /// `file`, of hash `sha256`, just parsed into `entry` with these warnings.
    func record(_ file: String, sha256: String, entry: CatalogueEntry, diagnostics: [Diagnostic])
}
