import Foundation

/// `demokit/trust.json` (+ `trust.json.minisig`): the keys a key accepts releases
/// from, and how many of them must sign. Format in `docs/update-manifest.md`.
///
/// Rotation: version N+1 is accepted only when signed by a threshold of N's keys and a
/// threshold of its own keys; an updater walks `trust/N+1.json`, `N+2`… from the one it has.
public struct TrustFile: Sendable, Codable, Equatable {
    static let currentFormat = 1
    static let path = "demokit/trust.json"
    static let signaturePath = "demokit/trust.json.minisig"
    static let maximumSize = 1 << 20

    struct Key: Sendable, Codable, Equatable {
        /// minisign's key id, for people (`73FC0E7CD556783A`).
        var id: String
        /// The public key's base64 line, as in `demokit.pub`.
        var publicKey: String
        var name: String?

        init(_ key: MinisignPublicKey, name: String? = nil) {
            id = key.idString
            publicKey = key.base64
            self.name = name
        }
    }

    var format: Int
    var kit: String
    public var version: Int
    public var expires: String
    var threshold: Int
    var keys: [Key]

    init(kit: String, version: Int, expires: String, threshold: Int, keys: [Key]) {
        format = Self.currentFormat
        self.kit = kit
        self.version = version
        self.expires = expires
        self.threshold = threshold
        self.keys = keys
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    static func decode(_ data: Data) throws -> TrustFile {
        guard data.count <= maximumSize else { throw UpdateRefusal.tooLarge("trust.json", data.count, maximumSize) }
        let trust: TrustFile
        do {
            trust = try JSONDecoder().decode(TrustFile.self, from: data)
        } catch {
            throw SignatureError.malformed("trust.json", "\(error)")
        }
        guard trust.format == currentFormat, trust.threshold >= 1, trust.threshold <= Set(try trust.publicKeys().map(\.key)).count else {
            throw SignatureError.malformed("trust.json", "format \(trust.format), threshold \(trust.threshold), \(trust.keys.count) keys")
        }
        return trust
    }

    func publicKeys() throws -> [MinisignPublicKey] {
        try keys.map { try MinisignPublicKey(text: $0.publicKey) }
    }

    /// How many distinct trusted keys validly signed `message`: a key listed twice, or
    /// signing twice, counts once.
    func validSigners(of message: Data, signatures: [MinisignSignature]) throws -> Set<Data> {
        let trusted = try publicKeys()
        var signers: Set<Data> = []
        for signature in signatures {
            for key in trusted where key.keyID == signature.keyID {
                if try signature.verify(message, with: key) { signers.insert(key.key) }
            }
        }
        return signers
    }

    /// Throws unless at least `threshold` distinct trusted keys signed `message`.
    func requireSignatures(of message: Data, signatureText: String?, what: String) throws {
        guard let signatureText, !signatureText.isEmpty else { throw UpdateRefusal.missingSignature(what) }
        let signatures: [MinisignSignature]
        do {
            signatures = try MinisignSignature.parseAll(signatureText)
        } catch {
            throw UpdateRefusal.badSignature(what)
        }
        let known = Set(try publicKeys().map(\.keyID))
        guard signatures.contains(where: { known.contains($0.keyID) }) else {
            throw UpdateRefusal.unknownKey(what, signatures.map { Minisign.keyIDString($0.keyID) })
        }
        let signers = try validSigners(of: message, signatures: signatures)
        if signers.isEmpty { throw UpdateRefusal.badSignature(what) }
        if signers.count < threshold { throw UpdateRefusal.belowThreshold(what, signers.count, threshold) }
    }

    /// Accepts `next` as the successor of this trust file, or throws why not.
    func accept(next data: Data, signatureText: String?) throws -> TrustFile {
        let next = try TrustFile.decode(data)
        guard next.kit == kit else { throw UpdateRefusal.otherKit(expected: kit, found: next.kit) }
        guard next.version == version + 1 else { throw UpdateRefusal.rollback(what: "trust.json", current: version, offered: next.version) }
        try requireSignatures(of: data, signatureText: signatureText, what: "trust.json v\(next.version)")
        try next.requireSignatures(of: data, signatureText: signatureText, what: "trust.json v\(next.version)")
        return next
    }

    func isExpired(at now: Date) -> Bool {
        guard let date = Timestamp.parse(expires) else { return true }
        return date <= now
    }

    /// Signs trust or manifest bytes with every key given, one signature after the other.
    static func sign(_ data: Data, with keys: [MinisignSecretKey], comment: String) throws -> String {
        try keys.map { try $0.sign(data, trustedComment: comment).text }.joined()
    }
}
