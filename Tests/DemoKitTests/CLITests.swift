import Foundation
import Testing

@testable import DemoKit

/// The built `demokit` binary, run end to end: exit codes, stdout and stderr.
@Suite struct CLITests {
    @Test func validateAValidKit() throws {
        let dir = try TemporaryDirectory()
        let kit = try TestKit.make(in: dir)
        let result = try run(demokitBinary, ["validate", "--kit", kit.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Kit valide : 2 profils, 3 logiciels"))
        #expect(result.stdout.contains("Valid kit: 2 profiles, 3 software"))
    }

    @Test func validateReportsEveryErrorWithPositions() throws {
        let dir = try TemporaryDirectory()
        _ = try TestKit.make(in: dir, overlay: "missing-reference")
        // Run from inside the temp folder with a relative --kit, as a volunteer would.
        let result = try run(demokitBinary, ["validate", "--kit", "kit"], cwd: dir.url)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("kit/profiles/beta.yml:8:16: error: application inconnue « offce »") })
        #expect(lines.contains { $0.hasPrefix("kit/profiles/beta.yml:8:23: error: application inconnue « inkscape »") })
        #expect(lines.last == "2 erreur(s) : le kit n'est pas valide. / 2 error(s): the kit is not valid.")
    }

    @Test func buildPrintsWhereTheKeyIs() throws {
        let dir = try TemporaryDirectory()
        let kit = try TestKit.make(in: dir)
        let out = dir.path("key")
        let result = try run(demokitBinary, ["build", "--kit", kit.path, "--out", out.path, "--archive", dir.path("key.zip").path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Clé construite dans \(out.path)"))
        #expect(result.stdout.contains("file://\(out.path)/index.html"))
        #expect(FileManager.default.fileExists(atPath: dir.path("key.zip").path))
        // Without a terminal, progress is plain lines on stderr, one per stage.
        #expect(result.stderr.contains("• base et site du catalogue / catalogue database and website"))
        #expect(!result.stderr.contains("\u{1B}["))
    }

    /// Page keys name pages from one run of demokit to the next (no per-process
    /// hashing seed in them): after one entry changed, a second process renders
    /// only the pages that show it.
    @Test func rebuildInAnotherProcessRendersOnlyChangedPages() throws {
        let dir = try TemporaryDirectory()
        let kit = try GeneratedKit.make(in: dir, entries: 20).root
        let out = dir.path("key")
        func rendered() throws -> Int {
            let result = try run(demokitBinary, ["build", "--verbose", "--kit", kit.path, "--out", out.path])
            #expect(result.status == 0, "\(result.stderr)")
            let line = try #require(result.stderr.split(separator: "\n").first { $0.contains("page(s) rendue(s)") })
            let count = line.split(separator: ";").last?.split(separator: " ").first.flatMap { Int($0) }
            return try #require(count, "\(line)")
        }
        let clean = try rendered()
        let entry = kit.appendingPathComponent("payload/catalogue/gen-3.yml")
        let yaml = try String(contentsOf: entry, encoding: .utf8)
        try yaml.replacingOccurrences(of: "  fr: \"", with: "  fr: \"Changé. ").write(to: entry, atomically: true, encoding: .utf8)
        let again = try rendered()
        #expect(again > 0)
        #expect(again * 4 < clean, "\(again) of \(clean) pages rendered")
    }

    @Test func quietBuildPrintsNothing() throws {
        let dir = try TemporaryDirectory()
        let kit = try TestKit.make(in: dir)
        let result = try run(demokitBinary, ["build", "--quiet", "--kit", kit.path, "--out", dir.path("key").path])
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
        // Warnings are shown even with --quiet: here only the one of a kit without base system.
        #expect(result.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("avertissement : pas de système de base") })
    }

    @Test func brokenKitBuildFailsAndWritesNothing() throws {
        let dir = try TemporaryDirectory()
        let kit = try TestKit.make(in: dir, overlay: "bad-licence")
        let out = dir.path("key")
        let result = try run(demokitBinary, ["build", "--kit", kit.path, "--out", out.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("payload/catalogue/paint.yml:6:10: error: licence SPDX inconnue « gpl-2.0-or-later »"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func badArchiveExtensionIsAUsageError() throws {
        let result = try run(demokitBinary, ["build", "--archive", "key.rar"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("extension inconnue"))
    }

    @Test func notAKitFolder() throws {
        let dir = try TemporaryDirectory()
        let result = try run(demokitBinary, ["build"], cwd: dir.url)
        #expect(result.status == 1)
        #expect(result.stderr.contains("ce dossier n'est pas un kit"))
        #expect(result.stderr.contains("this folder is not a kit"))
    }
}
