import Crypto
import Foundation

/// Why a signature, key or trust file was not accepted.
enum SignatureError: UserFacingError, Equatable {
    case malformed(String, String)
    case library(String)
    case badSignature(String)
    case wrongKey(String)

    var message: String {
        switch self {
        case let .malformed(what, detail):
            return bilingual("\(what) mal formé(e)", "malformed \(what)") + " (\(detail))"
        case let .library(call): return bilingual("erreur de libsodium", "libsodium error") + ": \(call)"
        case let .badSignature(what): return bilingual("signature invalide : \(what)", "invalid signature: \(what)")
        case let .wrongKey(detail): return bilingual("clé de signature inconnue", "unknown signing key") + " (\(detail))"
        }
    }
}

/// minisign's file formats (https://jedisct1.github.io/minisign/): keys and
/// signatures that the `minisign` tool reads and writes, so a maintainer can check a
/// demokit release with it, or sign one with it.
enum Minisign {
    static let untrustedPrefix = "untrusted comment: "
    static let trustedPrefix = "trusted comment: "
    static let ed = Data("Ed".utf8)
    static let prehashed = Data("ED".utf8)

    /// Key ids are shown as minisign does: the 8 bytes as a little-endian number in hex.
    static func keyIDString(_ id: Data) -> String {
        id.reversed().map { String(format: "%02X", $0) }.joined()
    }

    static func base64Line(_ lines: [Substring], _ index: Int, _ what: String) throws -> Data {
        guard index < lines.count, let data = Data(base64Encoded: String(lines[index]).trimmingCharacters(in: .whitespaces)) else {
            throw SignatureError.malformed(what, "base64")
        }
        return data
    }

    static func lines(_ text: String) -> [Substring] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
    }
}

/// `demokit.pub`: `untrusted comment:` line, then base64 of `Ed` ‖ key id (8) ‖ Ed25519 key (32).
public struct MinisignPublicKey: Sendable, Equatable, Hashable {
    var keyID: Data
    var key: Data

    init(keyID: Data, key: Data) {
        self.keyID = keyID
        self.key = key
    }

    /// Reads the file's text, or just its base64 line (as `minisign -P` takes it).
    public init(text: String) throws {
        let lines = Minisign.lines(text).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        let index = lines.first?.hasPrefix(Minisign.untrustedPrefix) == true ? 1 : 0
        try self.init(raw: Minisign.base64Line(lines, index, "clé publique / public key"))
    }

    init(raw: Data) throws {
        guard raw.count == 42, raw.prefix(2) == Minisign.ed else {
            throw SignatureError.malformed("clé publique / public key", "\(raw.count) bytes")
        }
        keyID = raw.subdata(in: 2..<10)
        key = raw.subdata(in: 10..<42)
    }

    public var idString: String { Minisign.keyIDString(keyID) }
    /// The base64 line alone, as `minisign -P` takes it and as trust files list keys.
    var base64: String { (Minisign.ed + keyID + key).base64EncodedString() }
    public var fileText: String { "\(Minisign.untrustedPrefix)minisign public key \(idString)\n\(base64)\n" }

    func verify(_ signature: Data, over message: Data) -> Bool {
        guard let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: key) else { return false }
        return publicKey.isValidSignature(signature, for: message)
    }
}

/// An unencrypted secret key, the format `minisign -G -W` writes:
/// `Ed` ‖ KDF `\0\0` (none) ‖ `B2` ‖ salt (32) ‖ ops (8) ‖ mem (8) ‖ key id (8) ‖
/// secret key (64: seed ‖ public key) ‖ BLAKE2b-256 checksum (32). Password-protected
/// keys (scrypt) are refused with a hint: demokit keeps no password prompt.
public struct MinisignSecretKey: Sendable {
    var keyID: Data
    var seed: Data
    public var publicKey: MinisignPublicKey

    /// A new random key pair.
    public static func generate() throws -> MinisignSecretKey {
        let key = Curve25519.Signing.PrivateKey()
        // SystemRandomNumberGenerator is the system's CSPRNG (getrandom on Linux).
        let id = Data((0..<8).map { _ in UInt8.random(in: 0...255) })
        return MinisignSecretKey(keyID: id, seed: key.rawRepresentation, publicKey: MinisignPublicKey(keyID: id, key: key.publicKey.rawRepresentation))
    }

    init(keyID: Data, seed: Data, publicKey: MinisignPublicKey) {
        self.keyID = keyID
        self.seed = seed
        self.publicKey = publicKey
    }

