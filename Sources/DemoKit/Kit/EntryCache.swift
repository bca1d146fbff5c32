import Foundation

/// The catalogue entries of the last build as parsed, by the SHA-256 of their file:
/// a rebuild after one entry changed parses that entry's YAML again, not the
/// others. Kept in the build cache folder (`entries.tsv`).
///
/// Never stale: a record is used only for a file whose bytes hash to the record's
/// hash (the hash comes from the build cache's memo, by fingerprint, as for the
/// build key), read by this very demokit (its identity is in the file), shown with
/// the same path prefix (it is in every position an entry carries). A file with an
/// error is not recorded: it is parsed again, and reported, at every build.
final class EntryCache: @unchecked Sendable {
    struct Record: Codable, Sendable {
        var entry: CatalogueEntry
        /// Its warnings, shown again.
        var diagnostics: [Diagnostic]
    }

    /// Line 1 is the format, line 2 demokit and the display prefix the records were
    /// made with, then one `path TAB sha256 TAB json` line per file. Records are
    /// decoded where they are used, on the loader's cores, and written back as they
    /// were read: a JSON coder is slow on a large catalogue, so a rebuild encodes only
    /// the entries it parsed — when saving, one at a time, so that no JSON is held
    /// beside the kit (peak memory).
    static let format = "demokit-entries 4"

    /// A record of this build: as read from the file (a range of `data`), or parsed.
    enum Line {
        case stored(sha256: String, json: Range<Int>)
        case parsed(sha256: String, record: Record)

        var sha256: String {
            switch self {
            case let .stored(sha256, _), let .parsed(sha256, _): return sha256
            }
        }
    }

    let url: URL
    let memo: FileMemo
    let identity: String
    /// The file as read, and where each record's JSON is in it.
    private var data = Data()
    private var previous: [String: (sha256: String, json: Range<Int>)] = [:]
    private var current: [String: Line] = [:]
    private var parsed = 0
    private let lock = NSLock()

    /// `memo`: hashes of the kit's files by fingerprint. `displayPrefix`: how the
    /// loader shows paths (`KitLoader.displayPrefix`).
    init(url: URL, memo: FileMemo, displayPrefix: String) {
        self.url = url
        self.memo = memo
        identity = ExecutableIdentity.currentLine + "\t" + displayPrefix.replacingOccurrences(of: "\n", with: " ")
        guard let data = try? Data(contentsOf: url) else { return }
        var lines: [String: (sha256: String, json: Range<Int>)] = [:]
        var number = 0
        var valid = true
        TSVLines.forEach(in: data) { bytes, fields in
            number += 1
            guard valid else { return }
            let whole = fields[0].lowerBound..<fields[fields.count - 1].upperBound
            switch number {
            case 1: valid = TSVLines.text(bytes, whole) == Self.format
            case 2: valid = TSVLines.text(bytes, whole) == identity
            default:
                guard fields.count == 3, fields[1].count == 64 else { return }
                lines[TSVLines.text(bytes, fields[0])] = (TSVLines.text(bytes, fields[1]), fields[2])
            }
        }
        guard valid, number >= 2 else { return }
        self.data = data
        previous = lines
    }

    /// The entry of `file` (kit-relative) at `fileURL` as last parsed, if its bytes
    /// are the same.
    func lookup(_ file: String, at fileURL: URL) -> Record? {
        guard let line = previous[file], let hashed = try? memo.sha256(of: fileURL), hashed.sha256 == line.sha256,
            let record = try? JSONDecoder().decode(Record.self, from: data[line.json])
        else { return nil }
        lock.withLock { current[file] = .stored(sha256: line.sha256, json: line.json) }
        return record
    }

    /// An entry just parsed from bytes of hash `sha256`, with no error.
    func record(_ file: String, sha256: String, entry: CatalogueEntry, diagnostics: [Diagnostic]) {
        guard TSVLines.canHold(file) else { return }
        lock.withLock {
            current[file] = .parsed(sha256: sha256, record: Record(entry: entry, diagnostics: diagnostics))
            parsed += 1
        }
    }

    /// Entries parsed by this build (the others came from the cache).
    var parsedCount: Int { lock.withLock { parsed } }

    /// Writes the records of this build's files, unless they are the ones stored,
    /// and lets go of them.
    func save() throws {
        let (lines, data, unchanged) = lock.withLock {
            defer {
                current = [:]
                previous = [:]
                self.data = Data()
            }
            return (current, self.data, parsed == 0 && current.count == previous.count)
        }
        guard !unchanged else { return }
        let encoder = JSONEncoder()
        try FileMemo.writeReplacing(url) { file in
            try file.write(Self.format + "\n" + identity + "\n")
            for path in lines.keys.sorted() {
                let line = lines[path]!
                try file.write(path + "\t" + line.sha256 + "\t")
                switch line {
                case let .stored(_, json): try file.write(data[json])
                case let .parsed(_, record):
                    try file.write(try encoder.encode(record))
                }
                try file.write("\n")
            }
        }
    }
}
