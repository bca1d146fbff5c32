import Foundation
import Yams

/// A value read from a manifest with the place it came from, so later checks
/// (a reference to a missing entry, a duplicate id) can point at the right line.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    var file: String
    var line: Int
    var column: Int

    init(_ value: Value, file: String, line: Int, column: Int) {
        self.value = value
        self.file = file
        self.line = line
        self.column = column
    }

    func diagnostic(_ message: String, _ severity: Diagnostic.Severity = .error) -> Diagnostic {
        Diagnostic(severity, file: file, line: line, column: column, message: message)
    }
}

extension Located: Equatable where Value: Equatable {}

/// Reads manifests from Yams nodes rather than through `Decodable`: nodes keep their
/// line and column, and reading field by field lets one run report every problem of a
/// file instead of stopping at the first (the weak point of decoding to `[String: Any]`).
final class ManifestReader {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []

    init(file: String) {
        self.file = file
    }

    /// Yams works its default encoding out from the environment each time it is
    /// asked, once per file: asked once.
    /// (Kept as its raw value: the enum is not marked `Sendable`.)
    static let encodingName = Parser.Encoding.default.rawValue

    /// Parses YAML text; a syntax error becomes a diagnostic at its position.
    ///
    /// With Yams's basic resolver, which gives every plain scalar the `str` tag: the
    /// readers below take scalars as written and never look at their tag, and the
    /// default resolver's regular expressions ran for every scalar (Yams compares
    /// tags to find duplicate keys), most of the parse on a large catalogue.
    func parse(_ text: String) -> Node? {
        do {
            return try Yams.compose(yaml: text, .basic, .default, Parser.Encoding(rawValue: Self.encodingName) ?? .utf8)
        } catch let error as YamlError {
            report(yamlError: error)
        } catch {
            diagnostics.append(Diagnostic(file: file, message: "\(error)"))
        }
        return nil
    }

