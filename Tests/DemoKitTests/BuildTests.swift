import Foundation
import Testing

@testable import DemoKit

@Suite struct BuildTests {
    func build(_ kit: URL, to out: URL, archive: URL? = nil, profiles: [String] = [], epoch: String? = nil) throws -> KitBuilder.Report {
        var options = KitBuilder.Options(kitRoot: kit, output: out)
        options.archive = archive
        options.profiles = profiles
        options.displayPrefix = ""
        options.environment = epoch.map { ["SOURCE_DATE_EPOCH": $0] } ?? [:]
        return try KitBuilder(options: options).build()
    }

    @Test func buildWritesTheKeyTree() throws {
        let dir = try TemporaryDirectory()
        let kit = try TestKit.make(in: dir)
        let out = dir.path("out")
        let report = try build(kit, to: out)
        let files = try TestKit.allFiles(in: out)
        for expected in [
            "index.html", "catalogue/index.html", "catalogue/profils/alpha.html", "catalogue/profils/beta.html",
            "catalogue/logiciels/office.html", "catalogue/logiciels/index.html", "catalogue/assets/style.css",
            "demokit/catalogue.sqlite", "demokit/manifest.json", "demokit/profiles/alpha.json",
            "demokit/profiles/beta.json", "LISEZMOI.txt",
        ] where expected != "LISEZMOI.txt" {
            #expect(files.contains(expected), "missing \(expected)")
        }
        // The manifest lists every other file, and nothing else.
        #expect(try report.manifest.files.map(\.path) == files.filter { $0 != UpdateManifest.path })
        #expect(try report.manifest.profiles == ["alpha", "beta"])
        let written = try UpdateManifest.read(from: out.appendingPathComponent(UpdateManifest.path))
        #expect(try written == report.manifest)
    }

    @Test func manifestHashesMatchTheFiles() throws {
        let dir = try TemporaryDirectory()
        let out = dir.path("out")
        let report = try build(try TestKit.make(in: dir), to: out)
        // Checked with the system's sha256sum, independent of demokit's hashing.
        let list = try report.manifest.files.map { "\($0.sha256)  \($0.path)" }.joined(separator: "\n") + "\n"
        try list.write(to: dir.path("SHA256SUMS"), atomically: true, encoding: .utf8)
        let check = try run("sha256sum", ["--check", "--strict", "--quiet", dir.path("SHA256SUMS").path], cwd: out)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        for file in try report.manifest.files {
            let size = try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent(file.path).path)[.size] as? Int64
            #expect(size == file.size, "\(file.path)")
        }
    }

    @Test func twoBuildsAreByteIdentical() throws {
        let dir = try TemporaryDirectory()
        let kit = try TestKit.make(in: dir)
        _ = try build(kit, to: dir.path("one"), archive: dir.path("one.tar.gz"))
        _ = try build(kit, to: dir.path("two"), archive: dir.path("two.tar.gz"))
        let one = try TestKit.snapshot(dir.path("one")), two = try TestKit.snapshot(dir.path("two"))
        #expect(one.keys.sorted() == two.keys.sorted())
        for (path, data) in one { #expect(two[path] == data, "\(path) differs") }
        #expect(try Data(contentsOf: dir.path("one.tar.gz")) == Data(contentsOf: dir.path("two.tar.gz")))
        // And times come from the kit's date.
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.path("one/index.html").path)
        #expect((attributes[.modificationDate] as? Date) == SourceDate.parseDay("2026-01-15"))
    }

    @Test func sourceDateEpochSetsTimes() throws {
        let dir = try TemporaryDirectory()
        _ = try build(try TestKit.make(in: dir), to: dir.path("out"), epoch: "1700000000")
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.path("out/catalogue/index.html").path)
        #expect((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 == 1_700_000_000)
    }

    @Test func invalidKitLeavesTheOutputAsItWas() throws {
        let dir = try TemporaryDirectory()
        let out = dir.path("out")
        _ = try build(try TestKit.make(in: dir), to: out)
        let before = try TestKit.snapshot(out)
        let brokenDir = try TemporaryDirectory()
        let broken = try TestKit.make(in: brokenDir, overlay: "missing-reference")
        #expect(throws: KitValidationError.self) { try build(broken, to: out) }
        #expect(try TestKit.snapshot(out) == before)
        // No staging folder is left behind.
        let siblings = try FileManager.default.contentsOfDirectory(atPath: dir.url.path)
        #expect(!siblings.contains { $0.contains("staging") })
    }

    @Test func failedBuildAfterStartingLeavesTheOutputAsItWas() throws {
        let dir = try TemporaryDirectory()
        let kit = try TestKit.make(in: dir)
        let out = dir.path("out")
        _ = try build(kit, to: out)
        let before = try TestKit.snapshot(out)
        // A theme that references a missing partial fails during site generation,
        // after the staging folder was created and the database written.
        try "{{> nowhere}}{{#missing}}".write(to: kit.appendingPathComponent("payload/theme/templates/home.mustache"), atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try build(kit, to: out) }
        #expect(try TestKit.snapshot(out) == before)
    }

    @Test func refusesToReplaceAForeignFolder() throws {
        let dir = try TemporaryDirectory()
        let out = dir.path("documents")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try "précieux".write(to: out.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        #expect(throws: FileError.self) { try build(try TestKit.make(in: dir), to: out) }
        #expect(try String(contentsOf: out.appendingPathComponent("notes.txt"), encoding: .utf8) == "précieux")
    }

    @Test func profileSelection() throws {
        let dir = try TemporaryDirectory()
        let report = try build(try TestKit.make(in: dir), to: dir.path("out"), profiles: ["beta"])
        #expect(try report.manifest.profiles == ["beta"])
        #expect(!FileManager.default.fileExists(atPath: dir.path("out/catalogue/profils/alpha.html").path))
        #expect(throws: KitSelectionError.self) { try build(dir.path("kit"), to: dir.path("x"), profiles: ["nope"]) }
    }

    @Test func catalogueTextIsEscapedInPages() throws {
        let dir = try TemporaryDirectory()
        _ = try build(try TestKit.make(in: dir), to: dir.path("out"))
        let page = try String(contentsOf: dir.path("out/catalogue/logiciels/paint.html"), encoding: .utf8)
        #expect(!page.contains("<script>alert(1)</script>"))
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!page.contains("<b>Libre</b>"))
    }

    @Test func applicationListsPerProfile() throws {
        let dir = try TemporaryDirectory()
        _ = try build(try TestKit.make(in: dir), to: dir.path("out"))
        let data = try Data(contentsOf: dir.path("out/demokit/profiles/alpha.json"))
        let list = try JSONDecoder().decode(ProfileAppList.self, from: data)
        #expect(list.apps.map(\.id) == ["office", "cemetery"])
        #expect(list.apps.first?.live == ["office-writer", "office-calc"])
        #expect(list.apps.first?.online == "https://demo.office.example.org/")
    }

    @Test(arguments: ["tar", "tar.gz", "tar.zst", "zip"])
    func archiveMatchesTheTree(_ ext: String) throws {
        let dir = try TemporaryDirectory()
        let out = dir.path("out")
        let archive = dir.path("key.\(ext)")
        let report = try build(try TestKit.make(in: dir), to: out, archive: archive)
        // Listed and extracted by an independent tool (bsdtar), then compared with the tree.
        let listing = try run("bsdtar", ["-tf", archive.path])
        #expect(listing.status == 0, "\(listing.stderr)")
        let files = Set(listing.stdout.split(separator: "\n").map(String.init).filter { !$0.hasSuffix("/") })
        #expect(try files == Set(report.manifest.files.map(\.path) + [UpdateManifest.path]))
        let extracted = dir.path("extracted")
        try FileManager.default.createDirectory(at: extracted, withIntermediateDirectories: true)
        let extract = try run("bsdtar", ["-xf", archive.path, "-C", extracted.path])
        #expect(extract.status == 0, "\(extract.stderr)")
        #expect(try TestKit.snapshot(extracted) == TestKit.snapshot(out))
        // Reproducible: a second archive of the same tree is identical.
        let again = dir.path("again.\(ext)")
        try ArchiveWriter.archive(
            tree: out, paths: try report.manifest.files.map(\.path) + [UpdateManifest.path], to: again,
            mtime: SourceDate.parseDay("2026-01-15")!)
        #expect(try Data(contentsOf: archive) == Data(contentsOf: again))
    }
}

