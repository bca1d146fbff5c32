import Foundation
import Mustache

/// Partials that show only what every page of a language shares — in the default
/// theme the search form with its filter options, a fifth of a 40,000-page build —
/// are rendered once per language instead of once per page (issue 8).
///
/// swift-mustache has no hook for this, so it is done around it: a partial's
/// template is swapped, for one language's pages, for `{{{demokitConstant.NAME}}}`
/// and its HTML is put in the pages' shared context under that name. A partial
/// qualifies only when the swap cannot change a byte:
/// - a trial render, whose context answers only the shared keys, looked up nothing
///   else (a name missing from a section's item falls back to the page, so it would
///   be noticed too);
/// - it is never included with an indentation (Mustache indents every line of an
///   indented partial), directly or through the partials that include it, nor as a
///   parent (`{{<…}}`), and the theme has no dynamic partial (`{{>*…}}`);
/// - it uses no blocks (`{{$…}}`), delimiter changes or transforms (`(…)`), whose
///   output depends on where the partial is included.
/// Page contexts never use the shared keys (`t`, `kit`, `filters`) for their own
/// values (`ConstantPartialTests` checks), so a section cannot hide them.
struct ConstantPartials {
    /// The context key the swapped partials read their HTML from.
    static let contextKey = "demokitConstant"

    /// Template name → HTML, for the partials that qualify.
    let html: [String: String]

    init(theme: Theme, shared: [String: Any]) {
        let tags = theme.sources.mapValues(Self.tags)
        // After a delimiter change the tags above are not all seen: no swap at all then.
        guard !tags.values.joined().contains(where: { ($0.kind == ">" && $0.name.hasPrefix("*")) || $0.kind == "=" }) else {
            html = [:]
            return
        }
        var html: [String: String] = [:]
        // Only partials: a page template (or the key's root page) is rendered with a
        // context of its own, and a swap would not see it.
        let included = Set(tags.values.joined().filter { $0.kind == ">" }.map(\.name))
        for name in included.sorted() where Self.isPlainName(name) && theme.sources[name] != nil {
            guard Self.includedPlainly(name, tags: tags, seen: []),
                let own = tags[name], !own.contains(where: { $0.kind == "$" || $0.kind == "<" || $0.name.contains("(") }),
                let template = theme.library.getTemplate(named: name)
            else { continue }
            let trial = SharedOnly(shared)
            let rendered = template.render(trial, library: theme.library)
            if !trial.missed { html[name] = rendered }
        }
        self.html = html
    }

    /// The theme whose library reads these partials from the context.
    func apply(to theme: Theme) -> Theme {
        var theme = theme
        for name in html.keys {
            // A plain name in a triple mustache always parses.
            try? theme.library.register("{{{\(Self.contextKey).\(name)}}}", named: name)
        }
        return theme
    }

    struct Tag {
        /// The sigil: `>`, `<`, `#`, `^`, `/`, `$`, `=`, `&`, `{`, `!`, `%`, or "" for a variable.
        var kind: Character?
        var name: String
        /// Standalone on its line with spaces or tabs before it.
        var indented: Bool
    }

    /// The tags of a template with the default delimiters (a `{{=…=}}` tag is
    /// reported, and turns the swap off for the whole theme).
    static func tags(_ source: String) -> [Tag] {
        var tags: [Tag] = []
        var rest = Substring(source)
        while let open = rest.range(of: "{{") {
            let lineStart = rest[..<open.lowerBound].lastIndex(of: "\n").map { rest.index(after: $0) } ?? rest.startIndex
            let before = rest[lineStart..<open.lowerBound]
            guard let close = rest.range(of: "}}", range: open.upperBound..<rest.endIndex) else { break }
            var body = rest[open.upperBound..<close.lowerBound]
            var kind: Character?
            if let first = body.first, ">#^/$=&{!%<".contains(first) {
                kind = first
                body = body.dropFirst()
            }
            let name = body.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "{}=")))
            var end = close.upperBound
            if kind == "{", rest[end...].hasPrefix("}") { end = rest.index(after: end) }
            let after = rest[end...].prefix { $0 != "\n" }
            let standalone = before.allSatisfy { $0 == " " || $0 == "\t" } && after.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" }
            tags.append(Tag(kind: kind, name: name, indented: standalone && !before.isEmpty))
            rest = rest[end...]
        }
        return tags
    }

    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
    }

    /// Whether every inclusion of `name`, and of each partial that includes it, is
    /// an unindented `{{>…}}`.
    static func includedPlainly(_ name: String, tags: [String: [Tag]], seen: Set<String>) -> Bool {
        guard !seen.contains(name) else { return false }
        for (includer, list) in tags {
            let sites = list.filter { ($0.kind == ">" || $0.kind == "<") && $0.name == name }
            guard !sites.isEmpty else { continue }
            if sites.contains(where: { $0.kind == "<" || $0.indented }) { return false }
            if !includedPlainly(includer, tags: tags, seen: seen.union([name])) { return false }
        }
        return true
    }
}

/// The context of a trial render: the shared values, and a note of any other name
/// asked for.
private final class SharedOnly: MustacheParent {
    let shared: [String: Any]
    var missed = false

    init(_ shared: [String: Any]) { self.shared = shared }

    func child(named name: String) -> Any? {
        if let value = shared[name] { return value }
        missed = true
        return nil
    }
}
