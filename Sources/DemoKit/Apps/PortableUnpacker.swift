import Foundation

/// A portable app unpacked in the content store, ready to be laid out on the key.
struct UnpackedPortableApp: Sendable {
    /// The folder holding `App/AppInfo/appinfo.ini` (the app's own folder).
    var root: URL
    var info: PortableAppInfo
    /// Every file below `root`, `/`-separated, sorted, with its size.
    var files: [(path: String, size: Int64)]
}

/// Unpacks `.zip` artifacts with libarchive and `.paf.exe` installers (NSIS) with 7-Zip,
/// once per artifact: the result stays in the store under the artifact's hash.
enum PortableUnpacker {
    static func unpack(_ artifact: URL, format: WindowsPortable.Format, sha256: String, store: ContentStore) throws -> UnpackedPortableApp {
        let fm = FileManager.default
        let destination = store.unpackedURL(sha256: sha256)
        if !fm.fileExists(atPath: destination.path) {
            let temporary = destination.deletingLastPathComponent()
                .appendingPathComponent(".\(sha256)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
            try store.createFolder(temporary)
            do {
                switch format {
                case .zip: try ArchiveReader.extract(artifact, to: temporary, sizeLimit: FAT32Rules.maxFileSize)
                case .paf: try extractInstaller(artifact, to: temporary)
                }
                try fm.moveItem(at: temporary, to: destination)
            } catch {
                try? fm.removeItem(at: temporary)
                throw error
            }
        }
        return try inspect(destination, artifactName: artifact.lastPathComponent)
    }

    /// Reads an unpacked folder: finds the app's own folder and its appinfo.ini.
    static func inspect(_ folder: URL, artifactName: String) throws -> UnpackedPortableApp {
        let root = try locateRoot(in: folder, artifactName: artifactName)
        let iniURL = try resolve(PortableAppInfo.path, in: root) ?? root.appendingPathComponent(PortableAppInfo.path)
        guard let data = FileManager.default.contents(atPath: iniURL.path) else {
            throw FileError(path: iniURL.path, reason: bilingual("fichier illisible", "cannot read file"))
        }
        let info = try PortableAppInfo.parse(data, file: "\(artifactName): \(PortableAppInfo.path)")
        return UnpackedPortableApp(root: root, info: info, files: try files(in: root))
    }

    /// The app folder is the archive's root or its only top-level folder
    /// (`LibreOfficePortable/App/AppInfo/appinfo.ini` in a zip of the folder).
    static func locateRoot(in folder: URL, artifactName: String) throws -> URL {
        if try resolve(PortableAppInfo.path, in: folder) != nil { return folder }
        let fm = FileManager.default
        let children = try fm.contentsOfDirectory(atPath: folder.path).filter { $0 != "__MACOSX" }.sorted()
        let candidates = try children.map { folder.appendingPathComponent($0) }.filter { try resolve(PortableAppInfo.path, in: $0) != nil }
        guard candidates.count == 1, let root = candidates.first else {
            throw FileError(
                path: artifactName,
                reason: bilingual(
                    "aucun App/AppInfo/appinfo.ini : ce n'est pas une application au format PortableApps.com",
                    "no App/AppInfo/appinfo.ini: this is not a PortableApps.com-format app"),
                hint: bilingual(
                    "l'archive doit contenir le dossier NomPortable/ (avec App/AppInfo/appinfo.ini) ou son contenu",
                    "the archive must hold the AppNamePortable/ folder (with App/AppInfo/appinfo.ini) or its content"))
        }
        return root
    }

    /// Finds a relative path ignoring case, as Windows would.
    static func resolve(_ relative: String, in folder: URL) throws -> URL? {
        let fm = FileManager.default
        var current = folder
        for component in relative.split(separator: "/").map(String.init) {
            guard let children = try? fm.contentsOfDirectory(atPath: current.path),
                let match = children.sorted().first(where: { $0.lowercased() == component.lowercased() })
            else { return nil }
            current = current.appendingPathComponent(match)
        }
        return fm.fileExists(atPath: current.path) ? current : nil
    }

    /// Regular files only (no links), listed with `readdir` and measured on
    /// `diskWorkers`: LibreOffice Portable alone is 5,000 files, and Foundation's
    /// enumerator and attributes took a second a build for a few such apps.
    static func files(in root: URL) throws -> [(path: String, size: Int64)] {
        let paths = FileWalk.regularFiles(under: root, followingLinks: false)
        let rootPath = TreeWriter.folderPath(root)
        let sizes = parallelMap(paths, workers: diskWorkers) { FileFingerprint.of(rootPath + "/" + $0)?.size }
        var files: [(String, Int64)] = []
        for (path, size) in zip(paths, sizes) {
            guard let size else { throw FileError(path: rootPath + "/" + path, reason: bilingual("fichier illisible", "cannot read file")) }
            files.append((path, size))
        }
        return files
    }

    /// `.paf.exe` files are NSIS installers; 7-Zip (Debian: p7zip-full) unpacks them
    /// without running them. NSIS's own entries (`$PLUGINSDIR`, `[NSIS].nsi`) are dropped.
    static func extractInstaller(_ artifact: URL, to destination: URL) throws {
        guard let sevenZip = findProgram(["7z", "7za", "7zz"]) else {
            throw FileError(
                path: artifact.lastPathComponent,
                reason: bilingual(
                    "7-Zip est nécessaire pour ouvrir un installateur .paf.exe",
                    "7-Zip is needed to open a .paf.exe installer"),
                hint: bilingual("installez-le : apt-get install p7zip-full", "install it: apt-get install p7zip-full"))
        }
        let sevenZipTool = Tool(name: sevenZip.lastPathComponent, package: "p7zip-full")
        let result = try sevenZipTool.launch(
            ["x", "-y", "-bd", "-o" + destination.path, artifact.path], environment: ProcessInfo.processInfo.environment)
        guard result.status == 0 else {
            throw FileError(
                path: artifact.lastPathComponent,
                reason: bilingual("7-Zip n'a pas pu ouvrir l'installateur", "7-Zip could not open the installer") + ": "
                    + result.outputText.split(separator: "\n").suffix(3).joined(separator: " "))
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: destination.path) where name.hasPrefix("$") || name.hasPrefix("[NSIS]") {
            try FileManager.default.removeItem(at: destination.appendingPathComponent(name))
        }
    }

    static func findProgram(_ names: [String]) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in names {
            for dir in path.split(separator: ":") {
                let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
        }
        return nil
    }
}
