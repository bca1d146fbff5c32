import Foundation

/// Runs the stages in order: manifests → kit → catalogue → site → application lists
/// → payload files → tree → update manifest → archive.
public struct KitBuilder {
    public struct Options: Sendable {
        public var kitRoot: URL
        public var output: URL
        public var profiles: [String] = []
        public var archive: URL?
        public var displayPrefix: String?
        public var environment: [String: String] = ProcessInfo.processInfo.environment

        public init(kitRoot: URL, output: URL) {
            self.kitRoot = kitRoot
            self.output = output
        }
    }

    public struct Report: Sendable {
        public var output: URL
        public var manifest: UpdateManifest
        public var archive: URL?
        public var warnings: [Diagnostic]
    }

    public var options: Options
    public var progress: any ProgressReporter

    public init(options: Options, progress: any ProgressReporter = SilentProgress()) {
        self.options = options
        self.progress = progress
    }

    public func build() throws -> Report {
        progress.stage(bilingual("vérification des manifestes", "checking manifests"))
        let loader = KitLoader(root: options.kitRoot, displayPrefix: options.displayPrefix)
        let (fullKit, warnings) = try loader.loadValid()
        let kit = try fullKit.selecting(profiles: options.profiles)
        let theme = try Theme.load(from: kit.root.appendingPathComponent("payload/theme"), displayPrefix: loader.displayPrefix)
        let mtime = SourceDate.resolve(kitDate: kit.settings.date, environment: options.environment)
        progress.detail(
            bilingual(
                "kit « \(kit.settings.id) » \(kit.settings.version) : \(kit.profiles.count) profils, \(kit.catalogue.count) logiciels",
                "kit \"\(kit.settings.id)\" \(kit.settings.version): \(kit.profiles.count) profiles, \(kit.catalogue.count) software"))
        progress.detail(bilingual("date des fichiers : \(mtime)", "file date: \(mtime)"))

        let swap = try OutputSwap(output: options.output)
        do {
            progress.stage(bilingual("base du catalogue", "catalogue database"))
            let databasePath = "demokit/catalogue.sqlite"
            let database = swap.staging.appendingPathComponent(databasePath)
            try FileManager.default.createDirectory(at: database.deletingLastPathComponent(), withIntermediateDirectories: true)
            try CatalogueWriter.write(kit, to: database)

            progress.stage(bilingual("site du catalogue", "catalogue website"))
            var plan = TreePlan()
            try plan.add(contentsOf: try SiteGenerator(kit: kit, theme: theme).plan())
            try plan.add(contentsOf: try ProfileAppList.plan(kit))
            try plan.add(contentsOf: payloadFiles(kit))

            try plan.checkFAT32()

            progress.stage(bilingual("écriture des fichiers", "writing files"))
            var records = try TreeWriter(mtime: mtime, progress: progress).write(plan, into: swap.staging)
            let databaseRecord = try FileHashing.sha256(fileAt: database)
            try FileManager.default.setAttributes([.modificationDate: mtime, .posixPermissions: 0o644], ofItemAtPath: database.path)
            records.append(FileRecord(path: databasePath, size: databaseRecord.size, sha256: databaseRecord.sha256, role: .catalogue))

            let manifest = UpdateManifest(
                kit: .init(id: kit.settings.id, version: kit.settings.version, channel: kit.settings.channel, date: kit.settings.date),
                profiles: kit.profiles.map(\.id.value), files: records)
            let manifestURL = swap.staging.appendingPathComponent(UpdateManifest.path)
            try manifest.encoded().write(to: manifestURL)
            try FileManager.default.setAttributes([.modificationDate: mtime, .posixPermissions: 0o644], ofItemAtPath: manifestURL.path)
            for url in [manifestURL.deletingLastPathComponent(), swap.staging] {
                try FileManager.default.setAttributes([.modificationDate: mtime, .posixPermissions: 0o755], ofItemAtPath: url.path)
            }

            progress.stage(bilingual("mise en place", "moving into place"))
            try swap.commit()

            var archive: URL?
            if let destination = options.archive {
                progress.stage(bilingual("archive", "archive"))
                let paths = manifest.files.map(\.path) + [UpdateManifest.path]
                try ArchiveWriter.archive(tree: options.output, paths: paths, to: destination, mtime: mtime)
                archive = destination
            }
            return Report(output: options.output, manifest: manifest, archive: archive, warnings: warnings)
        } catch {
            swap.discard()
            throw error
        }
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
