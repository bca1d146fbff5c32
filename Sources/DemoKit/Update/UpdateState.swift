import Foundation

/// Where an update of a key stands, kept in two records (`demokit/update-state-a`,
/// `-b`) written alternately: each write overwrites the older one and carries a
/// SHA-256 of its own content, so a record torn by a power cut is detected and the
/// other one (the previous step) wins.
public struct UpdateState: Sendable, Codable, Equatable {
    public enum Phase: String, Sendable, Codable {
        /// Nothing pending.
        case idle
        /// New files are being copied into `demokit/.update/`; the key is still the old release.
        case staging
        /// Every new file is staged and checked; they are being put in place. A rerun finishes.
        case applying
    }

    var sequence: Int
    public var phase: Phase
    /// SHA-256 of the manifest being installed.
    var target: String?
    public var targetNumber: Int?
    /// The key's kit and channel, to find the release again if the key's manifest is torn.
    var kit: String?
    var channel: String?
    /// When the last update completed (ISO 8601) and to which release number.
    public var lastUpdate: String?
    var lastNumber: Int?
    /// SHA-256 of the manifest of that release (the bytes of `demokit/manifest.json`):
    /// a release number names one manifest, so another manifest with the same number
    /// is refused even when the key's manifest is torn.
    var lastManifest: String?
    /// Obsolete files that the running live system held open when the update that
    /// made them obsolete ran (`KeyUpdater.heldFiles`): a later run removes them.
    var deferred: [String]?

    static let slots = ["demokit/update-state-a", "demokit/update-state-b"]

    init(sequence: Int = 0, phase: Phase = .idle) {
        self.sequence = sequence
        self.phase = phase
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = try encoder.encode(self)
        return body + Data("\nsha256:\(FileHashing.sha256(of: body))\n".utf8)
    }

    static func decode(_ data: Data) -> UpdateState? {
        guard let newline = data.firstIndex(of: 0x0A) else { return nil }
        let body = data[data.startIndex..<newline]
        let trailer = String(decoding: data[(newline + 1)...], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard trailer == "sha256:\(FileHashing.sha256(of: Data(body)))" else { return nil }
        return try? JSONDecoder().decode(UpdateState.self, from: Data(body))
    }

    /// The newest valid record of a key, or an idle state when there is none.
    static func read(key: URL) -> UpdateState {
        let records = slots.compactMap { slot in
            FileManager.default.contents(atPath: key.appendingPathComponent(slot).path).flatMap(decode)
        }
        return records.max { $0.sequence < $1.sequence } ?? UpdateState()
    }

    /// Writes the next record over the older slot and flushes it.
    mutating func save(key: URL, writer: DurableWriter) throws {
        sequence += 1
        try writer.write(try encoded(), to: key.appendingPathComponent(Self.slots[sequence % 2]))
    }
}
