import ArgumentParser
import DemoKit
import Foundation

struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Crée une paire de clés de signature (format minisign, clé secrète non chiffrée comme « minisign -G -W »). / Makes a signing key pair (minisign format, unencrypted secret key like \"minisign -G -W\")."
    )

    @Option(name: .long, help: "Dossier des clés. / Folder for the keys. (défaut/default: .)")
    var out: String = "."

    @OptionGroup var output: OutputOptions

    func run() throws {
        let folder = URL(fileURLWithPath: out)
        let secretURL = folder.appendingPathComponent("demokit.key")
        let publicURL = folder.appendingPathComponent("demokit.pub")
        for url in [secretURL, publicURL] where FileManager.default.fileExists(atPath: url.path) {
            throw fail(
                FileError(
                    path: url.path, reason: bilingual("existe déjà : la clé ne sera pas remplacée", "already exists: the key will not be replaced"),
                    hint: bilingual("choisissez un autre dossier avec --out", "choose another folder with --out")))
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let key = try MinisignSecretKey.generate()
            // The secret key is readable by its owner only; O_EXCL: never overwrite.
            let fd = open(secretURL.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard fd >= 0 else { throw FileError(path: secretURL.path, reason: String(cString: strerror(errno))) }
            let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            try handle.write(contentsOf: Data(try key.fileText().utf8))
            try handle.close()
            try Data(key.publicKey.fileText.utf8).write(to: publicURL, options: .withoutOverwriting)
            if !output.quiet {
                print(
                    bilingual("Clé secrète : \(secretURL.path) (à garder secrète, non chiffrée)", "Secret key: \(secretURL.path) (keep it secret, unencrypted)")
                )
                print(
                    bilingual("Clé publique : \(publicURL.path) (id \(key.publicKey.idString))", "Public key: \(publicURL.path) (id \(key.publicKey.idString))")
                )
            }
        } catch {
            throw fail(error)
        }
    }
}

/// Reads secret keys given with `--key`.
func loadSecretKeys(_ paths: [String]) throws -> [MinisignSecretKey] {
    try paths.map { path in
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw FileError(path: path, reason: bilingual("clé secrète illisible", "cannot read the secret key"))
        }
        return try MinisignSecretKey(text: text)
    }
}

struct Publish: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Construit le kit et l'ajoute, signé, à un dossier de publication. / Builds the kit and adds it, signed, to a release folder.")

    @Option(name: .long, help: "Clé secrète (répétable pour un seuil). / Secret key (repeatable, for thresholds).")
    var key: [String]

    @OptionGroup var kit: KitOption

    @Option(name: .long, help: "Dossier de publication. / Release folder.")
    var out: String

    @Option(name: .long, help: "Durée de validité en jours. / Days until the release expires. (défaut/default: 180)")
    var expiresDays = 180

    @Option(name: .long, help: "Seuil d'un premier fichier de confiance. / Threshold of a first trust file. (défaut/default: all keys)")
    var threshold: Int?

    @Option(
        name: .long,
        help:
            "Nouveau dossier : continue la numérotation du dossier (ou de l'adresse) où le kit publiait. / New folder: continue the numbering of the folder (or address) the kit published to."
    )
    var previous: String?

    @Flag(
        name: .long,
        help:
            "Commence exprès une nouvelle numérotation alors que la clé a déjà publié ce kit ailleurs. / Start a new numbering on purpose though the key already published this kit elsewhere."
    )
    var newNumbering = false

    @Option(
        name: .customLong("kernel-args"),
        help: "Paramètres du noyau en plus, comme pour demokit build. / More kernel parameters, as for demokit build.")
    var kernelArgs: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if previous != nil && newNumbering {
            throw ValidationError(
                bilingual("--previous et --new-numbering s'excluent : choisissez-en un", "--previous and --new-numbering exclude each other: pick one"))
        }
    }

    func run() throws {
        do {
            var options = Publisher.Options(kitRoot: kit.url, release: URL(fileURLWithPath: out), keys: try loadSecretKeys(key))
            options.expiresInDays = expiresDays
            options.threshold = threshold
            // What each key signed is kept beside it (demokit.key → demokit.releases.json).
            options.records = key.map { ReleaseHistory.Record.url(forKeyFile: URL(fileURLWithPath: $0)) }
            options.previous = previous
            options.newNumbering = newNumbering
            options.kernelParameters = kernelArgs.map { $0.split(separator: " ").map(String.init) } ?? []
            let report = try Publisher(options: options, progress: output.reporter()).publish()
            for warning in report.warnings { printError(warning) }
            guard !output.quiet else { return }
            let manifest = report.manifest
            print(
                bilingual(
                    "Publication n° \(manifest.release.number) (\(manifest.kit.version)) du kit \(manifest.kit.id), canal \(manifest.kit.channel) : \(report.objectsWritten) fichier(s) ajouté(s), \(report.objectsReused) déjà présent(s), \(formatBytes(report.bytesWritten)) écrits.",
                    "Release #\(manifest.release.number) (\(manifest.kit.version)) of kit \(manifest.kit.id), channel \(manifest.kit.channel): \(report.objectsWritten) file(s) added, \(report.objectsReused) already there, \(report.bytesWritten) bytes written."
                ))
            print(bilingual("Manifeste : \(report.manifestPath.path)", "Manifest: \(report.manifestPath.path)"))
        } catch {
            throw fail(error)
        }
    }
}

struct Rotate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Ajoute une version du fichier de confiance (nouvelles clés), signée par les anciennes et les nouvelles clés. / Adds a trust file version (new keys), signed by the old and new keys."
    )

    @Option(name: .long, help: "Dossier de publication. / Release folder.")
    var release: String

    @Option(name: .customLong("kit-id"), help: "Identifiant du kit. / Kit id.")
    var kitID: String

    @Option(name: .long, help: "Clé secrète qui signe (répétable : anciennes et nouvelles). / Signing secret key (repeatable: old and new).")
    var sign: [String]

    @Option(name: .customLong("trust"), help: "Clé publique de la nouvelle version (répétable). / Public key of the new version (repeatable).")
    var trusted: [String]

    @Option(name: .long, help: "Seuil. / Threshold. (défaut/default: 1)")
    var threshold = 1

    @Option(name: .long, help: "Durée de validité en jours. / Days until it expires. (défaut/default: 730)")
    var expiresDays = 730

    func run() throws {
        do {
            let keys = try trusted.map { path in
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw FileError(path: path, reason: bilingual("clé publique illisible", "cannot read the public key"))
                }
                return try MinisignPublicKey(text: text)
            }
            let trust = try Publisher.rotateTrust(
                release: URL(fileURLWithPath: release), kit: kitID, signers: try loadSecretKeys(sign), keys: keys, threshold: threshold,
                expiresInDays: expiresDays)
            print(bilingual("Fichier de confiance version \(trust.version) écrit.", "Trust file version \(trust.version) written."))
        } catch {
            throw fail(error)
        }
    }
}
