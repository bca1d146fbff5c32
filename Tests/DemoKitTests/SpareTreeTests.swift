import CArchive
import Foundation
import Testing

@testable import DemoKit

/// The key replaced by a rebuild is kept as the spare (`.out.demokit-spare`) and the
/// next rebuild is written over it (issue 8): files that did not change are neither
/// linked nor removed — and nothing the spare holds is trusted.
@Suite struct SpareTreeTests {
    typealias Setup = BuildCacheTests.Setup

    static func spare(_ setup: Setup) -> URL { setup.dir.path(".out.demokit-spare") }

    /// Renames the first entry again: a change that touches a few pages.
    static func renameEntry(_ setup: Setup, _ from: String, _ to: String) throws {
        let entry = try #require(TestKit.allFiles(in: setup.app.kit.appendingPathComponent("payload/catalogue")).first)
        try setup.edit("payload/catalogue/\(entry)") { $0.replacingOccurrences(of: "name: \(from)", with: "name: \(to)") }
    }

    /// A key built twice, an entry renamed in between: the first build is the spare.
    static func keyWithSpare() throws -> Setup {
        let setup = try Setup()
        _ = try setup.build("out")
        try renameEntry(setup, "", "Renamed ")
        _ = try setup.build("out")
        return setup
    }

    @Test func aRebuildOverTheSpareLeavesUnchangedFilesAlone() throws {
        let setup = try Setup()
        _ = try setup.build("out")
        #expect(!FileManager.default.fileExists(atPath: Self.spare(setup).path), "a first build has no key to keep")
        try Self.renameEntry(setup, "", "Renamed ")
        try setup.expectSameAsClean("first change", 1)
        // The first key is the spare; its unchanged files are the key's own.
        let page = "catalogue/credits.html"
        let inKey = try #require(FileFingerprint.of(setup.dir.path("out/" + page).path))
        #expect(FileFingerprint.of(Self.spare(setup).appendingPathComponent(page).path)?.inode == inKey.inode)

        try Self.renameEntry(setup, "Renamed ", "Again ")
        let report = try setup.expectSameAsClean("second change", 2)
        #expect(report.counts.rendered > 0)
        // Neither linked nor unlinked: a link would have changed its change time.
        #expect(FileFingerprint.of(setup.dir.path("out/" + page).path) == inKey)
        #expect(FileManager.default.fileExists(atPath: Self.spare(setup).path))
        #expect(try setup.build("out").unchanged)
    }

    /// Whatever became of the spare — files replaced, added, made folders or links —
    /// the rebuild is a clean build, and nothing outside it is touched.
    @Test func whatTheSpareHoldsIsNeverTrusted() throws {
        let setup = try Self.keyWithSpare()
        let fm = FileManager.default
        let spare = Self.spare(setup)
        let outside = setup.dir.path("outside.txt")
        try "outside".write(to: outside, atomically: false, encoding: .utf8)

        // Other bytes under a new inode: not the key's file any more.
        let credits = spare.appendingPathComponent("catalogue/credits.html")
        try fm.removeItem(at: credits)
        try "not the key's".write(to: credits, atomically: false, encoding: .utf8)
        // A stray file, a folder where a page goes, a file where a folder goes, a link
        // where a page goes.
        try "stray".write(to: spare.appendingPathComponent("stray.txt"), atomically: false, encoding: .utf8)
        let index = spare.appendingPathComponent("catalogue/index.html")
        try fm.removeItem(at: index)
        try fm.createDirectory(at: index.appendingPathComponent("inside"), withIntermediateDirectories: true)
        let demokit = spare.appendingPathComponent("demokit")
        try fm.removeItem(at: demokit)
        try "a file".write(to: demokit, atomically: false, encoding: .utf8)
        let linked = try #require(TestKit.allFiles(in: spare.appendingPathComponent("catalogue")).first { $0.hasSuffix(".html") })
        try fm.removeItem(at: spare.appendingPathComponent("catalogue/" + linked))
        try fm.createSymbolicLink(atPath: spare.appendingPathComponent("catalogue/" + linked).path, withDestinationPath: outside.path)

        try Self.renameEntry(setup, "Renamed ", "Again ")
        try setup.expectSameAsClean("tampered spare", 1)
        #expect(try String(contentsOf: outside, encoding: .utf8) == "outside")
        #expect(try setup.build("out").unchanged)
    }

