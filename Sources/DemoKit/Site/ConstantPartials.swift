import Foundation
import Mustache

/// Partials that show only what every page of a language shares — in the default
/// theme the search form with its filter options — are rendered once per language
/// instead of once per page.
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
    /// `t.key` / `kit.key` → the text a variable tag naming it shows, escaped or not.
    let words: [String: String]

    init(theme: Theme, shared: [String: Any]) {
        let tags = theme.sources.mapValues(Self.tags)
        // After a delimiter change the tags above are not all seen: no swap at all then.
        guard !tags.values.joined().contains(where: { ($0.kind == ">" && $0.name.hasPrefix("*")) || $0.kind == "=" }) else {
            html = [:]
            words = [:]
            return
        }
        words = Self.words(shared)
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

    /// The theme whose library reads these partials from the context, and whose
    /// other templates show the shared words as text.
    func apply(to theme: Theme) -> Theme {
        var theme = theme
        for name in html.keys {
            // A plain name in a triple mustache always parses.
            try? theme.library.register("{{{\(Self.contextKey).\(name)}}}", named: name)
        }
        for (name, source) in theme.sources where html[name] == nil {
            let written = Self.writingWords(words, into: source)
            // It parsed as written, and the words hold no brace: it parses now.
            if written != source { try? theme.library.register(PageHTML.pragma + written, named: name) }
        }
        return theme
    }

    /// The shared words a variable tag may be swapped for, with their text: a
    /// third of a page's tags, each looked up through the context stack, with a
    /// dynamic cast for every dictionary on the way (swift-mustache's `getChild`,
    /// the largest part of rendering a page). A word qualifies when the swap
    /// cannot change a byte: the page's shared values win over its own and sections
    /// never use their keys (`ConstantPartialTests`), so such a tag always shows
    /// this text; it holds no brace (it could not form a tag with the text around
    /// it), no line break (an indented partial indents its own lines, not its
    /// values'), and something besides spaces (a line holding only a section tag
    /// and this one must stay a line that is not standalone).
    static func words(_ shared: [String: Any]) -> [String: String] {
        var words: [String: String] = [:]
        for group in ["t", "kit"] {
            guard let values = shared[group] as? [String: Any] else { continue }
            for (key, value) in values where isPlainName(key) {
                guard let text = value as? String,
                    !text.unicodeScalars.contains(where: { "{}\n\r".unicodeScalars.contains($0) }),
                    text.unicodeScalars.contains(where: { !$0.properties.isWhitespace })
                else { continue }
                words[group + "." + key] = text
            }
        }
        return words
    }

    /// `source` with every plain variable tag naming one of `words` replaced by
    /// what it renders: the text escaped for `{{…}}`, as it is for `{{{…}}}` and `{{&…}}`.
    /// The name must be the tag's whole body but for spaces (`tags` also trims braces
    /// and `=`, which Mustache would look up as part of the name).
    static func writingWords(_ words: [String: String], into source: String) -> String {
        guard !words.isEmpty else { return source }
        var result = ""
        var written = source.startIndex
        for tag in tags(source) where tag.kind == nil || tag.kind == "&" || tag.kind == "{" {
            guard let text = words[tag.body.trimmingCharacters(in: .whitespaces)],
                tag.kind != "{" || source[tag.range].hasSuffix("}}}")
            else { continue }
            result += source[written..<tag.range.lowerBound]
            result += tag.kind == nil ? PageHTML.escape(text) : text
            written = tag.range.upperBound
        }
        return result + source[written...]
    }

    struct Tag {
        /// The sigil: `>`, `<`, `#`, `^`, `/`, `$`, `=`, `&`, `{`, `!`, `%`, or "" for a variable.
        var kind: Character?
        var name: String
        /// Standalone on its line with spaces or tabs before it.
        var indented: Bool
        /// From `{{` to the closing `}}` (`}}}` for a triple mustache) in the source.
        var range: Range<String.Index>
        /// What is between the sigil and the closing braces, as written.
        var body: Substring
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
            tags.append(Tag(kind: kind, name: name, indented: standalone && !before.isEmpty, range: open.lowerBound..<end, body: body))
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
