import Foundation

/// One file of the key as planned by the stages before it is written.
public struct PlannedFile: Sendable {
    public enum Content: Sendable {
        case bytes(Data)
        case copy(URL)
    }

    /// Path inside the key, `/`-separated, no leading slash.
    public var path: String
    public var content: Content
    /// Role in update manifests: boot, catalogue, site, application.
    public var role: FileRole

    public init(path: String, content: Content, role: FileRole) {
        self.path = path
        self.content = content
        self.role = role
    }

    public static func text(_ path: String, _ text: String, role: FileRole) -> PlannedFile {
        PlannedFile(path: path, content: .bytes(Data(text.utf8)), role: role)
    }
}

public enum FileRole: String, Sendable, Codable, CaseIterable {
    case boot, catalogue, site, application, other
}

/// The whole key before writing: unique paths, sorted.
public struct TreePlan: Sendable {
    public private(set) var files: [PlannedFile] = []
    private var paths: Set<String> = []

    public init() {}

    public mutating func add(_ file: PlannedFile) throws {
        let key = file.path.lowercased()
        guard paths.insert(key).inserted else {
            // FAT32 ignores case: two paths differing only by case are one file there.
            throw FileError(
                path: file.path,
                reason: bilingual(
                    "deux fichiers de la clé ont le même chemin (la casse ne compte pas sur FAT32)",
                    "two files of the key have the same path (FAT32 ignores case)"))
        }
        files.append(file)
    }

    public mutating func add(contentsOf other: [PlannedFile]) throws {
        for file in other { try add(file) }
    }

    public var sortedFiles: [PlannedFile] { files.sorted { $0.path < $1.path } }
}
