import Foundation
import Testing

@testable import DemoKit

/// Keys that update themselves: `updates:` in kit.yml, what the key carries, and what
/// the updater leaves alone while a live system runs from the key. The boot itself is
/// scripts/test.d/75-self-update.
@Suite struct LiveUpdatesTests {
    static func kit(_ updates: String, key: String? = nil, in dir: TemporaryDirectory) throws -> URL {
        let root = try TestKit.make(in: dir)
        let settings = root.appendingPathComponent("profiles/kit.yml")
        try (String(contentsOf: settings, encoding: .utf8) + updates).write(to: settings, atomically: true, encoding: .utf8)
        if let key {
            try FileManager.default.createDirectory(at: root.appendingPathComponent("keys"), withIntermediateDirectories: true)
            try key.write(to: root.appendingPathComponent("keys/demokit.pub"), atomically: true, encoding: .utf8)
        }
        return root
    }

    @Test func updatesAreReadFromKitYAMLWithTheirKey() throws {
        let dir = try TemporaryDirectory()
        let signer = try MinisignSecretKey.generate()
        let root = try Self.kit(
            "updates:\n  url: https://demo.example.org/releases/\n  key: keys/demokit.pub\n", key: signer.publicKey.fileText, in: dir)
        let kit = try KitLoader(root: root, displayPrefix: "").loadValid().kit
        let updates = try #require(kit.settings.updates)
        #expect(updates.url == "https://demo.example.org/releases/")
        #expect(updates.automatic)
        #expect(try MinisignPublicKey(text: updates.publicKeyText) == signer.publicKey)
        #expect(LiveUpdates.settingsFile(updates).contains("\nurl=https://demo.example.org/releases/\nautomatic=yes\n"))
    }

