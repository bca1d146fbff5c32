import Foundation
import Testing

@testable import DemoKit

@Suite struct UpdateFlowTests {
    static let testNow = ["DEMOKIT_TEST_NOW": Timestamp.string(UpdateFixture.now)]

    @Test func updateWritesOnlyWhatChangedAndVerifies() throws {
        let fixture = try UpdateFixture()
        try fixture.writeApp("version 2")
        try fixture.changeCatalogue("Dessin libre pour les enfants")
        try fixture.publish()
        let manifest = try fixture.releaseManifest()
        let report = try fixture.update()
        #expect(report.outcome == .updated)
        #expect(report.toNumber == 2)
        // The application, the database, some pages and the profile lists: far from everything.
        #expect(report.filesWritten > 0 && report.filesWritten < manifest.files.count)
        #expect(report.bytesWritten < manifest.totalSize)
        let check = KeyCheck.run(key: fixture.key, hashFiles: true)
        #expect(check.isHealthy)
        #expect(check.signed)
        #expect(check.manifest == manifest)
        #expect(!FileManager.default.fileExists(atPath: fixture.key.appendingPathComponent("demokit/.update").path))
        // Identical to a key built from scratch, except demokit's own bookkeeping.
        let fresh = fixture.dir.path("fresh")
        var options = KitBuilder.Options(kitRoot: fixture.kit, output: fresh)
        options.environment = [:]
        _ = try KitBuilder(options: options).build()
        let ours = try TestKit.snapshot(fixture.key).filter {
            !$0.key.hasPrefix("demokit/manifest") && !$0.key.hasPrefix("demokit/trust") && !$0.key.hasPrefix("demokit/update-state")
        }
        let theirs = try TestKit.snapshot(fresh).filter { $0.key != UpdateManifest.path }
        #expect(ours == theirs)
    }

    @Test func filesAlreadyOnTheKeyAreReusedNotFetched() throws {
        let fixture = try UpdateFixture()
        // The new release moves the application: same content, new path.
        let folder = fixture.kit.appendingPathComponent("payload/files/apps")
        try FileManager.default.moveItem(at: folder.appendingPathComponent("office"), to: folder.appendingPathComponent("bureautique"))
        try fixture.publish()
        let report = try fixture.update()
        #expect(report.bytesReused >= 300_000)
        #expect(report.bytesFromSource < 100_000)
        #expect(!FileManager.default.fileExists(atPath: fixture.key.appendingPathComponent("apps/office/office.bin").path))
        #expect(KeyCheck.run(key: fixture.key, hashFiles: true).isHealthy)
    }

    @Test func repairRestoresDamagedFiles() throws {
        let fixture = try UpdateFixture()
        let page = fixture.key.appendingPathComponent("catalogue/index.html")
        let original = try Data(contentsOf: page)
        try Data(repeating: 0, count: original.count).write(to: page)  // right length, garbage: a FAT32 power cut
        try FileManager.default.removeItem(at: fixture.key.appendingPathComponent("apps/office/office.bin"))
        let check = KeyCheck.run(key: fixture.key, hashFiles: true)
        #expect(check.damaged == ["catalogue/index.html"])
        #expect(check.missing == ["apps/office/office.bin"])
        let report = try fixture.updater().repair(from: FolderReleaseSource(root: fixture.release))
        #expect(report.filesWritten == 2)
        #expect(try Data(contentsOf: page) == original)
        #expect(KeyCheck.run(key: fixture.key, hashFiles: true).isHealthy)
    }

