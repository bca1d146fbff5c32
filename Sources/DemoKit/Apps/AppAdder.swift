import Foundation

/// `demokit add-app FILE|FOLDER|URL --profile ID`: pins an artifact into the kit (hash,
/// size, what its appinfo.ini says), stores it in the content store, and lists the
/// application in the profile, so maintainers never compute a hash by hand. A
/// PortableApps folder is packed into a reproducible `.zip` first; with `newEntry`, an
/// application without a catalogue entry gets one started from its appinfo.ini.
public struct AppAdder: Sendable {
    public struct Options: Sendable {
        var kitRoot: URL
        /// A local file, a PortableApps.com-format folder or an `http(s)://` address.
        var source: String
        var profile: String
        /// The catalogue id; guessed from appinfo.ini or the file name when nil.
        public var id: String?
        /// Where a local file can be downloaded from (required for files).
        public var url: String?
        var cache: URL
        public var displayPrefix: String?
        /// When the application has no catalogue entry, start one (`payload/catalogue/<id>.yml`)
        /// from what appinfo.ini says, for the volunteer to complete.
        public var newEntry = false

        public init(kitRoot: URL, source: String, profile: String, cache: URL) {
            self.kitRoot = kitRoot
            self.source = source
            self.profile = profile
            self.cache = cache
        }
    }

    public struct Report: Sendable {
        public var id: String
        public var platform: String
        public var pin: ArtifactPin
        public var info: PortableAppInfo?
        /// `payload/apps/<id>.yml`
        public var appFile: String
        var createdAppFile: Bool
        public var addedToProfile: Bool
        /// The `.zip` packed from a folder, in the content store: the file to publish at the pin's address.
        public var packed: URL?
        /// The catalogue entry started for the application (`payload/catalogue/<id>.yml`), if any.
        public var startedEntry: String?
        /// What that entry still lacks, as `demokit validate` reports it.
        public var toComplete: [Diagnostic] = []
    }

    var options: Options
    var downloader: Downloader
    var progress: any ProgressReporter

    public init(options: Options, downloader: Downloader = Downloader(), progress: any ProgressReporter = SilentProgress()) {
        self.options = options
        self.downloader = downloader
        self.progress = progress
    }

