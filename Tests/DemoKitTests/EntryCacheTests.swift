import Foundation
import GRDB
import Testing

@testable import DemoKit

/// The entry cache: a rebuild parses again only the catalogue files whose
/// bytes changed, and the kit it loads is the one a cold load gives.
@Suite struct EntryCacheTests {
    /// A copy of the repository's kit (curated and SILL-imported entries, warnings
    /// included) in a temporary folder.
    static func repositoryKit(in dir: TemporaryDirectory) throws -> URL {
        let kit = dir.path("kit")
        try FileManager.default.createDirectory(at: kit, withIntermediateDirectories: true)
        for part in ["profiles", "payload"] {
            try FileManager.default.copyItem(at: Repo.root.appendingPathComponent(part), to: kit.appendingPathComponent(part))
        }
        return kit
    }

    /// The build state file at `url`, where entries are kept.
    static func file(_ url: URL) -> StateFile {
        BuildState.file(at: url)
    }

    /// The loaded kit's catalogue and warnings, as bytes: what the build makes of them.
    static func loaded(_ kit: URL, cache: EntryCache?, prefix: String = "") throws -> (catalogue: Data, warnings: [Diagnostic]) {
        var loader = KitLoader(root: kit, displayPrefix: prefix)
        loader.entryCache = cache
        let (loaded, warnings) = try loader.loadValid()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try encoder.encode(loaded.catalogue), warnings)
    }

    @Test func everyEntryComesBackAsParsed() throws {
        let dir = try TemporaryDirectory()
        let kit = try Self.repositoryKit(in: dir)
        let url = dir.path("state.sqlite")
        let memo = FileMemo()
        let cold = try Self.loaded(kit, cache: nil)

        let first = EntryCache(file: Self.file(url), memo: memo, displayPrefix: "")
        #expect(try Self.loaded(kit, cache: first) == cold)
        let files = try TestKit.allFiles(in: kit.appendingPathComponent("payload/catalogue")).count
        #expect(first.parsedCount == files)
        try first.save()

        let second = EntryCache(file: Self.file(url), memo: memo, displayPrefix: "")
        let warm = try Self.loaded(kit, cache: second)
        #expect(second.parsedCount == 0)
        #expect(warm.catalogue == cold.catalogue)
        #expect(warm.warnings == cold.warnings)
    }

    /// An entry's warnings are kept with it and shown again.
    @Test func warningsComeBackWithTheirEntry() throws {
        let dir = try TemporaryDirectory()
        let kit = try Self.repositoryKit(in: dir)
        let file = "payload/catalogue/libreoffice.yml"
        let fileURL = kit.appendingPathComponent(file)
        let entry = try #require(try KitLoader(root: kit, displayPrefix: "").loadValid().kit.entry("libreoffice"))
        let warning = Diagnostic(.warning, file: file, line: 3, column: 7, message: "avertissement / warning")
        let url = dir.path("state.sqlite")
        let first = EntryCache(file: Self.file(url), memo: FileMemo(), displayPrefix: "")
        first.record(file, sha256: try FileHashing.sha256(fileAt: fileURL).sha256, entry: entry, diagnostics: [warning])
        try first.save()
        let record = try #require(EntryCache(file: Self.file(url), memo: FileMemo(), displayPrefix: "").lookup(file, at: fileURL))
        #expect(record.diagnostics == [warning])
        #expect(record.entry.name == entry.name)
        // Not for other bytes.
        try (try String(contentsOf: fileURL, encoding: .utf8) + "\n").write(to: fileURL, atomically: false, encoding: .utf8)
        #expect(EntryCache(file: Self.file(url), memo: FileMemo(), displayPrefix: "").lookup(file, at: fileURL) == nil)
    }

    /// The repository's kit loaded once through a new entry cache, saved.
    static func warmed(in dir: TemporaryDirectory) throws -> (kit: URL, url: URL, memo: FileMemo, first: EntryCache) {
        let kit = try repositoryKit(in: dir)
        let url = dir.path("state.sqlite")
        let memo = FileMemo()
        let first = EntryCache(file: Self.file(url), memo: memo, displayPrefix: "")
        _ = try loaded(kit, cache: first)
        try first.save()
        return (kit, url, memo, first)
    }

    @Test func onlyTheChangedFileIsParsedAgain() throws {
        let dir = try TemporaryDirectory()
        let (kit, url, memo, _) = try Self.warmed(in: dir)

        let entry = kit.appendingPathComponent("payload/catalogue/libreoffice.yml")
        let text = try String(contentsOf: entry, encoding: .utf8)
        try text.replacingOccurrences(of: "name: LibreOffice", with: "name: LibreOffice Renamed").write(
            to: entry, atomically: false, encoding: .utf8)
        let second = EntryCache(file: Self.file(url), memo: memo, displayPrefix: "")
        let warm = try Self.loaded(kit, cache: second)
        #expect(second.parsedCount == 1)
        #expect(warm.catalogue == (try Self.loaded(kit, cache: nil)).catalogue)
        #expect(String(decoding: warm.catalogue, as: UTF8.self).contains("LibreOffice Renamed"))
    }

    /// Positions carry the path as shown: records made with another prefix, or by
    /// another demokit, are not used.
    @Test func anotherPrefixOrAnotherDemokitStartsAfresh() throws {
        let dir = try TemporaryDirectory()
        let (kit, url, memo, first) = try Self.warmed(in: dir)

        let other = EntryCache(file: Self.file(url), memo: memo, displayPrefix: "elsewhere/")
        let loaded = try Self.loaded(kit, cache: other, prefix: "elsewhere/")
        #expect(other.parsedCount > 0)
        #expect(loaded.warnings.allSatisfy { $0.file.hasPrefix("elsewhere/") })
        #expect(loaded == (try Self.loaded(kit, cache: nil, prefix: "elsewhere/")))

        let stored = Self.file(url).read { try String.fetchOne($0, sql: "SELECT value FROM meta WHERE name = 'entries'") }
        #expect(stored == first.identity)
        try Self.file(url).write { try $0.execute(sql: "UPDATE meta SET value = '0.0.0\t/another/demokit\t1-2-3-4\t' WHERE name = 'entries'") }
        let rebuilt = EntryCache(file: Self.file(url), memo: memo, displayPrefix: "")
        _ = try Self.loaded(kit, cache: rebuilt)
        #expect(rebuilt.parsedCount > 0)
    }

    /// A broken file is never recorded: it is reported at every build.
    @Test func aBrokenEntryIsReportedEveryTime() throws {
        let dir = try TemporaryDirectory()
        let kit = try Self.repositoryKit(in: dir)
        let url = dir.path("state.sqlite")
        let memo = FileMemo()
        let entry = kit.appendingPathComponent("payload/catalogue/libreoffice.yml")
        try (try String(contentsOf: entry, encoding: .utf8) + "platforms: [amiga]\n").write(to: entry, atomically: false, encoding: .utf8)
        for _ in 0..<2 {
            let cache = EntryCache(file: Self.file(url), memo: memo, displayPrefix: "")
            var loader = KitLoader(root: kit, displayPrefix: "")
            loader.entryCache = cache
            let result = loader.load()
            #expect(result.kit == nil)
            #expect(result.diagnostics.contains { $0.file == "payload/catalogue/libreoffice.yml" && $0.severity == .error })
            try cache.save()
        }
    }

    /// A damaged cache file is a cold start, not an error.
    @Test func aDamagedCacheFileIsIgnored() throws {
        let dir = try TemporaryDirectory()
        let kit = try Self.repositoryKit(in: dir)
        let url = dir.path("state.sqlite")
        let first = EntryCache(file: Self.file(url), memo: FileMemo(), displayPrefix: "")
        _ = try Self.loaded(kit, cache: first)
        try first.save()
        // Cut in the middle, as a full disk would leave it.
        try? FileManager.default.removeItem(atPath: url.path + "-wal")
        let data = try Data(contentsOf: url)
        try data.prefix(data.count / 2).write(to: url)
        let cache = EntryCache(file: Self.file(url), memo: FileMemo(), displayPrefix: "")
        #expect(try Self.loaded(kit, cache: cache) == (try Self.loaded(kit, cache: nil)))
        #expect(cache.parsedCount > 0)
        // And the next build finds its entries again.
        try cache.save()
        let next = EntryCache(file: Self.file(url), memo: FileMemo(), displayPrefix: "")
        _ = try Self.loaded(kit, cache: next)
        #expect(next.parsedCount == 0)
    }
}
