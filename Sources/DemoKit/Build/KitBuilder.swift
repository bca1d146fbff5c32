import Foundation

/// What the end of a build says of the key.
public struct KeySummary: Sendable, Equatable {
    /// Files on the key, its manifest included.
    public var files: Int
    /// Bytes of the files the manifest lists.
    public var bytes: Int64
    public var profiles: [String]
}

/// Runs the stages in order: manifests → kit → applications (from the content store)
/// → base system → catalogue → site → application lists → payload files → boot files
/// → size and FAT32 checks → tree → update manifest → archive → disk image.
public struct KitBuilder {
    public struct Options: Sendable {
        var kitRoot: URL
        var output: URL
        public var profiles: [String] = []
        public var archive: URL?
        public var displayPrefix: String?
        var environment: [String: String] = ProcessInfo.processInfo.environment
        /// The content store of application artifacts (`--cache`); by default the user's cache folder.
        public var cache: URL?
        /// Build even when artifacts are missing: the lists say what is not on the key.
        public var skipMissing = false
        /// Refuse a tree that does not fit a key of this size (`--size`).
        public var keySize: ByteSize?
        /// Size of a base system that will share the key but is not in the tree
        /// (counted by `plan`); 0 when the build places the base itself.
        public var baseSystemBytes: Int64 = 0
        /// The command shown to fetch missing artifacts.
        public var fetchCommand: String?
        /// The base ISO (`--base-iso`); else the kit's `base:`; else a key that does not boot.
        public var base: BaseSource?
        /// What to do with a kit whose `base:` is a Debian build.
        public var debianBase: DebianBasePolicy = .ignore
        /// Added to every boot entry's kernel command line (`--kernel-args`).
        public var kernelParameters: [String] = []
        /// Also write a raw disk image (`--image`), of `imageSize` or the smallest that fits.
        public var image: URL?
        public var imageSize: ByteSize?

        public init(kitRoot: URL, output: URL) {
            self.kitRoot = kitRoot
            self.output = output
        }
    }

    /// A kit's Debian live system (`base: {debian: …}`) in a build.
    public enum DebianBasePolicy: Sendable, Equatable {
        /// A catalogue-only key (`--no-base`; the library's default).
        case ignore
        /// Taken from the content store, built there first if missing (`demokit build`).
        case build(mirror: String?)
        /// Taken from the content store when it is there, else left out (`demokit plan`).
        case useIfBuilt
    }

    public struct Report: Sendable {
        var output: URL
        /// The key's manifest: the one this build wrote or, after a build with nothing
        /// to do, the key's, read when first asked for (decoding a record per file is
        /// most of such a build, and the summary needs none of them).
        var manifest: UpdateManifest {
            get throws { try manifestSource.manifest() }
        }
        /// Files on the key (the manifest included), their bytes, its profiles.
        public var summary: KeySummary
        var manifestSource: ManifestSource
        public var archive: URL?
        public var warnings: [Diagnostic]
        /// Artifacts left out with `--skip-missing`.
        public var missing: [MissingArtifactsError.Item] = []
        /// The key boots (a base system was given).
        public var bootable = false
        public var image: URL?
        /// Nothing changed since the last build of this output: nothing was written.
        var unchanged = false
        /// Files written, taken from the previous build, or hard-linked from the store.
        var counts = TreeWriter.Counts()
        /// Catalogue files parsed; the others were taken from the build cache.
        var entriesParsed = 0
        /// The base system was taken from the key in place, not read from the ISO.
        var baseReused = false

        init(
            output: URL, manifest: ManifestSource, summary: KeySummary, warnings: [Diagnostic], missing: [MissingArtifactsError.Item] = [],
            bootable: Bool = false, unchanged: Bool = false, counts: TreeWriter.Counts = TreeWriter.Counts(), entriesParsed: Int = 0,
            baseReused: Bool = false
        ) {
            self.output = output
            manifestSource = manifest
            self.summary = summary
            self.warnings = warnings
            self.missing = missing
            self.bootable = bootable
            self.unchanged = unchanged
            self.counts = counts
            self.entriesParsed = entriesParsed
            self.baseReused = baseReused
        }
    }

