import Foundation
import Testing

@testable import DemoKit

/// A release served over HTTP by a local server (127.0.0.1, bounded lifetime).
final class LocalServer {
    let process = Process()
    let port: Int

    init(root: URL, dropAfter: Int? = nil) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            ["python3", Repo.root.appendingPathComponent("scripts/range-server.py").path, root.path, "--lifetime", "120"]
            + (dropAfter.map { ["--drop-after", "\($0)"] } ?? [])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            throw FileError(path: "range-server.py", reason: "no port")
        }
        self.port = port
    }

    var url: String { "http://127.0.0.1:\(port)" }

    deinit {
        // SIGKILL: the child may inherit a mask that blocks SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

@Suite(.serialized) struct UpdateHTTPTests {
    @Test func updateOverHTTP() throws {
        let fixture = try UpdateFixture()
        try fixture.writeApp("version 2")
        try fixture.publish()
        let server = try LocalServer(root: fixture.release)
        let report = try fixture.updater().update(from: try HTTPReleaseSource(base: server.url))
        #expect(report.outcome == .updated)
        #expect(report.bytesFromSource > 300_000)
        #expect(KeyCheck.run(key: fixture.key, hashFiles: true).isHealthy)
    }

    @Test func interruptedDownloadResumesWithRange() throws {
        let fixture = try UpdateFixture()
        try fixture.writeApp("version 2", size: 2_000_000)
        try fixture.publish()
        let server = try LocalServer(root: fixture.release, dropAfter: 1_500_000)
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

    @Test func expiredReleaseIsRefusedOnline() throws {
        let fixture = try UpdateFixture()
        try fixture.writeApp("version 2")
        try fixture.publish()
        fixture.now = UpdateFixture.now.addingTimeInterval(200 * 86400)
        let server = try LocalServer(root: fixture.release)
        try fixture.expectRefusal({ if case .releaseExpired = $0 { true } else { false } }) {
            _ = try fixture.updater().update(from: try HTTPReleaseSource(base: server.url))
        }
    }

    @Test func endlessManifestOverHTTPIsCut() throws {
        let fixture = try UpdateFixture()
        try Data(repeating: 0x20, count: UpdateManifest.maximumSize + 4096).write(to: fixture.manifestURL)
        let server = try LocalServer(root: fixture.release)
        try fixture.expectRefusal({ if case .tooLarge = $0 { true } else { false } }) {
            _ = try fixture.updater().update(from: try HTTPReleaseSource(base: server.url))
        }
    }
}