    public init(text: String) throws {
        let what = "clé secrète / secret key"
        let lines = Minisign.lines(text).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        let raw = try Minisign.base64Line(lines, lines.first?.hasPrefix(Minisign.untrustedPrefix) == true ? 1 : 0, what)
        guard raw.count == 158, raw.prefix(2) == Minisign.ed, raw.subdata(in: 4..<6) == Data("B2".utf8) else {
            throw SignatureError.malformed(what, "\(raw.count) bytes")
        }
        guard raw.subdata(in: 2..<4) == Data([0, 0]) else {
            throw SignatureError.malformed(
                what,
                bilingual(
                    "clé protégée par mot de passe : créez-la avec « minisign -G -W » ou « demokit keygen »",
                    "password-protected key: make it with \"minisign -G -W\" or \"demokit keygen\""))
        }
        let id = raw.subdata(in: 54..<62)
        let secret = raw.subdata(in: 62..<126)
        let checksum = raw.subdata(in: 126..<158)
        // minisign 0.11 leaves the checksum of unencrypted keys at zero; others fill it.
        if checksum != Data(count: 32), try Blake2b.hash(Minisign.ed + id + secret, length: 32) != checksum {
            throw SignatureError.malformed(what, "checksum")
        }
        let seed = secret.prefix(32)
        guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed), key.publicKey.rawRepresentation == secret.suffix(32) else {
            throw SignatureError.malformed(what, "Ed25519")
        }
        self.init(keyID: id, seed: Data(seed), publicKey: MinisignPublicKey(keyID: id, key: Data(secret.suffix(32))))
    }

    public func fileText() throws -> String {
        let secret = seed + publicKey.key
        let checksum = try Blake2b.hash(Minisign.ed + keyID + secret, length: 32)
        var raw = Minisign.ed + Data([0, 0]) + Data("B2".utf8)
        raw += Data(count: 32 + 8 + 8)
        raw += keyID + secret + checksum
        return "\(Minisign.untrustedPrefix)minisign secret key (unencrypted)\n\(raw.base64EncodedString())\n"
    }

    /// Signs `message` like `minisign -S`: prehashed (`ED`) by default, legacy `Ed` on request.
    func sign(_ message: Data, trustedComment: String, untrustedComment: String = "signature from demokit secret key", prehash: Bool = true)
        throws -> MinisignSignature
    {
        guard !trustedComment.contains("\n"), !trustedComment.contains("\r") else {
            throw SignatureError.malformed("trusted comment", "line break")
        }
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        let signed = prehash ? try Blake2b.hash(message) : message
        let signature = try key.signature(for: signed)
        let global = try key.signature(for: signature + Data(trustedComment.utf8))
        return MinisignSignature(
            algorithm: prehash ? .prehashed : .legacy, keyID: keyID, signature: Data(signature),
            trustedComment: trustedComment, globalSignature: Data(global), untrustedComment: untrustedComment)
    }
}

/// One `FILE.minisig` signature. A demokit signature file may hold several one after
/// the other (one per signing key, for thresholds); `minisign -V` reads the first.
struct MinisignSignature: Sendable, Equatable {
    enum Algorithm: Sendable, Equatable {
        /// `Ed`: Ed25519 over the file's bytes.
        case legacy
        /// `ED`: Ed25519 over BLAKE2b-512 of the file.
        case prehashed
    }

    var algorithm: Algorithm
    var keyID: Data
    var signature: Data
    var trustedComment: String
    var globalSignature: Data
    var untrustedComment: String

    var text: String {
        let tag = algorithm == .prehashed ? Minisign.prehashed : Minisign.ed
        return "\(Minisign.untrustedPrefix)\(untrustedComment)\n\((tag + keyID + signature).base64EncodedString())\n"
            + "\(Minisign.trustedPrefix)\(trustedComment)\n\(globalSignature.base64EncodedString())\n"
    }

    /// Every signature of a signature file, in order.
    static func parseAll(_ text: String) throws -> [MinisignSignature] {
        let lines = Minisign.lines(text).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard !lines.isEmpty, lines.count % 4 == 0 else { throw SignatureError.malformed("signature", "\(lines.count) lines") }
        var result: [MinisignSignature] = []
        for start in stride(from: 0, to: lines.count, by: 4) {
            result.append(try parse(Array(lines[start..<start + 4])))
        }
        return result
    }

    static func parse(_ lines: [Substring]) throws -> MinisignSignature {
        let what = "signature"
        guard lines[0].hasPrefix(Minisign.untrustedPrefix), lines[2].hasPrefix(Minisign.trustedPrefix) else {
            throw SignatureError.malformed(what, "comments")
        }
        let raw = try Minisign.base64Line(lines, 1, what)
        let global = try Minisign.base64Line(lines, 3, what)
        guard raw.count == 74, global.count == 64 else { throw SignatureError.malformed(what, "length") }
        let algorithm: Algorithm
        switch raw.prefix(2) {
        case Minisign.ed: algorithm = .legacy
        case Minisign.prehashed: algorithm = .prehashed
        default: throw SignatureError.malformed(what, "algorithm")
        }
        return MinisignSignature(
            algorithm: algorithm, keyID: raw.subdata(in: 2..<10), signature: raw.subdata(in: 10..<74),
            trustedComment: String(lines[2].dropFirst(Minisign.trustedPrefix.count)), globalSignature: global,
            untrustedComment: String(lines[0].dropFirst(Minisign.untrustedPrefix.count)))
    }

    /// Checks the signature of `message` and of the trusted comment with `key`.
    func verify(_ message: Data, with key: MinisignPublicKey) throws -> Bool {
        guard key.keyID == keyID else { return false }
        let signed = algorithm == .prehashed ? try Blake2b.hash(message) : message
        return key.verify(signature, over: signed) && key.verify(globalSignature, over: signature + Data(trustedComment.utf8))
    }
}
