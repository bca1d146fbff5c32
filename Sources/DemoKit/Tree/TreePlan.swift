import Foundation

/// One file of the key as planned by the stages before it is written.
struct PlannedFile: Sendable {
    enum Content: Sendable {
        case bytes(Data)
        /// Someone else's file (the kit's, the system's): copied, hashed on the way.
        case copy(URL)
        /// A file demokit owns (content store, extracted base system): hard-linked
        /// into the key when on the same file system, its hash taken from
        /// the store's memo.
        case owned(URL)
        /// Made when written (a site page): the tree never holds every page in memory.
        /// The closure gives the page's key — a hash of everything its bytes are made
        /// from, nil when there is none — and what renders it; a page whose key did not
        /// change since the previous build is taken from it without being rendered.
        case generated(@Sendable () throws -> (key: String?, render: () throws -> Data))
    }

    /// Small files made by demokit are written first, so size checks can run before
    /// the large copies.
    var isGenerated: Bool {
        switch content {
        case .bytes, .generated: return true
        case .copy, .owned: return false
        }
    }

    /// Path inside the key, `/`-separated, no leading slash.
    var path: String
    var content: Content
    /// Role in update manifests: boot, catalogue, site, application.
    var role: FileRole

    init(path: String, content: Content, role: FileRole) {
        self.path = path
        self.content = content
        self.role = role
    }

    /// A generated file with no key: always made.
    static func generated(_ path: String, role: FileRole, _ make: @escaping @Sendable () throws -> Data) -> PlannedFile {
        PlannedFile(path: path, content: .generated { (nil, make) }, role: role)
    }

    static func text(_ path: String, _ text: String, role: FileRole) -> PlannedFile {
        PlannedFile(path: path, content: .bytes(Data(text.utf8)), role: role)
    }
}

enum FileRole: String, Sendable, Codable, CaseIterable {
    case boot, catalogue, site, application, other
}

/// The whole key before writing: unique paths, sorted.
struct TreePlan: Sendable {
    private(set) var files: [PlannedFile] = []
    private var paths: Set<String> = []

    init() {}

    mutating func add(_ file: PlannedFile) throws {
        // Case-insensitive collisions are FAT32 problems, reported by checkFAT32().
        guard paths.insert(file.path).inserted else {
            throw FileError(
                path: file.path,
                reason: bilingual("deux fichiers de la clé ont le même chemin", "two files of the key have the same path"))
        }
        files.append(file)
    }

    mutating func add(contentsOf other: [PlannedFile]) throws {
        for file in other { try add(file) }
    }

    var sortedFiles: [PlannedFile] { files.sorted { $0.path < $1.path } }

    /// Size of each planned file (copies are measured on disk). Generated files are
    /// made to be measured only when `generate` is set; otherwise they count 0.
    func sizes(generate: Bool = false) throws -> [(path: String, size: Int64)] {
        try files.map { file in
            switch file.content {
            case let .bytes(data): return (file.path, Int64(data.count))
            case let .generated(make): return (file.path, generate ? Int64(try make().render().count) : 0)
            case let .copy(url), let .owned(url):
                // A plain `stat`: Foundation's attributes look up owner names too, for
                // each of thousands of files.
                return (file.path, FileFingerprint.of(url.path)?.size ?? 0)
            }
        }
    }

    /// Refuses, before anything is written, a tree that a FAT32 key cannot hold.
    func checkFAT32() throws {
        let problems = FAT32Rules.check(files: try sizes())
        guard problems.isEmpty else { throw TreeCheckError(problems: problems) }
    }
}

/// The key's tree breaks FAT32 rules; every problem is listed with its path.
struct TreeCheckError: UserFacingError {
    var problems: [(path: String, problem: FAT32Rules.Problem)]
    var message: String {
        let lines = problems.map { "  \($0.path): \($0.problem.message)" }.joined(separator: "\n")
        return bilingual("la clé ne peut pas être écrite sur FAT32", "the key cannot be written to FAT32") + ":\n" + lines
    }
}