    /// Stops the real binary at every write it makes (the test hook), on a plain folder;
    /// scripts/test.d/60-update-interruptions does the same on FAT32 with real kills.
    @Test func interruptedAtEveryWriteTheNextRunFinishes() throws {
        let fixture = try UpdateFixture()
        try fixture.writeApp("version 2")
        try fixture.changeCatalogue("Dessin libre pour les enfants")
        try fixture.publish()
        let pristine = fixture.dir.path("pristine")
        try FileManager.default.copyItem(at: fixture.key, to: pristine)
        let oldSnapshot = try TestKit.snapshot(pristine)
        // How many writes a full update makes.
        let full = try run(demokitBinary, ["update", fixture.key.path, "--from", fixture.release.path, "-v"], environment: Self.testNow)
        #expect(full.status == 0, "\(full.stderr)")
        let newSnapshot = try TestKit.snapshot(fixture.key)
        var stops = 0
        for step in 1...400 {
            try FileManager.default.removeItem(at: fixture.key)
            try FileManager.default.copyItem(at: pristine, to: fixture.key)
            var environment = Self.testNow
            environment["DEMOKIT_TEST_CRASH_AFTER_WRITES"] = "\(step)"
            let cut = try run(demokitBinary, ["update", fixture.key.path, "--from", fixture.release.path, "-q"], environment: environment)
            if cut.status == 0 { break }  // finished before the step: every step was covered
            #expect(cut.status == 75, "\(cut.stderr)")
            stops += 1
            // In between, the catalogue's entry page is always there.
            #expect(FileManager.default.fileExists(atPath: fixture.key.appendingPathComponent("index.html").path))
            let state = UpdateState.read(key: fixture.key)
            let manifestNow = try? Data(contentsOf: fixture.key.appendingPathComponent(UpdateManifest.path))
            if state.phase != .applying && manifestNow == oldSnapshot[UpdateManifest.path] {
                // Not applying yet: the key's files are still exactly the old release.
                let now = try TestKit.snapshot(fixture.key)
                for (path, data) in oldSnapshot where !path.hasPrefix("demokit/update-state") {
                    #expect(now[path] == data, "step \(step): \(path) changed before applying")
                }
            }
            let rerun = try run(demokitBinary, ["update", fixture.key.path, "--from", fixture.release.path, "-q"], environment: Self.testNow)
            #expect(rerun.status == 0, "step \(step): \(rerun.stderr)")
            let verify = try run(demokitBinary, ["verify", fixture.key.path, "-q"])
            #expect(verify.status == 0, "step \(step): \(verify.stderr)")
            let after = try TestKit.snapshot(fixture.key).filter { !$0.key.hasPrefix("demokit/update-state") }
            #expect(after == newSnapshot.filter { !$0.key.hasPrefix("demokit/update-state") }, "step \(step)")
        }
        #expect(stops > 10)
    }

    @Test func commandLineRoundTripWithMinisignInterop() throws {
        let dir = try TemporaryDirectory()
        let kit = try TestKit.make(in: dir)
        let keys = dir.path("keys")
        let keygen = try run(demokitBinary, ["keygen", "--out", keys.path])
        #expect(keygen.status == 0, "\(keygen.stderr)")
        // Never overwrites a key.
        let again = try run(demokitBinary, ["keygen", "--out", keys.path])
        #expect(again.status != 0)
        let release = dir.path("release")
        let publish = try run(demokitBinary, ["publish", "--key", keys.appendingPathComponent("demokit.key").path, "--kit", kit.path, "--out", release.path])
        #expect(publish.status == 0, "\(publish.stderr)")
        // demokit → minisign: the tool verifies demokit's signatures.
        let manifest = release.appendingPathComponent("test-kit/stable/manifest.json")
        let check = try run("minisign", ["-V", "-m", manifest.path, "-p", keys.appendingPathComponent("demokit.pub").path])
        #expect(check.status == 0, "\(check.stderr)")
        let trust = release.appendingPathComponent("test-kit/trust/1.json")
        #expect(try run("minisign", ["-V", "-m", trust.path, "-p", keys.appendingPathComponent("demokit.pub").path]).status == 0)

        let key = dir.path("key")
        #expect(try run(demokitBinary, ["build", "--kit", kit.path, "--out", key.path, "-q"]).status == 0)
        let noTrust = try run(demokitBinary, ["update", key.path, "--from", release.path])
        #expect(noTrust.status != 0)
        #expect(noTrust.stderr.contains("--trust-key"))
        let update = try run(
            demokitBinary, ["update", key.path, "--from", release.path, "--trust-key", keys.appendingPathComponent("demokit.pub").path])
        #expect(update.status == 0, "\(update.stderr)")
        let status = try run(demokitBinary, ["status", key.path])
        #expect(status.stdout.contains("release #1"), "\(status.stdout)")
        #expect(status.stdout.contains("Signed: yes"), "\(status.stdout)")
        #expect(try run(demokitBinary, ["verify", key.path]).status == 0)
    }

