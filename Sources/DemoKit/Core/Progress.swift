import Foundation

/// Where long steps report what they do. The command line picks a live,
/// one-line display on a terminal and plain lines otherwise.
public protocol ProgressReporter: Sendable {
    /// A new stage starts (e.g. « catalogue », « copie des fichiers »).
    func stage(_ name: String)
    /// Work done so far in the current stage.
    func advance(files: Int, bytes: Int64, totalFiles: Int?, totalBytes: Int64?)
    /// A line worth showing (normal verbosity).
    func info(_ text: String)
    /// A line shown only with `--verbose`.
    func detail(_ text: String)
    /// A warning: always shown, even with `--quiet`.
    func warning(_ text: String)
}

/// Reports nothing; the library's default.
public struct SilentProgress: ProgressReporter {
    public init() {}
    public func stage(_ name: String) {}
    public func advance(files: Int, bytes: Int64, totalFiles: Int?, totalBytes: Int64?) {}
    public func info(_ text: String) {}
    public func detail(_ text: String) {}
    public func warning(_ text: String) {}
}

/// Formats a byte count the way a volunteer reads it: « 12,3 Mo » in French,
/// "12.3 MB" in English (binary multiples, as file managers show them).
public func formatBytes(_ bytes: Int64, english: Bool = false) -> String {
    let units = english ? ["B", "KB", "MB", "GB", "TB"] : ["o", "Ko", "Mo", "Go", "To"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    if unit == 0 { return "\(bytes) \(units[0])" }
    let text = String(format: "%.1f", value)
    return "\(english ? text : text.replacingOccurrences(of: ".", with: ",")) \(units[unit])"
}
