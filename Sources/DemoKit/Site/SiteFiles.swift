import Foundation

/// Maps a URL path asked of `demokit serve` to a file of the built key, refusing
/// anything that could leave the key's folder.
public enum SiteFiles {
    /// `nil` for paths that climb (`..`), hide (`.git`), carry a backslash or a NUL,
    /// or resolve (symbolic links included) outside `root`. `/` and folder paths
    /// mean their `index.html`.
    public static func resolve(_ requestPath: String, in root: URL) -> URL? {
        guard let decoded = requestPath.removingPercentEncoding else { return nil }
        let path = decoded.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard !path.contains("\\"), !path.contains("\u{0}") else { return nil }
        var components: [String] = []
        for component in path.split(separator: "/") {
            guard component != "..", !component.hasPrefix(".") else { return nil }
            components.append(String(component))
        }
        let base = root.standardizedFileURL.resolvingSymlinksInPath()
        var url = components.reduce(base) { $0.appendingPathComponent($1) }
        var isDirectory: ObjCBool = false
        if path.hasSuffix("/") || components.isEmpty
            || (FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue)
        {
            url.appendPathComponent("index.html")
        }
        let resolved = url.resolvingSymlinksInPath().standardizedFileURL
        guard resolved.path.hasPrefix(base.path + "/") else { return nil }
        guard FileManager.default.fileExists(atPath: resolved.path, isDirectory: &isDirectory), !isDirectory.boolValue else { return nil }
        return resolved
    }

    /// Content types of the files a key holds.
    public static func contentType(_ url: URL) -> String {
        switch url.pathExtension.lowercased() {
        case "html": return "text/html; charset=utf-8"
        case "js": return "text/javascript; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "json": return "application/json"
        case "txt", "cfg": return "text/plain; charset=utf-8"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "woff2": return "font/woff2"
        case "pdf": return "application/pdf"
        case "sqlite": return "application/vnd.sqlite3"
        default: return "application/octet-stream"
        }
    }
}
