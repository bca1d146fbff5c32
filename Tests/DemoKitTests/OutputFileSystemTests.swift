import Foundation
import Testing

@testable import DemoKit

/// What the build asks of the file system it writes the key on: the probes that
/// `OutputSwap` makes beside `--out`, and the writer's answer to a file system that
/// keeps no modes (FAT32). The FUSE refusal itself is checked on a real fusefat
/// mount by scripts/test.d/60-update-interruptions.
@Suite struct OutputFileSystemTests {
    @Test func theProbesPassOnAnOrdinaryFileSystemAndLeaveNothing() throws {
        let dir = try TemporaryDirectory()
        #expect(OutputSwap.modesWork(in: dir.url.path))
        #expect(OutputSwap.renamedFoldersKeepTheirFiles(in: dir.url.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).isEmpty)
        let swap = try OutputSwap(output: dir.path("out"))
        #expect(swap.storesModes)
    }

    @Test func withoutModesTheWriterStampsTimesOnly() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("f").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        chmod(file, 0o600)
        let mtime = Date(timeIntervalSince1970: 1_700_000_000)
        var writer = TreeWriter(mtime: mtime)
        writer.setsModes = false
        try writer.stamp(file, mode: 0o644)
        var info = stat()
        #expect(stat(file, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o600, "no chmod where modes are not stored")
        #expect(info.st_mtim.tv_sec == 1_700_000_000)
        writer.setsModes = true
        try writer.stamp(file, mode: 0o644)
        #expect(stat(file, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o644)
    }
}
