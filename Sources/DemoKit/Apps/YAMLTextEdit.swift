import Foundation
import Yams

/// Small edits to a YAML file's text that keep everything else as the maintainer
/// wrote it (comments, order, quoting): nodes give the lines to touch, the text
/// around them is left alone.
enum YAMLTextEdit {
    struct EditError: UserFacingError {
        var file: String
        var reason: String
        var message: String { "\(file): \(reason)" }
    }

    /// Replaces the top-level `key:` block with `block` (full lines, `key:` included),
    /// or appends it at the end when the key is absent.
    static func setTopLevelBlock(_ key: String, to block: String, in text: String, file: String) throws -> String {
        guard case let .mapping(mapping)? = try compose(text, file) else {
            throw EditError(file: file, reason: bilingual("une table YAML est attendue", "expected a YAML mapping"))
        }
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        let keyLines = mapping.keys.compactMap { $0.mark?.line }.sorted()
        let newLines = block.components(separatedBy: "\n").filter { !$0.isEmpty }
        guard let keyNode = mapping.keys.first(where: { $0.string == key }), let start = keyNode.mark?.line else {
            return (lines + newLines).joined(separator: "\n") + "\n"
        }
        var end = keyLines.first { $0 > start }.map { $0 - 1 } ?? lines.count  // 1-based, inclusive
        // Comments and blank lines just before the next key belong to it.
        while end > start, lines[end - 1].trimmingCharacters(in: .whitespaces).isEmpty || lines[end - 1].hasPrefix("#") {
            end -= 1
        }
        lines.replaceSubrange((start - 1)..<end, with: newLines)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Adds `item` to the top-level list `key` unless it is there, keeping the list's
    /// style (`- item` lines or `[a, b]`). Returns nil when nothing changed.
    static func appendToList(_ key: String, item: String, in text: String, file: String) throws -> String? {
        guard case let .mapping(mapping)? = try compose(text, file), let list = mapping[key] else {
            throw EditError(file: file, reason: bilingual("pas de liste « \(key) »", "no \"\(key)\" list"))
        }
        guard case let .sequence(sequence) = list, let last = sequence.last, let mark = last.mark else {
            throw EditError(
                file: file,
                reason: bilingual(
                    "« \(key) » n'est pas une liste : ajoutez « \(item) » à la main", "\"\(key)\" is not a list: add \"\(item)\" by hand"))
        }
        if sequence.contains(where: { $0.string == item }) { return nil }
        var lines = text.components(separatedBy: "\n")
        let index = mark.line - 1
        guard lines.indices.contains(index) else { throw EditError(file: file, reason: "line \(mark.line)") }
        let line = Array(lines[index])
        let column = min(max(mark.column - 1, 0), line.count)
        // Yams does not keep the list's style: a block item is preceded by "- " only.
        let before = String(line[..<column])
        let isFlow = before.contains("[") || !before.trimmingCharacters(in: .whitespaces).hasSuffix("-")
        if isFlow {
            // Scan from the key for the list's closing bracket (quotes respected) and
            // insert before it: item marks inside flow lists are not reliable.
            guard let keyLine = mapping.keys.first(where: { $0.string == key })?.mark?.line else {
                throw EditError(file: file, reason: "\(key)")
            }
            var quote: Character?
            var depth = 0
            for row in (keyLine - 1)..<lines.count {
                let characters = Array(lines[row])
                for (column, character) in characters.enumerated() {
                    if let open = quote {
                        if character == open { quote = nil }
                        continue
                    }
                    switch character {
                    case "\"", "'": quote = character
                    case "[": depth += 1
                    case "]":
                        depth -= 1
                        if depth == 0 {
                            var end = column
                            while end > 0, characters[end - 1] == " " { end -= 1 }
                            lines[row] = String(characters[..<end]) + ", \(item)" + String(characters[end...])
                            return lines.joined(separator: "\n")
                        }
                    default: break
                    }
                }
            }
            throw EditError(file: file, reason: bilingual("liste « \(key) » non fermée", "unclosed \"\(key)\" list"))
        } else {
            lines.insert(String(line[..<column]) + item, at: index + 1)
        }
        return lines.joined(separator: "\n")
    }

    /// A double-quoted YAML string.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    private static func compose(_ text: String, _ file: String) throws -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch {
            throw EditError(file: file, reason: bilingual("YAML invalide : \(error)", "invalid YAML: \(error)"))
        }
    }
}
