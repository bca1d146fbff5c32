import Foundation

/// An error the user can act on: what went wrong, where, and what to do next,
/// in French then English. The command line prints `message` and exits non-zero.
public protocol UserFacingError: Error, CustomStringConvertible {
    var message: String { get }
}

extension UserFacingError {
    public var description: String { message }
}

/// The kit's manifests have problems; every one of them is listed.
public struct KitValidationError: UserFacingError {
    public var diagnostics: [Diagnostic]
    public var message: String {
        let count = diagnostics.filter { $0.severity == .error }.count
        return bilingual(
            "le kit contient \(count) erreur(s) : corrigez-les puis relancez",
            "the kit has \(count) error(s): fix them and run again")
    }
}

/// A file or folder could not be read or written.
public struct FileError: UserFacingError {
    var path: String
    var reason: String
    var hint: String?

    public init(path: String, reason: String, hint: String? = nil) {
        self.path = path
        self.reason = reason
        self.hint = hint
    }

    public var message: String {
        var text = "\(path): \(reason)"
        if let hint { text += "\n  \(hint)" }
        return text
    }
}
