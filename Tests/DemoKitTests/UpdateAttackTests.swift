import Foundation
import Testing

@testable import DemoKit

/// One test per attack (names after The Update Framework's): each checks the refusal
/// and that the key did not change by a single byte.
@Suite struct UpdateAttackTests {
    /// A fixture with a second, changed release published.
    func fixtureWithNewRelease() throws -> UpdateFixture {
        let fixture = try UpdateFixture()
        try fixture.writeApp("version 2")
        try fixture.changeCatalogue("Dessin libre pour les enfants")
        try fixture.publish()
        return fixture
    }

    @Test func arbitraryManifestChangeBreaksTheSignature() throws {
        let fixture = try fixtureWithNewRelease()
        var text = try String(contentsOf: fixture.manifestURL, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"number\" : 2", with: "\"number\" : 3")
        try text.write(to: fixture.manifestURL, atomically: true, encoding: .utf8)
        try fixture.expectRefusal({ $0 == .badSignature("manifest.json") }) { _ = try fixture.update() }
    }

    @Test func missingSignatureIsRefused() throws {
        let fixture = try fixtureWithNewRelease()
        try FileManager.default.removeItem(at: fixture.signatureURL)
        try fixture.expectRefusal({ $0 == .missingSignature("manifest.json") }) { _ = try fixture.update() }
    }

    @Test func unknownKeyIsRefused() throws {
        let fixture = try fixtureWithNewRelease()
        try fixture.sign(try fixture.releaseManifest(), with: [try MinisignSecretKey.generate()])
        try fixture.expectRefusal({ if case .unknownKey = $0 { true } else { false } }) { _ = try fixture.update() }
    }

    @Test func fewerSignaturesThanTheThresholdAreRefused() throws {
        let keys = [try MinisignSecretKey.generate(), try MinisignSecretKey.generate()]
        let fixture = try UpdateFixture(keys: keys, threshold: 2)
        try fixture.writeApp("version 2")
        try fixture.publish(keys: keys)
        let manifest = try fixture.releaseManifest()
        // One key only, and the same key twice: each key counts once.
        for signers in [[keys[0]], [keys[1], keys[1]]] {
            try fixture.sign(manifest, with: signers)
            try fixture.expectRefusal({ $0 == .belowThreshold("manifest.json", 1, 2) }) { _ = try fixture.update() }
        }
        try fixture.sign(manifest, with: keys)
        #expect(try fixture.update().outcome == .updated)
    }

    @Test func rollbackIsRefused() throws {
        let fixture = try fixtureWithNewRelease()
        #expect(try fixture.update().toNumber == 2)
        // An attacker (or an old mirror) serves release 1 again, validly signed.
        let archived = fixture.release.appendingPathComponent(ReleaseLayout.archivedManifest(kit: "test-kit", channel: "stable", number: 1))
        try FileManager.default.removeItem(at: fixture.manifestURL)
        try FileManager.default.removeItem(at: fixture.signatureURL)
        try FileManager.default.copyItem(at: archived, to: fixture.manifestURL)
        try FileManager.default.copyItem(at: archived.appendingPathExtension("minisig"), to: fixture.signatureURL)
        try fixture.expectRefusal({ $0 == .rollback(what: "manifest.json", current: 2, offered: 1) }) { _ = try fixture.update() }
    }

    @Test func equalVersionIsAlreadyUpToDate() throws {
        let fixture = try UpdateFixture()
        let before = try TestKit.snapshot(fixture.key)
        let report = try fixture.update()
        #expect(report.outcome == .upToDate)
        #expect(report.bytesWritten == 0)
        #expect(try TestKit.snapshot(fixture.key) == before)
    }

    @Test func anotherKitIsRefused() throws {
        let fixture = try fixtureWithNewRelease()
        let other = fixture.dir.path("other-release")
        let kitYML = fixture.kit.appendingPathComponent("profiles/kit.yml")
        try String(contentsOf: kitYML, encoding: .utf8).replacingOccurrences(of: "id: test-kit", with: "id: other-kit")
            .write(to: kitYML, atomically: true, encoding: .utf8)
        try fixture.publish(to: other)
        let otherManifest = other.appendingPathComponent(ReleaseLayout.manifest(kit: "other-kit", channel: "stable"))
        try FileManager.default.removeItem(at: fixture.manifestURL)
        try FileManager.default.removeItem(at: fixture.signatureURL)
        try FileManager.default.copyItem(at: otherManifest, to: fixture.manifestURL)
        try FileManager.default.copyItem(at: otherManifest.appendingPathExtension("minisig"), to: fixture.signatureURL)
        try fixture.expectRefusal({ $0 == .otherKit(expected: "test-kit", found: "other-kit") }) { _ = try fixture.update() }
    }

    @Test func anotherChannelIsRefused() throws {
        let fixture = try fixtureWithNewRelease()
        let kitYML = fixture.kit.appendingPathComponent("profiles/kit.yml")
        try String(contentsOf: kitYML, encoding: .utf8).replacingOccurrences(of: "channel: stable", with: "channel: beta")
            .write(to: kitYML, atomically: true, encoding: .utf8)
        try fixture.publish()
        let beta = fixture.release.appendingPathComponent(ReleaseLayout.manifest(kit: "test-kit", channel: "beta"))
        try FileManager.default.removeItem(at: fixture.manifestURL)
        try FileManager.default.removeItem(at: fixture.signatureURL)
        try FileManager.default.copyItem(at: beta, to: fixture.manifestURL)
        try FileManager.default.copyItem(at: beta.appendingPathExtension("minisig"), to: fixture.signatureURL)
        try fixture.expectRefusal({ $0 == .otherChannel(expected: "stable", found: "beta") }) { _ = try fixture.update() }
    }

