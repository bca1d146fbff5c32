import Foundation
import Yams

/// `payload/packages/<app-id>.yml`: what the Debian packages of a live application say
/// about it (AppStream metainfo, icon, copyright), read by `demokit catalogue
/// package-facts` and committed with the kit, so a build never needs the packages.
/// Each fact keeps the package and version it came from and the day it was read (the
/// kit's date). The icon itself is `payload/packages/icons/<file>`.
public struct PackageFacts: Sendable, Codable, Equatable {
    /// A package, its version and the day its facts were read.
    struct Origin: Sendable, Codable, Equatable {
        var package: String
        var version: String
        /// `YYYY-MM-DD`: the kit's date when the facts were read.
        var date: String

        init(package: String, version: String, date: String) {
            self.package = package
            self.version = version
            self.date = date
        }

        /// `gimp 2.10.34-1+deb12u10`: how the catalogue names the source of a fact.
        var reference: String { "\(package) \(version)" }
    }

    struct Icon: Sendable, Codable, Equatable {
        /// The file's name in `payload/packages/icons/` (`gimp.png`, `inkscape.svg`).
        var file: String
        var origin: Origin
        /// Where the package installs it (`/usr/share/icons/hicolor/48x48/apps/gimp.png`).
        var path: String
        /// The licence the package's copyright file gives the icon (`GPL-3+`).
        var licence: String
        /// The copyright file it was read from.
        var copyright: String

        init(file: String, origin: Origin, path: String, licence: String, copyright: String) {
            self.file = file
            self.origin = origin
            self.path = path
            self.licence = licence
            self.copyright = copyright
        }

        var isSVG: Bool { file.hasSuffix(".svg") }
    }

    public var id: Located<String>
    /// The package whose AppStream metainfo gave the facts below (or, without
    /// metainfo, the application's first package).
    var origin: Origin
    /// The metainfo file read, when the package has one.
    var metainfo: String?
    var summaryFrench: String?
    var summaryEnglish: String?
    var homepage: String?
    var bugTracker: String?
    var help: String?
    var releaseVersion: String?
    /// `YYYY-MM-DD`.
    var releaseDate: String?
    var icon: Icon?
    /// What the packages lack, said for `demokit catalogue check` (« pas de métainfo »,
    /// « seulement des PNG de plus de 128 px »). Empty when nothing is missing.
    public var notes: [String] = []

    init(id: Located<String>, origin: Origin) {
        self.id = id
        self.origin = origin
    }

    /// Where the facts files are, in a kit.
    public static let folder = "payload/packages"
    static let iconFolder = "payload/packages/icons"
    /// The largest PNG the catalogue takes, in pixels (width and height).
    static let maximumPNGSize = 128
    /// The catalogue's name for the facts' source (`EntrySource.name`).
    static let sourceName = "debian"

    /// The source of the metainfo's facts, for an entry's provenance.
    var source: EntrySource {
        EntrySource(name: Self.sourceName, id: origin.reference, licence: nil, date: origin.date)
    }

    // MARK: - Reading

    static func read(_ fields: MappingReader) -> PackageFacts? {
        let reader = fields.reader
        let id = fields.string("id", required: true)
        let origin = fields.value("source").flatMap { readOrigin($0, reader, what: "source") }
        if fields.value("source") == nil {
            reader.error(at: fields.node, bilingual("champ obligatoire manquant : « source »", "missing required field \"source\""))
        }
        let metainfo = fields.string("metainfo")
        var summaryFrench: Located<String>?
        var summaryEnglish: Located<String>?
        if let node = fields.value("summary"), let summary = reader.mapping(node, what: "summary") {
            summaryFrench = summary.string("fr")
            summaryEnglish = summary.string("en")
            summary.finish()
        }
        let homepage = fields.string("homepage")
        let bugTracker = fields.string("bugtracker")
        let help = fields.string("help")
        var releaseVersion: Located<String>?
        var releaseDate: Located<String>?
        if let node = fields.value("release"), let release = reader.mapping(node, what: "release") {
            releaseVersion = release.string("version")
            releaseDate = release.string("date")
            release.finish()
        }
        var icon: Icon?
        if let node = fields.value("icon"), let mapping = reader.mapping(node, what: "icon") {
            icon = readIcon(mapping)
        }
        let notes = fields.strings("notes")
        fields.finish()
        for url in [homepage, bugTracker, help].compactMap({ $0 }) where !isWebAddress(url.value) {
            reader.appendDiagnostic(
                url.diagnostic(
                    bilingual(
                        "adresse invalide « \(url.value) » : elle doit commencer par https:// ou http://",
                        "invalid address \"\(url.value)\": it must start with https:// or http://")))
        }
        if let releaseDate, SourceDate.parseDay(releaseDate.value) == nil {
            reader.appendDiagnostic(
                releaseDate.diagnostic(
                    bilingual(
                        "date invalide « \(releaseDate.value) » : écrivez AAAA-MM-JJ", "invalid date \"\(releaseDate.value)\": write YYYY-MM-DD")))
        }
        guard let id, let origin else { return nil }
        var facts = PackageFacts(id: id, origin: origin)
        facts.metainfo = metainfo?.value
        facts.summaryFrench = summaryFrench?.value
        facts.summaryEnglish = summaryEnglish?.value
        facts.homepage = homepage.flatMap { isWebAddress($0.value) ? $0.value : nil }
        facts.bugTracker = bugTracker.flatMap { isWebAddress($0.value) ? $0.value : nil }
        facts.help = help.flatMap { isWebAddress($0.value) ? $0.value : nil }
        facts.releaseVersion = releaseVersion?.value
        facts.releaseDate = releaseDate.flatMap { SourceDate.parseDay($0.value) == nil ? nil : $0.value }
        facts.icon = icon
        facts.notes = notes.map(\.value)
        return facts
    }