    /// A key's manifest, in memory or read from the key once, when first needed.
    final class ManifestSource: @unchecked Sendable {
        private let lock = NSLock()
        private var loaded: UpdateManifest?
        private let url: URL?

        init(_ manifest: UpdateManifest) {
            loaded = manifest
            url = nil
        }

        init(reading url: URL) {
            self.url = url
        }

        func manifest() throws -> UpdateManifest {
            try lock.withLock {
                if let loaded { return loaded }
                let manifest = try UpdateManifest.read(from: url ?? URL(fileURLWithPath: "/"))
                loaded = manifest
                return manifest
            }
        }
    }

    var options: Options
    var progress: any ProgressReporter

    public init(options: Options, progress: any ProgressReporter = SilentProgress()) {
        self.options = options
        self.progress = progress
    }

    var store: ContentStore { ContentStore(root: options.cache ?? ContentStore.defaultRoot(environment: options.environment)) }

    /// Remembered hashes of the kit's and the base's files (the build cache's, or empty).
    var inputsMemo = FileMemo()

    /// Everything decided before writing: the kit, the tree, the applications.
    struct Prepared {
        var kit: Kit
        var warnings: [Diagnostic]
        var mtime: Date
        var plan: TreePlan
        var apps: AppPayloads
        var base: BaseSystem?
        var baseSource: BaseSource?
        var entriesParsed = 0
        var baseReused = false
        /// The entry cache being saved; waited for before the build ends.
        var entriesSaving: BackgroundWork?
        /// The database's size and hash, taken by the core that wrote it, as soon as
        /// it did.
        var databaseRecord: (size: Int64, sha256: String)
    }

