import Foundation

/// `demokit add-app FILE|URL --profile ID`: pins an artifact into the kit (hash, size,
/// what its appinfo.ini says), stores it in the content store, and lists the
/// application in the profile, so maintainers never compute a hash by hand.
public struct AppAdder: Sendable {
    public struct Options: Sendable {
        public var kitRoot: URL
        /// A local file or an `http(s)://` address.
        public var source: String
        public var profile: String
        /// The catalogue id; guessed from appinfo.ini or the file name when nil.
        public var id: String?
        /// Where a local file can be downloaded from (required for files).
        public var url: String?
        public var cache: URL
        public var displayPrefix: String?

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
        public var createdAppFile: Bool
        public var addedToProfile: Bool
    }

    public var options: Options
    public var downloader: Downloader
    public var progress: any ProgressReporter

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
        let stored: (url: URL, size: Int64, sha256: String)
        let address: String
        let fileName: String
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
            guard FileManager.default.fileExists(atPath: local.path) else {
                throw FileError(path: options.source, reason: bilingual("fichier introuvable", "file not found"))
            }
            address = url
            fileName = local.lastPathComponent
            progress.stage(bilingual("copie dans le cache", "copying into the cache"))
            stored = try store.add(fileAt: local)
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
        guard kit.entry(id) != nil else {
            throw FileError(
                path: loader.display("payload/catalogue/\(id).yml"),
                reason: bilingual(
                    "aucune entrée de catalogue « \(id) » : créez payload/catalogue/\(id).yml (voir docs/catalogue-entry.md), ou nommez l'entrée existante avec --id",
                    "no catalogue entry \"\(id)\": create payload/catalogue/\(id).yml (see docs/catalogue-entry.md), or name the existing entry with --id"))
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
        let check = loader.load()
        if check.kit == nil {
            // Leave the kit as it was.
            if let oldApp { try? oldApp.write(to: appURL, atomically: true, encoding: .utf8) } else { try? FileManager.default.removeItem(at: appURL) }
            try? oldProfile.write(to: profileURL, atomically: true, encoding: .utf8)
            throw KitValidationError(diagnostics: check.diagnostics)
        }
        return Report(
            id: id, platform: platform, pin: pin, info: info, appFile: loader.display(appFile), createdAppFile: oldApp == nil,
            addedToProfile: newProfile != nil)
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