    /// A build that fails once the pages are written leaves the key as it was and
    /// keeps its tree as the spare; so does one cut short (its staging folder).
    @Test func aFailedOrInterruptedBuildLeavesATreeForTheNext() throws {
        let setup = try Self.keyWithSpare()
        let fm = FileManager.default
        let before = try BuildCacheTests.state(setup.dir.path("out"))

        try Self.renameEntry(setup, "Renamed ", "Again ")
        #expect(throws: KeyTooSmallError.self) {
            try setup.app.build("out") {
                $0.base = BaseSource(iso: setup.iso)
                $0.keySize = ByteSize(bytes: 1 << 20)
            }
        }
        #expect(try BuildCacheTests.state(setup.dir.path("out")) == before)
        #expect(fm.fileExists(atPath: Self.spare(setup).path))
        try setup.expectSameAsClean("after a failed build", 1)

        // Killed while writing: its staging folder is what the next build writes over.
        let leftover = setup.dir.path(".out.staging-999999")
        try fm.moveItem(at: Self.spare(setup), to: leftover)
        try "half-written".write(to: leftover.appendingPathComponent("catalogue/credits.html"), atomically: false, encoding: .utf8)
        try Self.renameEntry(setup, "Again ", "Third ")
        try setup.expectSameAsClean("after an interrupted build", 2)
        #expect(!fm.fileExists(atPath: leftover.path))
        #expect(fm.fileExists(atPath: Self.spare(setup).path))
    }

    /// Without a spare (as where hard links fail): the previous key is removed, no
    /// hidden folder stays, and rebuilds are still clean builds; a spare left by an
    /// earlier build is removed too.
    @Test func withoutASpareThePreviousKeyIsRemoved() throws {
        let setup = try Self.keyWithSpare()
        let build = {
            try setup.app.build("out") {
                $0.base = BaseSource(iso: setup.iso)
                $0.keepSpare = false
            }
        }
        try Self.renameEntry(setup, "Renamed ", "Again ")
        #expect(try !build().unchanged)
        try Self.renameEntry(setup, "Again ", "Third ")
        #expect(try !build().unchanged)
        _ = try setup.build("clean")
        #expect(try BuildCacheTests.state(setup.dir.path("out")) == BuildCacheTests.state(setup.dir.path("clean")))
        let hidden = try FileManager.default.contentsOfDirectory(atPath: setup.dir.url.path).filter { $0.hasPrefix(".out.") }
        #expect(hidden == [".out.demokit-cache"], "\(hidden)")
        #expect(try build().unchanged)
    }

    @Test func twoFoldersTradePlaces() throws {
        let dir = try TemporaryDirectory()
        for name in ["a", "b"] {
            try FileManager.default.createDirectory(at: dir.path(name), withIntermediateDirectories: true)
            try name.write(to: dir.path(name + "/name.txt"), atomically: false, encoding: .utf8)
        }
        #expect(demokit_exchange_paths(dir.path("a").path, dir.path("b").path) == 0)
        #expect(try String(contentsOf: dir.path("a/name.txt"), encoding: .utf8) == "b")
        #expect(try String(contentsOf: dir.path("b/name.txt"), encoding: .utf8) == "a")
        #expect(OutputSwap.hardLinksWork(in: dir.url.path))
        #expect(try TestKit.allFiles(in: dir.url).sorted() == ["a/name.txt", "b/name.txt"], "the probe left nothing behind")
    }
}
