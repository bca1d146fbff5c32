import Foundation

/// A file as recorded in manifests.
public struct FileRecord: Sendable, Codable, Equatable {
    var path: String
    var size: Int64
    var sha256: String
    var role: FileRole?

    init(path: String, size: Int64, sha256: String, role: FileRole? = nil) {
        self.path = path
        self.size = size
        self.sha256 = sha256
        self.role = role
    }
}
