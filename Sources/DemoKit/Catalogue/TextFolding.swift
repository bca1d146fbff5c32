/// Accent and case folding for French search. The page's JavaScript does exactly the
/// same (`payload/theme/assets/search.js`), checked by shared test vectors, so a word
/// indexed at build time is found by what a presenter types.
///
/// lowercase → `œ`→`oe`, `æ`→`ae` → canonical decomposition (NFD) → drop nonspacing marks.
public enum TextFolding {
    public static func fold(_ text: String) -> String {
        // ASCII text has nothing to decompose or replace: lowercase is the whole folding.
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            return String(decoding: text.utf8.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
        }
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

    /// Words of folded text: runs of letters and digits.
    public static func tokens(_ text: String) -> [String] {
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
