import Foundation

/// What a FAT32 key (and Windows reading it) accepts, checked before anything is
/// copied: a key that cannot hold a file must fail at plan time, not half-way.
public enum FAT32Rules {
    /// FAT32 stores sizes in 32 bits: 4 GiB − 1 is the largest file.
    static let maxFileSize: Int64 = (1 << 32) - 1
    /// Windows' classic path limit (260 with the drive letter and the final NUL).
    static let maxPathLength = 255
    /// A long file name holds 255 UTF-16 units.
    static let maxNameLength = 255

    static let reservedNames: Set<String> = {
        var names: Set<String> = ["CON", "PRN", "AUX", "NUL", "CLOCK$", "CONIN$", "CONOUT$"]
        for n in 0...9 {
            names.insert("COM\(n)")
            names.insert("LPT\(n)")
        }
        for digit in ["¹", "²", "³"] {
            names.insert("COM\(digit)")
            names.insert("LPT\(digit)")
        }
        return names
    }()

    static let forbiddenCharacters = Set("<>:\"\\|?*")

    public enum Problem: Equatable, Sendable {
        case tooLarge(size: Int64)
        case reservedName(String)
        case forbiddenCharacter(Character)
        case controlCharacter
        case trailingDotOrSpace(String)
        case pathTooLong(Int)
        case nameTooLong(String)
        case collision(with: String)
        case absoluteOrClimbing
        case emptyComponent

        public var message: String {
            switch self {
            case let .tooLarge(size):
                return bilingual(
                    "fichier de \(formatBytes(size)) : FAT32 ne peut pas contenir un fichier de 4 Gio ou plus (découpez-le ou réduisez-le)",
                    "file of \(size) bytes: FAT32 cannot hold a file of 4 GiB or more (split or shrink it)")
            case let .reservedName(name):
                return bilingual(
                    "« \(name) » est un nom réservé sous Windows : renommez le fichier",
                    "\"\(name)\" is a reserved name on Windows: rename the file")
            case let .forbiddenCharacter(character):
                return bilingual(
                    "caractère interdit sur FAT32 « \(character) » : renommez le fichier",
                    "character not allowed on FAT32 \"\(character)\": rename the file")
            case .controlCharacter:
                return bilingual("caractère de contrôle dans le nom", "control character in the name")
            case let .trailingDotOrSpace(name):
                return bilingual(
                    "« \(name) » finit par un point ou une espace, que Windows supprime",
                    "\"\(name)\" ends with a dot or a space, which Windows drops")
            case let .pathTooLong(length):
                return bilingual(
                    "chemin trop long (\(length) caractères, \(maxPathLength) au plus)",
                    "path too long (\(length) characters, at most \(maxPathLength))")
            case let .nameTooLong(name):
                return bilingual("nom trop long : « \(name) »", "name too long: \"\(name)\"")
            case let .collision(other):
                return bilingual(
                    "même nom que « \(other) » quand la casse est ignorée (FAT32 ne distingue pas majuscules et minuscules)",
                    "same name as \"\(other)\" when case is ignored (FAT32 does not tell upper and lower case apart)")
            case .absoluteOrClimbing:
                return bilingual("chemin absolu ou qui sort de la clé", "absolute path or one that climbs out of the key")
            case .emptyComponent:
                return bilingual("chemin avec un élément vide", "path with an empty component")
            }
        }
    }

    /// Problems of one path (relative, `/`-separated) and size, not counting collisions.
    static func check(path: String, size: Int64 = 0) -> [Problem] {
        if size <= maxFileSize, isPlainPath(path) { return [] }
        return slowCheck(path: path, size: size)
    }

    /// A path that breaks no rule, told from its bytes: short, printable ASCII without
    /// the forbidden characters, no empty, `.` or `..` component, none ending in a dot
    /// or a space, no reserved stem. The 46,000 paths of a large key are nearly all
    /// like that; `slowCheck` says the same of them (`FAT32RulesTests` compares the
    /// two on random paths), at a fraction of the cost.
    static func isPlainPath(_ path: String) -> Bool {
        var path = path
        return path.withUTF8 { isPlainPath(bytes: $0) }
    }

    static func isPlainPath(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.count <= maxPathLength else { return false }
        var start = 0
        for index in 0...bytes.count {
            let byte: UInt8 = index < bytes.count ? bytes[index] : 0x2F
            if byte == 0x2F {
                let length = index - start
                guard length > 0 else { return false }
                let last = bytes[index - 1]
                // A trailing dot or space; `.` and `..` end with a dot too.
                guard last != 0x2E, last != 0x20 else { return false }
                // The stem as `slowCheck` takes it: leading dots skipped, up to the
                // next dot, spaces trimmed. Reserved names have 3 to 7 characters.
                var stemStart = start
                while stemStart < index, bytes[stemStart] == 0x2E { stemStart += 1 }
                var stemEnd = stemStart
                while stemEnd < index, bytes[stemEnd] != 0x2E { stemEnd += 1 }
                while stemStart < stemEnd, bytes[stemStart] == 0x20 { stemStart += 1 }
                while stemEnd > stemStart, bytes[stemEnd - 1] == 0x20 { stemEnd -= 1 }
                if (3...7).contains(stemEnd - stemStart) {
                    let stem = String(decoding: UnsafeBufferPointer(rebasing: bytes[stemStart..<stemEnd]), as: UTF8.self)
                    guard !reservedNames.contains(stem.uppercased()) else { return false }
                }
                start = index + 1
                continue
            }
            // Printable ASCII but  " * : < > ? \ |
            guard byte >= 0x20, byte < 0x7F, !plainForbidden[Int(byte)] else { return false }
        }
        return true
    }

