import Foundation
import Testing

@testable import DemoKit

/// A release served over HTTP by the test server (`TestHTTPServer`, 127.0.0.1).
@Suite(.serialized) struct UpdateHTTPTests {
    @Test func updateOverHTTP() throws {
        let fixture = try UpdateFixture()
        try fixture.writeApp("version 2")
        try fixture.publish()
        let server = try TestHTTPServer(root: fixture.dir.path("server"), serving: fixture.release)
        let report = try fixture.updater().update(from: try HTTPReleaseSource(base: server.url))
        #expect(report.outcome == .updated)
        #expect(report.bytesFromSource > 300_000)
        #expect(KeyCheck.run(key: fixture.key, hashFiles: true).isHealthy)
    }

    @Test func interruptedDownloadResumesWithRange() throws {
        let fixture = try UpdateFixture()
        try fixture.writeApp("version 2", size: 2_000_000)
        try fixture.publish()
        let server = try TestHTTPServer(root: fixture.dir.path("server"), serving: fixture.release, dropAfter: 1_500_000)
        let source = try HTTPReleaseSource(base: server.url)
        #expect(throws: (any Error).self) { try fixture.updater().update(from: source) }
        #expect(UpdateState.read(key: fixture.key).phase == .staging)
        // The second run asks only for the rest of the file.
        let second = try HTTPReleaseSource(base: server.url)
        let report = try fixture.updater().update(from: second)
        #expect(report.outcome == .updated)
        #expect(second.bytesRead < 1_000_000, "read \(second.bytesRead)")
        #expect(KeyCheck.run(key: fixture.key, hashFiles: true).isHealthy)
    }

    /// A server that answers a resumed download from another offset than the one asked
    /// for: its bytes are not appended at the wrong place; the download starts over.
    @Test func resumeAnsweredFromAnotherStartStartsOver() throws {
        let dir = try TemporaryDirectory()
        let content = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 7 + $0 / 256) })
        try FileManager.default.createDirectory(at: dir.path("release/objects"), withIntermediateDirectories: true)
        try content.write(to: dir.path("release/objects/file"))
        let server = try TestHTTPServer(root: dir.path("server"), serving: dir.path("release"))
        let partial = dir.path("file.part")
        try content.prefix(100_000).write(to: partial)
        let source = try HTTPReleaseSource(base: server.url("shifted"))
        let record = FileRecord(path: "objects/file", size: Int64(content.count), sha256: FileHashing.sha256(of: content))
        try KeyUpdater.download("objects/file", from: source, to: partial, expected: record, writer: DurableWriter())
        #expect(try Data(contentsOf: partial) == content)
        #expect(server.requests == ["/shifted/objects/file bytes=100000-", "/shifted/objects/file -"])
    }

    @Test func expiredReleaseIsRefusedOnline() throws {
        let fixture = try UpdateFixture()
        try fixture.writeApp("version 2")
        try fixture.publish()
        fixture.now = UpdateFixture.now.addingTimeInterval(200 * 86400)
        let server = try TestHTTPServer(root: fixture.dir.path("server"), serving: fixture.release)
        try fixture.expectRefusal({ if case .releaseExpired = $0 { true } else { false } }) {
            _ = try fixture.updater().update(from: try HTTPReleaseSource(base: server.url))
        }
    }

    @Test func endlessManifestOverHTTPIsCut() throws {
        let fixture = try UpdateFixture()
        try Data(repeating: 0x20, count: UpdateManifest.maximumSize + 4096).write(to: fixture.manifestURL)
        let server = try TestHTTPServer(root: fixture.dir.path("server"), serving: fixture.release)
        try fixture.expectRefusal({ if case .tooLarge = $0 { true } else { false } }) {
            _ = try fixture.updater().update(from: try HTTPReleaseSource(base: server.url))
        }
    }
}