    @Test(arguments: [true, false])
    func manifestSignedByTheMinisignToolIsAccepted(prehashed: Bool) throws {
        let fixture = try UpdateFixture()
        // minisign → demokit: a key pair and signatures made by the tool itself.
        let secret = fixture.dir.path("tool.key"), pub = fixture.dir.path("tool.pub")
        let generate = try run("minisign", ["-G", "-W", "-p", pub.path, "-s", secret.path])
        #expect(generate.status == 0, "\(generate.stderr)")
        let toolKey = try MinisignSecretKey(text: try String(contentsOf: secret, encoding: .utf8))
        let toolPublic = try MinisignPublicKey(text: try String(contentsOf: pub, encoding: .utf8))
        #expect(toolKey.publicKey == toolPublic)
        // Rotate to the tool's key (signed by both), then publish and re-sign with the tool.
        _ = try Publisher.rotateTrust(
            release: fixture.release, kit: "test-kit", signers: [fixture.signer, toolKey], keys: [toolPublic], threshold: 1, expiresInDays: 730,
            now: fixture.now)
        try fixture.writeApp("version 2")
        try fixture.publish(keys: [toolKey])
        try FileManager.default.removeItem(at: fixture.signatureURL)
        var arguments = ["-S", "-s", secret.path, "-m", fixture.manifestURL.path, "-t", "signed by the minisign tool"]
        if !prehashed { arguments.append("-l") }
        let sign = try run("minisign", arguments)
        #expect(sign.status == 0, "\(sign.stderr)")
        let signature = try MinisignSignature.parseAll(try String(contentsOf: fixture.signatureURL, encoding: .utf8))
        #expect(signature.first?.algorithm == (prehashed ? .prehashed : .legacy))
        #expect(try fixture.update().outcome == .updated)
        #expect(KeyCheck.run(key: fixture.key, hashFiles: true).signed)
    }

    @Test func demokitSignaturesAreMinisignCompatibleBothAlgorithms() throws {
        let dir = try TemporaryDirectory()
        let key = try MinisignSecretKey.generate()
        try key.publicKey.fileText.write(to: dir.path("k.pub"), atomically: true, encoding: .utf8)
        try key.fileText().write(to: dir.path("k.key"), atomically: true, encoding: .utf8)
        let message = Data("bonjour\n".utf8)
        try message.write(to: dir.path("m.txt"))
        for prehash in [true, false] {
            let signature = try key.sign(message, trustedComment: "comment \(prehash)", prehash: prehash)
            try signature.text.write(to: dir.path("m.txt.minisig"), atomically: true, encoding: .utf8)
            let check = try run("minisign", ["-V", "-m", dir.path("m.txt").path, "-p", dir.path("k.pub").path])
            #expect(check.status == 0, "\(check.stderr)")
            #expect(check.stdout.contains("comment \(prehash)"))
        }
        // The tool signs with a secret key demokit wrote.
        let sign = try run("minisign", ["-S", "-s", dir.path("k.key").path, "-m", dir.path("m.txt").path])
        #expect(sign.status == 0, "\(sign.stderr)")
        let parsed = try MinisignSignature.parseAll(try String(contentsOf: dir.path("m.txt.minisig"), encoding: .utf8))
        #expect(try parsed[0].verify(message, with: key.publicKey))
        // A changed trusted comment is caught.
        var forged = parsed[0]
        forged.trustedComment += "!"
        #expect(try !forged.verify(message, with: key.publicKey))
    }
}
