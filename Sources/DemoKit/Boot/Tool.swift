import Foundation

/// An external program (sfdisk, mtools, syslinux) and the Debian package providing it.
struct Tool: Sendable {
    var name: String
    var package: String

    static let sfdisk = Tool(name: "sfdisk", package: "fdisk")
    static let mformat = Tool(name: "mformat", package: "mtools")
    static let mmd = Tool(name: "mmd", package: "mtools")
    static let mcopy = Tool(name: "mcopy", package: "mtools")
    static let syslinux = Tool(name: "syslinux", package: "syslinux")

    /// The program's path, searched in PATH then the usual sbin folders (sfdisk).
    func locate(environment: [String: String]) -> String? {
        let path = (environment["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs the tool and waits; a non-zero exit becomes a `ToolError` with its stderr.
    func run(_ arguments: [String], input: Data? = nil, environment: [String: String]) throws {
        guard let executable = locate(environment: environment) else {
            throw ToolError(
                tool: name, detail: bilingual("programme introuvable", "program not found"),
                hint: bilingual("installez-le : sudo apt-get install \(package)", "install it: sudo apt-get install \(package)"))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        // stderr to a file: a chatty tool can never block on a full pipe.
        let errorURL = FileManager.default.temporaryDirectory.appendingPathComponent("demokit-\(name)-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorURL) }
        let errorHandle = try FileHandle(forWritingTo: errorURL)
        process.standardError = errorHandle
        process.standardOutput = errorHandle
        let pipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : pipe
        try process.run()
        if let input {
            pipe.fileHandleForWriting.write(input)
            try pipe.fileHandleForWriting.close()
        }
        process.waitUntilExit()
        try errorHandle.close()
        guard process.terminationStatus == 0 else {
            let output = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
            throw ToolError(
                tool: name,
                detail: bilingual("a échoué (code \(process.terminationStatus))", "failed (status \(process.terminationStatus))")
                    + ": " + output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").suffix(5).joined(separator: " | "),
                hint: nil)
        }
    }
}

/// An external program failed or is missing.
public struct ToolError: UserFacingError {
    public var tool: String
    public var detail: String
    public var hint: String?
    public var message: String {
        "\(tool): \(detail)" + (hint.map { "\n  \($0)" } ?? "")
    }
}
