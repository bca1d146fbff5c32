import Foundation

/// Checks SPDX licence expressions (`MPL-2.0`, `GPL-2.0-only OR MIT`,
/// `GPL-3.0-or-later WITH Classpath-exception-2.0`) against the SPDX list bundled
/// in `Resources/spdx.json` (regenerate with `scripts/update-spdx`).
///
/// Written by hand: no Swift package here parses SPDX expressions, and the grammar
/// needed (ids, `+`, AND/OR/WITH, parentheses) is small.
enum SPDX {
    struct List: Decodable {
        var licenses: [String]
        var deprecated: [String]
        var exceptions: [String]
    }

    static let list: List = {
        guard let url = Bundle.module.url(forResource: "spdx", withExtension: "json", subdirectory: "Resources"),
            let data = try? Data(contentsOf: url),
            let list = try? JSONDecoder().decode(List.self, from: data)
        else {
            return List(licenses: [], deprecated: [], exceptions: [])
        }
        return list
    }()

    static let licenseIDs: Set<String> = Set(list.licenses).union(list.deprecated)
    static let exceptionIDs: Set<String> = Set(list.exceptions)
    static let byLowercase: [String: String] = Dictionary(
        (list.licenses + list.deprecated + list.exceptions).map { ($0.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })

    /// The licence ids an expression names (exceptions excluded).
    static func licenseIDs(in expression: String) -> [String] {
        tokens(expression).filter { !["AND", "OR", "WITH", "(", ")"].contains($0) }.map { $0.hasSuffix("+") ? String($0.dropLast()) : $0 }
            .filter { !exceptionIDs.contains($0) }
    }

    /// On the SPDX list (current or deprecated).
    static func isKnown(_ id: String) -> Bool { licenseIDs.contains(id) }

    /// Deprecated by SPDX (`GPL-2.0`, `AGPL-3.0`…): write `-only` / `-or-later`.
    static func isDeprecated(_ id: String) -> Bool { deprecatedIDs.contains(id) }
    static let deprecatedIDs: Set<String> = Set(list.deprecated)

    /// The canonical spelling of an id written with another case (`mit` → `MIT`),
    /// used by importers of older publiccode.yml dialects.
    static func canonical(_ id: String) -> String? {
        byLowercase[id.lowercased()]
    }

    /// Words and parentheses: `(MIT OR Apache-2.0)` → `(`, `MIT`, `OR`, `Apache-2.0`, `)`.
    static func tokens(_ expression: String) -> [String] {
        var tokens: [String] = []
        var word = ""
        for character in expression {
            if character == "(" || character == ")" || character.isWhitespace {
                if !word.isEmpty { tokens.append(word) }
                word = ""
                if !character.isWhitespace { tokens.append(String(character)) }
            } else {
                word.append(character)
            }
        }
        if !word.isEmpty { tokens.append(word) }
        return tokens
    }

    /// nil when valid, otherwise a bilingual message naming the problem and a fix.
    static func validate(_ expression: String) -> String? {
        let tokens = tokens(expression)
        var expectOperand = true
        var depth = 0
        var afterWith = false
        for token in tokens {
            switch token {
            case "(":
                guard expectOperand else { return syntax(expression) }
                depth += 1
            case ")":
                guard !expectOperand, depth > 0 else { return syntax(expression) }
                depth -= 1
            case "AND", "OR", "WITH":
                guard !expectOperand else { return syntax(expression) }
                expectOperand = true
                afterWith = token == "WITH"
                continue
            default:
                guard expectOperand else { return syntax(expression) }
                let id = token.hasSuffix("+") ? String(token.dropLast()) : token
                let known = afterWith ? exceptionIDs.contains(id) : (licenseIDs.contains(id) || id.hasPrefix("LicenseRef-"))
                if !known {
                    var message = BilingualMessage("licence SPDX inconnue « \(id) »", "unknown SPDX licence id \"\(id)\"")
                    if let fix = canonical(id) {
                        message.append(" — écrivez « \(fix) »", " — write \"\(fix)\"")
                    } else {
                        message.append(" — voir la liste sur spdx.org/licenses", " — see the list at spdx.org/licenses")
                    }
                    return message.text
                }
                expectOperand = false
            }
            afterWith = false
        }
        return expectOperand || depth != 0 ? syntax(expression) : nil
    }

    private static func syntax(_ expression: String) -> String {
        bilingual("expression de licence SPDX mal formée « \(expression) »", "malformed SPDX licence expression \"\(expression)\"")
    }
}
