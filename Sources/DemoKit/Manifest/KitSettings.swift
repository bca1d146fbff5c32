import Yams

/// `profiles/kit.yml`: what the whole key is (id, version, date) and how its menu starts.
struct KitSettings: Sendable {
    var id: String
    var name: LocalizedText
    var version: String
    /// Release day `YYYY-MM-DD`: the fixed timestamp of reproducible builds.
    var date: String
    var channel: String
    var defaultProfile: Located<String>?
    var timeout: Int
    /// Menu order; profiles not listed come after, by id.
    var profileOrder: [Located<String>]
    /// The base ISO (live system) the key boots, relative to the kit.
    var base: BaseReference?
    /// Who made the key (the talk's last slide and handout).
    var contact: KitContact?
    /// The région the kit is made for (official name, `FrenchAreas`): the providers
    /// page lists the providers working there first.
    var region: String?
    /// Where keys of this kit look for new releases by themselves.
    var updates: UpdateSettings?

    static let fileName = "kit.yml"

    static func read(_ fields: MappingReader) -> KitSettings? {
        let id = fields.string("id", required: true)
        let name = fields.localized("name", required: true)
        let version = fields.string("version", required: true)
        let date = fields.string("date", required: true)
        let channel = fields.string("channel")
        let defaultProfile = fields.string("default")
        let timeout = fields.int("timeout", range: 0...600)
        let order = fields.strings("profiles")
        let base = fields.value("base").flatMap { BaseReference.read($0, fields.reader) }
        let contact = fields.value("contact").flatMap { KitContact.read($0, fields.reader) }
        let region = fields.string("region")
        let updates = fields.value("updates").flatMap { UpdateSettings.read($0, fields.reader) }
        fields.finish()
        let knownRegion = region.flatMap { FrenchAreas.region(named: $0.value) }
        if let region, knownRegion == nil {
            fields.reader.appendDiagnostic(region.diagnostic(Provider.unknownRegion(region.value)))
        }

        if let id { checkIdentifier(id, fields.reader, what: "id") }
        if let date, SourceDate.parseDay(date.value) == nil {
            fields.reader.error(
                at: fields.value("date"),
                bilingual(
                    "date invalide « \(date.value) » : écrivez AAAA-MM-JJ", "invalid date \"\(date.value)\": write YYYY-MM-DD"))
        }
        guard let id, let name, let version, let date else { return nil }
        return KitSettings(
            id: id.value, name: name, version: version.value, date: date.value,
            channel: channel?.value ?? "stable", defaultProfile: defaultProfile,
            timeout: timeout ?? 10, profileOrder: order, base: base, contact: contact,
            region: knownRegion?.name, updates: updates)
    }
}

/// `updates:` in profiles/kit.yml: the release folder the key's live system checks when
/// it is online, and the maintainers' public key its first update trusts
/// (docs/boot.md):
///
///     updates:
///       url: https://demo.example.org/releases/
///       key: keys/demokit.pub
///       automatic: true
struct UpdateSettings: Sendable {
    /// The release folder's web address (`demokit publish`'s folder on a web server).
    var url: String
    /// The maintainers' minisign public key, relative to the kit (`demokit keygen`).
    var publicKey: Located<String>
    /// `false`: the key carries the updater but only updates when asked.
    var automatic: Bool
    /// The key file's text, read by `KitLoader`.
    var publicKeyText = ""

    static func read(_ node: Node, _ reader: ManifestReader) -> UpdateSettings? {
        guard let fields = reader.mapping(node, what: "updates") else { return nil }
        let url = fields.string("url", required: true)
        let key = fields.string("key", required: true)
        let automatic = fields.bool("automatic")
        fields.finish()
        if let url, !(url.value.hasPrefix("https://") || url.value.hasPrefix("http://")) || url.value.contains(where: \.isWhitespace) {
            reader.appendDiagnostic(
                url.diagnostic(
                    bilingual(
                        "adresse invalide « \(url.value) » : l'adresse web du dossier de publication, https://…",
                        "invalid address \"\(url.value)\": the release folder's web address, https://…")))
            return nil
        }
        guard let url, let key else { return nil }
        return UpdateSettings(url: url.value, publicKey: key, automatic: automatic ?? true)
    }
}

