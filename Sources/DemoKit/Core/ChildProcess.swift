import Dispatch
import Foundation
import Subprocess

// DemoKit has a `FileDescriptor` of its own: swift-system's is named in full.
#if canImport(System)
    import System
    private typealias SystemFileDescriptor = System.FileDescriptor
#else
    import SystemPackage
    private typealias SystemFileDescriptor = SystemPackage.FileDescriptor
#endif

/// An external program and the Debian package providing it. Every child process demokit
/// starts goes through `Tool.launch` (swift-subprocess), or one of the helpers on it.
struct Tool: Sendable {
    var name: String
    var package: String

    static let sfdisk = Tool(name: "sfdisk", package: "fdisk")
    static let mformat = Tool(name: "mformat", package: "mtools")
    static let mmd = Tool(name: "mmd", package: "mtools")
    static let mcopy = Tool(name: "mcopy", package: "mtools")
    static let syslinux = Tool(name: "syslinux", package: "syslinux")
    static let mmdebstrap = Tool(name: "mmdebstrap", package: "mmdebstrap")
    static let mksquashfs = Tool(name: "mksquashfs", package: "squashfs-tools")
    static let aptGet = Tool(name: "apt-get", package: "apt")
    static let aptCache = Tool(name: "apt-cache", package: "apt")
    static let dpkg = Tool(name: "dpkg", package: "dpkg")
    static let dpkgDeb = Tool(name: "dpkg-deb", package: "dpkg")