    @Test func expiredTrustFileIsRefused() throws {
        let fixture = try fixtureWithNewRelease()
        fixture.now = UpdateFixture.now.addingTimeInterval(800 * 86400)
        try fixture.expectRefusal({ if case .trustExpired = $0 { true } else { false } }) { _ = try fixture.update() }
    }

    @Test func expiredReleaseIsOnlyAWarningOffline() throws {
        let fixture = try fixtureWithNewRelease()
        fixture.now = UpdateFixture.now.addingTimeInterval(200 * 86400)
        let report = try fixture.update()
        #expect(report.outcome == .updated)
        #expect(report.warnings.contains { $0.contains("expired") })
    }

    @Test func fileWithWrongHashIsRefused() throws {
        let fixture = try fixtureWithNewRelease()
        let manifest = try fixture.releaseManifest()
        let app = try #require(manifest.files.first { $0.path.hasSuffix("office.bin") })
        // Same size, other content.
        let object = fixture.release.appendingPathComponent(ReleaseLayout.object(app.sha256))
        var data = try Data(contentsOf: object)
        data[100] ^= 0xFF
        try data.write(to: object)
        try fixture.expectRefusal({ $0 == .fileMismatch(app.path) }) { _ = try fixture.update() }
    }

    @Test func fileLargerThanAnnouncedIsRefused() throws {
        let fixture = try fixtureWithNewRelease()
        let manifest = try fixture.releaseManifest()
        let app = try #require(manifest.files.first { $0.path.hasSuffix("office.bin") })
        let object = fixture.release.appendingPathComponent(ReleaseLayout.object(app.sha256))
        var data = try Data(contentsOf: object)
        data.append(Data(repeating: 0, count: 1 << 20))
        try data.write(to: object)
        try fixture.expectRefusal({ $0 == .fileMismatch(app.path) }) { _ = try fixture.update() }
    }

    @Test func oversizedManifestIsRefusedUnread() throws {
        let fixture = try fixtureWithNewRelease()
        try Data(repeating: 0x20, count: UpdateManifest.maximumSize + 10).write(to: fixture.manifestURL)
        try fixture.expectRefusal({ if case .tooLarge = $0 { true } else { false } }) { _ = try fixture.update() }
    }

    @Test(arguments: [
        "/etc/passwd", "../outside.txt", "catalogue/../../outside.txt", "CON", "aux.txt", "docs/NUL", "com1.html", "a:b.txt", "what?.txt",
        "pipe|name", "trailing.", "demokit/manifest.json", "demokit/trust.json", "demokit/update-state-a", "demokit/.update/objects/x",
        "INDEX.HTML", "index.html/inside",
    ])
    func unsafePathIsRefused(_ path: String) throws {
        let fixture = try fixtureWithNewRelease()
        var manifest = try fixture.releaseManifest()
        manifest.files.append(FileRecord(path: path, size: 1, sha256: String(repeating: "a", count: 64), role: .other))
        try fixture.sign(manifest, with: [fixture.signer])
        try fixture.expectRefusal({ if case .unsafePath = $0 { true } else { false } }) { _ = try fixture.update() }
    }

    @Test func fileOfFourGiBIsRefused() throws {
        let fixture = try fixtureWithNewRelease()
        var manifest = try fixture.releaseManifest()
        manifest.files.append(FileRecord(path: "big.iso", size: 1 << 32, sha256: String(repeating: "b", count: 64), role: .application))
        try fixture.sign(manifest, with: [fixture.signer])
        try fixture.expectRefusal({ $0 == .fileTooLarge("big.iso", 1 << 32) }) { _ = try fixture.update() }
    }

    @Test func releaseNeedingANewerDemokitIsRefused() throws {
        let fixture = try fixtureWithNewRelease()
        var manifest = try fixture.releaseManifest()
        manifest.release.minimumDemokit = "99.0.0"
        try fixture.sign(manifest, with: [fixture.signer])
        try fixture.expectRefusal({ $0 == .tooNew("99.0.0") }) { _ = try fixture.update() }
    }

    @Test func trustRotationNeedsOldAndNewKeys() throws {
        let fixture = try UpdateFixture()
        let newKey = try MinisignSecretKey.generate()
        // Signed by the new key alone: an attacker who stole nothing old cannot rotate.
        let forged = TrustFile(kit: "test-kit", version: 2, expires: "2030-01-01", threshold: 1, keys: [.init(newKey.publicKey)])
        try Publisher.writeTrust(forged, signedBy: [newKey], release: fixture.release, now: fixture.now)
        try fixture.writeApp("version 2")
        try fixture.publish(keys: [newKey])
        try fixture.expectRefusal({ if case .unknownKey = $0 { true } else { false } }) { _ = try fixture.update() }

        // The real rotation, signed by both.
        let trustURL = fixture.release.appendingPathComponent(ReleaseLayout.trust(kit: "test-kit", version: 2))
        try FileManager.default.removeItem(at: trustURL)
        _ = try Publisher.rotateTrust(
            release: fixture.release, kit: "test-kit", signers: [fixture.signer, newKey], keys: [newKey.publicKey], threshold: 1, expiresInDays: 730,
            now: fixture.now)
        try fixture.publish(keys: [newKey])
        let report = try fixture.update()
        #expect(report.outcome == .updated)
        let trust = try TrustFile.decode(try Data(contentsOf: fixture.key.appendingPathComponent(TrustFile.path)))
        #expect(trust.version == 2)
        #expect(KeyCheck.run(key: fixture.key, hashFiles: true).isHealthy)
    }
}
