import Foundation

/// The parts of a `.deb` the catalogue reads: its control fields, and the few files
/// that describe the application (AppStream metainfo, `.desktop` launchers, icons,
/// copyright). The file tree comes from `dpkg-deb --fsys-tarfile`, read with
/// libarchive; nothing is unpacked to disk.
struct DebianPackage: Sendable {
    var name: String
    var version: String
    /// The source package (`Source:` without its version; the package's own name when absent).
    var source: String
    /// Every package named by `Depends:` and `Pre-Depends:`, alternatives included.
    var depends: [String]
    /// Wanted files by absolute path (`/usr/share/metainfo/x.xml`).
    var files: [String: Data] = [:]
    /// Symbolic links among the wanted paths, and their targets as written.
    var links: [String: String] = [:]

    /// Icons larger than this are not kept: no application icon needs more.
    static let iconSizeLimit: Int64 = 2 << 20

    /// Whether the catalogue reads the file at `path` (absolute).
    static func isWanted(_ path: String) -> Bool {
        if path.hasPrefix("/usr/share/metainfo/") || path.hasPrefix("/usr/share/appdata/") { return path.hasSuffix(".xml") }
        if path.hasPrefix("/usr/share/applications/") { return path.hasSuffix(".desktop") }
        if path.hasPrefix("/usr/share/icons/hicolor/") { return path.contains("/apps/") }
        if path.hasPrefix("/usr/share/pixmaps/") { return path.hasSuffix(".png") || path.hasSuffix(".svg") }
        if path.hasPrefix("/usr/share/doc/") { return path.hasSuffix("/copyright") && path.split(separator: "/").count == 5 }
        return false
    }

    /// Reads a `.deb`. `environment`: where `dpkg-deb` is looked for.
    static func read(_ url: URL, environment: [String: String]) throws -> DebianPackage {
        let dpkgDeb = Tool.dpkgDeb
        let control = try dpkgDeb.output(["-f", url.path], environment: environment)
        let fields = DebianControl.fields(String(decoding: control, as: UTF8.self))
        guard let name = fields["Package"], let version = fields["Version"] else {
            throw FileError(path: url.path, reason: bilingual("paquet Debian sans nom ni version", "Debian package without name or version"))
        }
        let source = fields["Source"].flatMap { $0.split(separator: " ").first.map(String.init) } ?? name
        let depends = [fields["Pre-Depends"], fields["Depends"]].compactMap { $0 }.flatMap(DebianControl.packageNames)
        var package = DebianPackage(name: name, version: version, source: source, depends: depends)

        let tar = FileManager.default.temporaryDirectory.appendingPathComponent("demokit-deb-\(UUID().uuidString).tar")
        defer { try? FileManager.default.removeItem(at: tar) }
        try dpkgDeb.run(["--fsys-tarfile", url.path], environment: environment, output: tar)
        let reader = try ArchiveReader(path: tar.path)
        while let entry = try reader.next() {
            var path = entry.path
            while path.hasPrefix("./") { path.removeFirst(2) }
            path = "/" + path
            guard isWanted(path) else { continue }
            switch entry.type {
            case .file where entry.size <= iconSizeLimit: package.files[path] = try reader.data(limit: iconSizeLimit)
            case .symlink: package.links[path] = entry.linkTarget
            default: continue
            }
        }
        try reader.close()
        return package
    }

    /// The file at `path`, following symbolic links inside the package (at most a few).
    func contents(_ path: String) -> (path: String, data: Data)? {
        var path = path
        for _ in 0..<8 {
            if let data = files[path] { return (path, data) }
            guard let target = links[path] else { return nil }
            path = Self.resolve(target, from: path)
        }
        return nil
    }

    /// A link's target as an absolute, normalised path.
    static func resolve(_ target: String, from path: String) -> String {
        var parts = target.hasPrefix("/") ? [] : path.split(separator: "/").dropLast().map(String.init)
        for part in target.split(separator: "/") {
            if part == ".." {
                if !parts.isEmpty { parts.removeLast() }
            } else if part != "." {
                parts.append(String(part))
            }
        }
        return "/" + parts.joined(separator: "/")
    }
}

/// Debian's control format (RFC 822-like): `Field: value`, continuation lines indented.
enum DebianControl {
    static func fields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        var last: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.first == " " || line.first == "\t", let last {
                fields[last, default: ""] += "\n" + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                let key = String(line[..<colon])
                fields[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                last = key
            }
        }
        return fields
    }

    /// `a (>= 1), b | c:any` → `[a, b, c]`.
    static func packageNames(_ relation: String) -> [String] {
        relation.split(whereSeparator: { $0 == "," || $0 == "|" }).compactMap { part in
            let name = part.trimmingCharacters(in: .whitespacesAndNewlines).split(whereSeparator: { $0 == " " || $0 == "(" }).first
            return name.map { String($0.split(separator: ":").first ?? $0) }
        }
    }
}
