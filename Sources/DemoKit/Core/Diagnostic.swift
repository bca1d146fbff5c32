/// A problem found in a kit's files, printed as `file:line:column: error: message`
/// so editors and CI logs can jump to it.
public struct Diagnostic: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable { case error, warning, note }

    public var severity: Severity
    /// Path of the file as the user gave it (relative to the kit when possible).
    var file: String
    var line: Int
    var column: Int
    var message: String

    init(_ severity: Severity = .error, file: String, line: Int = 1, column: Int = 1, message: String) {
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        "\(file):\(line):\(column): \(severity.rawValue): \(message)"
    }
}

extension Array where Element == Diagnostic {
    var hasErrors: Bool { contains { $0.severity == .error } }

    /// Files first, then position: the order a person fixes them in.
    func sortedByPosition() -> [Diagnostic] {
        sorted { ($0.file, $0.line, $0.column, $0.message) < ($1.file, $1.line, $1.column, $1.message) }
    }
}
