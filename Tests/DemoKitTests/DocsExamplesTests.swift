import Foundation
import Testing

@testable import DemoKit

/// The format pages in docs/ show examples; together they form a small kit that must
/// load without a single diagnostic, so the documentation cannot drift from the code.
@Suite struct DocsExamplesTests {
    /// Blocks starting with `# file: PATH` in the docs' ```yaml fences.
    static func examples() throws -> [String: String] {
        var files: [String: String] = [:]
        for page in ["profile-manifest.md", "catalogue-entry.md", "provider.md", "talk.md"] {
            let text = try String(contentsOf: Repo.root.appendingPathComponent("docs/\(page)"), encoding: .utf8)
            for block in text.components(separatedBy: "```yaml\n").dropFirst() {
                guard let body = block.components(separatedBy: "```").first else { continue }
                let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
                guard let first = lines.first, first.hasPrefix("# file: ") else { continue }
                files[String(first.dropFirst("# file: ".count))] = lines.dropFirst().joined(separator: "\n")
            }
        }
        return files
    }

    @Test func documentedExamplesFormAValidKit() throws {
        let files = try Self.examples()
        #expect(files.count >= 5)
        let dir = try TemporaryDirectory()
        for (path, text) in files {
            let url = dir.path(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let result = KitLoader(root: dir.url, displayPrefix: "").load()
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.kit?.catalogue.first?.id.value == "libreoffice")
        #expect(result.kit?.providers.map(\.id.value) == ["exemple-scop"])
        #expect(result.kit?.settings.region == "Hauts-de-France")
        #expect(result.kit?.talk("mairie")?.slides.count == 4)
        #expect(result.kit?.settings.contact?.name == "Association Exemple du Libre")
    }
}
