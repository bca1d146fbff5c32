import Foundation
import Testing

/// The library's folders in the order the build uses them (docs/architecture.md): a
/// folder may use the types of the folders before it, never of those after. One
/// module holds them all, so the compiler does not check this; this test does, from
/// the sources, by the top-level types each folder declares.
@Suite struct LayeringTests {
    static let order = [
        "Core", "Manifest", "Tree", "Net", "Release", "Kit", "Store", "Archive", "Apps", "Catalogue", "Site", "Boot", "LiveBase",
        "Incremental", "Build", "Publish", "Update",
    ]

    static let sources = Repo.root.appendingPathComponent("Sources/DemoKit")

    /// Each Swift file's text without comments and string literals, by folder.
    static func files() throws -> [(folder: String, file: String, code: String)] {
        var files: [(String, String, String)] = []
        for folder in try FileManager.default.contentsOfDirectory(atPath: sources.path).sorted() where folder != "Resources" {
            let url = sources.appendingPathComponent(folder)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            for name in try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() where name.hasSuffix(".swift") {
                let text = try String(contentsOf: url.appendingPathComponent(name), encoding: .utf8)
                files.append((folder, name, strip(text)))
            }
        }
        return files
    }

    static func strip(_ text: String) -> String {
        var code = text
        for pattern in [#""""[\s\S]*?""""#, #""(?:[^"\\\n]|\\.)*""#, #"//[^\n]*"#, #"/\*[\s\S]*?\*/"#] {
            code = code.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        return code
    }

    @Test func everyFolderHasItsPlace() throws {
        let folders = Set(try Self.files().map(\.folder))
        #expect(folders == Set(Self.order), "add a new folder to LayeringTests.order and docs/architecture.md")
    }

    @Test func foldersUseOnlyTheFoldersBeforeThem() throws {
        let files = try Self.files()
        let declaration = try NSRegularExpression(
            pattern: #"^(?:(?:public|final|private|fileprivate|internal|indirect)\s+)*(?:struct|class|enum|protocol|actor|typealias)\s+([A-Z]\w*)"#,
            options: .anchorsMatchLines)
        var owner: [String: String] = [:]
        for file in files {
            let range = NSRange(file.code.startIndex..., in: file.code)
            for match in declaration.matches(in: file.code, range: range) {
                owner[String(file.code[Range(match.range(at: 1), in: file.code)!])] = file.folder
            }
        }
        #expect(owner.count > 100, "the declarations were not found")
        var problems: [String] = []
        for file in files {
            guard let rank = Self.order.firstIndex(of: file.folder) else { continue }
            for (name, folder) in owner where folder != file.folder {
                guard let other = Self.order.firstIndex(of: folder), other > rank else { continue }
                // A use, not a member of another type spelled the same (`System.FileDescriptor`).
                if file.code.range(of: #"(?<![.\w])"# + name + #"\b"#, options: .regularExpression) != nil {
                    problems.append("\(file.folder)/\(file.file) uses \(name) from \(folder), a later folder")
                }
            }
        }
        #expect(problems.isEmpty, "\(problems.sorted().joined(separator: "\n"))")
    }
}
