import Foundation

/// A JSON value with the line and column it starts at. `JSONSerialization` gives
/// neither, and a volunteer fixing a 240-entry file needs `file:line`, so importers
/// parse with this small recursive-descent parser (RFC 8259) instead.
indirect enum JSONValue: Sendable, Equatable {
    case object([(key: String, value: LocatedJSON)])
    case array([LocatedJSON])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case let (.object(x), .object(y)): return x.map(\.key) == y.map(\.key) && x.map(\.value) == y.map(\.value)
        case let (.array(x), .array(y)): return x == y
        case let (.string(x), .string(y)), let (.number(x), .number(y)): return x == y
        case let (.bool(x), .bool(y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }
}

struct LocatedJSON: Sendable, Equatable {
    var value: JSONValue
    var line: Int
    var column: Int
    /// JSON path from the root: `$[12].l`.
    var path: String

    subscript(key: String) -> LocatedJSON? {
        guard case let .object(pairs) = value else { return nil }
        return pairs.first { $0.key == key }?.value
    }

    /// A string (numbers are accepted as written); nil for null, empty or other types.
    var text: String? {
        switch value {
        case let .string(text):
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : trimmed
        case let .number(text): return text
        default: return nil
        }
    }
}

/// A syntax error with its position and the path of the value being read.
struct JSONSyntaxError: Error, Sendable, Equatable {
    var line: Int
    var column: Int
    var path: String
    var problem: String
}

struct JSONParser {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0

    static func parse(_ data: Data) throws(JSONSyntaxError) -> LocatedJSON {
        var parser = JSONParser(bytes: Array(data))
        if parser.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.index = 3 }
        parser.skipSpace()
        let value = try parser.value(path: "$")
        parser.skipSpace()
        guard parser.index == parser.bytes.count else { throw parser.error("données en trop après la fin / trailing data after the end", "$") }
        return value
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Cached position for columns: values are read in order, so the column is
    /// advanced from the last one computed rather than counted from the line start
    /// (SILL exports are one 150 kB line).
    private var cachedIndex = 0
    private var cachedColumn = 1

    /// Columns count characters, not bytes: UTF-8 continuation bytes are skipped.
    private mutating func column() -> Int {
        if cachedIndex < lineStart || cachedIndex > index {
            cachedIndex = lineStart
            cachedColumn = 1
        }
        while cachedIndex < index && cachedIndex < bytes.count {
            if bytes[cachedIndex] & 0xC0 != 0x80 { cachedColumn += 1 }
            cachedIndex += 1
        }
        return cachedColumn
    }

    private mutating func error(_ problem: String, _ path: String) -> JSONSyntaxError {
        JSONSyntaxError(line: line, column: column(), path: path, problem: problem)
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0D: index += 1
            case 0x0A:
                index += 1
                line += 1
                lineStart = index
            default: return
            }
        }
    }

    private mutating func value(path: String) throws(JSONSyntaxError) -> LocatedJSON {
        let startLine = line, startColumn = column()
        guard index < bytes.count else { throw error("fin de fichier inattendue / unexpected end of file", path) }
        let value: JSONValue
        switch bytes[index] {
        case UInt8(ascii: "{"): value = try object(path: path)
        case UInt8(ascii: "["): value = try array(path: path)
        case UInt8(ascii: "\""): value = .string(try string(path: path))
        case UInt8(ascii: "t"): try literal("true", path); value = .bool(true)
        case UInt8(ascii: "f"): try literal("false", path); value = .bool(false)
        case UInt8(ascii: "n"): try literal("null", path); value = .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): value = .number(try number(path: path))
        default:
            throw error("caractère inattendu « \(Character(Unicode.Scalar(bytes[index]))) » / unexpected character", path)
        }
        return LocatedJSON(value: value, line: startLine, column: startColumn, path: path)
    }

    private mutating func literal(_ word: String, _ path: String) throws(JSONSyntaxError) {
        let utf8 = Array(word.utf8)
        guard index + utf8.count <= bytes.count, Array(bytes[index..<index + utf8.count]) == utf8 else {
            throw error("valeur inconnue (true, false ou null attendu) / unknown value (expected true, false or null)", path)
        }
        index += utf8.count
    }

    private mutating func number(path: String) throws(JSONSyntaxError) -> String {
        let start = index
        while index < bytes.count, "+-.eE0123456789".utf8.contains(bytes[index]) { index += 1 }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard Double(text) != nil else { throw error("nombre invalide « \(text) » / invalid number", path) }
        return text
    }

    private mutating func object(path: String) throws(JSONSyntaxError) -> JSONValue {
        index += 1
        var pairs: [(key: String, value: LocatedJSON)] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(pairs)
        }
        while true {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error("clé entre guillemets attendue / expected a quoted key", path)
            }
            let key = try string(path: path)
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("« : » attendu après la clé « \(key) » / expected \":\" after key \"\(key)\"", path + "." + key)
            }
            index += 1
            skipSpace()
            pairs.append((key, try value(path: path + "." + key)))
            skipSpace()
            guard index < bytes.count else { throw error("« } » manquant / missing \"}\"", path) }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(pairs)
            }
            throw error("« , » ou « } » attendu / expected \",\" or \"}\"", path + "." + key)
        }
    }

    private mutating func array(path: String) throws(JSONSyntaxError) -> JSONValue {
        index += 1
        var items: [LocatedJSON] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipSpace()
            items.append(try value(path: "\(path)[\(items.count)]"))
            skipSpace()
            guard index < bytes.count else { throw error("« ] » manquant / missing \"]\"", path) }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            throw error("« , » ou « ] » attendu / expected \",\" or \"]\"", "\(path)[\(items.count - 1)]")
        }
    }

    private mutating func string(path: String) throws(JSONSyntaxError) -> String {
        index += 1
        var result = [UInt8]()
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: result, as: UTF8.self)
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): result.append(escape)
                case UInt8(ascii: "b"): result.append(0x08)
                case UInt8(ascii: "f"): result.append(0x0C)
                case UInt8(ascii: "n"): result.append(0x0A)
                case UInt8(ascii: "r"): result.append(0x0D)
                case UInt8(ascii: "t"): result.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4(path)
                    if (0xD800...0xDBFF).contains(code), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    {
                        let high = index
                        index += 2
                        let low = try hex4(path)
                        if (0xDC00...0xDFFF).contains(low) {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            // A high surrogate without its low half: U+FFFD, and the
                            // escape after it read on its own.
                            index = high
                        }
                    }
                    result.append(contentsOf: Array(String(Character(Unicode.Scalar(code) ?? "\u{FFFD}")).utf8))
                default:
                    throw error("échappement invalide / invalid escape", path)
                }
            case 0x0A:
                throw error("chaîne non terminée / unterminated string", path)
            default:
                result.append(byte)
                index += 1
            }
        }
        throw error("chaîne non terminée / unterminated string", path)
    }

    private mutating func hex4(_ path: String) throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
            throw error("échappement \\u invalide / invalid \\u escape", path)
        }
        index += 4
        return code
    }
}
