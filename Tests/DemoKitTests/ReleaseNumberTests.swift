import Foundation
import Testing

@testable import DemoKit

/// One number, one release: a key refuses another manifest with the number
/// it holds, and `publish` refuses to give a number twice.
@Suite struct ReleaseNumberTests {
    /// A second release folder of the fixture's kit, started afresh: its release n° 1
    /// has other content than the first folder's n° 1, which the key holds.
    func secondLine(_ fixture: UpdateFixture) throws -> URL {
        let other = fixture.dir.path("other-release")
        try fixture.writeApp("version 1, second folder")
        let report = try fixture.publish(to: other)
        #expect(report.manifest.release.number == 1)
        return other
    }

    func sha256(_ url: URL) throws -> String { FileHashing.sha256(of: try Data(contentsOf: url)) }

    @Test func sameNumberFromAnotherFolderIsRefusedAndTheKeyUnchanged() throws {
        let fixture = try UpdateFixture()
        let other = try secondLine(fixture)
        let keyHash = try sha256(fixture.key.appendingPathComponent(UpdateManifest.path))
        let offered = try sha256(other.appendingPathComponent(ReleaseLayout.manifest(kit: "test-kit", channel: "stable")))
        #expect(keyHash != offered)
        try fixture.expectRefusal({ $0 == .otherReleaseSameNumber(number: 1, key: keyHash, offered: offered) }) {
            _ = try fixture.updater().update(from: FolderReleaseSource(root: other))
        }
        let message = UpdateRefusal.otherReleaseSameNumber(number: 1, key: keyHash, offered: offered).message
        #expect(message.contains("deux lignes de publications pour un même kit"))
        #expect(message.contains("two release lines for one kit"))
        #expect(message.contains("restored from an old copy"))
        #expect(message.range(of: "n° 1")!.lowerBound < message.range(of: "release #1")!.lowerBound, "French first")
    }

    @Test func sameNumberFromAnotherFolderFailsOnTheCommandLine() throws {
        let fixture = try UpdateFixture()
        let other = try secondLine(fixture)
        let before = try TestKit.snapshot(fixture.key)
        let result = try run(demokitBinary, ["update", fixture.key.path, "--from", other.path], environment: ["DEMOKIT_TEST_NOW": "2026-05-28T20:26:40Z"])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(!result.stdout.contains("Déjà à jour"), "\(result.stdout)")
        #expect(result.stderr.contains("demokit: erreur / error:"), "\(result.stderr)")
        #expect(result.stderr.contains("deux lignes de publications"), "\(result.stderr)")
        #expect(try TestKit.snapshot(fixture.key) == before)
    }

    @Test func sameNumberSameManifestIsAlreadyUpToDate() throws {
        let fixture = try UpdateFixture()
        // A copy of the same folder (another share, a USB stick) holds the same bytes.
        let copy = fixture.dir.path("copy-of-release")
        try FileManager.default.copyItem(at: fixture.release, to: copy)
        let before = try TestKit.snapshot(fixture.key)
        for folder in [fixture.release, copy] {
            let report = try fixture.updater().update(from: FolderReleaseSource(root: folder))
            #expect(report.outcome == .upToDate)
            #expect(report.toNumber == 1)
        }
        #expect(try TestKit.snapshot(fixture.key) == before)
    }

    @Test func theStateRecordKeepsTheInstalledManifestHash() throws {
        let fixture = try UpdateFixture()
        let state = UpdateState.read(key: fixture.key)
        #expect(state.lastNumber == 1)
        #expect(state.lastManifest == (try sha256(fixture.key.appendingPathComponent(UpdateManifest.path))))
    }

    @Test func aHigherNumberFromTheSecondLineIsStillAnUpdate() throws {
        let fixture = try UpdateFixture()
        let other = try secondLine(fixture)
        try fixture.writeApp("version 2, second folder")
        #expect(try fixture.publish(to: other).manifest.release.number == 2)
        let report = try fixture.updater().update(from: FolderReleaseSource(root: other))
        #expect(report.outcome == .updated)
        #expect(report.toNumber == 2)
    }

    // MARK: publish

    func publish(_ fixture: UpdateFixture, to folder: URL, records: [URL] = [], previous: String? = nil, newNumbering: Bool = false) throws
        -> Publisher.Report
    {
        var options = Publisher.Options(kitRoot: fixture.kit, release: folder, keys: [fixture.signer])
        options.now = fixture.now
        options.environment = [:]
        options.records = records
        options.previous = previous
        options.newNumbering = newNumbering
        return try Publisher(options: options).publish()
    }

    /// Runs a publication that must be refused with `expected`, and checks the folder did not change.
    func expectRefused(
        _ expected: ReleaseHistory.Refusal, folder: URL, sourceLocation: SourceLocation = #_sourceLocation, _ attempt: () throws -> Void
    ) throws {
        let before = FileManager.default.fileExists(atPath: folder.path) ? try TestKit.snapshot(folder) : [:]
        #expect(throws: expected, sourceLocation: sourceLocation) { try attempt() }
        let after = FileManager.default.fileExists(atPath: folder.path) ? try TestKit.snapshot(folder) : [:]
        let unchanged = after == before
        #expect(unchanged, "the release folder changed", sourceLocation: sourceLocation)
    }

