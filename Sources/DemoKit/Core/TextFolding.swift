/// Accent and case folding for French search. The page's JavaScript does exactly the
/// same (`payload/theme/assets/search.js`), checked by shared test vectors, so a word
/// indexed at build time is found by what a presenter types.
///
/// lowercase → `œ`→`oe`, `æ`→`ae` → canonical decomposition (NFD) → drop nonspacing marks.
enum TextFolding {
    static func fold(_ text: String) -> String {
        // ASCII text has nothing to decompose or replace: lowercase is the whole folding.
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            return String(decoding: text.utf8.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
        }
        // Latin text (all of French): each letter folds on its own, so its folding is
        // looked up in a table made once by the full path below — the same result,
        // without Foundation's normalisation on every description of a 10,000-entry
        // catalogue.
        if text.unicodeScalars.allSatisfy({ $0.value < latinLimit }) {
            // Built as UTF-8 bytes: appending to a `String.UnicodeScalarView` is several
            // times slower.
            var out: [UInt8] = []
            out.reserveCapacity(text.utf8.count)
            let table = latinUTF8
            for scalar in text.unicodeScalars {
                let value = scalar.value
                if value < 0x80 {
                    out.append(UInt8(value) &+ ((0x41...0x5A).contains(value) ? 0x20 : 0))
                } else {
                    out.append(contentsOf: table[Int(value)])
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
        return slowFold(text)
    }

    /// Below U+0250 (Latin-1 and Latin Extended-A/B): no context-dependent lowercasing,
    /// no combining marks, so folding a text is folding each of its letters.
    static let latinLimit: UInt32 = 0x250

    static let latinTable: [String] = (0..<latinLimit).map { value in
        Unicode.Scalar(value).map { slowFold(String(Character($0))) } ?? ""
    }

    static let latinUTF8: [[UInt8]] = latinTable.map { Array($0.utf8) }

    static func slowFold(_ text: String) -> String {
        let lowered = text.lowercased()
            .replacingOccurrences(of: "œ", with: "oe")
            .replacingOccurrences(of: "æ", with: "ae")
        var scalars = String.UnicodeScalarView()
        for scalar in lowered.decomposedStringWithCanonicalMapping.unicodeScalars
        where scalar.properties.generalCategory != .nonspacingMark {
            scalars.append(scalar)
        }
        return String(scalars)
    }

    /// An id's words: `maarch-courrier` → `maarch courrier`. By bytes (a hyphen is
    /// one byte in UTF-8 and never part of another character's): Foundation's
    /// `replacingOccurrences` copies through `NSString`, twice per entry and stage.
    static func hyphensAsSpaces(_ id: String) -> String {
        guard id.utf8.contains(0x2D) else { return id }
        return String(decoding: id.utf8.map { $0 == 0x2D ? 0x20 : $0 }, as: UTF8.self)
    }

    /// Words of folded text: runs of letters and digits.
    static func tokens(_ text: String) -> [String] {
        // By UTF-8 bytes, ASCII classified without the Unicode tables (a letter or a
        // digit is a word character there, as `isAlphabetic`/`numericType` say).
        var tokens: [String] = []
        var current: [UInt8] = []
        func flush() {
            if !current.isEmpty { tokens.append(String(decoding: current, as: UTF8.self)) }
            current.removeAll(keepingCapacity: true)
        }
        for scalar in fold(text).unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                if (0x61...0x7A).contains(value) || (0x41...0x5A).contains(value) || (0x30...0x39).contains(value) {
                    current.append(UInt8(value))
                } else {
                    flush()
                }
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                UTF8.encode(scalar) { current.append($0) }
            } else {
                flush()
            }
        }
        flush()
        return tokens
    }

    /// The definition `tokens` must match: runs of letters and digits of the folded text.
    static func slowTokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in fold(text).unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                current.append(scalar)
            } else if !current.isEmpty {
                tokens.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { tokens.append(String(current)) }
        return tokens
    }
}
