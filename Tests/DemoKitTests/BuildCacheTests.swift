import Foundation
import GRDB
import Testing

@testable import DemoKit

/// The build cache: a rebuild with no change writes nothing; after any kind
/// of change — a profile, a catalogue entry, a template, an artifact, the base ISO,
/// a file of the output itself — the output is byte for byte, mode for mode and time
/// for time the tree a clean build makes.
@Suite struct BuildCacheTests {
    /// Every file of a tree with its bytes, mode and modification time; folders with
    /// their mode and time.
    static func state(_ root: URL) throws -> [String: String] {
        var result: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        while let path = enumerator?.nextObject() as? String {
            let url = root.appendingPathComponent(path)
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
            let time = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
            if attributes[.type] as? FileAttributeType == .typeDirectory {
                result[path + "/"] = "dir \(String(mode, radix: 8)) \(time)"
            } else {
                result[path] = "\(FileHashing.sha256(of: try Data(contentsOf: url))) \(String(mode, radix: 8)) \(time)"
            }
        }
        return result
    }

    struct Setup {
        let app: AppPayloadTests.Setup
        let iso: URL
        var dir: TemporaryDirectory { app.dir }

        init() throws {
            app = try AppPayloadTests.Setup()
            try app.warm()
            iso = try TestISO.make(in: app.dir)
        }

        func build(_ out: String) throws -> KitBuilder.Report {
            try app.build(out) { $0.base = BaseSource(iso: iso) }
        }

        /// Builds `out` again, and a clean build beside it, and compares them.
        @discardableResult
        func expectSameAsClean(_ what: String, _ number: Int) throws -> KitBuilder.Report {
            let report = try build("out")
            #expect(!report.unchanged, "\(what): the change was not seen")
            let clean = "clean-\(number)"
            _ = try build(clean)
            let built = try BuildCacheTests.state(dir.path("out"))
            let expected = try BuildCacheTests.state(dir.path(clean))
            #expect(
                built == expected,
                "\(what): \(Set(built.keys).symmetricDifference(expected.keys).sorted()) \(built.filter { expected[$0.key] != $0.value }.keys.sorted())")
            return report
        }

