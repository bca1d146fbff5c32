import Foundation
import Testing

@testable import DemoKit

@Suite struct TreeRemovalTests {
    /// A previous key may hold links (a hand-made one, a copied folder): the tree goes,
    /// what the links point to stays.
    @Test func removesATreeWithoutFollowingItsLinks() throws {
        let dir = try TemporaryDirectory()
        let fm = FileManager.default
        let outside = dir.path("outside")
        try fm.createDirectory(at: outside, withIntermediateDirectories: true)
        try "keep".write(to: outside.appendingPathComponent("keep.txt"), atomically: false, encoding: .utf8)
        let tree = dir.path("tree")
        for folder in ["a/b/c", "a/d", "e"] {
            try fm.createDirectory(at: tree.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        for number in 0..<300 {
            let folder = ["a", "a/b", "a/b/c", "e"][number % 4]
            try "\(number)".write(to: tree.appendingPathComponent(folder + "/f\(number).html"), atomically: false, encoding: .utf8)
        }
        try fm.createSymbolicLink(atPath: tree.appendingPathComponent("a/d/folder-link").path, withDestinationPath: outside.path)
        try fm.createSymbolicLink(atPath: tree.appendingPathComponent("e/file-link").path, withDestinationPath: outside.appendingPathComponent("keep.txt").path)
        try fm.createSymbolicLink(atPath: tree.appendingPathComponent("dangling").path, withDestinationPath: dir.path("nowhere").path)

        #expect(TreeRemoval.remove(tree.path))
        #expect(!fm.fileExists(atPath: tree.path))
        #expect(try TestKit.allFiles(in: outside) == ["keep.txt"])
        #expect(try String(contentsOf: outside.appendingPathComponent("keep.txt"), encoding: .utf8) == "keep")
        // Nothing there: nothing to do, and no failure.
        #expect(TreeRemoval.remove(tree.path))
    }
}