    /// Loads the kit, resolves the applications against the store, writes the catalogue
    /// database at `database` and plans every other file of the key.
    /// Missing artifacts stop it unless `allowMissing` (plans, `--skip-missing`).
    /// `entries`: the build cache's parsed entries, taken when their files did not change.
    /// `cache`: the build cache of the output, whose previous key may hold the base system.
    func prepare(
        database: URL, baseWork: URL, verify: Bool, allowMissing: Bool, store: ContentStore? = nil, entries: EntryCache? = nil,
        cache: BuildCache? = nil
    ) throws -> Prepared {
        let store = store ?? self.store
        progress.stage(bilingual("vérification des manifestes", "checking manifests"))
        var loader = KitLoader(root: options.kitRoot, displayPrefix: options.displayPrefix)
        loader.entryCache = entries
        let (fullKit, warnings) = try loader.loadValid()
        var kit = try fullKit.selecting(profiles: options.profiles)
        let theme = try Theme.load(from: kit.root.appendingPathComponent("payload/theme"), displayPrefix: loader.displayPrefix)
        let mtime = SourceDate.resolve(kitDate: kit.settings.date, environment: options.environment)
        progress.detail(
            bilingual(
                "kit « \(kit.settings.id) » \(kit.settings.version) : \(kit.profiles.count) profils, \(kit.catalogue.count) logiciels",
                "kit \"\(kit.settings.id)\" \(kit.settings.version): \(kit.profiles.count) profiles, \(kit.catalogue.count) software"))
        progress.detail(bilingual("date des fichiers : \(mtime)", "file date: \(mtime)"))
        let entriesParsed = entries?.parsedCount ?? kit.catalogue.count
        if entries != nil {
            progress.detail(
                bilingual(
                    "fiches du catalogue : \(entriesParsed) lue(s), les autres reprises de la construction précédente",
                    "catalogue entries: \(entriesParsed) read, the others taken from the previous build"))
        }
        // Encoded and written while the next stages read the disk.
        let entriesSaving = entries.map { entries in BackgroundWork { try entries.save() } }
        // A stage that fails does not leave it running: the caller waits otherwise.
        var prepared = false
        defer { if !prepared { entriesSaving?.wait() } }

        progress.stage(bilingual("applications", "applications"))
        let apps = try AppPayloads.resolve(kit, store: store, verify: verify, progress: progress)
        if !apps.diagnostics.isEmpty {
            throw KitValidationError(diagnostics: apps.diagnostics.sortedByPosition())
        }
        if !apps.missing.isEmpty, !allowMissing {
            let cache = options.cache.map { " --cache \($0.path)" } ?? ""
            throw MissingArtifactsError(
                items: apps.missing, fetchCommand: options.fetchCommand ?? "demokit fetch --kit \(options.kitRoot.path)\(cache)")
        }
        kit.placements = apps.placements
        let builtBase = options.base == nil ? try debianBase(kit, store: store) : nil
        let baseSource = builtBase == nil ? baseSource(kit) : nil
        // The base system is taken out of the ISO while the database and the pages
        // are made, a stage that leaves cores idle. Nothing else reads its work
        // folder or the ISO until it is joined, before the boot files.
        let baseReading =
            builtBase == nil
            ? try startReadingBase(
                baseSource, into: baseWork, extracted: store.memo, cache: cache, debianDeclared: kit.settings.base?.debian != nil) : nil
        // A stage that fails waits for it: the caller then removes its work folder.
        // (Once joined below, waiting again returns at once.)
        defer { _ = baseReading?.value }

        progress.stage(bilingual("base et site du catalogue", "catalogue database and website"))
        try FileManager.default.createDirectory(at: database.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Independent work of a few seconds each on a large catalogue, sharing the cores.
        let written = kit
        var hashed: (size: Int64, sha256: String)?
        let site = try SiteGenerator(kit: written, theme: theme).plan(alongside: {
            try CatalogueWriter.write(written, to: database, texts: $0)
            // Hashed while the site's other jobs run, not after them.
            hashed = try FileHashing.sha256(fileAt: database)
        })
        // Every job ran when `plan` returned; read again only if that ever changes.
        let databaseRecord = try hashed ?? FileHashing.sha256(fileAt: database)
        Memory.releaseFree()
        var plan = TreePlan()
        try plan.add(contentsOf: site)
        try plan.add(contentsOf: try ProfileAppList.plan(kit))
        try plan.add(contentsOf: payloadFiles(kit))
        try plan.add(contentsOf: apps.files)
        let (base, baseReused) = try builtBase.map { ($0, false) } ?? baseReading.map { try $0.value.get() } ?? (nil, false)
        if let base {
            progress.stage(bilingual("fichiers de démarrage", "boot files"))
            try plan.add(contentsOf: BootFiles.plan(kit: kit, base: base, extraParameters: options.kernelParameters))
            if let updates = kit.settings.updates {
                // The key's own updates need demokit on it: this very executable.
                let executable = options.environment["DEMOKIT_UPDATER_EXECUTABLE"] ?? "/proc/self/exe"
                let bundle = try UpdaterBundle.files(executable: executable, store: store, environment: options.environment)
                try plan.add(contentsOf: LiveUpdates.plannedFiles(updates, bundle: bundle))
            }
        }
        prepared = true
        return Prepared(
            kit: kit, warnings: warnings, mtime: mtime, plan: plan, apps: apps, base: base, baseSource: baseSource,
            entriesParsed: entriesParsed, baseReused: baseReused, entriesSaving: entriesSaving, databaseRecord: databaseRecord)
    }

    static let databasePath = "demokit/catalogue.sqlite"

    /// Measures the key from a prepared tree: the database as written, the manifest
    /// as it will be encoded (hashes have a fixed length), every other planned file.
    /// `written`: files already written, whose sizes are known without generating them again.
    func keyPlan(_ prepared: Prepared, written: [FileRecord] = [], databaseSize: Int64) throws -> KeyPlan {
        let known = Dictionary(written.map { ($0.path, $0.size) }, uniquingKeysWith: { a, _ in a })
        // sizes() lists the planned files in their order.
        let sizes = try prepared.plan.sizes(generate: known.isEmpty)
        var files = zip(prepared.plan.files, sizes).map { (path: $0.path, size: known[$0.path] ?? $1.size, role: $0.role) }
        files.append((Self.databasePath, databaseSize, .catalogue))
        let kit = prepared.kit
        let placeholder = String(repeating: "0", count: 64)
        let manifest = UpdateManifest(
            kit: .init(id: kit.settings.id, version: kit.settings.version, channel: kit.settings.channel, date: kit.settings.date),
            profiles: kit.profiles.map(\.id.value),
            files: files.map { FileRecord(path: $0.path, size: $0.size, sha256: placeholder, role: $0.role) })
        files.append((UpdateManifest.path, Int64(try manifest.encoded().count), .catalogue))
        var plan = KeyPlan.make(files: files, kit: kit, appFiles: prepared.apps.appFiles, estimated: prepared.apps.estimated)
        // A base read from an ISO is already in the tree (role boot); otherwise count
        // the size a caller announced.
        plan.baseSystemBytes = prepared.base == nil ? options.baseSystemBytes : 0
        return plan
    }

    /// Plans the key without writing it: sizes, sharing, FAT32 problems. Artifacts
    /// missing from the cache are counted at their download size.
    public func plan() throws -> (plan: KeyPlan, missing: [MissingArtifactsError.Item], warnings: [Diagnostic]) {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("demokit-plan-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let database = scratch.appendingPathComponent(Self.databasePath)
        let prepared = try prepare(
            database: database, baseWork: scratch.appendingPathComponent("base"), verify: false, allowMissing: true)
        let size = prepared.databaseRecord.size
        return (try keyPlan(prepared, databaseSize: size), prepared.apps.missing, prepared.warnings)
    }

    public func build() throws -> Report {
        let store = self.store
        let cache = BuildCache(output: options.output)
        var builder = self
        builder.inputsMemo = cache.inputs
        progress.stage(bilingual("recherche des changements", "looking for changes"))
        var key = BuildKey(kitRoot: options.kitRoot)
        addSettings(to: &key, store: store)
        let storeMemo = store.memo, inputs = cache.inputs
        let hashExtra = { @Sendable (path: String) throws -> String in
            if let fingerprint = FileFingerprint.of(path), let known = storeMemo.trusted(path, fingerprint) { return known.sha256 }
            return try inputs.sha256(ofPath: path).sha256
        }
        // The kit's files, the other files the last build read and the output's files
        // are looked at side by side: each waits on the disk, not the CPU (a no-change
        // rebuild after a reboot). A rebuild then finds the output's metadata in memory.
        let extraValues = cache.stored.map { stored in BackgroundValue { BuildKey.extraValues(stored.extras, hash: hashExtra) } }
        let outputIntact = cache.stored.map { _ in BackgroundValue { cache.outputIsIntact(store: storeMemo) } }
        do {
            try key.addKitFiles(memo: cache.inputs)
        } catch {
            _ = (extraValues?.value, outputIntact?.value)
            throw error
        }
        if let stored = cache.stored, let extraValues, let outputIntact {
            var check = key
            check.addExtras(stored.extras, values: extraValues.value)
            // Every file of the output as written, the manifest included: its summary,
            // saved with the key, is the manifest's.
            if check.value == stored.key, let summary = stored.summary, outputIntact.value {
                progress.info(
                    bilingual(
                        "rien n'a changé depuis la dernière construction : la clé est à jour", "nothing changed since the last build: the key is up to date"))
                for warning in stored.warnings { progress.warning(warning) }
                let source = ManifestSource(reading: options.output.appendingPathComponent(UpdateManifest.path))
                var report = Report(
                    output: options.output, manifest: source, summary: summary, warnings: [],
                    // The memo knows the output by its standardized path (`./build/kit` is `build/kit`).
                    bootable: cache.outputs.entry(TreeWriter.folderPath(cache.output) + "/" + BootFiles.checksumListPath) != nil,
                    unchanged: true)
                // The manifest is read in the archive's (or the image's) stage: its
                // records are their work, not the check's.
                try writeArchiveAndImage(source, into: &report)
                return report
            }
        }
        // The output's check goes on while the rebuild reads the kit: its answer no
        // longer matters, but the `stat`s it makes of the previous key's files are the
        // ones taking its unchanged files needs next.
        return try builder.rebuild(key: key, cache: cache, store: store, outputCheck: outputIntact, hashExtra: hashExtra)
    }

    /// What the output depends on besides the kit's files.
    func addSettings(to key: inout BuildKey, store: ContentStore) {
        key.add("demokit", ExecutableIdentity.current)
        key.add("profiles", options.profiles.joined(separator: ","))
        key.add("skip-missing", "\(options.skipMissing)")
        key.add("kernel-args", options.kernelParameters.joined(separator: " "))
        key.add("debian-base", "\(options.debianBase)")
        key.add("base-iso", options.base.map { "\($0.iso.standardizedFileURL.path) \($0.sha256 ?? "")" } ?? "")
        key.add("size", options.keySize.map { "\($0.bytes)" } ?? "")
        key.add("base-bytes", "\(options.baseSystemBytes)")
        key.add("cache", store.root.path)
        for (name, value) in options.environment.sorted(by: { $0.key < $1.key })
        where name == "SOURCE_DATE_EPOCH" || name.hasPrefix("DEMOKIT_") {
            key.add("env", "\(name)=\(value)")
        }
    }

    /// `outputCheck`: the check of the output in place, still running; joined before
    /// anything is written, and before a failure is reported.
    func rebuild(
        key: BuildKey, cache: BuildCache, store: ContentStore, outputCheck: BackgroundValue<Bool>? = nil,
        hashExtra: @escaping @Sendable (String) throws -> String
    ) throws -> Report {
        defer { _ = outputCheck?.value }
        let swap = try OutputSwap(output: options.output)
        let baseWork = swap.staging.deletingLastPathComponent()
            .appendingPathComponent(".\(swap.output.lastPathComponent).base-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: baseWork) }
        // The previous build's page records (a line per page) are read while the kit is.
        let previousPages = BackgroundValue { cache.readPages() }
        defer { _ = previousPages.value }
        do {
            let database = swap.staging.appendingPathComponent(Self.databasePath)
            let entries = EntryCache(
                url: cache.folder.appendingPathComponent("entries.tsv"), memo: cache.inputs,
                displayPrefix: KitLoader(root: options.kitRoot, displayPrefix: options.displayPrefix).displayPrefix)
            var prepared = try prepare(
                database: database, baseWork: baseWork, verify: true, allowMissing: options.skipMissing, store: store, entries: entries,
                cache: cache)
            defer {
                if let error = prepared.entriesSaving?.wait() {
                    // Only the next build will be slower.
                    progress.warning(
                        bilingual(
                            "avertissement : fiches du catalogue non enregistrées dans le cache (\(error.localizedDescription))",
                            "warning: catalogue entries not saved in the cache (\(error.localizedDescription))"))
                }
            }
            let kit = prepared.kit, mtime = prepared.mtime, base = prepared.base
            var warnings = prepared.warnings.map(\.description)
            if base == nil { warnings.append(BootFiles.noBaseWarning) }
            for item in prepared.apps.missing {
                let warning = bilingual(
                    "avertissement : \(item.app) (\(item.platform)) n'est pas sur cette clé : \(item.reason)",
                    "warning: \(item.app) (\(item.platform)) is not on this key: \(item.reason)")
                progress.warning(warning)
                warnings.append(warning)
            }

            // Not reading the output any more while the new key is written.
            _ = outputCheck?.value
            progress.stage(bilingual("écriture des fichiers", "writing files"))
            var writer = TreeWriter(
                mtime: mtime, progress: progress, previous: .init(root: swap.output, memo: cache.outputs, pages: previousPages.value),
                ownedMemo: store.memo)
            writer.setsModes = swap.storesModes
            let databaseRecord = prepared.databaseRecord
            // Nothing is written before the FAT32 rules are checked.
            try prepared.plan.checkFAT32()
            var records = try writer.write(prepared.plan, into: swap.staging) { generated in
                // Pages are written, copies not yet: refuse a key that does not fit now.
                if let keySize = options.keySize {
                    let keyPlan = try keyPlan(prepared, written: generated, databaseSize: databaseRecord.size)
                    let fit = keyPlan.fit(keySize)
                    progress.detail(
                        bilingual(
                            "place sur la clé : \(formatBytes(fit.used)) sur \(formatBytes(fit.usable))",
                            "room on the key: \(formatBytes(fit.used, english: true)) of \(formatBytes(fit.usable, english: true))"))
                    guard fit.fits else { throw KeyTooSmallError(fit: fit, plan: keyPlan) }
                }
                if options.image != nil, let size = options.imageSize {
                    let generatedSizes = Dictionary(generated.map { ($0.path, $0.size) }, uniquingKeysWith: { a, _ in a })
                    let sizes = try prepared.plan.sizes().map { ($0.path, generatedSizes[$0.path] ?? $0.size) }
                    try DiskImage.precheck(files: sizes, size: size, margin: 8 << 20)
                }
            }
            // The key of the tree being built, with every other file the build read.
            var extras = Set(
                prepared.plan.files.compactMap { file -> String? in
                    switch file.content {
                    case let .copy(url), let .owned(url):
                        // The base's files come from its work folder or the previous key.
                        let path = url.path
                        return key.isKitFile(path) || path.hasPrefix(baseWork.path + "/") || path.hasPrefix(swap.output.path + "/") ? nil : path
                    case .bytes, .generated: return nil
                    }
                })
            // Peak memory: the pages' closures hold the site's tables, and the
            // previous build's page records are no longer needed; the manifest's
            // encoding and the cache's files are made without them.
            prepared.plan = TreePlan()
            writer.previous = nil
            Memory.releaseFree()
            progress.detail(
                bilingual(
                    "\(writer.counts.written) fichier(s) écrit(s), \(writer.counts.reused) repris de la construction précédente, \(writer.counts.linked) lié(s) depuis le cache ; \(writer.counts.rendered) page(s) rendue(s)",
                    "\(writer.counts.written) file(s) written, \(writer.counts.reused) taken from the previous build, \(writer.counts.linked) linked from the cache; \(writer.counts.rendered) page(s) rendered"
                ))
            try writer.stamp(database.path, mode: 0o644)
            records.append(FileRecord(path: Self.databasePath, size: databaseRecord.size, sha256: databaseRecord.sha256, role: .catalogue))
            if base != nil {
                // For « Vérifier l'intégrité de la clé » (LiveSession): every file of the key but this list and the manifest.
                let list = BootFiles.checksumList(records)
                let listURL = swap.staging.appendingPathComponent(BootFiles.checksumListPath)
                try list.write(to: listURL, options: .withoutOverwriting)
                try writer.stamp(listURL.path, mode: 0o644)
                records.append(FileRecord(path: BootFiles.checksumListPath, size: Int64(list.count), sha256: FileHashing.sha256(of: list), role: .boot))
            }

            let manifest = UpdateManifest(
                kit: .init(id: kit.settings.id, version: kit.settings.version, channel: kit.settings.channel, date: kit.settings.date),
                profiles: kit.profiles.map(\.id.value), files: records)
            let manifestURL = swap.staging.appendingPathComponent(UpdateManifest.path)
            // Its bytes (a record per file) are let go once written: the cache saved
            // next needs only its size and hash (peak memory).
            let manifestRecord = try {
                let data = try manifest.encodedInPieces()
                try data.write(to: manifestURL, options: .withoutOverwriting)
                return FileRecord(path: UpdateManifest.path, size: Int64(data.count), sha256: FileHashing.sha256(of: data))
            }()
            try writer.stamp(manifestURL.path, mode: 0o644)
            for url in [manifestURL.deletingLastPathComponent(), swap.staging] {
                try writer.stamp(url.path, mode: 0o755)
            }

            progress.stage(bilingual("mise en place", "moving into place"))
            cache.invalidate()
            // The previous key is removed while the content store's memo is saved and
            // the extras are hashed.
            let removal = try swap.commit()
            defer { removal.wait() }
            // The base's extracted files are linked into the key: removing their work
            // folder changes their fingerprints, so it goes before they are taken.
            try? FileManager.default.removeItem(at: baseWork)
            // Links changed the fingerprints of the content store's files, not their bytes.
            for path in Set(writer.takeLinkedOwned()) { store.memo.refresh(path) }
            // A file of its own, written while the build cache is (it `stat`s each of
            // the store's files it keeps).
            let storeSaving = BackgroundWork { store.saveMemo() }
            defer { storeSaving.wait() }

            if let source = prepared.baseSource { extras.insert(source.iso.standardizedFileURL.path) }
            for profile in kit.profiles {
                for app in profile.apps {
                    for pin in [kit.apps[app.value]?.windows?.pin, kit.apps[app.value]?.linux?.pin].compactMap({ $0 }) {
                        extras.insert(store.objectURL(sha256: pin.sha256).path)
                    }
                }
            }
            let sortedExtras = extras.sorted()
            var full = key
            full.addExtras(sortedExtras, hash: hashExtra)
            let outputFiles = records + [manifestRecord]
            let summary = KeySummary(files: outputFiles.count, bytes: manifest.totalSize, profiles: manifest.profiles)
            // Not before the previous key is gone: most of its files are the new key's
            // under other names, and unlinking a name changes the file's change time,
            // which is in the fingerprints the cache saves next.
            removal.wait()
            do {
                let pages = writer.takePages(), baseSource = prepared.baseSource, extras = extras
                // The writer's records come first in `outputFiles`, in its order. Its
                // fingerprints hold: moving the folder changes no file, and the removed
                // previous key shares no inode with a file it saw.
                try cache.save(
                    key: full.value, extras: sortedExtras, warnings: warnings, summary: summary, outputFiles: outputFiles,
                    observed: writer.takeObserved(),
                    alongside: [
                        { try cache.savePages(pages) },
                        {
                            // The ISO's hash is the build key's: already in the memo.
                            let record = try base.flatMap { base in
                                try baseSource.flatMap { BaseRecord(base: base, isoSHA256: try cache.inputs.sha256(of: $0.iso).sha256, records: records) }
                            }
                            try cache.saveBase(record)
                        },
                    ]
                ) { extras.contains($0) || key.isKitFile($0) }
            } catch {
                // The key is built; only the next build will be slower.
                progress.warning(
                    bilingual(
                        "avertissement : cache de construction non enregistré (\(error.localizedDescription))",
                        "warning: build cache not saved (\(error.localizedDescription))"))
            }

            var report = Report(
                output: options.output, manifest: ManifestSource(manifest), summary: summary, warnings: prepared.warnings,
                missing: options.skipMissing ? prepared.apps.missing : [], bootable: base != nil, counts: writer.counts,
                entriesParsed: prepared.entriesParsed, baseReused: prepared.baseReused)
            try writeArchiveAndImage(ManifestSource(manifest), into: &report)
            return report
        } catch {
            swap.discard()
            throw error
        }
    }

    /// The files are dated as the build dated them: from the kit's date in the manifest.
    func writeArchiveAndImage(_ source: ManifestSource, into report: inout Report) throws {
        let date = { (manifest: UpdateManifest) in SourceDate.resolve(kitDate: manifest.kit.date, environment: self.options.environment) }
        if let destination = options.archive {
            progress.stage(bilingual("archive", "archive"))
            let manifest = try source.manifest()
            let paths = manifest.files.map(\.path) + [UpdateManifest.path]
            try ArchiveWriter.archive(tree: options.output, paths: paths, to: destination, mtime: date(manifest))
            report.archive = destination
        }
        if let image = options.image {
            let manifest = try source.manifest()
            try DiskImage(tree: options.output, mtime: date(manifest), progress: progress, environment: options.environment)
                .write(to: image, size: options.imageSize)
            report.image = image
        }
    }

    func baseSource(_ kit: Kit) -> BaseSource? {
        if let source = options.base { return source }
        guard let path = kit.settings.base?.path else { return nil }
        return BaseSource(iso: kit.root.appendingPathComponent(path.value), sha256: kit.settings.base?.sha256)
    }

    /// The kit's Debian live system from the content store, built there first when
    /// missing; nil when the kit names none or the build ignores it.
    func debianBase(_ kit: Kit, store: ContentStore) throws -> BaseSystem? {
        let mirror: String?
        switch options.debianBase {
        case .ignore: return nil
        case let .build(chosen): mirror = chosen
        case .useIfBuilt: mirror = nil
        }
        guard let plan = try LiveBasePlan.make(kit: kit, mirror: mirror, environment: options.environment) else { return nil }
        progress.stage(bilingual("système live", "live system"))
        let builder = LiveBaseBuilder(plan: plan, kit: kit, store: store, progress: progress, environment: options.environment)
        if let base = builder.existing() {
            progress.detail(bilingual("système live repris du cache : \(base.folder.path)", "live system taken from the cache: \(base.folder.path)"))
            return base.system
        }
        guard options.debianBase != .useIfBuilt else { return nil }
        return try builder.build().system
    }

    /// Starts reading the base system from `--base-iso` or the kit's `base:` on a
    /// thread of its own, after its stage line; nil, with a warning, when there is none.
    func startReadingBase(
        _ source: BaseSource?, into workDir: URL, extracted: FileMemo, cache: BuildCache?, debianDeclared: Bool = false
    ) throws -> BackgroundValue<Result<(BaseSystem, reused: Bool), any Error>>? {
        guard let source else {
            progress.warning(debianDeclared ? BootFiles.noBaseChosenWarning : BootFiles.noBaseWarning)
            return nil
        }
        progress.stage(bilingual("système de base (\(source.iso.lastPathComponent))", "base system (\(source.iso.lastPathComponent))"))
        let builder = Unchecked(self)
        return BackgroundValue { Result { try builder.value.readBase(source, into: workDir, extracted: extracted, cache: cache) } }
    }

    /// The base system, from the previous key when it was read from the same ISO
    /// (`BaseRecord`), else from the ISO.
    func readBase(_ source: BaseSource, into workDir: URL, extracted: FileMemo, cache: BuildCache?) throws -> (BaseSystem, reused: Bool) {
        if let cache, let record = cache.readBase(), FileManager.default.fileExists(atPath: source.iso.path),
            let isoSHA256 = try? inputsMemo.sha256(of: source.iso).sha256,
            source.sha256 == nil || source.sha256?.lowercased() == isoSHA256,
            let base = record.system(isoSHA256: isoSHA256, previousKey: cache.output, outputs: cache.outputs)
        {
            progress.detail(
                bilingual(
                    "même ISO que la construction précédente : \(base.files.count) fichier(s) repris de la clé en place",
                    "same ISO as the previous build: \(base.files.count) file(s) taken from the key in place"))
            return (base, true)
        }
        let base = try BaseISO.read(source, into: workDir, progress: progress, memo: inputsMemo, extracted: extracted)
        progress.detail(
            bilingual(
                "noyau \(base.kernel), initrd \(base.initrd), \(base.verifiedFiles) fichier(s) vérifié(s) avec \(base.checksumList ?? "aucune liste")",
                "kernel \(base.kernel), initrd \(base.initrd), \(base.verifiedFiles) file(s) checked against \(base.checksumList ?? "no list")"))
        return (base, false)
    }

    /// `payload/files/`: copied as they are to the key's root (LISEZMOI.txt, …).
    func payloadFiles(_ kit: Kit) throws -> [PlannedFile] {
        let folder = kit.root.appendingPathComponent("payload/files")
        let fm = FileManager.default
        guard let enumerator = fm.enumerator(atPath: folder.path) else { return [] }
        var files: [PlannedFile] = []
        for case let path as String in enumerator {
            let url = folder.appendingPathComponent(path)
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            files.append(PlannedFile(path: path, content: .copy(url), role: .other))
        }
        return files.sorted { $0.path < $1.path }
    }
}
