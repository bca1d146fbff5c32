import Foundation
import Testing

@testable import DemoKit

/// Application artifacts made by the tests: PortableApps.com-format folders with a
/// real appinfo.ini, zipped with libarchive, and small fake AppImages.
enum Artifacts {
    static func appInfo(appID: String, name: String, version: String, start: String, category: String = "Office") -> String {
        """
        [Format]
        Type=PortableApps.comFormat
        Version=3.7

        [Details]
        Name=\(name)
        AppID=\(appID)
        Publisher=Test & PortableApps.com
        Category=\(category)
        Description=\(name) for tests

        [License]
        Freeware=true

        [Version]
        PackageVersion=\(version).0
        DisplayVersion=\(version)

        [Control]
        Icons=1
        Start=\(start)

        """
    }

    /// The files of a PortableApps.com-format app folder: appinfo.ini, the launcher,
    /// a program file and a readme, plus `extra` (relative path → text).
    static func portableFiles(
        appID: String, name: String, version: String = "1.2.3", start: String? = nil, category: String = "Office", extra: [String: String] = [:]
    ) -> [String: String] {
        let launcher = start ?? "\(appID).exe"
        var files: [String: String] = [
            "App/AppInfo/appinfo.ini": appInfo(appID: appID, name: name, version: version, start: launcher, category: category),
            launcher: "MZ fake launcher of \(name)",
            "App/\(appID)/program.bin": String(repeating: "\(name) ", count: 200),
            "Other/Source/Readme.txt": "Lisez-moi — accentué",
        ]
        files.merge(extra) { $1 }
        return files
    }

    /// An app folder as a volunteer has it on disk (`AppIDPortable/`); `reversed`
    /// writes its files in the other order (the order on disk must not matter).
    @discardableResult
    static func portableFolder(
        at folder: URL, appID: String, name: String, version: String = "1.2.3", category: String = "Office", reversed: Bool = false
    ) throws -> URL {
        let files = portableFiles(appID: appID, name: name, version: version, category: category)
        for path in reversed ? files.keys.sorted(by: >) : files.keys.sorted() {
            let url = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(files[path]!.utf8).write(to: url)
        }
        return folder
    }

    /// A `.zip` of `AppIDPortable/` (or of its content with `topFolder: false`).
    @discardableResult
    static func portableZip(
        at zip: URL, appID: String, name: String, version: String = "1.2.3", start: String? = nil, topFolder: Bool = true,
        extra: [String: String] = [:]
    ) throws -> URL {
        let tree = zip.deletingLastPathComponent().appendingPathComponent(".tree-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: tree) }
        let prefix = topFolder ? "\(appID)/" : ""
        var paths: [String] = []
        for (path, text) in portableFiles(appID: appID, name: name, version: version, start: start, extra: extra) {
            let url = tree.appendingPathComponent(prefix + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
            paths.append(prefix + path)
        }
        try ArchiveWriter.archive(tree: tree, paths: paths, to: zip, mtime: Date(timeIntervalSince1970: 1_700_000_000))
        return zip
    }

    /// An ELF header with the AppImage type-2 mark, then some bytes.
    @discardableResult
    static func appImage(at url: URL, payload: String = "fake AppImage", size: Int = 0) throws -> URL {
        var data = Data([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0x41, 0x49, 0x02])
        data.append(Data(payload.utf8))
        if data.count < size { data.append(Data(repeating: 0x2A, count: size - data.count)) }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
        return url
    }

    static func pin(_ file: URL, url: String) throws -> (size: Int64, sha256: String, url: String) {
        let hashed = try FileHashing.sha256(fileAt: file)
        return (hashed.size, hashed.sha256, url)
    }

    /// Writes `payload/apps/<id>.yml` with the given blocks (already indented YAML).
    static func writeDelivery(_ kit: URL, id: String, _ blocks: String) throws {
        try "id: \(id)\n\(blocks)".write(to: kit.appendingPathComponent("payload/apps/\(id).yml"), atomically: true, encoding: .utf8)
    }

    static func windowsBlock(_ file: URL, url: String, appID: String, extra: String = "") throws -> String {
        let p = try pin(file, url: url)
        return "windows:\n  url: \(url)\n  sha256: \(p.sha256)\n  size: \(p.size)\n  appid: \(appID)\n\(extra)"
    }

    static func linuxBlock(_ file: URL, url: String, name: String? = nil) throws -> String {
        let p = try pin(file, url: url)
        return "linux:\n  url: \(url)\n  sha256: \(p.sha256)\n  size: \(p.size)\n" + (name.map { "  file: \($0)\n" } ?? "")
    }
}

/// The test HTTP server (`scripts/range-server.py`) on 127.0.0.1 and a free port,
/// serving `folder` (default: `root/files/`) and logging requests to
/// `root/requests.log`; stopped when this object goes away (or after two minutes).
/// `dropAfter`: the first download of each path under `/objects/` is cut after so many bytes.
final class TestHTTPServer {
    let root: URL
    let port: Int
    private let process = Process()
    private let input = Pipe()

    init(root: URL, serving folder: URL? = nil, dropAfter: Int? = nil) throws {
        self.root = root
        let folder = folder ?? root.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // The port comes through a file: reading a pipe with FileHandle can trap on EINTR.
        let portFile = root.appendingPathComponent("port")
        try? FileManager.default.removeItem(at: portFile)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            [
                "python3", Repo.root.appendingPathComponent("scripts/range-server.py").path, folder.path,
                "--log", root.appendingPathComponent("requests.log").path, "--lifetime", "120", "--stop-on-eof", "--protocol", "HTTP/1.1",
            ] + (dropAfter.map { ["--drop-after", "\($0)"] } ?? [])
        process.standardInput = input
        process.standardOutput = try FileHandle(forWritingTo: Self.emptyFile(portFile))
        try process.run()
        var port: Int?
        for _ in 0..<200 where port == nil {
            let text = (try? String(contentsOf: portFile, encoding: .utf8)) ?? ""
            if text.hasSuffix("\n") { port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if port == nil { usleep(50_000) }
        }
        guard let port else {
            process.terminate()
            throw FileError(path: "range-server.py", reason: "no port")
        }
        self.port = port
    }

    deinit {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    static func emptyFile(_ url: URL) -> URL {
        FileManager.default.createFile(atPath: url.path, contents: nil)
        return url
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func url(_ path: String) -> String { "\(url)/\(path)" }

    func serve(_ file: URL, as name: String) throws {
        let destination = root.appendingPathComponent("files/\(name)")
        try? FileManager.default.removeItem(at: destination)
        try FileManager.default.copyItem(at: file, to: destination)
    }

    var requests: [String] {
        ((try? String(contentsOf: root.appendingPathComponent("requests.log"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}
