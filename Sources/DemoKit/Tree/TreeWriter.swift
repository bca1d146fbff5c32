import Foundation

/// Writes a planned tree into a folder, hashing every file as it is written, and
/// stamps files and folders with the build's fixed time.
public struct TreeWriter {
    public var mtime: Date
    public var progress: any ProgressReporter

    public init(mtime: Date, progress: any ProgressReporter = SilentProgress()) {
        self.mtime = mtime
        self.progress = progress
    }

    public func write(_ plan: TreePlan, into root: URL) throws -> [FileRecord] {
        let fm = FileManager.default
        let files = plan.sortedFiles
        let totalBytes = files.reduce(Int64(0)) { total, file in
            switch file.content {
            case let .bytes(data): return total + Int64(data.count)
            case let .copy(url): return total + ((try? fm.attributesOfItem(atPath: url.path)[.size] as? Int64) ?? 0)
            }
        }
        var records: [FileRecord] = []
        var directories: Set<String> = [""]
        var bytesDone: Int64 = 0
        for (index, file) in files.enumerated() {
            let destination = root.appendingPathComponent(file.path)
            let parent = (file.path as NSString).deletingLastPathComponent
            if !directories.contains(parent) {
                try createDirectory(destination.deletingLastPathComponent())
                var dir = parent
                while !dir.isEmpty, directories.insert(dir).inserted { dir = (dir as NSString).deletingLastPathComponent }
            }
            let record: (size: Int64, sha256: String)
            switch file.content {
            case let .bytes(data):
                do {
                    try data.write(to: destination)
                } catch {
                    throw FileError(path: destination.path, reason: bilingual("écriture impossible", "cannot write") + ": \(error.localizedDescription)")
                }
                record = (Int64(data.count), FileHashing.sha256(of: data))
                bytesDone += Int64(data.count)
            case let .copy(source):
                record = try FileHashing.copyAndHash(from: source, to: destination) { chunk in
                    bytesDone += Int64(chunk)
                }
            }
            try setTimes(destination)
            records.append(FileRecord(path: file.path, size: record.size, sha256: record.sha256, role: file.role))
            progress.detail("\(file.path) (\(formatBytes(record.size)))")
            progress.advance(files: index + 1, bytes: bytesDone, totalFiles: files.count, totalBytes: totalBytes)
        }
        // Folders last: writing files inside them changed their times.
        for dir in directories.sorted(by: >) where !dir.isEmpty {
            try setTimes(root.appendingPathComponent(dir), directory: true)
        }
        return records
    }

    func createDirectory(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        } catch {
            throw FileError(path: url.path, reason: bilingual("création du dossier impossible", "cannot create folder") + ": \(error.localizedDescription)")
        }
    }

    /// Fixed time and mode (0644 files, 0755 folders), whatever the umask.
    func setTimes(_ url: URL, directory: Bool = false) throws {
        try FileManager.default.setAttributes(
            [.modificationDate: mtime, .posixPermissions: directory ? 0o755 : 0o644], ofItemAtPath: url.path)
    }
}
