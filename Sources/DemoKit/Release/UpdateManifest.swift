import Foundation

/// `demokit/manifest.json`: what a key holds, so it can be verified and updated.
/// Format documented in `docs/update-manifest.md`.
public struct UpdateManifest: Sendable, Codable, Equatable {
    public static let currentFormat = 1
    public static let path = "demokit/manifest.json"

    public struct KitInfo: Sendable, Codable, Equatable {
        public var id: String
        public var version: String
        public var channel: String
        public var date: String
    }

    public var format: Int
    public var kit: KitInfo
    public var profiles: [String]
    /// Every file of the tree but the manifest itself, sorted by path.
    public var files: [FileRecord]

    public init(kit: KitInfo, profiles: [String], files: [FileRecord]) {
        format = Self.currentFormat
        self.kit = kit
        self.profiles = profiles
        self.files = files.sorted { $0.path < $1.path }
    }

    public var totalSize: Int64 { files.reduce(0) { $0 + $1.size } }

    /// Stable bytes: sorted keys, no escaped slashes, trailing newline.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    public static func read(from url: URL) throws -> UpdateManifest {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw FileError(path: url.path, reason: bilingual("manifeste introuvable", "manifest not found"))
        }
        do {
            return try JSONDecoder().decode(UpdateManifest.self, from: data)
        } catch {
            throw FileError(path: url.path, reason: bilingual("manifeste illisible", "unreadable manifest") + ": \(error)")
        }
    }
}
