import Foundation

/// Turns the licence texts found in public catalogues (« GPL V2.0 », « LGPL-2.1,
/// LGPL-2.0 », « agpl-3.0 », « N/A ») into SPDX expressions the kit accepts.
///
/// Lists separated by commas or slashes become `OR` (the SILL lists alternatives and
/// per-component licences the same way, and `OR` is what a user may rely on for the
/// whole); « et » / « and » becomes `AND`. Ids are fixed for case and common
/// misspellings; what still is not SPDX becomes `LicenseRef-<text>`, which
/// `demokit catalogue check` reports as an unknown licence.
enum LicenceNormaliser {
    public struct Result: Sendable, Equatable {
        var expression: String
        /// Set when the text had to be changed: what was found.
        var original: String?
        var unknown: Bool
    }

    static let unknownID = "LicenseRef-unknown"

    static func normalise(_ raw: String?) -> Result {
        let text = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty || ["n/a", "na", "none", "unknown", "inconnue", "-"].contains(text.lowercased()) {
            return Result(expression: unknownID, original: text.isEmpty ? nil : text, unknown: true)
        }
        if SPDX.validate(text) == nil { return Result(expression: text, original: nil, unknown: false) }
        var unknown = false
        let alternatives = text.replacingOccurrences(of: " / ", with: ",").replacingOccurrences(of: "/", with: ",")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var parts: [String] = []
        for alternative in alternatives {
            let conjuncts = alternative.components(separatedBy: " et ").flatMap { $0.components(separatedBy: " and ") }
            var ids: [String] = []
            for conjunct in conjuncts {
                if SPDX.validate(conjunct) == nil, !conjunct.contains(" ") {
                    ids.append(conjunct)
                } else if let fixed = fixID(conjunct) {
                    ids.append(fixed)
                } else if let canonical = canonicalExpression(conjunct) {
                    ids.append(canonical)
                } else {
                    unknown = true
                    ids.append(licenseRef(conjunct))
                }
            }
            parts.append(ids.count > 1 ? "(" + ids.joined(separator: " AND ") + ")" : ids[0])
        }
        var unique: [String] = []
        for part in parts where !unique.contains(part) { unique.append(part) }
        var expression = unique.joined(separator: " OR ")
        if unique.count == 1, expression.hasPrefix("("), expression.hasSuffix(")") {
            expression = String(expression.dropFirst().dropLast())
        }
        if SPDX.validate(expression) != nil {
            return Result(expression: licenseRef(text), original: text, unknown: true)
        }
        return Result(expression: expression, original: text, unknown: unknown)
    }

    /// An expression whose ids only have the wrong case (`gpl-3.0 or mit`).
    static func canonicalExpression(_ text: String) -> String? {
        let tokens = SPDX.tokens(text).map { token -> String in
            let upper = token.uppercased()
            if ["AND", "OR", "WITH"].contains(upper) { return upper }
            if ["(", ")"].contains(token) { return token }
            let plus = token.hasSuffix("+")
            let id = plus ? String(token.dropLast()) : token
            return (SPDX.canonical(id) ?? id) + (plus ? "+" : "")
        }
        let expression = tokens.joined(separator: " ").replacingOccurrences(of: "( ", with: "(").replacingOccurrences(of: " )", with: ")")
        return SPDX.validate(expression) == nil ? expression : nil
    }

    /// One id written loosely: « GPL V2.0 », « LGPL-v2.1 », « MPL 2.0 », « AGPL-3 », « BSD-3.0 ».
    static func fixID(_ text: String) -> String? {
        var id = text.trimmingCharacters(in: .whitespaces)
        if let canonical = SPDX.canonical(id) { return canonical }
        id = id.replacingOccurrences(of: " ", with: "-")
        id = id.replacingOccurrences(of: "-V", with: "-").replacingOccurrences(of: "-v", with: "-")
        if let canonical = SPDX.canonical(id) { return canonical }
        let known: [String: String] = ["BSD-3.0": "BSD-3-CLAUSE", "BSD-2.0": "BSD-2-CLAUSE"].mapValues { SPDX.canonical($0) ?? $0 }
        if let mapped = known[id.uppercased()] { return mapped }
        if let canonical = SPDX.canonical(id + ".0") { return canonical }
        if id.hasSuffix("+"), let canonical = SPDX.canonical(String(id.dropLast())) { return canonical + "+" }
        return nil
    }

    static func licenseRef(_ text: String) -> String {
        let cleaned = text.unicodeScalars.map { scalar -> String in
            scalar.properties.isAlphabetic && scalar.isASCII || ("0"..."9").contains(scalar) || scalar == "." ? String(scalar) : "-"
        }.joined()
        let collapsed = cleaned.split(separator: "-").joined(separator: "-")
        return collapsed.isEmpty ? unknownID : "LicenseRef-" + collapsed
    }
}
