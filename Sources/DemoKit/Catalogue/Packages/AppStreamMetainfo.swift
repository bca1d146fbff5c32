import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// What the catalogue takes from an AppStream metainfo file
/// (`/usr/share/metainfo/*.xml`): the component's summary in French and in its
/// default language, its links, its latest release and its stock icon. Text only:
/// markup inside is read as text, never kept as markup.
struct AppStreamMetainfo: Sendable, Equatable {
    var id: String?
    /// `desktop-application`, `addon`, `console-application`…
    var type: String?
    /// `<launchable type="desktop-id">`, e.g. `vlc.desktop`.
    var launchables: [String] = []
    var summaryFrench: String?
    var summaryDefault: String?
    var urls: [String: String] = [:]
    var releaseVersion: String?
    var releaseDate: String?
    var stockIcon: String?

    /// nil when the data is not a metainfo file XMLParser can read.
    static func parse(_ data: Data) -> AppStreamMetainfo? {
        let parser = XMLParser(data: data)
        // No DTD, no external entity: a package's XML loads nothing.
        parser.shouldResolveExternalEntities = false
        let delegate = Delegate()
        parser.delegate = delegate
        guard parser.parse(), delegate.sawComponent else { return nil }
        return delegate.result
    }

    /// Whether this component is the application launched by `desktop` (a launcher
    /// name without `.desktop`).
    func describes(desktop: String) -> Bool {
        let file = desktop + ".desktop"
        return launchables.contains(file) || id == file || id == desktop
    }

    private final class Delegate: NSObject, XMLParserDelegate {
        var result = AppStreamMetainfo()
        var sawComponent = false
        var path: [String] = []
        var text = ""
        var language: String?
        var urlType: String?
        var iconType: String?
        var launchableType: String?
        var releases: [(version: String?, date: String)] = []

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            path.append(name)
            text = ""
            switch (path.count, name) {
            case (1, "component"):
                sawComponent = true
                result.type = attributes["type"]
            case (2, "summary"): language = attributes["xml:lang"]
            case (2, "url"): urlType = attributes["type"]
            case (2, "icon"): iconType = attributes["type"]
            case (2, "launchable"): launchableType = attributes["type"]
            case (3, "release") where path[1] == "releases":
                var date = attributes["date"].map { String($0.prefix(10)) }
                if date == nil, let stamp = attributes["timestamp"].flatMap(Double.init) {
                    date = Self.day(Date(timeIntervalSince1970: stamp))
                }
                if let date, SourceDate.parseDay(date) != nil { releases.append((attributes["version"], date)) }
            default: break
            }
        }

        /// `YYYY-MM-DD` in UTC.
        static func day(_ date: Date) -> String? {
            var calendar = Calendar(identifier: .gregorian)
            guard let utc = TimeZone(identifier: "UTC") else { return nil }
            calendar.timeZone = utc
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            guard let year = parts.year, let month = parts.month, let day = parts.day else { return nil }
            return String(format: "%04d-%02d-%02d", year, month, day)
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            let value = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
            if path.count == 2, !value.isEmpty {
                switch name {
                case "id": result.id = value
                case "summary":
                    if language == nil {
                        result.summaryDefault = value
                    } else if language == "fr" || language == "fr_FR" || (language == "fr-FR") {
                        result.summaryFrench = result.summaryFrench ?? value
                    }
                case "url": if let urlType, isWebAddress(value), result.urls[urlType] == nil { result.urls[urlType] = value }
                case "icon": if iconType == "stock", result.stockIcon == nil { result.stockIcon = value }
                case "launchable": if launchableType == "desktop-id" { result.launchables.append(value) }
                default: break
                }
            }
            if path.count == 1 {
                // The latest release: by date, then as listed (AppStream lists newest first).
                if let latest = releases.enumerated().max(by: { ($0.element.date, -$0.offset) < ($1.element.date, -$1.offset) })?.element {
                    result.releaseVersion = latest.version
                    result.releaseDate = latest.date
                }
            }
            path.removeLast()
            text = ""
        }
    }
}

/// A `.desktop` launcher's `Icon=` in its `[Desktop Entry]` group.
enum DesktopFile {
    static func icon(_ data: Data) -> String? {
        var inEntry = false
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let line = line.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                inEntry = line == "[Desktop Entry]"
            } else if inEntry, line.hasPrefix("Icon=") {
                let value = line.dropFirst(5).trimmingCharacters(in: .whitespaces)
                return value.isEmpty ? nil : value
            }
        }
        return nil
    }
}

/// The licence a Debian copyright file gives one installed file. Machine-readable
/// files (DEP-5): the last `Files:` paragraph whose pattern matches the end of the
/// file's path, else `Files: *`. Older free-form files: the licence named in the text.
enum DebianCopyright {
    static func licence(_ text: String, forPath path: String) -> String? {
        let paragraphs = text.components(separatedBy: "\n\n").map(DebianControl.fields)
        guard paragraphs.first?["Format"] != nil else { return freeFormLicence(text) }
        let installed = path.split(separator: "/").map(String.init)
        let suffixes = installed.indices.map { installed[$0...].joined(separator: "/") }
        var general: String?
        var specific: String?
        for paragraph in paragraphs {
            guard let files = paragraph["Files"], let licence = paragraph["License"]?.split(separator: "\n").first else { continue }
            let name = licence.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { continue }
            for pattern in files.split(whereSeparator: { $0.isWhitespace }).map(String.init) {
                if pattern == "*" {
                    general = name
                } else if suffixes.contains(where: { fnmatch(pattern, $0, 0) == 0 }) {
                    specific = name
                }
            }
        }
        return specific ?? general
    }

    /// The first licence a free-form copyright file names, by the usual phrases.
    static func freeFormLicence(_ text: String) -> String? {
        let folded = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ").lowercased()
        let known: [(phrase: String, name: String)] = [
            ("gnu lesser general public license", "LGPL"), ("gnu library general public license", "LGPL"),
            ("gnu general public license version 3", "GPL-3"), ("gnu general public license, version 3", "GPL-3"),
            ("gnu general public license version 2", "GPL-2"), ("gnu general public license, version 2", "GPL-2"),
            ("gnu general public license", "GPL"), ("/usr/share/common-licenses/gpl-3", "GPL-3"),
            ("/usr/share/common-licenses/gpl-2", "GPL-2"), ("/usr/share/common-licenses/gpl", "GPL"),
            ("mozilla public license", "MPL"), ("apache license", "Apache"), ("mit license", "MIT"), ("bsd", "BSD"),
        ]
        let first = known.compactMap { entry in folded.range(of: entry.phrase).map { (position: $0.lowerBound, name: entry.name) } }
            .min { $0.position < $1.position }
        return first?.name
    }
}
