import Foundation

/// A manifest whose signatures, trust chain, kit, channel, version and paths were all
/// checked; nothing is written to a key before one exists.
struct VerifiedRelease {
    struct TrustStep {
        var version: Int
        var data: Data
        var signature: String
    }

    var manifest: UpdateManifest
    var data: Data
    var signature: String
    /// The key's trust file before the update, and the newer ones it was rotated through.
    var base: TrustStep
    var chain: [TrustStep]
    var trust: TrustFile
    var warnings: [String] = []

    var hash: String { FileHashing.sha256(of: data) }

    static let signatureCap = 64 << 10

    /// The trust a key has: its trust file, accepted only if signed by its own keys
    /// (a torn or edited file is refused).
    static func loadTrust(data: Data?, signature: String?) throws -> (TrustFile, TrustStep)? {
        guard let data else { return nil }
        let trust = try TrustFile.decode(data)
        try trust.requireSignatures(of: data, signatureText: signature, what: "trust.json")
        return (trust, TrustStep(version: trust.version, data: data, signature: signature ?? ""))
    }

    /// Follows the chain of trust files from `base` with `next(version)`, then checks
    /// `manifestData` against the last one and against what the key holds.
    static func verify(
        base: (TrustFile, TrustStep), next: (Int) throws -> (Data, String?)?, manifestData: Data, signature: String?,
        kit: String, channel: String, currentNumber: Int, now: Date, online: Bool
    ) throws -> VerifiedRelease {
        var trust = base.0
        var chain: [TrustStep] = []
        while case let (data, signature)? = try next(trust.version + 1) {
            trust = try trust.accept(next: data, signatureText: signature)
            chain.append(TrustStep(version: trust.version, data: data, signature: signature ?? ""))
        }
        guard trust.kit == kit else { throw UpdateRefusal.otherKit(expected: kit, found: trust.kit) }
        if trust.isExpired(at: now) { throw UpdateRefusal.trustExpired(trust.expires) }
        guard manifestData.count <= UpdateManifest.maximumSize else {
            throw UpdateRefusal.tooLarge("manifest.json", manifestData.count, UpdateManifest.maximumSize)
        }
        try trust.requireSignatures(of: manifestData, signatureText: signature, what: "manifest.json")
        let manifest: UpdateManifest
        do {
            manifest = try JSONDecoder().decode(UpdateManifest.self, from: manifestData)
        } catch {
            throw SignatureError.malformed("manifest.json", "\(error)")
        }
        if manifest.format > UpdateManifest.currentFormat || !demokitVersion(DemoKitVersion.current, isAtLeast: manifest.release.minimumDemokit) {
            throw UpdateRefusal.tooNew(manifest.release.minimumDemokit)
        }
        guard manifest.kit.id == kit else { throw UpdateRefusal.otherKit(expected: kit, found: manifest.kit.id) }
        guard manifest.kit.channel == channel else { throw UpdateRefusal.otherChannel(expected: channel, found: manifest.kit.channel) }
        if manifest.release.number < currentNumber {
            throw UpdateRefusal.rollback(what: "manifest.json", current: currentNumber, offered: manifest.release.number)
        }
        var warnings: [String] = []
        if let expires = manifest.release.expires, Timestamp.parse(expires).map({ $0 <= now }) ?? true {
            if online { throw UpdateRefusal.releaseExpired(expires) }
            warnings.append(
                bilingual(
                    "attention : cette publication a expiré le \(expires) ; une plus récente existe peut-être",
                    "warning: this release expired on \(expires); a newer one may exist"))
        }
        try PathRules.check(manifest.files)
        return VerifiedRelease(
            manifest: manifest, data: manifestData, signature: signature ?? "", base: base.1, chain: chain, trust: trust, warnings: warnings)
    }
}