    /// The program's path, searched in PATH then the usual sbin folders (sfdisk).
    func locate(environment: [String: String]) -> String? {
        let path = (environment["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The tool is not installed: what to install.
    var notFound: ToolError {
        ToolError(
            tool: name, detail: bilingual("programme introuvable", "program not found"),
            hint: bilingual("installez-le : sudo apt-get install \(package)", "install it: sudo apt-get install \(package)"))
    }
}

/// Where a child's standard output goes, and its standard error.
enum ChildOutput: Sendable {
    /// Both kept together, as they come, in `ChildResult.output`.
    case combined
    /// Standard output kept in `ChildResult.output`, standard error apart in `errors`.
    case apart
    /// Standard output written into the file; standard error kept in `errors`.
    case file(URL)
    /// Both together, each line handed to `line` as it comes (without its newline) and
    /// copied to `log`; `ChildResult.output` keeps only the last `ChildResult.keptLines` lines.
    case lines(log: URL, line: @Sendable (String) -> Void)
}

/// A child process that has ended.
struct ChildResult: Sendable {
    /// The exit code, or 128 plus the signal that ended it, as a shell reports it.
    var status: Int32
    var output: Data
    var errors: Data

    static let keptLines = 60

    var outputText: String { String(decoding: output, as: UTF8.self) }

    /// The last `count` non-empty lines of standard error, else of the output, on one line: for messages.
    func tail(_ count: Int) -> String {
        let text = String(decoding: errors.isEmpty ? output : errors, as: UTF8.self)
        return text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").suffix(count).joined(separator: " | ")
    }
}

extension Tool {
    /// Runs the tool and waits for it; its exit status is for the caller to judge.
    /// `environment` is the child's whole environment and where the tool is looked for.
    func launch(
        _ arguments: [String], environment: [String: String], directory: URL? = nil, input: Data? = nil, output: ChildOutput = .combined
    ) throws -> ChildResult {
        guard let executable = locate(environment: environment) else { throw notFound }
        let configuration = Configuration(
            executable: .path(FilePath(executable)), arguments: Arguments(arguments),
            environment: .custom(Dictionary(uniqueKeysWithValues: environment.map { (Environment.Key(stringLiteral: $0.key), $0.value) })),
            workingDirectory: directory.map { FilePath($0.path) })
        let name = self.name
        return try waitForChild {
            do {
                if let input {
                    return try await ChildProcess.run(configuration, input: .data(input), output: output)
                }
                return try await ChildProcess.run(configuration, input: .none, output: output)
            } catch let error as SubprocessError {
                throw ToolError(tool: name, detail: bilingual("lancement impossible", "could not be started") + ": \(error)", hint: nil)
            }
        }
    }

    /// Runs the tool; a non-zero exit becomes a `ToolError` with the end of what it printed.
    func run(_ arguments: [String], input: Data? = nil, environment: [String: String], directory: URL? = nil) throws {
        try launch(arguments, environment: environment, directory: directory, input: input).check(self)
    }

    /// Runs the tool and returns its standard output (small outputs only).
    func output(_ arguments: [String], environment: [String: String]) throws -> Data {
        let result = try launch(arguments, environment: environment, output: .apart)
        try result.check(self)
        return result.output
    }

    /// Runs the tool with its standard output into `output`; a non-zero exit is a `ToolError`.
    func run(_ arguments: [String], environment: [String: String], output: URL) throws {
        try launch(arguments, environment: environment, output: .file(output)).check(self)
    }
}

extension ChildResult {
    /// Throws unless the tool exited with 0.
    func check(_ tool: Tool) throws {
        guard status != 0 else { return }
        throw ToolError(
            tool: tool.name,
            detail: bilingual("a échoué (code \(status))", "failed (status \(status))") + ": " + tail(5),
            hint: nil)
    }
}

/// An external program failed or is missing.
struct ToolError: UserFacingError {
    var tool: String
    var detail: String
    var hint: String?
    var message: String {
        "\(tool): \(detail)" + (hint.map { "\n  \($0)" } ?? "")
    }
}

/// swift-subprocess, in the shapes `Tool.launch` offers.
private enum ChildProcess {
    static func run<Input: InputProtocol>(_ configuration: Configuration, input: Input, output: ChildOutput) async throws -> ChildResult {
        switch output {
        case .combined:
            let result = try await Subprocess.run(configuration, input: input, output: .sequence, error: .combinedWithOutput) { execution in
                try await collect(execution.standardOutput)
            }
            return ChildResult(status: status(result.terminationStatus), output: result.closureResult, errors: Data())
        case .apart:
            let result = try await Subprocess.run(configuration, input: input, output: .sequence, error: .sequence) { execution in
                async let errors = collect(execution.standardError)
                let output = try await collect(execution.standardOutput)
                return (output, try await errors)
            }
            return ChildResult(status: status(result.terminationStatus), output: result.closureResult.0, errors: result.closureResult.1)
        case .file(let url):
            let descriptor = try SystemFileDescriptor.open(
                FilePath(url.path), .writeOnly, options: [.create, .truncate], permissions: [.ownerReadWrite, .groupRead, .otherRead])
            let result = try await Subprocess.run(
                configuration, input: input, output: .fileDescriptor(descriptor, closeAfterSpawningProcess: true), error: .sequence
            ) { execution in
                try await collect(execution.standardError)
            }
            return ChildResult(status: status(result.terminationStatus), output: Data(), errors: result.closureResult)
        case .lines(let log, let line):
            let result = try await Subprocess.run(configuration, input: input, output: .sequence, error: .combinedWithOutput) { execution in
                try await streamLines(execution.standardOutput, log: log, line: line)
            }
            return ChildResult(status: status(result.terminationStatus), output: result.closureResult, errors: Data())
        }
    }

    static func collect(_ sequence: SubprocessOutputSequence) async throws -> Data {
        var data = Data()
        for try await buffer in sequence {
            buffer.withUnsafeBytes { data.append(contentsOf: $0) }
        }
        return data
    }

    /// Splits on "\n" only: a line ending in "\r" (a progress meter) stays one line.
    static func streamLines(_ sequence: SubprocessOutputSequence, log: URL, line: (String) -> Void) async throws -> Data {
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        defer { try? logHandle.close() }
        var tail: [String] = []
        var pending = Data()
        func hand(_ text: String) {
            tail.append(text)
            if tail.count > ChildResult.keptLines { tail.removeFirst() }
            line(text)
        }
        for try await buffer in sequence {
            let chunk = buffer.withUnsafeBytes { Data($0) }
            try logHandle.write(contentsOf: chunk)
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                hand(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                pending.removeSubrange(pending.startIndex...newline)
            }
        }
        if !pending.isEmpty { hand(String(decoding: pending, as: UTF8.self)) }
        return Data(tail.joined(separator: "\n").utf8)
    }

    static func status(_ termination: TerminationStatus) -> Int32 {
        switch termination {
        case .exited(let code): return code
        case .signaled(let signal): return 128 + signal
        }
    }
}

/// Runs `work` and blocks the calling thread until it is done: the stages that start
/// tools are synchronous, and often run on threads of Swift's global pool (one per core
/// and priority). swift-subprocess finishes each child with a task of its own on that
/// pool, at the priority of the task that ran it: at background priority, which nothing
/// that waits here runs at, such a task never waits behind the blocked threads. The rest
/// of the work runs on `ChildProcessExecutor`, off the pool.
private func waitForChild<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let slot = ResultSlot<T>()
    Task(executorPreference: ChildProcessExecutor.shared, priority: .background) {
        do {
            slot.result = .success(try await work())
        } catch {
            slot.result = .failure(error)
        }
        slot.done.signal()
    }
    slot.done.wait()
    return try slot.result.get()
}

/// Written once by the task before `done` is signalled, read by the waiter after.
private final class ResultSlot<T>: @unchecked Sendable {
    let done = DispatchSemaphore(value: 0)
    var result: Result<T, any Error> = .failure(CancellationError())
}

/// Runs swift-subprocess's tasks on a serial Dispatch queue, whose thread is never one of
/// the global pool's. Its jobs only read, write and await, so one at a time keeps up.
private final class ChildProcessExecutor: TaskExecutor {
    static let shared = ChildProcessExecutor()
    private let queue = DispatchQueue(label: "demokit.child-process")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