/// `base:` in profiles/kit.yml, one of two forms:
/// - a base ISO: `base: iso/debian-live.iso` or `base: {path: iso/debian-live.iso, sha256: …}`;
/// - a live system demokit builds from Debian packages: `base: {debian: bookworm}`, with an
///   optional `snapshot:` (packages as snapshot.debian.org had them then) and `packages:`
///   (more packages for every profile).
struct BaseReference: Sendable {
    var path: Located<String>?
    var sha256: String?
    var debian: DebianBaseSpec?

    static func read(_ node: Node, _ reader: ManifestReader) -> BaseReference? {
        if case .scalar = node {
            guard let text = reader.string(node, key: "base") else { return nil }
            return BaseReference(path: reader.located(text, node), sha256: nil)
        }
        guard let fields = reader.mapping(node, what: "base") else { return nil }
        let path = fields.string("path")
        let sha256 = fields.string("sha256")
        let suite = fields.string("debian")
        let snapshot = fields.string("snapshot")
        let packages = fields.strings("packages")
        fields.finish()
        if let sha256, sha256.value.count != 64 || !sha256.value.lowercased().allSatisfy(\.isHexDigit) {
            reader.appendDiagnostic(
                sha256.diagnostic(
                    bilingual(
                        "sha256 invalide : 64 chiffres hexadécimaux attendus (sha256sum FICHIER.iso)",
                        "invalid sha256: 64 hexadecimal digits expected (sha256sum FILE.iso)")))
        }
        if let snapshot, !DebianBaseSpec.isSnapshotStamp(snapshot.value) {
            reader.appendDiagnostic(
                snapshot.diagnostic(
                    bilingual(
                        "snapshot invalide « \(snapshot.value) » : écrivez AAAAMMJJTHHMMSSZ, ex. 20250520T000000Z",
                        "invalid snapshot \"\(snapshot.value)\": write YYYYMMDDTHHMMSSZ, e.g. 20250520T000000Z")))
        }
        for package in packages where !isDebianPackageName(package.value) {
            reader.appendDiagnostic(
                package.diagnostic(
                    bilingual(
                        "nom de paquet Debian invalide « \(package.value) »", "invalid Debian package name \"\(package.value)\"")))
        }
        switch (path, suite) {
        case let (path?, nil):
            return BaseReference(path: path, sha256: sha256?.value.lowercased())
        case let (nil, suite?):
            return BaseReference(
                path: nil, sha256: nil,
                debian: DebianBaseSpec(suite: suite.value, snapshot: snapshot?.value, packages: packages.map(\.value), line: suite.line))
        case (nil, nil):
            reader.error(
                at: node,
                bilingual(
                    "base : indiquez « path: » (une ISO Debian Live) ou « debian: bookworm » (un système construit par demokit)",
                    "base: give \"path:\" (a Debian Live ISO) or \"debian: bookworm\" (a system demokit builds)"))
            return nil
        case let (_, suite?):
            reader.appendDiagnostic(
                suite.diagnostic(
                    bilingual("base : « path: » ou « debian: », pas les deux", "base: \"path:\" or \"debian:\", not both")))
            return nil
        }
    }
}

/// A live system built from Debian packages (`base: {debian: SUITE}`).
struct DebianBaseSpec: Sendable, Equatable {
    var suite: String
    /// `YYYYMMDDTHHMMSSZ`: the archive as snapshot.debian.org kept it at that time.
    var snapshot: String?
    /// Packages every profile gets, besides the desktop.
    var packages: [String]
    /// Line of `debian:` in kit.yml.
    var line: Int

    static func isSnapshotStamp(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return false }
        return (bytes[0..<8] + bytes[9..<15]).allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}

/// Ids name files and URLs on a FAT32 key: lowercase ASCII letters, digits and dashes.
@discardableResult
func checkIdentifier(_ id: Located<String>, _ reader: ManifestReader, what: String) -> Bool {
    let valid =
        !id.value.isEmpty && id.value.count <= 64
        && id.value.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        && !id.value.hasPrefix("-")
    if !valid {
        reader.appendDiagnostic(
            id.diagnostic(
                bilingual(
                    "identifiant invalide « \(id.value) » : minuscules sans accent, chiffres et tirets seulement (ex. « open-cimetiere »)",
                    "invalid id \"\(id.value)\": lowercase ASCII letters, digits and dashes only (e.g. \"open-cimetiere\")")))
    }
    return valid
}

extension ManifestReader {
    func appendDiagnostic(_ diagnostic: Diagnostic) {
        error(atLine: diagnostic.line, column: diagnostic.column, diagnostic.message, severity: diagnostic.severity)
    }
}
