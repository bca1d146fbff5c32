import Foundation

/// What the last build took out of its base ISO, kept in the build state: the ISO's
/// hash, the kernel, initrd and parameters found in it, and each extracted file with
/// its hash. A rebuild from the same ISO takes those files from the previous key
/// instead of reading and checking the whole ISO again.
///
/// Used only when the ISO hashes the same (through the build state's memo, as for
/// the build key), the record was made by this very demokit, and every file is
/// still in the previous key with the fingerprint it was written with (the output
/// memo): then its bytes are the ones checked against the ISO's list when it was
/// extracted. Anything else, and the ISO is read as on a first build.
struct BaseRecord: Codable, Equatable {
    struct File: Codable, Equatable {
        /// Path on the key.
        var path: String
        var sha256: String
        var size: Int64
    }

    /// The demokit that made it (`ExecutableIdentity.currentLine`).
    var demokit = ExecutableIdentity.currentLine
    var isoSHA256: String
    var kernel: String
    var initrd: String
    var kernelParameters: [String]
    var checksumList: String?
    var verifiedFiles: Int
    var files: [File]

    /// The base system as the previous key holds it, if this record still describes
    /// an ISO of hash `isoSHA256` and every one of its files there.
    func system(isoSHA256: String, previousKey root: URL, outputs: FileMemo) -> BaseSystem? {
        guard isoSHA256 == self.isoSHA256, !files.isEmpty else { return nil }
        let rootPath = TreeWriter.folderPath(root)
        var system: [(path: String, url: URL)] = []
        for file in files {
            let path = rootPath + "/" + file.path
            guard let fingerprint = FileFingerprint.of(path), fingerprint.size == file.size,
                let known = outputs.trusted(path, fingerprint), known.sha256 == file.sha256
            else { return nil }
            system.append((file.path, URL(fileURLWithPath: path)))
        }
        return BaseSystem(
            files: system, kernel: kernel, initrd: initrd, kernelParameters: kernelParameters, checksumList: checksumList,
            verifiedFiles: verifiedFiles)
    }
}

extension BaseRecord {
    /// The record of a base just read, from the key's records of its files.
    init?(base: BaseSystem, isoSHA256: String, records: [FileRecord]) {
        let byPath = Dictionary(records.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        var files: [File] = []
        for file in base.files {
            guard let record = byPath[file.path] else { return nil }
            files.append(File(path: file.path, sha256: record.sha256, size: record.size))
        }
        self.init(
            isoSHA256: isoSHA256, kernel: base.kernel, initrd: base.initrd, kernelParameters: base.kernelParameters,
            checksumList: base.checksumList, verifiedFiles: base.verifiedFiles, files: files)
    }
}
