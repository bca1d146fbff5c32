import Foundation

/// Builds a key from a kit, in stages (`build()` runs them, in this order):
///
/// 1. look for changes: the build key against the build state (`Incremental/`);
///    nothing changed, and the build ends here;
/// 2. manifests: the kit, its entries taken from the state when their files did not
///    change (`LoadedKit`);
/// 3. applications, from the content store (`AppPayloads`);
/// 4. live system: the kit's Debian base, from the store or built there;
/// 5. base system (an ISO, or the previous key's copy of it) ‖ catalogue database and
///    website (`SiteOutput`), at the same time;
/// 6. boot files and the rest of the tree's plan (`Prepared`);
/// 7. writing files: pages, the size check, then copies (`WrittenTree`);
/// 8. moving into place, then the build state saved for the next build;
/// 9. archive and disk image.
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

    static let databasePath = "demokit/catalogue.sqlite"

    // MARK: The stages, in order

    public func build() throws -> Report {
        let store = self.store
        let state = BuildState(output: options.output)
        progress.stage(bilingual("recherche des changements", "looking for changes"))
        let changes = try lookForChanges(state: state, store: store)
        if changes.unchanged, let stored = state.stored {
            return try unchangedReport(stored, state: state)
        }
        return try rebuild(key: changes.key, state: state, store: store, hashExtra: changes.hashExtra)
    }

    /// Stage 1's answer: the build key of this build, and whether the output in place
    /// was built from the same key and is intact.
    struct Changes {
        var key: BuildKey
        var unchanged: Bool
        var hashExtra: @Sendable (String) throws -> String
    }

    /// Hashes the kit's files (through the state's memo: read only when changed) while
    /// the files the last build read outside the kit and the output's files are
    /// looked at: each waits on the disk, not the CPU (a rebuild after a reboot).
    func lookForChanges(state: BuildState, store: ContentStore) throws -> Changes {
        var key = BuildKey(kitRoot: options.kitRoot)
        addSettings(to: &key, store: store)
        let storeMemo = store.memo, inputs = state.inputs
        let hashExtra = { @Sendable (path: String) throws -> String in
            if let fingerprint = FileFingerprint.of(path), let known = storeMemo.trusted(path, fingerprint) { return known.sha256 }
            return try inputs.sha256(ofPath: path).sha256
        }
        guard let stored = state.stored else {
            try key.addKitFiles(memo: inputs)
            return Changes(key: key, unchanged: false, hashExtra: hashExtra)
        }
        let ((extraValues, outputIntact), _) = try alongside(
            { (BuildKey.extraValues(stored.extras, hash: hashExtra), state.outputIsIntact(store: storeMemo)) },
            { try key.addKitFiles(memo: inputs) })
        var check = key
        check.addExtras(stored.extras, values: extraValues)
        return Changes(key: key, unchanged: check.value == stored.key && outputIntact, hashExtra: hashExtra)
    }

    /// Nothing changed: the key in place is the one this build would write.
    func unchangedReport(_ stored: BuildState.Stored, state: BuildState) throws -> Report {
        progress.info(
            bilingual("rien n'a changé depuis la dernière construction : la clé est à jour", "nothing changed since the last build: the key is up to date"))
        for warning in stored.warnings { progress.warning(warning) }
        let source = ManifestSource(reading: options.output.appendingPathComponent(UpdateManifest.path))
        var report = Report(
            output: options.output, manifest: source, summary: stored.summary, warnings: [],
            // The memo knows the output by its standardized path (`./build/kit` is `build/kit`).
            bootable: state.outputs.entry(TreeWriter.folderPath(state.output) + "/" + BootFiles.checksumListPath) != nil,
            unchanged: true)
        // The manifest is read in the archive's (or the image's) stage: its records
        // are their work, not the check's.
        try writeArchiveAndImage(source, into: &report)
        return report
    }

    /// Stages 2 to 9, into a staging folder put in place of the output at the end.
    func rebuild(key: BuildKey, state: BuildState, store: ContentStore, hashExtra: @escaping @Sendable (String) throws -> String) throws -> Report {
        let swap = try OutputSwap(output: options.output)
        let baseWork = swap.staging.deletingLastPathComponent()
            .appendingPathComponent(".\(swap.output.lastPathComponent).base-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: baseWork) }
        do {
            let database = swap.staging.appendingPathComponent(Self.databasePath)
            let entries = state.entries(displayPrefix: KitLoader(root: options.kitRoot, displayPrefix: options.displayPrefix).displayPrefix)
            var prepared = try prepare(
                database: database, baseWork: baseWork, verify: true, allowMissing: options.skipMissing, store: store, entries: entries,
                state: state)
            let warnings = buildWarnings(prepared)
            let extras = extraInputs(prepared, baseWork: baseWork, swap: swap, store: store)
            let written = try writeTree(&prepared, into: swap, state: state, store: store)

            progress.stage(bilingual("mise en place", "moving into place"))
            state.invalidate()
            let removal = try swap.commit()
            try? FileManager.default.removeItem(at: baseWork)
            // While the previous key is removed: linking changed the fingerprints of the
            // content store's files, not their bytes; the other inputs are hashed
            // (through the memos: read only if changed).
            for path in Set(written.linkedOwned) { store.memo.refresh(path) }
            var full = key
            full.addExtras(extras, hash: hashExtra)
            let removed = removal.wait()
            let summary = KeySummary(files: written.records.count + 1, bytes: written.manifest.totalSize, profiles: written.manifest.profiles)
            let record = BuildState.Record(
                key: full.value, extras: extras, warnings: warnings, summary: summary,
                outputFiles: written.records + [written.manifestRecord], observed: written.observed, changedPages: written.changedPages,
                gonePages: written.gonePages,
                base: try prepared.base.flatMap { base in
                    // The ISO's hash is the build key's: already in the memo.
                    try prepared.baseSource.flatMap { BaseRecord(base: base, isoSHA256: try state.inputs.sha256(of: $0.iso).sha256, records: written.records) }
                })
            let extraSet = Set(extras)
            // The content store's memo is a file of its own, written meanwhile.
            let (_, saved) = try alongside(
                { store.saveMemo() },
                { Result { try state.save(record, removed: removed) { extraSet.contains($0) || key.isKitFile($0) } } })
            if case let .failure(error) = saved {
                // The key is built; only the next build will be slower.
                progress.warning(
                    bilingual(
                        "avertissement : cache de construction non enregistré (\(error.localizedDescription))",
                        "warning: build cache not saved (\(error.localizedDescription))"))
            }

            let source = ManifestSource(written.manifest)
            var report = Report(
                output: options.output, manifest: source, summary: summary, warnings: prepared.warnings,
                missing: options.skipMissing ? prepared.apps.missing : [], bootable: prepared.base != nil, counts: written.counts,
                entriesParsed: prepared.entriesParsed, baseReused: prepared.baseReused)
            try writeArchiveAndImage(source, into: &report)
            return report
        } catch {
            swap.discard()
            throw error
        }
    }

    /// Plans the key without writing it: sizes, sharing, FAT32 problems. Artifacts
    /// missing from the cache are counted at their download size.
    public func plan() throws -> (plan: KeyPlan, missing: [MissingArtifactsError.Item], warnings: [Diagnostic]) {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("demokit-plan-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let database = scratch.appendingPathComponent(Self.databasePath)
        let prepared = try prepare(database: database, baseWork: scratch.appendingPathComponent("base"), verify: false, allowMissing: true)
        return (try keyPlan(prepared, databaseSize: prepared.database.size), prepared.apps.missing, prepared.warnings)
    }

    /// Stage 2's output: the kit as the build uses it.
    struct LoadedKit {
        var kit: Kit
        var warnings: [Diagnostic]
        var theme: Theme
        var mtime: Date
        /// Catalogue files parsed; the others were taken from the build state.
        var entriesParsed: Int
    }

    /// Stage 5's catalogue half: the database written, the website planned.
    struct SiteOutput {
        var pages: [PlannedFile]
        /// The database's size and hash, taken by the core that wrote it, as soon as it did.
        var database: (size: Int64, sha256: String)
    }

    /// Stage 5's other half: the base system, and whether it came from the previous key.
    struct BaseOutput {
        var system: BaseSystem?
        var reused = false
    }

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
        /// The catalogue database's size and hash.
        var database: (size: Int64, sha256: String)
        /// The pages of the output in place, as the build state recorded them.
        var previousPages: [String: TreeWriter.PageRecord] = [:]
    }

    /// Stages 2 to 6: loads the kit, resolves the applications against the store,
    /// writes the catalogue database at `database` and plans every other file of the
    /// key. Missing artifacts stop it unless `allowMissing` (plans, `--skip-missing`).
    /// `entries`: the entries as last parsed; `state`: the build state of the output,
    /// whose previous key may hold the base system.
    func prepare(
        database: URL, baseWork: URL, verify: Bool, allowMissing: Bool, store: ContentStore? = nil, entries: EntryCache? = nil,
        state: BuildState? = nil
    ) throws -> Prepared {
        let store = store ?? self.store
        let loaded = try loadKit(entries: entries)
        var kit = loaded.kit
        let apps = try resolveApps(kit, store: store, verify: verify, allowMissing: allowMissing)
        kit.placements = apps.placements
        let builtBase = options.base == nil ? try debianBase(kit, store: store) : nil
        let baseSource = builtBase == nil ? baseSource(kit) : nil
        if builtBase == nil, baseSource == nil {
            progress.warning(kit.settings.base?.debian != nil ? BootFiles.noBaseChosenWarning : BootFiles.noBaseWarning)
        }
        if let baseSource {
            progress.stage(bilingual("système de base (\(baseSource.iso.lastPathComponent))", "base system (\(baseSource.iso.lastPathComponent))"))
        }
        // The entries are saved, the previous pages' records read and the base read from
        // the ISO while the database and the pages are made, a stage that leaves cores
        // idle; neither side reads what the other writes.
        let ((base, previousPages), siteOutput) = try alongside(
            {
                saveEntries(entries)
                let pages = state?.readPages() ?? [:]
                guard let baseSource else { return (BaseOutput(system: builtBase), pages) }
                return (try readBase(baseSource, into: baseWork, extracted: store.memo, state: state), pages)
            },
            { try catalogueAndSite(kit, theme: loaded.theme, database: database) })
        let plan = try planTree(kit, site: siteOutput, apps: apps, base: base.system, store: store)
        return Prepared(
            kit: kit, warnings: loaded.warnings, mtime: loaded.mtime, plan: plan, apps: apps, base: base.system, baseSource: baseSource,
            entriesParsed: loaded.entriesParsed, baseReused: base.reused, database: siteOutput.database, previousPages: previousPages)
    }

    /// Stage 2: the kit's manifests, checked.
    func loadKit(entries: EntryCache?) throws -> LoadedKit {
        progress.stage(bilingual("vérification des manifestes", "checking manifests"))
        var loader = KitLoader(root: options.kitRoot, displayPrefix: options.displayPrefix)
        loader.entryCache = entries
        let (fullKit, warnings) = try loader.loadValid()
        let kit = try fullKit.selecting(profiles: options.profiles)
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
        return LoadedKit(kit: kit, warnings: warnings, theme: theme, mtime: mtime, entriesParsed: entriesParsed)
    }

    /// Keeps the entries this build parsed for the next one. A failure costs only time.
    func saveEntries(_ entries: EntryCache?) {
        do {
            try entries?.save()
        } catch {
            progress.warning(
                bilingual(
                    "avertissement : fiches du catalogue non enregistrées dans le cache (\(error.localizedDescription))",
                    "warning: catalogue entries not saved in the cache (\(error.localizedDescription))"))
        }
    }

    /// Stage 3: the applications' files, from the content store.
    func resolveApps(_ kit: Kit, store: ContentStore, verify: Bool, allowMissing: Bool) throws -> AppPayloads {
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
        return apps
    }

    /// Stage 5, catalogue half: the database and the website's pages, planned (a
    /// page is rendered when the tree is written).
    func catalogueAndSite(_ kit: Kit, theme: Theme, database: URL) throws -> SiteOutput {
        progress.stage(bilingual("base et site du catalogue", "catalogue database and website"))
        try FileManager.default.createDirectory(at: database.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Independent work of a few seconds each on a large catalogue, sharing the cores.
        var hashed: (size: Int64, sha256: String)?
        let pages = try SiteGenerator(kit: kit, theme: theme).plan(alongside: {
            try CatalogueWriter.write(kit, to: database, fields: $0.map(\.fields))
            // Hashed while the site's other jobs run, not after them.
            hashed = try FileHashing.sha256(fileAt: database)
        })
        Memory.releaseFree()
        return SiteOutput(pages: pages, database: try hashed ?? FileHashing.sha256(fileAt: database))
    }

    /// Stage 6: every file of the key but the database and the manifest.
    func planTree(_ kit: Kit, site: SiteOutput, apps: AppPayloads, base: BaseSystem?, store: ContentStore) throws -> TreePlan {
        var plan = TreePlan()
        try plan.add(contentsOf: site.pages)
        try plan.add(contentsOf: try ProfileAppList.plan(kit))
        try plan.add(contentsOf: payloadFiles(kit))
        try plan.add(contentsOf: apps.files)
        guard let base else { return plan }
        progress.stage(bilingual("fichiers de démarrage", "boot files"))
        try plan.add(contentsOf: BootFiles.plan(kit: kit, base: base, extraParameters: options.kernelParameters))
        if let updates = kit.settings.updates {
            // The key's own updates need demokit on it: this very executable.
            let executable = options.environment["DEMOKIT_UPDATER_EXECUTABLE"] ?? "/proc/self/exe"
            let bundle = try UpdaterBundle.files(executable: executable, store: store, environment: options.environment)
            try plan.add(contentsOf: LiveUpdates.plannedFiles(updates, bundle: bundle))
        }
        return plan
    }

    /// The warnings a build shows, kept to be shown again by a build with nothing to do.
    func buildWarnings(_ prepared: Prepared) -> [String] {
        var warnings = prepared.warnings.map(\.description)
        if prepared.base == nil { warnings.append(BootFiles.noBaseWarning) }
        for item in prepared.apps.missing {
            let warning = bilingual(
                "avertissement : \(item.app) (\(item.platform)) n'est pas sur cette clé : \(item.reason)",
                "warning: \(item.app) (\(item.platform)) is not on this key: \(item.reason)")
            progress.warning(warning)
            warnings.append(warning)
        }
        return warnings
    }

    /// Stage 7's output: the tree written in the staging folder, with what the build
    /// state keeps of it.
    struct WrittenTree {
        /// Every file but the manifest, in the writer's order.
        var records: [FileRecord]
        var manifest: UpdateManifest
        var manifestRecord: FileRecord
        /// `records[i]`'s fingerprint as the writer left it, nil where unknown.
        var observed: [FileFingerprint?]
        /// The pages whose record differs from the previous build's, and the previous
        /// build's pages this one no longer has.
        var changedPages: [String: TreeWriter.PageRecord]
        var gonePages: [String]
        var counts: TreeWriter.Counts
        /// Content-store files hard-linked into the tree.
        var linkedOwned: [String]
    }

    /// Stage 7: the FAT32 rules, the pages, the size check, the copies, the checksum
    /// list and the manifest. The plan is let go of once written: its pages' closures
    /// hold the site's tables (peak memory).
    func writeTree(_ prepared: inout Prepared, into swap: OutputSwap, state: BuildState, store: ContentStore) throws -> WrittenTree {
        progress.stage(bilingual("écriture des fichiers", "writing files"))
        var writer = TreeWriter(
            mtime: prepared.mtime, progress: progress, previous: .init(root: swap.output, memo: state.outputs, pages: prepared.previousPages),
            ownedMemo: store.memo)
        writer.setsModes = swap.storesModes
        // Nothing is written before the FAT32 rules are checked.
        try prepared.plan.checkFAT32()
        let pass = try writer.begin(prepared.plan, into: swap.staging)
        let generated = try writer.writeGenerated(pass)
        // Pages are written, copies not yet: refuse a key that does not fit now.
        try checkFits(prepared, generated: generated)
        var records = try writer.finish(pass)
        prepared.plan = TreePlan()
        prepared.previousPages = [:]
        // What the state must write of the pages; the previous build's are let go of.
        let (changedPages, gonePages) = {
            let pages = writer.takePages(), previous = writer.previous?.pages ?? [:]
            return (pages.filter { previous[$0.key] != $0.value }, previous.keys.filter { pages[$0] == nil })
        }()
        writer.previous = nil
        Memory.releaseFree()
        progress.detail(
            bilingual(
                "\(writer.counts.written) fichier(s) écrit(s), \(writer.counts.reused) repris de la construction précédente, \(writer.counts.linked) lié(s) depuis le cache ; \(writer.counts.rendered) page(s) rendue(s)",
                "\(writer.counts.written) file(s) written, \(writer.counts.reused) taken from the previous build, \(writer.counts.linked) linked from the cache; \(writer.counts.rendered) page(s) rendered"
            ))
        let database = swap.staging.appendingPathComponent(Self.databasePath)
        try writer.stamp(database.path, mode: 0o644)
        let databaseRecord = prepared.database
        records.append(FileRecord(path: Self.databasePath, size: databaseRecord.size, sha256: databaseRecord.sha256, role: .catalogue))
        if prepared.base != nil {
            // For « Vérifier l'intégrité de la clé » (LiveSession): every file of the key but this list and the manifest.
            let list = BootFiles.checksumList(records)
            let listURL = swap.staging.appendingPathComponent(BootFiles.checksumListPath)
            try list.write(to: listURL, options: .withoutOverwriting)
            try writer.stamp(listURL.path, mode: 0o644)
            records.append(FileRecord(path: BootFiles.checksumListPath, size: Int64(list.count), sha256: FileHashing.sha256(of: list), role: .boot))
        }
        let kit = prepared.kit
        let manifest = UpdateManifest(
            kit: .init(id: kit.settings.id, version: kit.settings.version, channel: kit.settings.channel, date: kit.settings.date),
            profiles: kit.profiles.map(\.id.value), files: records)
        let manifestURL = swap.staging.appendingPathComponent(UpdateManifest.path)
        let data = try manifest.encodedInPieces()
        try data.write(to: manifestURL, options: .withoutOverwriting)
        let manifestRecord = FileRecord(path: UpdateManifest.path, size: Int64(data.count), sha256: FileHashing.sha256(of: data))
        try writer.stamp(manifestURL.path, mode: 0o644)
        for url in [manifestURL.deletingLastPathComponent(), swap.staging] {
            try writer.stamp(url.path, mode: 0o755)
        }
        return WrittenTree(
            records: records, manifest: manifest, manifestRecord: manifestRecord, observed: writer.takeObserved(),
            changedPages: changedPages, gonePages: gonePages, counts: writer.counts, linkedOwned: writer.takeLinkedOwned())
    }

    /// Stage 7's size check, between the pages and the copies: `--size` and `--image`'s size.
    func checkFits(_ prepared: Prepared, generated: [FileRecord]) throws {
        if let keySize = options.keySize {
            let keyPlan = try keyPlan(prepared, written: generated, databaseSize: prepared.database.size)
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

    /// The files outside the kit a tree was made from (content store, base ISO, boot
    /// loaders), sorted: the build key hashes them too.
    func extraInputs(_ prepared: Prepared, baseWork: URL, swap: OutputSwap, store: ContentStore) -> [String] {
        let key = BuildKey(kitRoot: options.kitRoot)
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
        if let source = prepared.baseSource { extras.insert(source.iso.standardizedFileURL.path) }
        let kit = prepared.kit
        for profile in kit.profiles {
            for app in profile.apps {
                for pin in [kit.apps[app.value]?.windows?.pin, kit.apps[app.value]?.linux?.pin].compactMap({ $0 }) {
                    extras.insert(store.objectURL(sha256: pin.sha256).path)
                }
            }
        }
        return extras.sorted()
    }

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

    /// Stage 5, base half: the base system from the previous key when it was read from
    /// the same ISO (`BaseRecord`), else from the ISO.
    func readBase(_ source: BaseSource, into workDir: URL, extracted: FileMemo, state: BuildState?) throws -> BaseOutput {
        let inputs = state?.inputs ?? FileMemo()
        if let state, let record = state.readBase(), FileManager.default.fileExists(atPath: source.iso.path),
            let isoSHA256 = try? inputs.sha256(of: source.iso).sha256,
            source.sha256 == nil || source.sha256?.lowercased() == isoSHA256,
            let base = record.system(isoSHA256: isoSHA256, previousKey: state.output, outputs: state.outputs)
        {
            progress.detail(
                bilingual(
                    "même ISO que la construction précédente : \(base.files.count) fichier(s) repris de la clé en place",
                    "same ISO as the previous build: \(base.files.count) file(s) taken from the key in place"))
            return BaseOutput(system: base, reused: true)
        }
        let base = try BaseISO.read(source, into: workDir, progress: progress, memo: inputs, extracted: extracted)
        progress.detail(
            bilingual(
                "noyau \(base.kernel), initrd \(base.initrd), \(base.verifiedFiles) fichier(s) vérifié(s) avec \(base.checksumList ?? "aucune liste")",
                "kernel \(base.kernel), initrd \(base.initrd), \(base.verifiedFiles) file(s) checked against \(base.checksumList ?? "no list")"))
        return BaseOutput(system: base)
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
