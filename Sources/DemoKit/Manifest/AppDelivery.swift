import Foundation

/// `payload/apps/<id>.yml`: how an application of the catalogue is run from the key,
/// per platform, each optional: live system packages, a Windows portable app
/// (PortableApps.com format), a Linux AppImage, an online demo.
struct AppDelivery: Sendable {
    var id: Located<String>
    /// Debian packages that provide it in the live system.
    var livePackages: [String]
    /// The same names where they are written, for messages about them.
    var livePackagesWritten: [Located<String>] = []
    /// The `.desktop` launcher (without extension) put on the live desktop.
    var liveDesktop: String?
    /// A public demo instance.
    var onlineURL: String?
    /// Runs on the town hall's Windows PC from the key, without installing.
    var windows: WindowsPortable?
    /// Runs on a Linux PC from the key.
    var linux: LinuxAppImage?

    init(
        id: Located<String>, livePackages: [String] = [], liveDesktop: String? = nil, onlineURL: String? = nil,
        windows: WindowsPortable? = nil, linux: LinuxAppImage? = nil
    ) {
        self.id = id
        self.livePackages = livePackages
        self.liveDesktop = liveDesktop
        self.onlineURL = onlineURL
        self.windows = windows
        self.linux = linux
    }

    /// Every downloadable file this application needs.
    var pins: [ArtifactPin] { [windows?.pin, linux?.pin].compactMap { $0 } }

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
        var windows: WindowsPortable?
        if let node = fields.value("windows"), let mapping = reader.mapping(node, what: "windows") {
            windows = WindowsPortable.read(mapping)
        }
        var linux: LinuxAppImage?
        if let node = fields.value("linux"), let mapping = reader.mapping(node, what: "linux") {
            linux = LinuxAppImage.read(mapping)
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
        var delivery = AppDelivery(
            id: id, livePackages: packages.map(\.value), liveDesktop: desktop?.value, onlineURL: url?.value,
            windows: windows, linux: linux)
        delivery.livePackagesWritten = packages
        return delivery
    }
}

/// A downloadable file pinned by content: where it comes from, its SHA-256 and size.
/// The content store keeps it under its hash; a build uses nothing else.
public struct ArtifactPin: Sendable, Equatable, Hashable {
    public var url: String
    /// Lowercase hexadecimal, 64 characters.
    public var sha256: String
    public var size: Int64
    /// Where the pin is written, for messages (`payload/apps/x.yml:7:8`).
    var file: String
    var line: Int

    init(url: String, sha256: String, size: Int64, file: String = "", line: Int = 0) {
        self.url = url
        self.sha256 = sha256
        self.size = size
        self.file = file
        self.line = line
    }

    /// The file name at the end of the address (without query or fragment).
    var urlFileName: String {
        let withoutQuery = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        let withoutFragment = withoutQuery.split(separator: "#", maxSplits: 1).first.map(String.init) ?? withoutQuery
        let name = withoutFragment.split(separator: "/").last.map(String.init) ?? ""
        return name.removingPercentEncoding ?? name
    }

    /// Reads `url`, `sha256` and `size` from a delivery block, reporting each problem.
    static func read(_ fields: MappingReader) -> ArtifactPin? {
        let reader = fields.reader
        let url = fields.string("url", required: true)
        let sha = fields.string("sha256", required: true)
        var size: Int64?
        if let node = fields.value("size") {
            if let text = reader.string(node, key: "size"), let number = Int64(text), number > 0 {
                size = number
            } else {
                reader.error(
                    at: node,
                    bilingual(
                        "« size » : la taille du fichier en octets est attendue (nombre entier positif)",
                        "\"size\": expected the file's size in bytes (a positive integer)"))
            }
        } else {
            reader.error(at: fields.node, bilingual("champ obligatoire manquant : « size »", "missing required field \"size\""))
        }
        if let url, !isWebAddress(url.value) {
            reader.appendDiagnostic(url.diagnostic(bilingual("adresse invalide « \(url.value) »", "invalid address \"\(url.value)\"")))
            return nil
        }
        if let sha, !isSHA256(sha.value) {
            reader.appendDiagnostic(
                sha.diagnostic(
                    bilingual(
                        "« sha256 » : 64 chiffres hexadécimaux attendus (utilisez demokit add-app pour le calculer)",
                        "\"sha256\": expected 64 hexadecimal digits (use demokit add-app to compute it)")))
            return nil
        }
        guard let url, let sha, let size else { return nil }
        return ArtifactPin(url: url.value, sha256: sha.value.lowercased(), size: size, file: url.file, line: url.line)
    }
}