    static func readOrigin(_ node: Node, _ reader: ManifestReader, what: String) -> Origin? {
        guard let fields = reader.mapping(node, what: what) else { return nil }
        let origin = readOrigin(fields)
        fields.finish()
        return origin
    }

    /// `package`, `version` and `date`, read from a mapping that may hold more.
    static func readOrigin(_ fields: MappingReader) -> Origin? {
        let package = fields.string("package", required: true)
        let version = fields.string("version", required: true)
        let date = fields.string("date", required: true)
        if let date, SourceDate.parseDay(date.value) == nil {
            fields.reader.appendDiagnostic(
                date.diagnostic(bilingual("date invalide « \(date.value) » : écrivez AAAA-MM-JJ", "invalid date \"\(date.value)\": write YYYY-MM-DD")))
            return nil
        }
        guard let package, let version, let date else { return nil }
        return Origin(package: package.value, version: version.value, date: date.value)
    }

    static func readIcon(_ fields: MappingReader) -> Icon? {
        let file = fields.string("file", required: true)
        let origin = readOrigin(fields)
        let path = fields.string("path", required: true)
        let licence = fields.string("licence", required: true)
        let copyright = fields.string("copyright", required: true)
        fields.finish()
        if let file, !isIconFileName(file.value) {
            fields.reader.appendDiagnostic(
                file.diagnostic(
                    bilingual(
                        "« file » : un nom de fichier .png ou .svg de payload/packages/icons/ est attendu",
                        "\"file\": expected a .png or .svg file name in payload/packages/icons/")))
            return nil
        }
        guard let file, let origin, let path, let licence, let copyright else { return nil }
        return Icon(file: file.value, origin: origin, path: path.value, licence: licence.value, copyright: copyright.value)
    }

    /// A plain file name (no folder, no dot first) ending in `.png` or `.svg`.
    static func isIconFileName(_ name: String) -> Bool {
        guard name.hasSuffix(".png") || name.hasSuffix(".svg"), !name.hasPrefix("."), name.count > 4 else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }

    // MARK: - Writing

    /// The file's text: fields in a fixed order, so the same facts give the same bytes.
    var yaml: String {
        func scalar(_ text: String) -> Node { Node(text, Tag(.str)) }
        func originPairs(_ origin: Origin) -> [(Node, Node)] {
            [("package", origin.package), ("version", origin.version), ("date", origin.date)].map { (scalar($0.0), scalar($0.1)) }
        }
        var pairs: [(Node, Node)] = [(scalar("id"), scalar(id.value))]
        pairs.append((scalar("source"), Node.mapping(Node.Mapping(originPairs(origin)))))
        if let metainfo { pairs.append((scalar("metainfo"), scalar(metainfo))) }
        let summary = [("fr", summaryFrench), ("en", summaryEnglish)].compactMap { key, value in value.map { (scalar(key), scalar($0)) } }
        if !summary.isEmpty { pairs.append((scalar("summary"), Node.mapping(Node.Mapping(summary)))) }
        for (key, value) in [("homepage", homepage), ("bugtracker", bugTracker), ("help", help)] {
            if let value { pairs.append((scalar(key), scalar(value))) }
        }
        let release = [("version", releaseVersion), ("date", releaseDate)].compactMap { key, value in value.map { (scalar(key), scalar($0)) } }
        if !release.isEmpty { pairs.append((scalar("release"), Node.mapping(Node.Mapping(release)))) }
        if let icon {
            var fields: [(Node, Node)] = [(scalar("file"), scalar(icon.file))]
            fields += originPairs(icon.origin)
            fields += [("path", icon.path), ("licence", icon.licence), ("copyright", icon.copyright)].map { (scalar($0.0), scalar($0.1)) }
            pairs.append((scalar("icon"), Node.mapping(Node.Mapping(fields))))
        }
        if !notes.isEmpty { pairs.append((scalar("notes"), Node.sequence(Node.Sequence(notes.map(scalar))))) }
        let body = (try? Yams.serialize(node: Node.mapping(Node.Mapping(pairs)), width: -1, allowUnicode: true)) ?? ""
        return "# Écrit par « demokit catalogue package-facts » depuis les paquets Debian : ne pas modifier à la main.\n"
            + "# Written by \"demokit catalogue package-facts\" from Debian's packages: do not edit by hand.\n" + body
    }
}
