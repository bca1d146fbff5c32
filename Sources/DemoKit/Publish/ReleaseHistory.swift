import Foundation

/// One number, one release: what `demokit publish` checks before it gives a release
/// its number. A key takes another manifest with the number it holds as an error
/// (two release lines of one kit), so publish refuses to make one:
///
/// - in the release folder, the latest manifest must be its own archived copy
///   (`releases/<n>.json`), and no archived release may have the number about to be
///   given (the folder was restored from an old copy, or its latest manifest lost);
/// - beside each signing key, a record (`<key>.releases.json`) keeps the latest
///   release that key signed for each kit and channel, and where. A folder that does
///   not hold that release cannot start a numbering at or below it, unless told so
///   (`newNumbering`), or told where the line continues from (`previous`).
public struct ReleaseHistory {
    /// The latest release a signing key signed for one kit and channel.
    public struct Entry: Sendable, Codable, Equatable {
        var kit: String
        var channel: String
        var number: Int
        /// SHA-256 of the manifest's bytes.
        var manifest: String
        /// The release folder it went to, as given to publish.
        var folder: String
    }

    /// The record kept beside a signing key.
    public struct Record: Sendable, Codable, Equatable {
        var format = 1
        var releases: [Entry] = []

        init() {}

        /// `demokit.key` → `demokit.releases.json`, in the key's folder.
        public static func url(forKeyFile key: URL) -> URL {
            key.deletingPathExtension().appendingPathExtension("releases.json")
        }

        /// The record at `url`; empty when there is none yet.
        static func read(_ url: URL) throws -> Record {
            guard let data = FileManager.default.contents(atPath: url.path) else { return Record() }
            do {
                return try JSONDecoder().decode(Record.self, from: data)
            } catch {
                throw FileError(
                    path: url.path, reason: bilingual("registre des publications illisible", "unreadable release record") + ": \(error)",
                    hint: bilingual(
                        "ce fichier dit ce que cette clé a déjà publié : réparez-le ou retirez-le en connaissance de cause",
                        "this file says what this key already published: repair it, or remove it knowingly"))
            }
        }

        func entry(kit: String, channel: String) -> Entry? {
            releases.first { $0.kit == kit && $0.channel == channel }
        }

        mutating func record(_ entry: Entry) {
            releases.removeAll { $0.kit == entry.kit && $0.channel == entry.channel }
            releases.append(entry)
            releases.sort { ($0.kit, $0.channel) < ($1.kit, $1.channel) }
        }

