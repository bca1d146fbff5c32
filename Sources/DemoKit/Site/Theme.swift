import Foundation
import Mustache

/// `payload/theme/`: logic-less Mustache templates (`templates/*.mustache`), static
/// assets (`assets/`) and the interface's words in both languages (`strings.json`),
/// so an association can restyle and reword its keys without writing Swift.
/// `docs/theme.md` lists the templates and the keys each one gets.
struct Theme: Sendable {
    var library: MustacheLibrary
    var assets: [(path: String, url: URL)]
    /// `strings.json`: `{"fr": {key: text}, "en": {key: text}}`, the same keys in both.
    var strings: [String: [String: String]] = [:]
    /// A hash of the templates: with a page's context, it names the page's bytes.
    var templatesHash = ""
    /// Each template's text as written (name without `.mustache`).
    var sources: [String: String] = [:]

    static func load(from folder: URL, displayPrefix: String = "") throws -> Theme {
        let fm = FileManager.default
        let templates = folder.appendingPathComponent("templates")
        guard let names = try? fm.contentsOfDirectory(atPath: templates.path) else {
            throw FileError(
                path: displayPrefix + "payload/theme/templates",
                reason: bilingual(
                    "dossier des gabarits introuvable", "templates folder not found"))
        }
        PageHTML.register()
        var library = MustacheLibrary()
        var diagnostics: [Diagnostic] = []
        var hashed = ""
        var sources: [String: String] = [:]
        for name in names.sorted() where name.hasSuffix(".mustache") {
            let url = templates.appendingPathComponent(name)
            let display = displayPrefix + "payload/theme/templates/" + name
            guard let data = fm.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
                diagnostics.append(Diagnostic(file: display, message: bilingual("gabarit illisible", "unreadable template")))
                continue
            }
            hashed += "\(name)\t\(FileHashing.sha256(of: data))\n"
            let templateName = String(name.dropLast(".mustache".count))
            sources[templateName] = text
            do {
                try library.register(PageHTML.pragma + text, named: templateName)
            } catch let error as MustacheTemplate.ParserError {
                diagnostics.append(
                    Diagnostic(
                        file: display, line: error.context.lineNumber - PageHTML.pragmaLines, column: error.context.columnNumber,
                        message: bilingual("gabarit Mustache invalide", "invalid Mustache template") + ": \(error.error)"))
            }
        }
        let strings = readStrings(folder.appendingPathComponent("strings.json"), display: displayPrefix + "payload/theme/strings.json", &diagnostics)
        if diagnostics.hasErrors { throw KitValidationError(diagnostics: diagnostics) }
        var assets: [(String, URL)] = []
        let assetsFolder = folder.appendingPathComponent("assets")
        if let enumerator = fm.enumerator(atPath: assetsFolder.path) {
            for case let path as String in enumerator {
                var isDirectory: ObjCBool = false
                let url = assetsFolder.appendingPathComponent(path)
                if fm.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                    assets.append((path, url))
                }
            }
        }
        return Theme(
            library: library, assets: assets.sorted { $0.0 < $1.0 }, strings: strings,
            templatesHash: FileHashing.sha256(of: Data(hashed.utf8)), sources: sources)
    }

    static let languages = ["fr", "en"]

    /// Every language must have every key, or a page would show an empty label.
    static func readStrings(_ url: URL, display: String, _ diagnostics: inout [Diagnostic]) -> [String: [String: String]] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            diagnostics.append(Diagnostic(file: display, message: bilingual("fichier des textes introuvable", "strings file not found")))
            return [:]
        }
        guard let strings = try? JSONDecoder().decode([String: [String: String]].self, from: data) else {
            diagnostics.append(
                Diagnostic(
                    file: display,
                    message: bilingual(
                        "JSON invalide : attendu {\"fr\": {clé: texte}, \"en\": {clé: texte}}",
                        "invalid JSON: expected {\"fr\": {key: text}, \"en\": {key: text}}")))
            return [:]
        }
        let keys = Set(strings.values.flatMap(\.keys))
        for language in languages {
            let missing = keys.subtracting(strings[language]?.keys.map { $0 } ?? []).sorted()
            if !missing.isEmpty {
                diagnostics.append(
                    Diagnostic(
                        file: display,
                        message: bilingual(
                            "textes manquants pour « \(language) » : \(missing.joined(separator: ", "))",
                            "strings missing for \"\(language)\": \(missing.joined(separator: ", "))")))
            }
        }
        return strings
    }

    /// Renders a page; a missing template is a theme error, not a crash.
    func render(_ template: String, _ context: [String: Any]) throws -> String {
        guard let html = library.render(context, withTemplate: template) else {
            throw FileError(
                path: "payload/theme/templates/\(template).mustache",
                reason: bilingual(
                    "gabarit manquant dans le thème", "template missing from the theme"))
        }
        return html
    }
}

/// Escapes `{{…}}` values in pages: the five characters swift-mustache's own HTML
/// content type escapes, replaced the same way, but found by scanning UTF-8 bytes.
/// Written here because the library's version appends `Character` by `Character`
/// through a dictionary, for every value of every page, and a value
/// with nothing to escape (most of them) is returned as it is. Every template gets
/// it through the content-type pragma, swift-mustache's documented extension point.
/// Unlike the library's, a `<` or `&` followed by a combining mark is escaped too.
struct PageHTML: MustacheContentType {
    static let name = "DEMOKIT_HTML"
    /// Put before every template; alone on its line, Mustache drops the whole line.
    static let pragma = "{{% CONTENT_TYPE: \(name)}}\n"
    static let pragmaLines = 1

    static func register() {
        MustacheContentTypes.register(PageHTML(), named: name)
    }

    func escapeText(_ text: String) -> String {
        Self.escape(text)
    }

    static func escape(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes -> String? in
            guard let first = bytes.firstIndex(where: isSpecial) else { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 16)
            out.append(contentsOf: bytes[..<first])
            for byte in bytes[first...] {
                switch byte {
                case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
                case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
                case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
                case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
                case UInt8(ascii: "'"): out.append(contentsOf: "&#39;".utf8)
                default: out.append(byte)
                }
            }
            return String(decoding: out, as: UTF8.self)
        } ?? text
    }

    private static func isSpecial(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "&") || byte == UInt8(ascii: "\"")
            || byte == UInt8(ascii: "'")
    }
}

// Texts and numbers are most of what pages show. swift-mustache renders a value that
// is not `MustacheCustomRenderable` through `String(describing:)` of a copy that
// `Mirror` has checked for a hidden optional, for every value of every page. These
// give the same text (`String(describing:)` of a `String` or an `Int`
// is itself, in decimal) by the short way. `isNull` is false, as the library's
// default (internal to it) is: sections over texts and numbers render as before.
extension String: @retroactive MustacheCustomRenderable {
    public var renderText: String { self }
    public var isNull: Bool { false }
}

extension Int: @retroactive MustacheCustomRenderable {
    public var renderText: String { String(self) }
    public var isNull: Bool { false }
}
