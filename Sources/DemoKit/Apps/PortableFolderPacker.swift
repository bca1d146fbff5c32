import Foundation

/// A PortableApps.com-format folder packed as the `.zip` that `add-app` pins: the app
/// folder's regular files (links left out), in sorted order, every entry dated `mtime`
/// with fixed owner and modes. The same folder and date give the same bytes, hence the
/// same SHA-256, on every machine: whoever packs it again can check the pin.
enum PortableFolderPacker {
    /// Packs `folder` (the app's folder, or a folder holding only it) into the content
    /// store; what its appinfo.ini says, and where the archive is.
    static func pack(_ folder: URL, mtime: Date, store: ContentStore) throws -> (
        info: PortableAppInfo, stored: (url: URL, size: Int64, sha256: String)
    ) {
        let app = try PortableUnpacker.inspect(folder, artifactName: folder.lastPathComponent)
        let partial = store.root.appendingPathComponent("partial")
        try store.createFolder(partial)
        let zip = partial.appendingPathComponent("pack-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).zip")
        defer { try? FileManager.default.removeItem(at: zip) }
        try ArchiveWriter.archive(tree: app.root, paths: app.files.map(\.path), to: zip, mtime: mtime)
        let hashed = try FileHashing.sha256(fileAt: zip)
        return (app.info, (try store.adopt(zip, sha256: hashed.sha256), hashed.size, hashed.sha256))
    }
}
