import Foundation

/// `demokit/manifest.json`: what a key holds, so it can be verified and updated; the
/// same document, signed, is a release (`<kit>/<channel>/manifest.json` in a release
/// folder). Format documented in `docs/update-manifest.md`.
public struct UpdateManifest: Sendable, Codable, Equatable {
    static let currentFormat = 2
    static let path = "demokit/manifest.json"
    static let signaturePath = "demokit/manifest.json.minisig"
    /// Manifests are read whole before parsing: anything larger is refused unread
    /// (an "endless data" attack). 16 MiB is ~80,000 files.
    static let maximumSize = 16 << 20

    public struct KitInfo: Sendable, Codable, Equatable {
        public var id: String
        /// Display version (« 2026.1 »): for people; ordering uses `release.number`.
        public var version: String
        public var channel: String
        var date: String
    }

    /// What makes a signed release: its place in the sequence and its lifetime.
    public struct ReleaseInfo: Sendable, Codable, Equatable {
        /// Only grows from one release to the next; 0 for a key built and never published.
        public var number: Int
        /// ISO 8601, UTC.
        var created: String
        /// ISO 8601, UTC; after it, the release is stale (refused online, warned offline).
        public var expires: String?
        /// SHA-256 of the previous release's manifest bytes.
        var previous: String?
        /// The oldest demokit that understands this manifest.
        var minimumDemokit: String

        init(number: Int, created: String, expires: String? = nil, previous: String? = nil, minimumDemokit: String) {
            self.number = number
            self.created = created
            self.expires = expires
            self.previous = previous
            self.minimumDemokit = minimumDemokit
        }
    }

    var format: Int
    public var kit: KitInfo
    public var release: ReleaseInfo
    var profiles: [String]
    /// Every file of the tree but the manifest, its signature and the trust file, sorted by path.
    var files: [FileRecord]

    init(kit: KitInfo, release: ReleaseInfo? = nil, profiles: [String], files: [FileRecord]) {
        format = Self.currentFormat
        self.kit = kit
        self.release = release ?? ReleaseInfo(number: 0, created: kit.date, minimumDemokit: DemoKitVersion.current)
        self.profiles = profiles
        self.files = files.sorted { $0.path < $1.path }
    }

    enum CodingKeys: String, CodingKey { case format, kit, release, profiles, files }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        format = try container.decode(Int.self, forKey: .format)
        kit = try container.decode(KitInfo.self, forKey: .kit)
        // Format 1 (keys built before signed releases) had no release block.
        release =
            try container.decodeIfPresent(ReleaseInfo.self, forKey: .release)
            ?? ReleaseInfo(number: 0, created: kit.date, minimumDemokit: "0.1.0")
        profiles = try container.decode([String].self, forKey: .profiles)
        files = try container.decode([FileRecord].self, forKey: .files)
    }

    var totalSize: Int64 { files.reduce(0) { $0 + $1.size } }

    /// Stable bytes: sorted keys, no escaped slashes, trailing newline.
    func encoded() throws -> Data {
        var data = try Self.encoder.encode(self)
        data.append(0x0A)
        return data
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// The same bytes as `encoded()`, with far less memory for a large tree: encoding
    /// every record at once builds them all as a tree of values first, which would be
    /// a build's peak memory. The manifest is encoded without its files, then each
    /// record on its own, indented to its place in the array, and spliced in.
    /// `UpdateManifestTests` compares the two.
    func encodedInPieces() throws -> Data {
        let encoder = Self.encoder
        var envelope = self
        envelope.files = []
        let head = try encoder.encode(envelope)
        let empty = Data("\"files\" : [\n\n  ]".utf8)
        guard !files.isEmpty, let slot = head.range(of: empty) else { return try encoded() }
        // Records encoded on every core, a slice of the list each, then joined.
        let records = files
        let slices = stride(from: 0, to: records.count, by: 2048).map { $0..<min($0 + 2048, records.count) }
        var pieces = parallelMap(slices) { slice in
            Result { () throws -> [UInt8] in
                let encoder = Self.encoder
                var bytes: [UInt8] = []
                for number in slice {
                    if number > 0 { bytes.append(contentsOf: ",\n".utf8) }
                    bytes.append(contentsOf: "    ".utf8)
                    try encoder.encode(records[number]).withUnsafeBytes { (record: UnsafeRawBufferPointer) in
                        var start = 0
                        for index in record.indices where record[index] == 0x0A {
                            bytes.append(contentsOf: record[start...index])
                            bytes.append(contentsOf: "    ".utf8)
                            start = index + 1
                        }
                        bytes.append(contentsOf: record[start...])
                    }
                }
                return bytes
            }
        }
        var data = Data(head[..<slot.lowerBound])
        data.append(contentsOf: "\"files\" : [\n".utf8)
        // Each slice let go of once copied: the manifest is held once, not twice.
        for index in pieces.indices {
            data.append(contentsOf: try pieces[index].get())
            pieces[index] = .success([])
        }
        data.append(contentsOf: "\n  ]".utf8)
        data.append(head[slot.upperBound...])
        data.append(0x0A)
        return data
    }

    static func decode(_ data: Data, path: String) throws -> UpdateManifest {
        guard data.count <= maximumSize else {
            throw FileError(path: path, reason: bilingual("manifeste trop grand", "manifest too large") + " (\(data.count) > \(maximumSize))")
        }
        do {
            return try JSONDecoder().decode(UpdateManifest.self, from: data)
        } catch {
            throw FileError(path: path, reason: bilingual("manifeste illisible", "unreadable manifest") + ": \(error)")
        }
    }

    static func read(from url: URL) throws -> UpdateManifest {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw FileError(path: url.path, reason: bilingual("manifeste introuvable", "manifest not found"))
        }
        return try decode(data, path: url.path)
    }
}

/// ISO 8601 timestamps of manifests and trust files, always UTC, second precision.
enum Timestamp {
    static func string(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// Also accepts a bare day (`2027-01-31`, midnight UTC).
    static func parse(_ text: String) -> Date? {
        if let day = SourceDate.parseDay(text) { return day }
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)
    }
}

/// Dotted versions compared number by number (`0.10.0` > `0.9.2`).
func demokitVersion(_ version: String, isAtLeast minimum: String) -> Bool {
    let a = version.split(separator: ".").map { Int($0) ?? 0 }
    let b = minimum.split(separator: ".").map { Int($0) ?? 0 }
    for index in 0..<max(a.count, b.count) {
        let x = index < a.count ? a[index] : 0
        let y = index < b.count ? b[index] : 0
        if x != y { return x > y }
    }
    return true
}

/// What the end of a build says of the key.
public struct KeySummary: Sendable, Equatable {
    /// Files on the key, its manifest included.
    public var files: Int
    /// Bytes of the files the manifest lists.
    public var bytes: Int64
    public var profiles: [String]
}
