/// `payload/apps/<id>.yml`: how an application of the catalogue is run from the key
/// (live system packages, online demo). Later stages add portable apps.
public struct AppDelivery: Sendable {
    public var id: Located<String>
    /// Debian packages that provide it in the live system.
    public var livePackages: [String]
    /// The `.desktop` launcher (without extension) put on the live desktop.
    public var liveDesktop: String?
    /// A public demo instance.
    public var onlineURL: String?

    static func read(_ fields: MappingReader) -> AppDelivery? {
        let reader = fields.reader
        let id = fields.string("id", required: true)
        var packages: [Located<String>] = []
        var desktop: Located<String>?
        if let liveNode = fields.value("live"), let live = reader.mapping(liveNode, what: "live") {
            packages = live.strings("packages", required: true)
            desktop = live.string("desktop")
            live.finish()
        }
        var url: Located<String>?
        if let onlineNode = fields.value("online"), let online = reader.mapping(onlineNode, what: "online") {
            url = online.string("url", required: true)
            online.finish()
        }
        fields.finish()
        for package in packages where !isDebianPackageName(package.value) {
            reader.appendDiagnostic(
                package.diagnostic(
                    bilingual(
                        "nom de paquet Debian invalide « \(package.value) »", "invalid Debian package name \"\(package.value)\"")))
        }
        if let url, !isWebAddress(url.value) {
            reader.appendDiagnostic(
                url.diagnostic(
                    bilingual(
                        "adresse invalide « \(url.value) »", "invalid address \"\(url.value)\"")))
        }
        guard let id else { return nil }
        return AppDelivery(id: id, livePackages: packages.map(\.value), liveDesktop: desktop?.value, onlineURL: url?.value)
    }
}

/// Debian policy 5.6.1: lowercase letters, digits, `+ - .`, at least two characters, starting alphanumeric.
func isDebianPackageName(_ name: String) -> Bool {
    guard name.count >= 2, let first = name.unicodeScalars.first,
        ("a"..."z").contains(first) || ("0"..."9").contains(first)
    else { return false }
    return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0) }
}