    static let plainForbidden: [Bool] = (0..<128).map { Array("<>:\"\\|?*".utf8).contains(UInt8($0)) }

    /// The rules one by one, for any path.
    static func slowCheck(path: String, size: Int64 = 0) -> [Problem] {
        var problems: [Problem] = []
        if path.hasPrefix("/") || path.hasPrefix("\\") || path.contains("\\") {
            problems.append(.absoluteOrClimbing)
        }
        let components = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for component in components {
            if component.isEmpty {
                problems.append(.emptyComponent)
                continue
            }
            if component == "." || component == ".." {
                problems.append(.absoluteOrClimbing)
                continue
            }
            let stem = component.split(separator: ".", maxSplits: 1).first.map(String.init) ?? component
            if reservedNames.contains(stem.uppercased().trimmingCharacters(in: .whitespaces)) {
                problems.append(.reservedName(component))
            }
            if let bad = component.first(where: { forbiddenCharacters.contains($0) }) {
                problems.append(.forbiddenCharacter(bad))
            }
            if component.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                problems.append(.controlCharacter)
            }
            if component.hasSuffix(".") || component.hasSuffix(" ") {
                problems.append(.trailingDotOrSpace(component))
            }
            if component.utf16.count > maxNameLength {
                problems.append(.nameTooLong(component))
            }
        }
        if path.utf16.count > maxPathLength {
            problems.append(.pathTooLong(path.utf16.count))
        }
        if size > maxFileSize {
            problems.append(.tooLarge(size: size))
        }
        return problems
    }

    /// A leading or trailing `/`, or `//`, from the bytes: Foundation's `contains` goes
    /// through `NSString` for each path.
    static func hasEmptyComponent(_ path: String) -> Bool {
        guard !path.isEmpty else { return false }
        let slash = UInt8(ascii: "/")
        var previous: UInt8 = slash
        for byte in path.utf8 {
            if byte == slash, previous == slash { return true }
            previous = byte
        }
        return previous == slash
    }

    /// `text.uppercased()`, the name Windows compares: for ASCII (nearly every path
    /// of a key) from the bytes, which is the same and a fraction of the cost on the
    /// tens of thousands of paths and folders of a large key.
    static func caseKey(_ text: Substring) -> String {
        var text = text
        let ascii = text.withUTF8 { bytes -> String? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            return String(unsafeUninitializedCapacity: bytes.count) { out in
                for index in bytes.indices {
                    let byte = bytes[index]
                    out[index] = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 0x20 : byte
                }
                return bytes.count
            }
        }
        return ascii ?? text.uppercased()
    }

    /// Every problem of a whole tree, collisions included (folders too: `Apps/` and
    /// `apps/` are one folder on FAT32). Paths are compared case-insensitively the way
    /// Windows does: Unicode simple case folding, not normalisation.
    static func check(files: [(path: String, size: Int64)]) -> [(path: String, problem: Problem)] {
        var problems: [(String, Problem)] = []
        var seen: [String: String] = [:]
        seen.reserveCapacity(files.count + files.count / 4)
        // A folder of thousands of files is compared once, not once per file.
        var foldersSeen: Set<Substring> = []
        let slash = UInt8(ascii: "/")
        for file in files.sorted(by: { $0.path < $1.path }) {
            for problem in check(path: file.path, size: file.size) {
                problems.append((file.path, problem))
            }
            let path = file.path
            guard path.utf8.contains(where: { $0 != slash }) else { continue }
            var prefixes: [Substring] = []
            if hasEmptyComponent(path) {
                // Empty components (already reported): compared as joined without them.
                let components = path.split(separator: "/")
                prefixes = (1...components.count).map { Substring(components[0..<$0].joined(separator: "/")) }
            } else {
                // Folders from the deepest up, as long as they are new; then the file.
                // Found from the bytes: no leading, trailing or double slash here, and
                // a slash is a whole character, so each one ends a folder.
                var end = path.utf8.endIndex
                while let folderEnd = path.utf8[..<end].lastIndex(of: slash) {
                    let folder = path[..<folderEnd]
                    guard foldersSeen.insert(folder).inserted else { break }
                    prefixes.append(folder)
                    end = folderEnd
                }
                prefixes.reverse()
                prefixes.append(Substring(path))
            }
            for prefix in prefixes {
                let key = caseKey(prefix)
                if let other = seen[key], other != prefix {
                    problems.append((String(prefix), .collision(with: other)))
                } else {
                    seen[key] = String(prefix)
                }
            }
        }
        // A folder colliding with many files is reported once.
        var unique: [(String, Problem)] = []
        for item in problems where !unique.contains(where: { $0.0 == item.0 && $0.1 == item.1 }) {
            unique.append(item)
        }
        return unique
    }
}
