import Foundation
import Testing

@testable import DemoKit

/// `Tool.launch` and its helpers, on programs every Debian system has.
struct ChildProcessTests {
    let environment = ["PATH": "/usr/bin:/bin", "LC_ALL": "C"]

    @Test func missingToolSaysWhatToInstall() throws {
        let tool = Tool(name: "demokit-no-such-program", package: "demokit-some-package")
        let error = #expect(throws: ToolError.self) { try tool.run([], environment: environment) }
        #expect(error?.message.contains("programme introuvable / program not found") == true)
        #expect(error?.message.contains("sudo apt-get install demokit-some-package") == true)
    }

    @Test func failureNamesToolStatusAndStandardError() throws {
        let sh = Tool(name: "sh", package: "dash")
        let error = #expect(throws: ToolError.self) {
            try sh.run(["-c", "echo first >&2; echo last >&2; exit 3"], environment: environment)
        }
        #expect(error?.tool == "sh")
        #expect(error?.message.contains("(code 3)") == true)
        #expect(error?.message.contains("first | last") == true)
    }

    @Test func signalIsReportedAsAShellDoes() throws {
        let result = try Tool(name: "sh", package: "dash").launch(["-c", "kill -TERM $$"], environment: environment)
        #expect(result.status == 128 + 15)
    }

    @Test func environmentDirectoryAndInputReachTheChild() throws {
        let dir = try TemporaryDirectory()
        var env = environment
        env["DEMOKIT_PROBE"] = "présent"
        let result = try Tool(name: "sh", package: "dash").launch(
            ["-c", "pwd; echo \"$DEMOKIT_PROBE\"; cat"], environment: env, directory: dir.url, input: Data("entrée\n".utf8))
        #expect(result.status == 0)
        let lines = result.outputText.split(separator: "\n").map(String.init)
        #expect(lines == [dir.url.resolvingSymlinksInPath().path, "présent", "entrée"])
    }

    @Test func outputApartFromErrors() throws {
        let data = try Tool(name: "sh", package: "dash").output(["-c", "echo out; echo err >&2"], environment: environment)
        #expect(String(decoding: data, as: UTF8.self) == "out\n")
    }

    @Test func largeOutputIntoAFile() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path("out.bin")
        try Tool(name: "head", package: "coreutils").run(["-c", "3000000", "/dev/zero"], environment: environment, output: file)
        #expect((try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) == 3_000_000)
    }

    @Test func linesAreStreamedLoggedAndTheLastKept() throws {
        let dir = try TemporaryDirectory()
        let log = dir.path("tool.log")
        let seen = LinesSeen()
        let result = try Tool(name: "sh", package: "dash").launch(
            ["-c", "i=1; while [ $i -le 100 ]; do echo line $i; i=$((i+1)); done; printf 'no newline' >&2"],
            environment: environment, output: .lines(log: log) { seen.add($0) })
        #expect(result.status == 0)
        #expect(seen.lines.count == 101)
        #expect(seen.lines.first == "line 1")
        #expect(seen.lines.last == "no newline")
        let kept = result.outputText.split(separator: "\n").map(String.init)
        #expect(kept.count == ChildResult.keptLines)
        #expect(kept.last == "no newline")
        let logged = try String(contentsOf: log, encoding: .utf8)
        #expect(logged.hasPrefix("line 1\nline 2\n") && logged.hasSuffix("line 100\nno newline"))
    }

    /// Sixteen tools waited for at once from the global pool, more than it has threads:
    /// the waits must not starve the tasks that finish the tools.
    @Test func manyWaitsAtOnceDoNotStarve() async throws {
        let environment = self.environment
        try await withThrowingTaskGroup(of: Int32.self) { group in
            for index in 0..<16 {
                group.addTask {
                    try Tool(name: "sh", package: "dash").launch(["-c", "sleep 0.2; exit \(index % 3)"], environment: environment).status
                }
            }
            var statuses: [Int32] = []
            for try await status in group { statuses.append(status) }
            #expect(statuses.sorted() == (0..<16).map { Int32($0 % 3) }.sorted())
        }
    }
}

private final class LinesSeen: @unchecked Sendable {
    private let lock = NSLock()
    private var seenLines: [String] = []
    func add(_ line: String) { lock.withLock { seenLines.append(line) } }
    var lines: [String] { lock.withLock { seenLines } }
}