    public func run() async throws -> Report {
        let loader = KitLoader(root: options.kitRoot, displayPrefix: options.displayPrefix)
        let (kit, _) = try loader.loadValid()
        guard let profile = kit.profiles.first(where: { $0.id.value == options.profile }) else {
            throw KitSelectionError(unknown: [options.profile], known: kit.profiles.map(\.id.value))
        }
        let store = ContentStore(root: options.cache)

        // 1. The artifact, into the store.
        let isURL = options.source.hasPrefix("https://") || options.source.hasPrefix("http://")
        var stored: (url: URL, size: Int64, sha256: String)
        let address: String
        let fileName: String
        var packed: URL?
        var packedInfo: PortableAppInfo?
        if isURL {
            address = options.source
            fileName = ArtifactPin(url: address, sha256: "", size: 0).urlFileName
            progress.stage(bilingual("téléchargement de \(address)", "downloading \(address)"))
            let incoming = store.root.appendingPathComponent("partial/add-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: incoming) }
            let reporter = progress
            let result = try await downloader.download(from: address, to: incoming) { bytes, total in
                reporter.advance(files: 0, bytes: bytes, totalFiles: 1, totalBytes: total)
            }
            stored = (try store.adopt(incoming, sha256: result.sha256), result.size, result.sha256)
        } else {
            guard let url = options.url else {
                throw FileError(
                    path: options.source,
                    reason: bilingual(
                        "indiquez l'adresse d'où vient ce fichier avec --url (les autres machines le téléchargeront de là)",
                        "give the address this file comes from with --url (other machines will download it from there)"))
            }
            guard isWebAddress(url) else {
                throw FileError(path: url, reason: bilingual("--url : adresse invalide", "--url: invalid address"))
            }
            let local = URL(fileURLWithPath: options.source)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: local.path, isDirectory: &isFolder) else {
                throw FileError(path: options.source, reason: bilingual("fichier introuvable", "file not found"))
            }
            address = url
            if isFolder.boolValue {
                // Other machines download the archive from --url: it must name a .zip.
                fileName = ArtifactPin(url: url, sha256: "", size: 0).urlFileName
                guard WindowsPortable.format(ofFileName: fileName) == .zip else {
                    throw FileError(
                        path: url,
                        reason: bilingual(
                            "--url doit désigner un .zip : le dossier est publié sous forme d'archive .zip",
                            "--url must name a .zip: the folder is published as a .zip archive"))
                }
                progress.stage(bilingual("archive reproductible du dossier PortableApps", "reproducible archive of the PortableApps folder"))
                // Dated from the kit alone: the same folder gives the same pin on every machine.
                let packing = try PortableFolderPacker.pack(
                    local, mtime: SourceDate.resolve(kitDate: kit.settings.date, environment: [:]), store: store)
                stored = packing.stored
                packed = packing.stored.url
                packedInfo = packing.info
            } else {
                fileName = local.lastPathComponent
                progress.stage(bilingual("copie dans le cache", "copying into the cache"))
                stored = try store.add(fileAt: local)
            }
        }
        progress.detail("sha256 \(stored.sha256), \(stored.size)")

        // 2. What it is.
        let platform: String
        var info: PortableAppInfo?
        var guesses: [String] = []
        if let format = WindowsPortable.format(ofFileName: fileName) {
            platform = "windows"
            let app = try PortableUnpacker.unpack(stored.url, format: format, sha256: stored.sha256, store: store)
            info = app.info
            guesses = [app.info.appID, app.info.name].map { name in
                var base = name
                for suffix in ["Portable", " Portable"] where base.hasSuffix(suffix) { base = String(base.dropLast(suffix.count)) }
                return Self.identifier(base)
            }
        } else if fileName.lowercased().hasSuffix(".appimage") {
            platform = "linux"
            try Self.checkAppImage(stored.url, name: fileName)
            let stem = fileName.prefix { !"-_.".contains($0) }
            guesses = [Self.identifier(String(stem))]
        } else {
            throw FileError(
                path: fileName,
                reason: bilingual(
                    "type de fichier inconnu : attendu un .zip PortableApps, un .paf.exe ou un .AppImage",
                    "unknown kind of file: expected a PortableApps .zip, a .paf.exe or an .AppImage"))
        }

        // 3. Which catalogue entry.
        let id = options.id ?? guesses.first { kit.entry($0) != nil } ?? guesses.first ?? ""
        let entryFile = "payload/catalogue/\(id).yml"
        let entryURL = options.kitRoot.appendingPathComponent(entryFile)
        var startedEntry: String?
        if kit.entry(id) == nil {
            guard options.newEntry, !id.isEmpty, !FileManager.default.fileExists(atPath: entryURL.path) else {
                throw FileError(
                    path: loader.display(entryFile),
                    reason: bilingual(
                        "aucune entrée de catalogue « \(id) » : ajoutez --new-entry pour la commencer à partir de appinfo.ini, créez \(entryFile) (voir docs/catalogue-entry.md), ou nommez l'entrée existante avec --id",
                        "no catalogue entry \"\(id)\": add --new-entry to start it from appinfo.ini, create \(entryFile) (see docs/catalogue-entry.md), or name the existing entry with --id"
                    ))
            }
            startedEntry = CatalogueEntryDraft(id: id, info: info ?? packedInfo, fileName: fileName, categories: kit.categories.map(\.id.value)).text
        }

        // 4. Write the pin and the profile, then check the kit still loads.
        let pin = ArtifactPin(url: address, sha256: stored.sha256, size: stored.size)
        var block = "\(platform):\n  url: \(YAMLTextEdit.quoted(pin.url))\n  sha256: \(pin.sha256)\n  size: \(pin.size)\n"
        if let info {
            block += "  appid: \(info.appID)\n  name: \(YAMLTextEdit.quoted(info.name))\n"
            if let version = info.version { block += "  version: \(YAMLTextEdit.quoted(version))\n" }
            block += "  start: \(YAMLTextEdit.quoted(info.start))\n"
        }
        let appFile = "payload/apps/\(id).yml"
        let appURL = options.kitRoot.appendingPathComponent(appFile)
        let profileFile =
            loader.yamlFiles(in: "profiles").first { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension == profile.id.value }
            ?? "profiles/\(profile.id.value).yml"
        let profileURL = options.kitRoot.appendingPathComponent(profileFile)
        let oldApp = try? String(contentsOf: appURL, encoding: .utf8)
        let oldProfile = try String(contentsOf: profileURL, encoding: .utf8)
        let newApp = try YAMLTextEdit.setTopLevelBlock(platform, to: block, in: oldApp ?? "id: \(id)\n", file: loader.display(appFile))
        let newProfile = try YAMLTextEdit.appendToList("apps", item: id, in: oldProfile, file: profile.id.file)
        try FileManager.default.createDirectory(at: appURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try newApp.write(to: appURL, atomically: true, encoding: .utf8)
        if let newProfile { try newProfile.write(to: profileURL, atomically: true, encoding: .utf8) }
        if let startedEntry { try startedEntry.write(to: entryURL, atomically: true, encoding: .utf8) }
        let check = loader.load()
        // A started entry lacks what appinfo.ini does not say: those errors, in its own
        // file only, are what the volunteer completes; any other leaves the kit as it was.
        let errors = check.diagnostics.filter { $0.severity == .error }
        let toComplete = startedEntry == nil ? [] : errors.filter { $0.file == loader.display(entryFile) }
        if check.kit == nil, toComplete.isEmpty || toComplete.count != errors.count {
            if let oldApp { try? oldApp.write(to: appURL, atomically: true, encoding: .utf8) } else { try? FileManager.default.removeItem(at: appURL) }
            try? oldProfile.write(to: profileURL, atomically: true, encoding: .utf8)
            if startedEntry != nil { try? FileManager.default.removeItem(at: entryURL) }
            throw KitValidationError(diagnostics: check.diagnostics)
        }
        return Report(
            id: id, platform: platform, pin: pin, info: info, appFile: loader.display(appFile), createdAppFile: oldApp == nil,
            addedToProfile: newProfile != nil, packed: packed, startedEntry: startedEntry.map { _ in loader.display(entryFile) },
            toComplete: toComplete)
    }

    /// `LibreOffice Portable` → `libreoffice-portable`; `GIMP` → `gimp`.
    static func identifier(_ name: String) -> String {
        let folded = name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
        var result = ""
        for scalar in folded.unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                result.unicodeScalars.append(scalar)
            } else if !result.hasSuffix("-"), !result.isEmpty {
                result += "-"
            }
        }
        while result.hasSuffix("-") { result.removeLast() }
        return result
    }

    /// An AppImage is an ELF executable carrying `AI` and its type at byte 8.
    static func checkAppImage(_ url: URL, name: String) throws {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let head = try handle.read(upToCount: 11) ?? Data()
        guard head.count == 11, head.starts(with: [0x7F, 0x45, 0x4C, 0x46]), head[8] == 0x41, head[9] == 0x49 else {
            throw FileError(
                path: name,
                reason: bilingual(
                    "ce n'est pas une AppImage (en-tête ELF avec la marque « AI » attendu)",
                    "this is not an AppImage (expected an ELF header with the \"AI\" mark)"))
        }
    }
}
