import Foundation

/// What the last build took out of its base ISO, kept in the build cache
/// (`base.tsv`): the ISO's hash, the kernel, initrd and parameters found in it, and
/// each extracted file with its hash. A rebuild from the same ISO takes those files
/// from the previous key instead of reading and checking the whole ISO again.
///
/// Used only when the ISO hashes the same (through the build cache's memo, as for
/// the build key), the record was made by this very demokit, and every file is
/// still in the previous key with the fingerprint it was written with (the output
/// memo): then its bytes are the ones checked against the ISO's list when it was
/// extracted. Anything else, and the ISO is read as on a first build.
struct BaseRecord {
    var isoSHA256: String
    var kernel: String
    var initrd: String
    var kernelParameters: [String]
    var checksumList: String?
    var verifiedFiles: Int
    /// Path on the key, SHA-256, size.
    var files: [(path: String, sha256: String, size: Int64)]

    static let format = "demokit-base 1"
    static let fileName = "base.tsv"

    /// One line a field; none may hold a tab or a newline, or the record is not kept.
    func encoded() -> Data? {
        var lines = [
            Self.format, ExecutableIdentity.currentLine, isoSHA256, kernel, initrd,
            kernelParameters.joined(separator: "\t"), checksumList ?? "", "\(verifiedFiles)",
        ]
        for file in files { lines.append("\(file.path)\t\(file.sha256)\t\(file.size)") }
        let parts = [isoSHA256, kernel, initrd, checksumList ?? ""] + kernelParameters + files.map(\.path)
        guard parts.allSatisfy(TSVLines.canHold) else { return nil }
        return Data((lines.joined(separator: "\n") + "\n").utf8)
    }

    static func decode(_ data: Data) -> BaseRecord? {
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 9, lines[0] == format, lines[1] == ExecutableIdentity.currentLine,
            let verified = Int(lines[7]), lines.last == ""
        else { return nil }
        var files: [(path: String, sha256: String, size: Int64)] = []
        for line in lines[8..<(lines.count - 1)] {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 3, fields[1].count == 64, let size = Int64(fields[2]) else { return nil }
            files.append((String(fields[0]), String(fields[1]), size))
        }
        return BaseRecord(
            isoSHA256: lines[2], kernel: lines[3], initrd: lines[4],
            kernelParameters: lines[5].isEmpty ? [] : lines[5].components(separatedBy: "\t"),
            checksumList: lines[6].isEmpty ? nil : lines[6], verifiedFiles: verified, files: files)
    }

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
        var files: [(path: String, sha256: String, size: Int64)] = []
        for file in base.files {
            guard let record = byPath[file.path] else { return nil }
            files.append((file.path, record.sha256, record.size))
        }
        self.init(
            isoSHA256: isoSHA256, kernel: base.kernel, initrd: base.initrd, kernelParameters: base.kernelParameters,
            checksumList: base.checksumList, verifiedFiles: base.verifiedFiles, files: files)
    }
}
