import Foundation
import Testing

@testable import DemoKit

/// A kit, a release folder with one signed release, and a key (a folder) updated to it.
final class UpdateFixture {
    let dir: TemporaryDirectory
    let kit: URL
    let release: URL
    let key: URL
    let signer: MinisignSecretKey
    /// Mid-2026: releases last 180 days, trust files 730.
    static let now = Date(timeIntervalSince1970: 1_780_000_000)
    var now = UpdateFixture.now

    init(keys: [MinisignSecretKey]? = nil, threshold: Int? = nil) throws {
        dir = try TemporaryDirectory()
        kit = try TestKit.make(in: dir)
        release = dir.path("release")
        key = dir.path("key")
        let signers = try keys ?? [MinisignSecretKey.generate()]
        signer = signers[0]
        try writeApp("version 1")
        try publish(keys: signers, threshold: threshold)
        var options = KitBuilder.Options(kitRoot: kit, output: key)
        options.environment = [:]
        _ = try KitBuilder(options: options).build()
        let updater = self.updater()
        updater.trustKey = signer.publicKey
        _ = try updater.update(from: FolderReleaseSource(root: release))
    }

    /// An "application": a file of the key that changes between releases.
    func writeApp(_ text: String, size: Int = 300_000) throws {
        let folder = kit.appendingPathComponent("payload/files/apps/office")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var data = Data(text.utf8)
        data.append(Data(repeating: UInt8(ascii: "x"), count: size))
        try data.write(to: folder.appendingPathComponent("office.bin"))
    }

    /// Changes the catalogue's text, so the database and pages change.
    func changeCatalogue(_ text: String) throws {
        let url = kit.appendingPathComponent("payload/catalogue/paint.yml")
        let yaml = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "Dessin pour les enfants", with: text)
        try yaml.write(to: url, atomically: true, encoding: .utf8)
    }

    @discardableResult
    func publish(keys: [MinisignSecretKey]? = nil, threshold: Int? = nil, to folder: URL? = nil, trustDays: Int = 730) throws -> Publisher.Report {
        var options = Publisher.Options(kitRoot: kit, release: folder ?? release, keys: keys ?? [signer])
        options.now = now
        options.threshold = threshold
        options.trustExpiresInDays = trustDays
        options.environment = [:]
        return try Publisher(options: options).publish()
    }

    func updater() -> KeyUpdater { KeyUpdater(key: key, now: now, environment: [:]) }

    func update() throws -> UpdateReport { try updater().update(from: FolderReleaseSource(root: release)) }

    var manifestURL: URL { release.appendingPathComponent(ReleaseLayout.manifest(kit: "test-kit", channel: "stable")) }
    var signatureURL: URL { manifestURL.appendingPathExtension("minisig") }

    func releaseManifest() throws -> UpdateManifest { try UpdateManifest.read(from: manifestURL) }

    /// Replaces the release's manifest with `manifest`, signed by `keys`.
    func sign(_ manifest: UpdateManifest, with keys: [MinisignSecretKey]) throws {
        let data = try manifest.encoded()
        try data.write(to: manifestURL)
        try TrustFile.sign(data, with: keys, comment: "test").write(to: signatureURL, atomically: true, encoding: .utf8)
    }

    /// Runs `attack` and checks that the update is refused with `expected` and the key is
    /// byte for byte what it was.
    func expectRefusal(_ expected: (UpdateRefusal) -> Bool, sourceLocation: SourceLocation = #_sourceLocation, _ attempt: () throws -> Void) throws {
        let before = try TestKit.snapshot(key)
        do {
            try attempt()
            Issue.record("the update was not refused", sourceLocation: sourceLocation)
        } catch let refusal as UpdateRefusal {
            #expect(expected(refusal), "unexpected refusal: \(refusal.message)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error: \(error)", sourceLocation: sourceLocation)
        }
        let after = try TestKit.snapshot(key)
        #expect(after.keys.sorted() == before.keys.sorted(), "files added or removed", sourceLocation: sourceLocation)
        #expect(after == before, "the key changed", sourceLocation: sourceLocation)
    }
}
