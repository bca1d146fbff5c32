import Foundation
import Testing

@testable import DemoKit

/// Paths of the repository and its fixtures, found from this source file.
enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = root.appendingPathComponent("Tests/DemoKitTests/Fixtures")
    static let theme = root.appendingPathComponent("payload/theme")
    static let shared = root.deletingLastPathComponent().appendingPathComponent("shared")

    /// Set `DEMOKIT_RECORD=1` to rewrite golden files instead of comparing.
    static var recording: Bool { ProcessInfo.processInfo.environment["DEMOKIT_RECORD"] == "1" }
}

/// A temporary folder removed when the test ends.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("demokit-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ relative: String) -> URL { url.appendingPathComponent(relative) }
}

enum TestKit {
    /// Copies the minimal fixture kit (and the repository's theme) into `dir/kit`,
    /// then overlays a broken fixture's files when named.
    static func make(in dir: TemporaryDirectory, overlay: String? = nil) throws -> URL {
        let kit = dir.path("kit")
        let fm = FileManager.default
        try fm.copyItem(at: Repo.fixtures.appendingPathComponent("kits/minimal"), to: kit)
        try fm.copyItem(at: Repo.theme, to: kit.appendingPathComponent("payload/theme"))
        if let overlay {
            let source = Repo.fixtures.appendingPathComponent("broken/\(overlay)")
            for path in try allFiles(in: source) where path != "expected.txt" {
                let destination = kit.appendingPathComponent(path)
                try? fm.removeItem(at: destination)
                try fm.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
                try fm.copyItem(at: source.appendingPathComponent(path), to: destination)
            }
        }
        return kit
    }

    static func allFiles(in root: URL) throws -> [String] {
        var files: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(path)
            }
        }
        return files.sorted()
    }

    /// Every file of a tree with its bytes, for byte-for-byte comparison.
    static func snapshot(_ root: URL) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for path in try allFiles(in: root) {
            result[path] = try Data(contentsOf: root.appendingPathComponent(path))
        }
        return result
    }
}

/// Runs a program and captures its output.
struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

func run(_ executable: String, _ arguments: [String], cwd: URL? = nil, environment: [String: String]? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
    process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
    if let cwd { process.currentDirectoryURL = cwd }
    if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    // Both streams go to files: neither can block the child on a full pipe, and
    // reading a pipe through FileHandle traps when a signal interrupts it (EINTR),
    // which happens when other tests start and stop processes at the same time.
    let outURL = FileManager.default.temporaryDirectory.appendingPathComponent("demokit-stdout-\(UUID().uuidString)")
    let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("demokit-stderr-\(UUID().uuidString)")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }
    let out = try FileHandle(forWritingTo: outURL)
    let err = try FileHandle(forWritingTo: errURL)
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    try out.close()
    try err.close()
    let stdoutData = (try? Data(contentsOf: outURL)) ?? Data()
    let stderrData = (try? Data(contentsOf: errURL)) ?? Data()
    return ProcessResult(
        status: process.terminationStatus,
        stdout: String(decoding: stdoutData, as: UTF8.self),
        stderr: String(decoding: stderrData, as: UTF8.self))
}

/// The `demokit` binary built beside the tests.
var demokitBinary: String {
    let products = Bundle.main.bundleURL.deletingLastPathComponent()
    let candidates =
        [products.appendingPathComponent("demokit"), Bundle.main.bundleURL.appendingPathComponent("demokit")]
        + [Repo.root.appendingPathComponent(".build/debug/demokit")]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }?.path ?? candidates.last!.path
}