/// A portable app in the PortableApps.com format: a `.zip` of the `AppNamePortable/`
/// folder or the `.paf.exe` installer. The fields besides the pin repeat what the
/// artifact's `App/AppInfo/appinfo.ini` says; the build checks they still agree.
struct WindowsPortable: Sendable {
    enum Format: String, Sendable { case zip, paf }

    var pin: ArtifactPin
    var format: Format
    /// `[Details] AppID`: the folder name on the key, `apps/windows/<AppID>/`.
    var appID: Located<String>
    /// `[Details] Name`, when given.
    var name: Located<String>?
    /// `[Version] DisplayVersion` (else `PackageVersion`), when given.
    var version: Located<String>?
    /// `[Control] Start`, when given.
    var start: Located<String>?

    /// The format from the address's file name: `.zip` or `.paf.exe`.
    static func format(ofFileName name: String) -> Format? {
        let lower = name.lowercased()
        if lower.hasSuffix(".paf.exe") { return .paf }
        if lower.hasSuffix(".zip") { return .zip }
        return nil
    }

    static func read(_ fields: MappingReader) -> WindowsPortable? {
        let reader = fields.reader
        let urlNode = fields.value("url")
        let pin = ArtifactPin.read(fields)
        let appID = fields.string("appid", required: true)
        let name = fields.string("name")
        let version = fields.string("version")
        let start = fields.string("start")
        fields.finish()
        // The kind of file comes from the address, checked even when the rest of the pin is wrong.
        var format: Format?
        if let urlNode, case .scalar = urlNode, let text = reader.string(urlNode, key: "url") {
            format = Self.format(ofFileName: ArtifactPin(url: text, sha256: "", size: 0).urlFileName)
            if format == nil {
                reader.error(
                    at: urlNode,
                    bilingual(
                        "« url » doit désigner un .zip du dossier PortableApps ou un installateur .paf.exe",
                        "\"url\" must name a .zip of the PortableApps folder or a .paf.exe installer"))
            }
        }
        if let appID, !isPortableAppID(appID.value) {
            reader.appendDiagnostic(
                appID.diagnostic(
                    bilingual(
                        "« appid » invalide « \(appID.value) » : lettres sans accent, chiffres, « - », « _ » ou « . » (c'est le nom du dossier sur la clé)",
                        "invalid \"appid\" \"\(appID.value)\": ASCII letters, digits, \"-\", \"_\" or \".\" (it names the folder on the key)")))
            return nil
        }
        guard let pin, let format, let appID else { return nil }
        return WindowsPortable(pin: pin, format: format, appID: appID, name: name, version: version, start: start)
    }
}

/// A Linux AppImage, copied to the key as `apps/linux/<file>`.
struct LinuxAppImage: Sendable {
    var pin: ArtifactPin
    /// The name on the key; by default the address's file name.
    var fileName: String

    static func read(_ fields: MappingReader) -> LinuxAppImage? {
        let reader = fields.reader
        let pin = ArtifactPin.read(fields)
        let file = fields.string("file")
        fields.finish()
        guard let pin else { return nil }
        let name = file?.value ?? pin.urlFileName
        guard name.lowercased().hasSuffix(".appimage"), !name.contains("/"), !name.contains("\\") else {
            let message = bilingual(
                "le nom sur la clé doit finir par .AppImage et ne pas contenir de « / » : indiquez-le avec « file: »",
                "the name on the key must end with .AppImage and contain no \"/\": give it with \"file:\"")
            if let file {
                reader.appendDiagnostic(file.diagnostic(message))
            } else {
                reader.error(atLine: pin.line, column: 1, message)
            }
            return nil
        }
        return LinuxAppImage(pin: pin, fileName: name)
    }
}

func isSHA256(_ text: String) -> Bool {
    text.count == 64 && text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) || ("A"..."F").contains($0) }
}

/// PortableApps.com AppIDs are ASCII names such as `LibreOfficePortable` or `7-ZipPortable`.
func isPortableAppID(_ text: String) -> Bool {
    !text.isEmpty && text.count <= 64 && !text.hasPrefix(".")
        && text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_.+".unicodeScalars.contains($0)
        }
}

/// Debian policy 5.6.1: lowercase letters, digits, `+ - .`, at least two characters, starting alphanumeric.
func isDebianPackageName(_ name: String) -> Bool {
    guard name.count >= 2, let first = name.unicodeScalars.first,
        ("a"..."z").contains(first) || ("0"..."9").contains(first)
    else { return false }
    return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0) }
}