    @Test func publishRefusesANumberTheFolderAlreadyHas() throws {
        let fixture = try UpdateFixture()
        try fixture.writeApp("version 2")
        try fixture.publish()
        // The folder restored from an old copy: its latest manifest is n° 1 again, releases/2.json stayed.
        let archived = fixture.release.appendingPathComponent(ReleaseLayout.archivedManifest(kit: "test-kit", channel: "stable", number: 1))
        try Data(contentsOf: archived).write(to: fixture.manifestURL)
        try Data(contentsOf: archived.appendingPathExtension("minisig")).write(to: fixture.signatureURL)
        try fixture.writeApp("version 3")
        try expectRefused(.numberTaken(folder: fixture.release.path, number: 2), folder: fixture.release) { try fixture.publish() }
        #expect(ReleaseHistory.Refusal.numberTaken(folder: "F", number: 2).message.contains("restored from an old copy"))
    }

    @Test func publishRefusesAFolderWhoseLatestIsNotItsArchivedCopy() throws {
        let fixture = try UpdateFixture()
        let other = try secondLine(fixture)
        // The second line's n° 1 copied over the first folder's latest manifest.
        let latest = ReleaseLayout.manifest(kit: "test-kit", channel: "stable")
        try Data(contentsOf: other.appendingPathComponent(latest)).write(to: fixture.manifestURL)
        try expectRefused(.latestDiffersFromArchive(folder: fixture.release.path, number: 1), folder: fixture.release) { try fixture.publish() }
    }

    @Test func publishRefusesANewNumberingUnlessToldSo() throws {
        let fixture = try UpdateFixture()
        let record = fixture.dir.path("keys/demokit.releases.json")
        let first = fixture.dir.path("first")
        let firstReport = try publish(fixture, to: first, records: [record])
        #expect(firstReport.manifest.release.number == 1)
        let entry = try #require(try ReleaseHistory.Record.read(record).entry(kit: "test-kit", channel: "stable"))
        #expect(entry.number == 1)
        #expect(entry.folder == first.standardizedFileURL.path)

        // The same folder goes on: n° 2.
        try fixture.writeApp("version 2")
        #expect(try publish(fixture, to: first, records: [record]).manifest.release.number == 2)

        // A new, empty folder would start again at n° 1.
        let second = fixture.dir.path("second")
        let refusal = ReleaseHistory.Refusal.otherLine(
            folder: second.path, next: 1, entry: try #require(try ReleaseHistory.Record.read(record).entry(kit: "test-kit", channel: "stable")))
        try expectRefused(refusal, folder: second) { _ = try publish(fixture, to: second, records: [record]) }
        #expect(refusal.message.contains("--new-numbering") && refusal.message.contains("--previous"))

        // Continued from the first folder: n° 3, chained to its n° 2.
        let continued = try publish(fixture, to: second, records: [record], previous: first.path)
        #expect(continued.manifest.release.number == 3)
        let firstLatest = first.appendingPathComponent(ReleaseLayout.manifest(kit: "test-kit", channel: "stable"))
        #expect(continued.manifest.release.previous == (try sha256(firstLatest)))

        // Started afresh on purpose.
        let third = fixture.dir.path("third")
        #expect(try publish(fixture, to: third, records: [record], newNumbering: true).manifest.release.number == 1)
    }

    @Test func previousMustBeSignedByTheSigningKeys() throws {
        let fixture = try UpdateFixture()
        var options = Publisher.Options(kitRoot: fixture.kit, release: fixture.dir.path("new"), keys: [try MinisignSecretKey.generate()])
        options.now = fixture.now
        options.environment = [:]
        options.previous = fixture.release.path
        #expect(throws: ReleaseHistory.Refusal.self) { try Publisher(options: options).publish() }
        #expect(!FileManager.default.fileExists(atPath: fixture.dir.path("new").path))
    }

    @Test func publishOnTheCommandLineKeepsARecordAndRefusesASecondNumbering() throws {
        let dir = try TemporaryDirectory()
        let kit = try TestKit.make(in: dir)
        let keys = dir.path("keys")
        #expect(try run(demokitBinary, ["keygen", "--out", keys.path]).status == 0)
        let key = keys.appendingPathComponent("demokit.key").path
        let first = try run(demokitBinary, ["publish", "--key", key, "--kit", kit.path, "--out", dir.path("a").path, "-q"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(FileManager.default.fileExists(atPath: keys.appendingPathComponent("demokit.releases.json").path))
        let second = try run(demokitBinary, ["publish", "--key", key, "--kit", kit.path, "--out", dir.path("b").path, "-q"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("--new-numbering"), "\(second.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("b").path))
        let both = try run(demokitBinary, ["publish", "--key", key, "--kit", kit.path, "--out", dir.path("b").path, "--previous", "x", "--new-numbering"])
        #expect(both.status == 64, "\(both.stderr)")
        let fresh = try run(demokitBinary, ["publish", "--key", key, "--kit", kit.path, "--out", dir.path("b").path, "--new-numbering"])
        #expect(fresh.status == 0, "\(fresh.stderr)")
        #expect(fresh.stdout.contains("Publication n° 1"), "\(fresh.stdout)")
    }
}
