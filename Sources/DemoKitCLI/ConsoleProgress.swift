import DemoKit
import Foundation

/// Progress on stderr: one live line on a terminal, plain lines otherwise (logs, CI).
final class ConsoleProgress: ProgressReporter, @unchecked Sendable {
    enum Level { case quiet, normal, verbose }

    let level: Level
    let live: Bool
    private let lock = NSLock()
    private var lastDraw = Date.distantPast
    private var lineOpen = false
    private var currentStage = ""

    init(level: Level, live: Bool) {
        self.level = level
        self.live = live
    }

    private func emit(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    private func closeLine() {
        if lineOpen {
            emit("\n")
            lineOpen = false
        }
    }

    func stage(_ name: String) {
        guard level != .quiet else { return }
        lock.withLock {
            closeLine()
            currentStage = name
            emit("• \(name)\n")
        }
    }

    func advance(files: Int, bytes: Int64, totalFiles: Int?, totalBytes: Int64?) {
        guard level != .quiet, live else { return }
        lock.withLock {
            let now = Date()
            let done = files == totalFiles
            guard done || now.timeIntervalSince(lastDraw) > 0.1 else { return }
            lastDraw = now
            var text = "  \(files)"
            if let totalFiles { text += "/\(totalFiles)" }
            text += " fichiers · \(formatBytes(bytes))"
            if let totalBytes, totalBytes > 0 {
                text += " / \(formatBytes(totalBytes)) (\(Int(Double(bytes) * 100 / Double(totalBytes))) %)"
            }
            emit("\r\u{1B}[K" + text)
            lineOpen = true
            if done { closeLine() }
        }
    }

    func info(_ text: String) {
        guard level != .quiet else { return }
        lock.withLock {
            closeLine()
            emit(text + "\n")
        }
    }

    func detail(_ text: String) {
        guard level == .verbose else { return }
        lock.withLock {
            closeLine()
            emit("  " + text + "\n")
        }
    }

    func warning(_ text: String) {
        lock.withLock {
            closeLine()
            emit(text + "\n")
        }
    }
}
