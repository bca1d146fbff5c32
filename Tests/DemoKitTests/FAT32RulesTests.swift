import Testing

@testable import DemoKit

@Suite struct FAT32RulesTests {
    @Test(arguments: ["index.html", "catalogue/logiciels/libreoffice.html", "apps/windows/Écoles/Élève.txt", "a b/c-d_e.f"])
    func acceptedPaths(_ path: String) {
        #expect(FAT32Rules.check(path: path).isEmpty)
    }

    @Test func reservedNames() {
        #expect(FAT32Rules.check(path: "docs/CON") == [.reservedName("CON")])
        #expect(FAT32Rules.check(path: "nul.txt") == [.reservedName("nul.txt")])
        #expect(FAT32Rules.check(path: "com1.log") == [.reservedName("com1.log")])
        #expect(FAT32Rules.check(path: "console.txt").isEmpty)
    }

    @Test func forbiddenCharactersAndEndings() {
        #expect(FAT32Rules.check(path: "what?.txt") == [.forbiddenCharacter("?")])
        #expect(FAT32Rules.check(path: "a:b") == [.forbiddenCharacter(":")])
        #expect(FAT32Rules.check(path: "name.") == [.trailingDotOrSpace("name.")])
        #expect(FAT32Rules.check(path: "tab\there") == [.controlCharacter])
    }

    @Test func climbingAndAbsolutePaths() {
        #expect(FAT32Rules.check(path: "/etc/passwd").contains(.absoluteOrClimbing))
        #expect(FAT32Rules.check(path: "../outside").contains(.absoluteOrClimbing))
        #expect(FAT32Rules.check(path: "a/../../b").contains(.absoluteOrClimbing))
        #expect(FAT32Rules.check(path: "a\\b").contains(.absoluteOrClimbing))
    }

    @Test func sizes() {
        #expect(FAT32Rules.check(path: "big.iso", size: FAT32Rules.maxFileSize).isEmpty)
        #expect(FAT32Rules.check(path: "big.iso", size: 1 << 32) == [.tooLarge(size: 1 << 32)])
    }

    @Test func longPaths() {
        let long = String(repeating: "a", count: 200) + "/" + String(repeating: "b", count: 100)
        #expect(FAT32Rules.check(path: long) == [.pathTooLong(301)])
    }

    @Test func caseInsensitiveCollisions() {
        let problems = FAT32Rules.check(files: [("Apps/a.txt", 1), ("apps/b.txt", 1), ("README.txt", 1), ("readme.TXT", 1), ("Élève", 1), ("élève", 1)])
        let collisions = problems.filter { if case .collision = $0.problem { return true } else { return false } }
        // The second of each pair, in sorted order, is reported against the first.
        #expect(collisions.map(\.path).sorted() == ["apps", "readme.TXT", "élève"])
        #expect(collisions.first { $0.path == "apps" }?.problem == .collision(with: "Apps"))
    }
}
