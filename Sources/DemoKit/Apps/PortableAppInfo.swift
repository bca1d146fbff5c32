import Foundation

/// `App/AppInfo/appinfo.ini` of a PortableApps.com-format app: what the app says
/// about itself, read so maintainers never retype it.
/// Format: https://portableapps.com/development/portableapps.com_format
public struct PortableAppInfo: Sendable, Equatable, Codable {
    static let path = "App/AppInfo/appinfo.ini"

    /// `[Details] AppID`, e.g. `LibreOfficePortable`.
    public var appID: String
    /// `[Details] Name`, e.g. `LibreOffice Portable`.
    public var name: String
    /// `[Details] Category`, e.g. `Office`.
    var category: String?
    /// `[Version] PackageVersion`, four numbers (`24.8.0.3`).
    var packageVersion: String?
    /// `[Version] DisplayVersion`, as shown to people (`24.8.0`).
    var displayVersion: String?
    /// `[Control] Start`: the launcher at the app folder's root.
    public var start: String
    /// `[Details] Description`: one line, usually in English.
    var description: String? = nil

    /// What people read: the display version, else the package version.
    public var version: String? { displayVersion ?? packageVersion }

    /// Parses the INI text (UTF-8 or UTF-16 with a byte order mark, as Windows tools write it).
    static func parse(_ data: Data, file: String) throws -> PortableAppInfo {
        var sections: [String: [String: String]] = [:]
        var current = ""
        for rawLine in decode(data).components(separatedBy: .newlines) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix(";") || line.hasPrefix("#") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                current = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces).lowercased()
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            // The first value wins, as in Windows' GetPrivateProfileString.
            if sections[current, default: [:]][key] == nil {
                sections[current, default: [:]][key] = value
            }
        }
        func field(_ section: String, _ key: String) -> String? {
            sections[section.lowercased()]?[key.lowercased()].flatMap { $0.isEmpty ? nil : $0 }
        }
        var missing: [String] = []
        let appID = field("Details", "AppID")
        let name = field("Details", "Name")
        let start = field("Control", "Start")
        if appID == nil { missing.append("[Details] AppID") }
        if name == nil { missing.append("[Details] Name") }
        if start == nil { missing.append("[Control] Start") }
        guard let appID, let name, let start, missing.isEmpty else {
            throw FileError(
                path: file,
                reason: bilingual(
                    "appinfo.ini incomplet, il manque : \(missing.joined(separator: ", "))",
                    "incomplete appinfo.ini, missing: \(missing.joined(separator: ", "))"),
                hint: bilingual(
                    "ce n'est pas une application au format PortableApps.com valide",
                    "this is not a valid PortableApps.com-format app"))
        }
        return PortableAppInfo(
            appID: appID, name: name, category: field("Details", "Category"),
            packageVersion: field("Version", "PackageVersion"), displayVersion: field("Version", "DisplayVersion"),
            start: start, description: field("Details", "Description"))
    }

    static func decode(_ data: Data) -> String {
        if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) {
            return String(data: data, encoding: .utf16) ?? ""
        }
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        return String(data: bytes, encoding: .utf8) ?? String(decoding: bytes, as: UTF8.self)
    }
}