    @Test func badUpdateSettingsArePositionedErrors() throws {
        let dirs = (0..<4).map { _ in try! TemporaryDirectory() }
        let lines = try String(contentsOf: TestKit.make(in: dirs[0]).appendingPathComponent("profiles/kit.yml"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).count
        var used = 0
        func diagnostics(_ updates: String, key: String? = nil) throws -> [Diagnostic] {
            used += 1
            let root = try Self.kit(updates, key: key, in: dirs[used])
            return KitLoader(root: root, displayPrefix: "").load().diagnostics.filter { $0.severity == .error }
        }
        let noScheme = try diagnostics("updates:\n  url: demo.example.org\n  key: keys/demokit.pub\n", key: "x")
        #expect(noScheme.count == 1 && noScheme[0].file == "profiles/kit.yml" && noScheme[0].line == lines + 1)
        #expect(noScheme[0].message.contains("adresse invalide"))
        let missing = try diagnostics("updates:\n  url: https://demo.example.org/\n  key: keys/none.pub\n")
        #expect(missing.count == 1 && missing[0].line == lines + 2 && missing[0].message.contains("clé publique introuvable"))
        let notAKey = try diagnostics("updates:\n  url: https://demo.example.org/\n  key: keys/demokit.pub\n", key: "not a key\n")
        #expect(notAKey.count == 1 && notAKey[0].line == lines + 2 && notAKey[0].message.contains("n'est pas une clé publique minisign"))
    }

    @Test func theKeyCarriesItsSettingsAndTheUpdaterReadsThem() throws {
        let dir = try TemporaryDirectory()
        let signer = try MinisignSecretKey.generate()
        let key = dir.path("key")
        try FileManager.default.createDirectory(at: key.appendingPathComponent("demokit"), withIntermediateDirectories: true)
        let settings = UpdateSettings(
            url: "http://10.0.2.2:8080/", publicKey: Located("keys/demokit.pub", file: "profiles/kit.yml", line: 1, column: 1),
            automatic: false, publicKeyText: signer.publicKey.fileText)
        for file in LiveUpdates.plannedFiles(settings, bundle: []) {
            guard case let .bytes(data) = file.content else { continue }
            let url = key.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
        let read = try LiveUpdates.readSettings(key: key)
        #expect(read.settings == LiveUpdates.KeySettings(url: "http://10.0.2.2:8080/", automatic: false))
        #expect(read.publicKey == signer.publicKey)
        // The shell script reads `automatic` the same way.
        let conf = try String(contentsOf: key.appendingPathComponent(LiveUpdates.settingsPath), encoding: .utf8)
        #expect(conf.contains("\nautomatic=no\n") && !conf.contains("automatic=yes"))
        try FileManager.default.removeItem(at: key.appendingPathComponent(LiveUpdates.settingsPath))
        #expect(throws: FileError.self) { try LiveUpdates.readSettings(key: key) }
    }

    @Test func heldFilesAreTheLoopDevicesBackingFilesOnTheKey() throws {
        let dir = try TemporaryDirectory()
        let key = dir.path("medium")
        try FileManager.default.createDirectory(at: key.appendingPathComponent("live"), withIntermediateDirectories: true)
        let sys = dir.path("sys-block")
        for (device, backing) in [
            ("loop0", key.path + "/live/filesystem-0123456789abcdef.squashfs\n"), ("loop1", "/elsewhere/live/x.squashfs\n"),
            ("loop2", key.path + "/live/state-fedcba9876543210.squashfs\n"),
        ] {
            try FileManager.default.createDirectory(at: sys.appendingPathComponent("\(device)/loop"), withIntermediateDirectories: true)
            try backing.write(to: sys.appendingPathComponent("\(device)/loop/backing_file"), atomically: true, encoding: .utf8)
        }
        try FileManager.default.createDirectory(at: sys.appendingPathComponent("sda"), withIntermediateDirectories: true)
        #expect(
            LiveUpdates.heldFiles(key: key, sysBlock: sys)
                == ["live/filesystem-0123456789abcdef.squashfs", "live/state-fedcba9876543210.squashfs"])
    }

    @Test func aReleaseChangingAHeldFileIsRefusedAndTheKeyUnchanged() throws {
        let fixture = try UpdateFixture()
        try fixture.writeApp("version 2")
        try fixture.publish()
        let updater = fixture.updater()
        updater.heldFiles = ["apps/office/office.bin"]
        try fixture.expectRefusal({ if case .heldByRunningSystem(["apps/office/office.bin"]) = $0 { true } else { false } }) {
            _ = try updater.update(from: FolderReleaseSource(root: fixture.release))
        }
        #expect(UpdateRefusal.heldByRunningSystem(["apps/office/office.bin"]).message.contains("demokit update"))
    }

    @Test func anObsoleteHeldFileStaysUntilALaterRunFindsItFree() throws {
        let fixture = try UpdateFixture()
        // The new release moves the application: its old path is obsolete, and held.
        let folder = fixture.kit.appendingPathComponent("payload/files/apps")
        try FileManager.default.moveItem(at: folder.appendingPathComponent("office"), to: folder.appendingPathComponent("bureautique"))
        try fixture.publish()
        let old = fixture.key.appendingPathComponent("apps/office/office.bin")
        let running = fixture.updater()
        running.heldFiles = ["apps/office/office.bin"]
        let report = try running.update(from: FolderReleaseSource(root: fixture.release))
        #expect(report.outcome == .updated)
        #expect(FileManager.default.fileExists(atPath: old.path), "a held file was removed under the running system")
        #expect(UpdateState.read(key: fixture.key).deferred == ["apps/office/office.bin"])
        #expect(KeyCheck.run(key: fixture.key, hashFiles: true).isHealthy)
        // Still held at the next check: still there.
        let again = fixture.updater()
        again.heldFiles = ["apps/office/office.bin"]
        #expect(try again.update(from: FolderReleaseSource(root: fixture.release)).outcome == .upToDate)
        #expect(FileManager.default.fileExists(atPath: old.path))
        // Free (another boot, or a PC): the up-to-date run removes it and forgets it.
        let free = try fixture.update()
        #expect(free.outcome == .upToDate && free.filesRemoved == 1)
        #expect(!FileManager.default.fileExists(atPath: old.path))
        #expect(!FileManager.default.fileExists(atPath: old.deletingLastPathComponent().path))
        #expect(UpdateState.read(key: fixture.key).deferred == nil)
        #expect(KeyCheck.run(key: fixture.key, hashFiles: true).isHealthy)
    }

    @Test func theUpdaterBundleIsTheExecutableAndEveryLibraryOnce() throws {
        let dir = try TemporaryDirectory()
        let store = ContentStore(root: dir.path("store"))
        let environment = ["PATH": "/usr/bin:/bin"]
        let files = try UpdaterBundle.files(executable: "/bin/true", store: store, environment: environment)
        let paths = files.map(\.path)
        #expect(paths.first == "demokit")
        #expect(paths.contains("lib/ld-linux-x86-64.so.2") && paths.contains("lib/libc.so.6"))
        #expect(paths == paths.sorted())
        for file in files { #expect(FileManager.default.fileExists(atPath: file.url.path)) }
        // Stripped, it still runs through the loader it came with.
        let result = try Tool(name: "ld-linux-x86-64.so.2", package: "libc6").launch(
            ["--library-path", files[0].url.deletingLastPathComponent().appendingPathComponent("lib").path, files[0].url.path],
            environment: ["PATH": files.first { $0.path == "lib/ld-linux-x86-64.so.2" }!.url.deletingLastPathComponent().path])
        #expect(result.status == 0)
        // Made once per executable: the second call finds it.
        let before = try FileManager.default.attributesOfItem(atPath: files[0].url.path)[.modificationDate] as? Date
        let again = try UpdaterBundle.files(executable: "/bin/true", store: store, environment: environment)
        #expect(again.map(\.path) == paths)
        #expect(try FileManager.default.attributesOfItem(atPath: again[0].url.path)[.modificationDate] as? Date == before)
        // Another demokit: its bundle replaces the first in the store.
        let other = try UpdaterBundle.files(executable: "/bin/false", store: store, environment: environment)
        #expect(FileManager.default.fileExists(atPath: other[0].url.path))
        #expect(!FileManager.default.fileExists(atPath: files[0].url.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.root.appendingPathComponent("updater").path).count == 1)
    }
}