        func write(to url: URL) throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try Publisher.writeAtomically(try encoder.encode(self) + Data("\n".utf8), to: url)
        }
    }

    /// The number a new release gets in `folder`, and its `previous` hash.
    struct Next: Sendable, Equatable {
        var number: Int
        var previous: String?
    }

    /// Why publish refused to number a release.
    public enum Refusal: UserFacingError, Equatable {
        /// The folder's latest manifest is not its archived copy of that number.
        case latestDiffersFromArchive(folder: String, number: Int)
        /// The folder already holds the number about to be given.
        case numberTaken(folder: String, number: Int)
        /// A signing key already published this kit and channel up to `entry` elsewhere.
        case otherLine(folder: String, next: Int, entry: Entry)
        /// `previous` was given for a folder that already has releases.
        case previousInNonEmptyFolder(folder: String, number: Int)
        /// `previous` has no release of this kit and channel, or not one these keys signed.
        case previousNotFound(String)
        case previousNotSigned(String)

        public var message: String {
            switch self {
            case let .latestDiffersFromArchive(folder, number):
                return bilingual(
                    "\(folder) : le dernier manifeste (n° \(number)) n'est pas celui archivé sous le même numéro (releases/\(number).json) : "
                        + "ce dossier mélange deux lignes de publications. Publication refusée ; retrouvez le bon dossier ou réparez celui-ci",
                    "\(folder): the latest manifest (#\(number)) is not the one archived under that number (releases/\(number).json): "
                        + "this folder mixes two release lines. Publication refused; find the right folder or repair this one")
            case let .numberTaken(folder, number):
                return bilingual(
                    "\(folder) a déjà une publication n° \(number) (releases/\(number).json) alors que son dernier manifeste est plus ancien : "
                        + "dossier restauré d'une ancienne copie ? Un numéro ne peut désigner qu'une publication : publication refusée. "
                        + "Reprenez le dossier à jour (celui qui a la publication n° \(number) comme dernier manifeste)",
                    "\(folder) already has a release #\(number) (releases/\(number).json) while its latest manifest is older: "
                        + "a folder restored from an old copy? A number names one release only: publication refused. "
                        + "Use the up-to-date folder (the one whose latest manifest is release #\(number))")
            case let .otherLine(folder, next, entry):
                return bilingual(
                    "la clé de signature a déjà publié le kit « \(entry.kit) », canal « \(entry.channel) », jusqu'au n° \(entry.number) "
                        + "dans \(entry.folder) ; \(folder) n'a pas cette publication et donnerait le n° \(next) : deux publications "
                        + "porteraient le même numéro et les clés à jour ne verraient rien. Publication refusée. Continuez la numérotation "
                        + "avec --previous \(entry.folder), ou publiez dans ce dossier-là ; pour commencer exprès une nouvelle numérotation, "
                        + "ajoutez --new-numbering",
                    "the signing key already published kit \"\(entry.kit)\", channel \"\(entry.channel)\", up to #\(entry.number) "
                        + "in \(entry.folder); \(folder) does not have that release and would give #\(next): two releases would carry "
                        + "the same number and up-to-date keys would see nothing. Publication refused. Continue the numbering with "
                        + "--previous \(entry.folder), or publish to that folder; to start a new numbering on purpose, add --new-numbering")
            case let .previousInNonEmptyFolder(folder, number):
                return bilingual(
                    "--previous sert à commencer un dossier de publication, or \(folder) a déjà la publication n° \(number) : retirez --previous",
                    "--previous starts a release folder, but \(folder) already has release #\(number): drop --previous")
            case let .previousNotFound(what):
                return bilingual(
                    "--previous : aucune publication de ce kit et de ce canal dans \(what)",
                    "--previous: no release of this kit and channel in \(what)")
            case let .previousNotSigned(what):
                return bilingual(
                    "--previous : \(what) n'est signé par aucune des clés de signature données : ce n'est pas la même ligne de publications",
                    "--previous: \(what) is signed by none of the signing keys given: it is not the same release line")
            }
        }
    }

    var folder: URL
    var kit: String
    var channel: String

    init(folder: URL, kit: String, channel: String) {
        self.folder = folder
        self.kit = kit
        self.channel = channel
    }

    /// Numbers found in `<kit>/<channel>/releases/`.
    func archivedNumbers() -> [Int] {
        let releases = folder.appendingPathComponent(ReleaseLayout.manifest(kit: kit, channel: channel)).deletingLastPathComponent()
            .appendingPathComponent("releases")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: releases.path)) ?? []
        return names.compactMap { name in name.hasSuffix(".json") ? Int(name.dropLast(5)) : nil }.filter { $0 > 0 }.sorted()
    }

    func archived(_ number: Int) -> Data? {
        FileManager.default.contents(atPath: folder.appendingPathComponent(ReleaseLayout.archivedManifest(kit: kit, channel: channel, number: number)).path)
    }

    /// The number and `previous` of the next release in the folder, after checking the
    /// folder's history and the signing keys' records.
    /// - Parameters:
    ///   - records: the records kept beside the signing keys.
    ///   - previous: where the line continues from when the folder is new (its latest manifest's bytes).
    ///   - newNumbering: start at 1 even though a signing key published this kit and channel elsewhere.
    func next(records: [Record], previous: Data?, newNumbering: Bool) throws -> Next {
        let display = folder.path
        let latestURL = folder.appendingPathComponent(ReleaseLayout.manifest(kit: kit, channel: channel))
        let archive = archivedNumbers()
        var next = Next(number: 1, previous: nil)
        if let data = FileManager.default.contents(atPath: latestURL.path) {
            let latest = try UpdateManifest.decode(data, path: latestURL.path)
            // Folders published before the archive existed have no copy: nothing to compare.
            if let copy = archived(latest.release.number), copy != data {
                throw Refusal.latestDiffersFromArchive(folder: display, number: latest.release.number)
            }
            next = Next(number: latest.release.number + 1, previous: FileHashing.sha256(of: data))
            if previous != nil { throw Refusal.previousInNonEmptyFolder(folder: display, number: latest.release.number) }
        } else if let previous {
            let manifest = try UpdateManifest.decode(previous, path: "--previous")
            next = Next(number: manifest.release.number + 1, previous: FileHashing.sha256(of: previous))
        }
        if let taken = archive.last, taken >= next.number {
            throw Refusal.numberTaken(folder: display, number: taken)
        }
        guard !newNumbering, previous == nil else { return next }
        for record in records {
            guard let entry = record.entry(kit: kit, channel: channel), entry.number >= next.number else { continue }
            // The recorded release is this folder's own: the line is the same.
            if let copy = archived(entry.number), FileHashing.sha256(of: copy) == entry.manifest { continue }
            throw Refusal.otherLine(folder: display, next: next.number, entry: entry)
        }
        return next
    }
}