@Suite struct BuildFAT32Tests {
    @Test func buildRefusesFilesFAT32CannotHold() throws {
        let dir = try TemporaryDirectory()
        let kit = try TestKit.make(in: dir)
        let files = kit.appendingPathComponent("payload/files")
        try FileManager.default.createDirectory(at: files.appendingPathComponent("Docs"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: files.appendingPathComponent("docs"), withIntermediateDirectories: true)
        try "a".write(to: files.appendingPathComponent("Docs/a.txt"), atomically: true, encoding: .utf8)
        try "b".write(to: files.appendingPathComponent("docs/b.txt"), atomically: true, encoding: .utf8)
        try "c".write(to: files.appendingPathComponent("AUX.txt"), atomically: true, encoding: .utf8)
        var options = KitBuilder.Options(kitRoot: kit, output: dir.path("out"))
        options.displayPrefix = ""
        do {
            _ = try KitBuilder(options: options).build()
            Issue.record("the build should have been refused")
        } catch let error as TreeCheckError {
            #expect(error.problems.map(\.path).sorted() == ["AUX.txt", "docs"])
            #expect(error.message.contains("nom réservé"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path("out").path))
    }
}

@Suite struct BuildPermissionsTests {
    @Test func modesAreFixedWhateverTheUmask() throws {
        let dir = try TemporaryDirectory()
        let kit = try TestKit.make(in: dir)
        let previous = umask(0o077)
        defer { umask(previous) }
        var options = KitBuilder.Options(kitRoot: kit, output: dir.path("out"))
        options.displayPrefix = ""
        _ = try KitBuilder(options: options).build()
        for (path, mode) in [
            ("index.html", 0o644), ("demokit/catalogue.sqlite", 0o644), ("demokit/manifest.json", 0o644), ("catalogue", 0o755), ("demokit", 0o755),
        ] {
            let attributes = try FileManager.default.attributesOfItem(atPath: dir.path("out/\(path)").path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == mode, "\(path)")
        }
    }
}
