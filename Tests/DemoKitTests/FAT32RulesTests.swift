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

/// `FAT32Rules.check(path:)` answers most paths from their bytes; what it says must
/// be what the rules one by one say.
@Suite struct FAT32FastPathTests {
    static let pieces = [
        "a", "B", "index", "html", "con", "CON", "Con", "com1", "lpt9", "clock$", "conout$", "aux", " con", "con ", "nul ",
        ".", "..", "...", " ", "é", "Élève", "日本", "x?", "a:b", "a*", "<", "|", "\\", "\"", "\t", "\u{7F}", "-", "_", "~", "'",
        "gen-00001", "logiciels", "fiches", "apps", "LibreOfficePortable", "Ｃｏｎ", "COM¹", String(repeating: "n", count: 120),
    ]

    static func randomPath(_ generator: inout some RandomNumberGenerator) -> String {
        let components = Int.random(in: 1...4, using: &generator)
        return (0..<components).map { _ in
            let parts = Int.random(in: 1...3, using: &generator)
            return (0..<parts).map { _ in pieces.randomElement(using: &generator)! }.joined(separator: Bool.random(using: &generator) ? "." : "")
        }.joined(separator: Int.random(in: 0..<12, using: &generator) == 0 ? "//" : "/")
    }

    @Test func theFastPathSaysWhatTheRulesSay() {
        var generator = SeededGenerator(seed: 8)
        var plain = 0
        for _ in 0..<20_000 {
            var path = Self.randomPath(&generator)
            if Int.random(in: 0..<20, using: &generator) == 0 { path = "/" + path }
            if Int.random(in: 0..<20, using: &generator) == 0 { path += "/" }
            let size: Int64 = Int.random(in: 0..<50, using: &generator) == 0 ? 1 << 32 : 10
            #expect(FAT32Rules.check(path: path, size: size) == FAT32Rules.slowCheck(path: path, size: size), "\(path)")
            let empty = path.hasPrefix("/") || path.hasSuffix("/") || path.contains("//")
            #expect(FAT32Rules.hasEmptyComponent(path) == empty, "\(path)")
            if FAT32Rules.isPlainPath(path) { plain += 1 }
        }
        // Both sides of the fast path were taken.
        #expect(plain > 1000 && plain < 19_000, "\(plain) plain paths")
    }

    /// Whole trees: collisions are found the same way when folders are compared once.
    @Test func collisionsAreTheSameWhenFoldersAreComparedOnce() {
        var generator = SeededGenerator(seed: 9)
        for _ in 0..<300 {
            let files = (0..<Int.random(in: 1...40, using: &generator)).map { _ in
                (path: Self.randomPath(&generator).replacingOccurrences(of: "Élève", with: "élève"), size: Int64(1))
            }
            let fast = FAT32Rules.check(files: files)
            let slow = FAT32FastPathTests.slowCheck(files: files)
            #expect(fast.map(\.path) == slow.map(\.path))
            #expect(fast.map(\.problem) == slow.map(\.problem))
        }
    }

    /// The tree check as it was written before folders were compared once.
    static func slowCheck(files: [(path: String, size: Int64)]) -> [(path: String, problem: FAT32Rules.Problem)] {
        var problems: [(String, FAT32Rules.Problem)] = []
        var seen: [String: String] = [:]
        for file in files.sorted(by: { $0.path < $1.path }) {
            for problem in FAT32Rules.slowCheck(path: file.path, size: file.size) {
                problems.append((file.path, problem))
            }
            let components = file.path.split(separator: "/").map(String.init)
            for depth in 1...max(components.count, 1) where depth <= components.count {
                let prefix = components[0..<depth].joined(separator: "/")
                let key = prefix.uppercased()
                if let other = seen[key], other != prefix {
                    problems.append((prefix, .collision(with: other)))
                } else {
                    seen[key] = prefix
                }
            }
        }
        var unique: [(String, FAT32Rules.Problem)] = []
        for item in problems where !unique.contains(where: { $0.0 == item.0 && $0.1 == item.1 }) {
            unique.append(item)
        }
        return unique
    }
}

/// Deterministic random numbers (SplitMix64), so a failing case can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