    /// Reads and parses a file.
    func parse(contentsOf url: URL) -> Node? {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            diagnostics.append(Diagnostic(file: file, message: bilingual("fichier illisible", "cannot read file")))
            return nil
        }
        return parse(data: data)
    }

    /// Parses a file's bytes, which must be UTF-8.
    func parse(data: Data) -> Node? {
        guard let text = String(data: data, encoding: .utf8) else {
            diagnostics.append(
                Diagnostic(
                    file: file,
                    message: bilingual(
                        "le fichier n'est pas en UTF-8 : enregistrez-le en UTF-8", "file is not UTF-8: save it as UTF-8")))
            return nil
        }
        return parse(text)
    }

    private func report(yamlError: YamlError) {
        func add(_ mark: Mark, _ problem: String) {
            diagnostics.append(
                Diagnostic(
                    file: file, line: mark.line, column: mark.column,
                    message: bilingual(
                        "YAML invalide : \(problem)", "invalid YAML: \(problem)")))
        }
        switch yamlError {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            add(mark, problem)
        case let .duplicatedKeysInMapping(duplicates, context):
            add(context.mark, "clé en double / duplicate key: \(duplicates.joined(separator: ", "))")
        default:
            diagnostics.append(Diagnostic(file: file, message: bilingual("YAML invalide : \(yamlError)", "invalid YAML: \(yamlError)")))
        }
    }

    func error(at node: Node?, _ message: String) {
        let mark = node?.mark
        diagnostics.append(Diagnostic(.error, file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, message: message))
    }

    func error(atLine line: Int, column: Int, _ message: String, severity: Diagnostic.Severity = .error) {
        diagnostics.append(Diagnostic(severity, file: file, line: line, column: column, message: message))
    }

    func warning(at node: Node?, _ message: String) {
        let mark = node?.mark
        diagnostics.append(Diagnostic(.warning, file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, message: message))
    }

    func located<T>(_ value: T, _ node: Node) -> Located<T> {
        Located(value, file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    /// Opens a mapping; reports a type error and returns nil otherwise.
    func mapping(_ node: Node, what: String) -> MappingReader? {
        guard case .mapping = node else {
            error(at: node, bilingual("\(what) : une table (clé: valeur) est attendue", "\(what): expected a mapping (key: value)"))
            return nil
        }
        return MappingReader(reader: self, node: node)
    }

    /// A scalar as a string. Numbers and booleans are accepted as written, since
    /// people write `version: 2026.11` without quotes.
    func string(_ node: Node, key: String) -> String? {
        guard case let .scalar(scalar) = node else {
            error(at: node, bilingual("« \(key) » : un texte est attendu", "\"\(key)\": expected a string"))
            return nil
        }
        if scalar.style == .plain && ["~", "null", "Null", "NULL", ""].contains(scalar.string) {
            return nil
        }
        return scalar.string
    }
}

/// Reads the fields of one YAML mapping, remembering which keys were used so the
/// unknown ones (typos) are reported with a suggestion.
final class MappingReader {
    let reader: ManifestReader
    let node: Node
    private var used: Set<String> = []
    /// Made once: made again for every field asked for, it was half the time of
    /// reading an entry.
    private let pairs: [(key: String?, node: Node, value: Node)]

    init(reader: ManifestReader, node: Node) {
        self.reader = reader
        self.node = node
        if case let .mapping(mapping) = node {
            pairs = mapping.map { ($0.key.string, $0.key, $0.value) }
        } else {
            pairs = []
        }
    }

    func value(_ key: String) -> Node? {
        used.insert(key)
        return pairs.first { $0.key == key }?.value
    }

    private func missing(_ key: String) {
        reader.error(at: node, bilingual("champ obligatoire manquant : « \(key) »", "missing required field \"\(key)\""))
    }

    func string(_ key: String, required: Bool = false) -> Located<String>? {
        guard let value = value(key) else {
            if required { missing(key) }
            return nil
        }
        guard let text = reader.string(value, key: key) else {
            if required, case .scalar = value { missing(key) }
            return nil
        }
        let trimmed = text.trimmedWhitespace
        if trimmed.isEmpty {
            if required { missing(key) }
            return nil
        }
        return reader.located(trimmed, value)
    }

    func int(_ key: String, range: ClosedRange<Int>? = nil) -> Int? {
        guard let value = value(key) else { return nil }
        guard let text = reader.string(value, key: key), let number = Int(text) else {
            reader.error(at: value, bilingual("« \(key) » : un nombre entier est attendu", "\"\(key)\": expected an integer"))
            return nil
        }
        if let range, !range.contains(number) {
            reader.error(
                at: value,
                bilingual(
                    "« \(key) » doit être entre \(range.lowerBound) et \(range.upperBound)",
                    "\"\(key)\" must be between \(range.lowerBound) and \(range.upperBound)"))
            return nil
        }
        return number
    }

    /// `true` / `false` (also `yes` / `no`, `oui` / `non`).
    func bool(_ key: String) -> Bool? {
        guard let value = value(key) else { return nil }
        guard let text = reader.string(value, key: key) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "oui": return true
        case "false", "no", "non": return false
        default:
            reader.error(at: value, bilingual("« \(key) » : true ou false est attendu", "\"\(key)\": expected true or false"))
            return nil
        }
    }

    /// A list of strings; a single string is accepted as a one-item list.
    func strings(_ key: String, required: Bool = false) -> [Located<String>] {
        guard let value = value(key) else {
            if required { missing(key) }
            return []
        }
        switch value {
        case .scalar:
            if let text = reader.string(value, key: key), !text.isEmpty {
                return [reader.located(text, value)]
            }
            if required { missing(key) }
            return []
        case let .sequence(sequence):
            var result: [Located<String>] = []
            for item in sequence {
                guard case .scalar = item else {
                    reader.error(at: item, bilingual("« \(key) » : chaque élément doit être un texte", "\"\(key)\": each item must be a string"))
                    continue
                }
                if let text = reader.string(item, key: key)?.trimmedWhitespace, !text.isEmpty {
                    result.append(reader.located(text, item))
                }
            }
            if required && result.isEmpty { missing(key) }
            return result
        default:
            reader.error(at: value, bilingual("« \(key) » : une liste est attendue", "\"\(key)\": expected a list"))
            return []
        }
    }

    /// `{fr: …, en: …}`; French is required when the field is.
    func localized(_ key: String, required: Bool = false) -> LocalizedText? {
        localized(key, required: required, frenchOptional: false)?.text
    }

    /// Like `localized(_:required:)`; with `frenchOptional`, a text given only in
    /// English is accepted (imported entries): `text.fr` is then the English text
    /// and `missingFrench` is true.
    func localized(_ key: String, required: Bool, frenchOptional: Bool) -> (text: LocalizedText, missingFrench: Bool)? {
        guard let value = value(key) else {
            if required { missing(key) }
            return nil
        }
        if case .scalar = value {
            reader.error(
                at: value,
                bilingual(
                    "« \(key) » : indiquez le texte par langue (fr: …, en: …)",
                    "\"\(key)\": give the text per language (fr: …, en: …)"))
            return nil
        }
        guard let fields = reader.mapping(value, what: key) else { return nil }
        let fr = fields.string("fr")
        let en = fields.string("en")
        fields.finish(allowed: ["fr", "en"])
        guard let fr else {
            if frenchOptional, let en {
                return (LocalizedText(fr: en.value, en: en.value), true)
            }
            if required || en != nil {
                reader.error(at: value, bilingual("« \(key) » : texte français manquant (fr:)", "\"\(key)\": missing French text (fr:)"))
            }
            return nil
        }
        return (LocalizedText(fr: fr.value, en: en?.value), false)
    }

    /// Reports keys that were never read, with the closest known key as a hint.
    func finish(allowed extra: [String] = []) {
        let known = used.union(extra)
        for (key, keyNode, _) in pairs {
            guard let key else { continue }
            if known.contains(key) { continue }
            var message = BilingualMessage("clé inconnue « \(key) »", "unknown key \"\(key)\"")
            message.suggest(closest(to: key, in: known.sorted()))
            reader.error(at: keyNode, message.text)
        }
    }
}

extension String {
    /// `trimmingCharacters(in: .whitespacesAndNewlines)`, reading only the ends:
    /// Foundation's goes through `NSString` for every field of every entry. The same
    /// set: Unicode's White_Space property is Z* with
    /// U+0009–U+000D and U+0085, and Foundation adds the zero-width space
    /// (`YAMLReaderTests` compares the two on every scalar).
    var trimmedWhitespace: String {
        func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace || scalar == "\u{200B}" }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) })
        else { return "" }
        if first == scalars.startIndex, scalars.index(after: last) == scalars.endIndex { return self }
        return String(scalars[first...last])
    }
}

/// The candidate within a small edit distance of `word`, for "did you mean" hints.
func closest(to word: String, in candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
    guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 3) else { return nil }
    return best.0
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}

extension Located: Codable where Value: Codable {}