        func edit(_ path: String, _ change: (String) -> String) throws {
            let url = app.kit.appendingPathComponent(path)
            let text = try String(contentsOf: url, encoding: .utf8)
            let changed = change(text)
            #expect(changed != text, "the edit of \(path) changed nothing")
            try changed.write(to: url, atomically: false, encoding: .utf8)
        }
    }

    @Test func aRebuildWithNoChangeWritesNothing() throws {
        let setup = try Setup()
        let first = try setup.build("out")
        #expect(!first.unchanged)
        let before = try Self.state(setup.dir.path("out"))
        let inode = FileFingerprint.of(setup.dir.path("out/catalogue/index.html").path)
        let second = try setup.build("out")
        #expect(second.unchanged)
        #expect(try second.manifest == first.manifest)
        #expect(second.summary == first.summary)
        #expect(second.bootable)
        #expect(try Self.state(setup.dir.path("out")) == before)
        // Not rewritten: the very same file, not a copy.
        #expect(FileFingerprint.of(setup.dir.path("out/catalogue/index.html").path) == inode)
    }

    /// `--out ./out`: the output named by a path that is not standardized is still
    /// found up to date, and still said to boot.
    @Test func aNoChangeBuildOfAnUnstandardizedOutputSaysItBoots() throws {
        let setup = try Setup()
        let output = URL(fileURLWithPath: setup.dir.url.path + "/./out")
        let build = {
            try setup.app.build("out") {
                $0.base = BaseSource(iso: setup.iso); $0.output = output
            }
        }
        #expect(try build().bootable)
        let second = try build()
        #expect(second.unchanged)
        #expect(second.bootable)
        #expect(second.summary.files == (try second.manifest).files.count + 1)
    }

    /// Two keys built from one content store share its files by hard links, which
    /// changes their change times: neither build makes the other start over.
    @Test func twoOutputsFromOneStoreStayUpToDate() throws {
        let setup = try Setup()
        _ = try setup.build("out")
        _ = try setup.build("other")
        #expect(try setup.build("out").unchanged)
        #expect(try setup.build("other").unchanged)
    }

    @Test func everyKindOfChangeGivesWhatACleanBuildGives() throws {
        let setup = try Setup()
        _ = try setup.build("out")

        try setup.edit("profiles/beta.yml") { $0.replacingOccurrences(of: "name:", with: "name:\n  # renamed\n", options: [], range: nil) + "\n" }
        try setup.edit("profiles/beta.yml") { $0 + "# a profile changed\n" }
        try setup.expectSameAsClean("profile", 1)

        let entry = try #require(TestKit.allFiles(in: setup.app.kit.appendingPathComponent("payload/catalogue")).first)
        try setup.edit("payload/catalogue/\(entry)") { $0.replacingOccurrences(of: "name: ", with: "name: Renamed ") }
        let afterEntry = try setup.expectSameAsClean("catalogue entry", 2)
        // Only the pages that show the entry are rendered again; the others are taken
        // from the previous build by their keys. A clean build renders them all.
        let clean = try setup.build("clean-all")
        #expect(afterEntry.counts.rendered > 0)
        #expect(afterEntry.counts.rendered * 2 < clean.counts.rendered, "\(afterEntry.counts.rendered) of \(clean.counts.rendered) pages rendered")
        // Only that entry's file is parsed again; a clean build parses them all.
        #expect(afterEntry.entriesParsed == 1)
        #expect(clean.entriesParsed > 1)

        try setup.edit("payload/theme/templates/software.mustache") { $0.replacingOccurrences(of: "</article>", with: "<p>changed</p></article>") }
        try setup.expectSameAsClean("template", 3)

        // A new version of the AppImage: new bytes in the store, a new pin.
        let newer = try Artifacts.appImage(at: setup.dir.path("Office-1.2.4-x86_64.AppImage"), payload: "newer AppImage", size: 6000)
        try ContentStore(root: setup.app.cache).add(fileAt: newer)
        let zipBlock = try Artifacts.windowsBlock(setup.app.zip, url: "https://example.org/OfficePortable_1.2.3.zip", appID: "OfficePortable")
        let linux = try Artifacts.linuxBlock(newer, url: "https://example.org/Office-1.2.4-x86_64.AppImage", name: "Office.AppImage")
        try Artifacts.writeDelivery(setup.app.kit, id: "office", "live:\n  packages: [office-writer, office-calc]\n" + zipBlock + linux)
        try setup.expectSameAsClean("artifact", 4)

        // The base ISO replaced at the same path.
        _ = try TestISO.make(in: setup.dir, info: "Debian test base, point release\n")
        #expect(try !setup.expectSameAsClean("base ISO", 5).baseReused)

        // And nothing more to do afterwards.
        #expect(try setup.build("out").unchanged)
    }

    /// The memo of the output that a rebuild saves is made from what the writer saw
    /// (`TreeWriter.observed`), not from a `stat` of every file: after rebuilds and
    /// after a new file date (every file stamped again), each line must be what a
    /// `stat` of the file shows, and every file must have one.
    @Test func theOutputsMemoIsWhatTheFilesShowAfterEachKindOfRebuild() throws {
        let setup = try Setup()
        let output = setup.dir.path("out")
        func expectMemoMatchesTheFiles(_ what: String) {
            let memo = BuildState(output: output).outputs
            let files = FileWalk.regularFiles(under: output)
            #expect(memo.count == files.count, "\(what): \(memo.count) lines for \(files.count) files")
            let wrong = files.filter { relative in
                let path = TreeWriter.folderPath(output) + "/" + relative
                return memo.entry(path)?.fingerprint != FileFingerprint.of(path)
            }
            #expect(wrong.isEmpty, "\(what): \(wrong.count) stale lines, first \(wrong.prefix(3))")
        }
        _ = try setup.build("out")
        expectMemoMatchesTheFiles("cold build")
        let entry = try #require(TestKit.allFiles(in: setup.app.kit.appendingPathComponent("payload/catalogue")).first)
        for round in 1...2 {
            try setup.edit("payload/catalogue/\(entry)") { $0.replacingOccurrences(of: "name: ", with: "name: R\(round) ") }
            #expect(try !setup.build("out").unchanged)
            expectMemoMatchesTheFiles("rebuild \(round)")
        }
        let dated = try setup.app.build("out") {
            $0.base = BaseSource(iso: setup.iso)
            $0.environment = ["SOURCE_DATE_EPOCH": "1700000000"]
        }
        #expect(!dated.unchanged)
        expectMemoMatchesTheFiles("new file date")
        // Back to the kit's date (a change), then the memo saved by that build must be
        // good enough for the next one to find nothing to do.
        #expect(try setup.build("out").unchanged == false)
        #expect(try setup.build("out").unchanged)
    }

    /// A build that fails once the pages are written leaves the key as it was, and
    /// what interrupted builds left beside it (a staging folder, the previous key
    /// being removed, the spare key earlier versions kept) is removed by the next;
    /// only the cache stays beside the key.
    @Test func failedAndInterruptedBuildsLeaveTheKeyAndNoHiddenFolder() throws {
        let setup = try Setup()
        let fm = FileManager.default
        _ = try setup.build("out")
        let entry = try #require(TestKit.allFiles(in: setup.app.kit.appendingPathComponent("payload/catalogue")).first)
        try setup.edit("payload/catalogue/\(entry)") { $0.replacingOccurrences(of: "name: ", with: "name: Renamed ") }
        let before = try Self.state(setup.dir.path("out"))
        #expect(throws: KeyTooSmallError.self) {
            try setup.app.build("out") {
                $0.base = BaseSource(iso: setup.iso)
                $0.keySize = ByteSize(bytes: 1 << 20)
            }
        }
        #expect(try Self.state(setup.dir.path("out")) == before)
        func hidden() throws -> [String] {
            try fm.contentsOfDirectory(atPath: setup.dir.url.path).filter { $0.hasPrefix(".out.") }.sorted()
        }
        #expect(try hidden() == [".out.demokit-cache"])

        for leftover in [".out.staging-999999", ".out.old-999999", ".out.demokit-spare"] {
            try fm.createDirectory(at: setup.dir.path(leftover + "/catalogue"), withIntermediateDirectories: true)
            try "half-written".write(to: setup.dir.path(leftover + "/catalogue/credits.html"), atomically: false, encoding: .utf8)
        }
        try setup.expectSameAsClean("after a failed build and leftovers", 1)
        #expect(try hidden() == [".out.demokit-cache"])
        #expect(try setup.build("out").unchanged)
    }

    /// The same ISO as the last build: its files are taken from the key in place,
    /// not read and checked again — unless one of them changed there.
    @Test func theBaseIsTakenFromTheKeyInPlaceWhileItsFilesAreUntouched() throws {
        let setup = try Setup()
        let first = try setup.build("out")
        #expect(!first.baseReused)
        let kernel = setup.dir.path("out/live/vmlinuz").path
        let inode = try #require(FileFingerprint.of(kernel)).inode
        let entry = try #require(TestKit.allFiles(in: setup.app.kit.appendingPathComponent("payload/catalogue")).first)
        try setup.edit("payload/catalogue/\(entry)") { $0.replacingOccurrences(of: "name: ", with: "name: Renamed ") }
        #expect(try setup.expectSameAsClean("catalogue entry", 1).baseReused)
        #expect(FileFingerprint.of(kernel)?.inode == inode, "the kernel was written again, not linked")

        try "edited".write(toFile: kernel, atomically: false, encoding: .utf8)
        try setup.edit("payload/catalogue/\(entry)") { $0.replacingOccurrences(of: "name: Renamed ", with: "name: Again ") }
        #expect(try !setup.expectSameAsClean("base file edited in the key", 2).baseReused)
        #expect(try String(contentsOfFile: kernel, encoding: .utf8) == "kernel")
        // And from then on, taken again.
        try setup.edit("payload/catalogue/\(entry)") { $0.replacingOccurrences(of: "name: Again ", with: "name: Third ") }
        #expect(try setup.expectSameAsClean("catalogue entry again", 3).baseReused)
    }

    @Test func anOutputFileChangedByHandIsPutBack() throws {
        let setup = try Setup()
        _ = try setup.build("out")
        let page = setup.dir.path("out/catalogue/index.html")
        try "edited by hand".write(to: page, atomically: false, encoding: .utf8)
        try setup.expectSameAsClean("output file", 1)
        try FileManager.default.removeItem(at: setup.dir.path("out/catalogue/credits.html"))
        try setup.expectSameAsClean("output file removed", 2)
        try "stray".write(to: setup.dir.path("out/stray.txt"), atomically: false, encoding: .utf8)
        try setup.expectSameAsClean("file added to the output", 3)
    }

    @Test func aStoreObjectDamagedInPlaceIsNotTrusted() throws {
        let setup = try Setup()
        _ = try setup.build("out")
        let before = try BuildCacheTests.state(setup.dir.path("out"))
        // Same size, other bytes: only the hash can tell.
        let object = try #require(
            TestKit.allFiles(in: setup.app.cache.appendingPathComponent("sha256")).map { setup.app.cache.appendingPathComponent("sha256/\($0)") }
                .first { (try? Data(contentsOf: $0).starts(with: [0x7F, 0x45, 0x4C, 0x46])) == true })
        var bytes = try Data(contentsOf: object)
        bytes[bytes.count - 1] ^= 0xFF
        // Break the hard link to the key first, as an editor writing a new file would.
        try FileManager.default.removeItem(at: object)
        try bytes.write(to: object)
        #expect(throws: MissingArtifactsError.self) { try setup.build("out") }
        // The key in place is untouched by the refused build.
        #expect(try BuildCacheTests.state(setup.dir.path("out")) == before)
    }

    /// What `save` writes is what the next build reads: the key, the extras in their
    /// order, warnings with line breaks and tabs, the summary, the output's memo, the
    /// pages, the base; `invalidate` forgets the key and nothing else.
    @Test func theBuildStateReadsBackAsSaved() throws {
        let dir = try TemporaryDirectory()
        let output = dir.path("out")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        try Data("page".utf8).write(to: output.appendingPathComponent("index.html"))
        let state = BuildState(output: output)
        #expect(state.stored == nil)
        #expect(!FileManager.default.fileExists(atPath: state.file.url.path), "reading makes no file")
        let key = String(repeating: "ab", count: 32)
        let extras = ["/store/unpacked/b/App.exe", "/store/unpacked/a/Il était une fois.txt", "/base.iso"]
        let warnings = ["avertissement : une\nligne de plus\tet une tabulation", "warning: second"]
        let summary = KeySummary(files: 46_248, bytes: 1_610_612_736, profiles: ["mairie", "employe", "citoyen", "ecole"])
        let sha256 = FileHashing.sha256(of: Data("page".utf8))
        let page = try #require(TreeWriter.PageRecord(key: key, sha256: sha256, size: 4))
        let base = BaseRecord(
            isoSHA256: key, kernel: "live/vmlinuz", initrd: "live/initrd.img", kernelParameters: ["boot=live", "quiet"], checksumList: nil,
            verifiedFiles: 3, files: [.init(path: "live/vmlinuz", sha256: sha256, size: 4)])
        let record = BuildState.Record(
            key: key, extras: extras, warnings: warnings, summary: summary,
            outputFiles: [FileRecord(path: "index.html", size: 4, sha256: sha256)], observed: [], changedPages: ["index.html": page], base: base)
        try state.save(record, removed: OutputSwap.Removal(nil).wait()) { _ in true }

        let read = BuildState(output: output)
        #expect(read.stored == BuildState.Stored(key: key, extras: extras, warnings: warnings, summary: summary))
        let path = TreeWriter.folderPath(output) + "/index.html"
        #expect(read.outputs.count == 1)
        #expect(read.outputs.entry(path)?.fingerprint == FileFingerprint.of(path))
        #expect(read.outputs.entry(path)?.sha256 == sha256)
        #expect(read.readPages() == ["index.html": page])
        #expect(read.readBase() == base)

        read.invalidate()
        let after = BuildState(output: output)
        #expect(after.stored == nil)
        #expect(after.outputs.count == 1, "only the key is forgotten")
    }

    /// A state file that is not a database, or of another schema, is started over: the
    /// build that finds it runs as a first build, and saves a good one.
    @Test func aDamagedOrForeignStateFileIsStartedOver() throws {
        let setup = try Setup()
        _ = try setup.build("out")
        let url = BuildState(output: setup.dir.path("out")).file.url
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: url.path + suffix) }
        try Data("SQLite format 3\u{0}mais pas vraiment".utf8).write(to: url)
        #expect(BuildState(output: setup.dir.path("out")).stored == nil)
        try setup.expectSameAsClean("damaged state", 0)
        #expect(BuildState(output: setup.dir.path("out")).stored != nil)

        let foreign = StateFile(url: url, version: 99, schema: ["CREATE TABLE other (x)"])
        try foreign.write { try $0.execute(sql: "INSERT INTO other VALUES (1)") }
        foreign.remove()
        try foreign.write { try $0.execute(sql: "INSERT INTO other VALUES (1)") }
        #expect(BuildState(output: setup.dir.path("out")).stored == nil, "another schema is no state")
        #expect(try setup.build("out").unchanged == false)
        #expect(try setup.build("out").unchanged)
    }

    /// Digests are held as bytes and written back as the same lowercase hex; any
    /// other text is refused rather than changed.
    @Test func digestsReadBackAsTheirHex() throws {
        for data in [Data(), Data("a".utf8), Data((0..<255).map { UInt8($0) })] {
            let hex = FileHashing.sha256(of: data)
            #expect(HexDigest(hex)?.hex == hex)
        }
        let hex = FileHashing.sha256(of: Data("x".utf8))
        #expect(HexDigest(hex) != HexDigest(FileHashing.sha256(of: Data("y".utf8))))
        #expect(HexDigest(String(repeating: "f", count: 64))?.hex == String(repeating: "f", count: 64))
        #expect(HexDigest(String(repeating: "0", count: 64))?.hex == String(repeating: "0", count: 64))
        for bad in [hex.uppercased(), String(hex.dropLast()), hex + "0", String(hex.dropLast()) + "g", String(repeating: "é", count: 32), ""] {
            #expect(HexDigest(bad) == nil, "\(bad)")
        }
    }

    /// A row whose hash is not lowercase hex is dropped (that file is hashed, that
    /// page rendered again), not kept with another hash.
    @Test func memoAndPageRowsWithBadHashesAreDropped() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("f.txt")
        try Data("contenu".utf8).write(to: file)
        let memo = FileMemo()
        let hashed = try memo.sha256(ofPath: file.path)
        #expect(hashed.sha256 == FileHashing.sha256(of: Data("contenu".utf8)))
        memo.remember(path: file.path, sha256: "not a digest", size: hashed.size)
        #expect(memo.entry(file.path) != nil, "a bad hash does not replace a good one's entry by another")
        let state = StateFile(url: dir.path("memo.sqlite"), version: 1, schema: [FileMemo.schema("files")])
        try state.write { try memo.save($0, table: "files") }
        #expect(state.read { try FileMemo.load($0, table: "files") }?.entry(file.path) == memo.entry(file.path))
        try state.write { try $0.execute(sql: "UPDATE files SET sha256 = upper(sha256)") }
        #expect(state.read { try FileMemo.load($0, table: "files") }?.entry(file.path) == nil)

        let key = FileHashing.sha256(of: Data("clé".utf8)), sha256 = FileHashing.sha256(of: Data("page".utf8))
        #expect(TreeWriter.PageRecord(key: "clé", sha256: sha256, size: 4) == nil)
        let output = dir.path("out")
        let build = BuildState(output: output)
        try build.file.write { db in
            try db.execute(sql: "INSERT INTO pages VALUES ('catalogue/index.html', ?, ?, 4)", arguments: [key, sha256])
            try db.execute(sql: "INSERT INTO pages VALUES ('catalogue/other.html', ?, ?, 4)", arguments: [key.dropLast() + "x", sha256])
        }
        #expect(build.readPages() == ["catalogue/index.html": try #require(TreeWriter.PageRecord(key: key, sha256: sha256, size: 4))])
    }

    /// A memo loaded from its table writes back only what changed, and still leaves the
    /// table equal to the memo: a changed file's new row, no row for a file it no longer
    /// keeps, the other rows as they were.
    @Test func aLoadedMemoSavesItsChangesOnly() throws {
        let dir = try TemporaryDirectory()
        let files = try ["a", "b", "c"].map { name -> URL in
            let url = dir.path(name + ".txt")
            try Data(name.utf8).write(to: url)
            return url
        }
        let state = StateFile(url: dir.path("memo.sqlite"), version: 1, schema: [FileMemo.schema("files")])
        let first = FileMemo()
        for url in files { _ = try first.sha256(of: url) }
        try state.write { try first.save($0, table: "files") }

        let memo = try #require(state.read { try FileMemo.load($0, table: "files") })
        try Data("b, longer".utf8).write(to: files[1])
        _ = try memo.sha256(of: files[1])
        try state.write { db in try memo.save(db, table: "files") { $0 != files[2].path } }
        let read = try #require(state.read { try FileMemo.load($0, table: "files") })
        #expect(Set(read.paths) == [files[0].path, files[1].path])
        #expect(read.entry(files[0].path) == first.entry(files[0].path))
        #expect(read.entry(files[1].path)?.sha256 == FileHashing.sha256(of: Data("b, longer".utf8)))
    }

    /// An input file gone since the last build reads "-", one that cannot be hashed "?",
    /// and the others their hash: one `stat` each, the existence asked only on failure.
    @Test func otherInputsAreHashedMissingOrUnreadable() throws {
        let dir = try TemporaryDirectory()
        let present = dir.path("present.bin")
        try Data("octets".utf8).write(to: present)
        let folder = dir.path("a-folder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let memo = FileMemo()
        let values = BuildKey.extraValues([present.path, dir.path("gone.bin").path, folder.path]) { try memo.sha256(ofPath: $0).sha256 }
        #expect(values == [FileHashing.sha256(of: Data("octets".utf8)), "-", "?"])
    }
}
