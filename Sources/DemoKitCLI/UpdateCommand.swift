import ArgumentParser
import DemoKit
import Foundation

struct Update: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Met une clé à jour depuis un dossier de publication ou une adresse web, sans risque si elle est retirée en cours. / Updates a key from a release folder or web address, safely even if pulled out midway."
    )

    @Argument(help: "Dossier de la clé (sa racine). / The key's folder (its root).")
    var keyPath: String

    @Option(name: .long, help: "Dossier de publication ou adresse http(s). / Release folder or http(s) address.")
    var from: String?

    @Flag(
        name: .long,
        help:
            "Depuis l'adresse et avec la clé publique que la clé porte (updates: du kit), sans toucher aux fichiers que le système démarré utilise : ce que lance le système live. / From the address and with the public key the key carries (the kit's updates:), leaving alone the files the running system uses: what the live system runs."
    )
    var auto = false

    @Option(
        name: .customLong("trust-key"),
        help:
            "Clé publique des mainteneurs, pour une clé qui n'a pas encore de fichier de confiance. / Maintainers' public key, for a key with no trust file yet."
    )
    var trustKey: String?

    @OptionGroup var output: OutputOptions

    func run() throws {
        let progress = output.reporter()
        do {
            let key = URL(fileURLWithPath: keyPath)
            let updater = KeyUpdater(key: key, progress: progress)
            var address = from
            if auto {
                let carried = try LiveUpdates.readSettings(key: key)
                address = address ?? carried.settings.url
                updater.trustKey = carried.publicKey
                updater.heldFiles = LiveUpdates.heldFiles(key: key)
            }
            guard let address else {
                throw ValidationError(
                    bilingual(
                        "indiquez la publication : --from DOSSIER_OU_ADRESSE (ou --auto pour celle que la clé porte)",
                        "name the release: --from FOLDER_OR_ADDRESS (or --auto for the one the key carries)"))
            }
            if let trustKey {
                guard let text = try? String(contentsOfFile: trustKey, encoding: .utf8) else {
                    throw FileError(path: trustKey, reason: bilingual("clé publique illisible", "cannot read the public key"))
                }
                updater.trustKey = try MinisignPublicKey(text: text)
            }
            let report = try updater.update(from: try openReleaseSource(address))
            for warning in report.warnings { progress.warning(warning) }
            if !output.quiet { printReport(report) }
            if auto { printLiveNotice(report) }
            progress.detail(bilingual("opérations d'écriture : \(report.writeOperations)", "write operations: \(report.writeOperations)"))
        } catch {
            throw fail(error)
        }
    }
}

/// The lines `demokit-autoupdate` reads: the outcome, and the desktop notification's
/// title and body.
func printLiveNotice(_ report: UpdateReport) {
    switch report.outcome {
    case .upToDate:
        print("demokit-update: outcome=up-to-date release=\(report.toNumber)")
    case .updated:
        print(
            "demokit-update: outcome=updated release=\(report.toNumber) version=\(report.displayVersion) written=\(report.filesWritten) removed=\(report.filesRemoved)"
        )
        print("demokit-notice-title: Clé mise à jour : version \(report.displayVersion) / Key updated")
        let names: [KeyPlan.Part: String] = [
            .base: "système", .applications: "applications", .catalogue: "catalogue", .site: "site", .other: "autres fichiers",
        ]
        let changed = report.changedParts.compactMap { names[$0] }.joined(separator: ", ")
        print(
            "demokit-notice-body: Publication n° \(report.toNumber) : \(report.filesWritten) fichier(s) nouveau(x) ou changé(s) (\(changed)), \(report.filesRemoved) retiré(s). Les pages du catalogue sont à jour dès qu'on les recharge (F5) ; les applications et le système changés, au prochain démarrage. / Release #\(report.toNumber): \(report.filesWritten) file(s) new or changed, \(report.filesRemoved) removed. Catalogue pages are current once reloaded (F5); changed applications and system from the next boot."
        )
    }
}

func printReport(_ report: UpdateReport) {
    switch report.outcome {
    case .upToDate:
        print(bilingual("Déjà à jour (publication n° \(report.toNumber)).", "Already up to date (release #\(report.toNumber))."))
    case .updated:
        print(
            bilingual(
                "Clé mise à jour : publication n° \(report.toNumber) (\(report.displayVersion)), \(report.filesWritten) fichier(s) écrit(s), \(report.filesRemoved) supprimé(s).",
                "Key updated: release #\(report.toNumber) (\(report.displayVersion)), \(report.filesWritten) file(s) written, \(report.filesRemoved) removed."))
    }
    print(
        bilingual(
            "Lu depuis la publication : \(report.bytesFromSource) o ; recopié depuis la clé : \(report.bytesReused) o ; écrit sur la clé : \(report.bytesWritten) o ; relu pour vérifier : \(report.bytesChecked) o.",
            "Read from the release: \(report.bytesFromSource) B; reused from the key: \(report.bytesReused) B; written to the key: \(report.bytesWritten) B; read back to check: \(report.bytesChecked) B."
        ))
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Vérifie chaque fichier de la clé par son empreinte (et répare avec --repair). / Checks every file of the key by hash (and repairs with --repair).")

    @Argument(help: "Dossier de la clé. / The key's folder.")
    var keyPath: String

    @Flag(name: .long, help: "Termine une mise à jour interrompue et remet les fichiers abîmés. / Finishes an interrupted update and restores damaged files.")
    var repair = false

    @Option(name: .long, help: "Publication où reprendre les fichiers. / Release to take files from.")
    var from: String?

    @OptionGroup var output: OutputOptions

    func run() throws {
        let key = URL(fileURLWithPath: keyPath)
        do {
            if repair {
                let updater = KeyUpdater(key: key, progress: output.reporter())
                let report = try updater.repair(from: try from.map(openReleaseSource))
                if !output.quiet, report.filesWritten > 0 {
                    print(bilingual("\(report.filesWritten) fichier(s) remis en état.", "\(report.filesWritten) file(s) restored."))
                }
            }
        } catch {
            throw fail(error)
        }
        let check = KeyCheck.run(key: key, hashFiles: true)
        guard let manifest = check.manifest else {
            throw fail(UpdateRefusal.notAKey(key.path))
        }
        for path in check.missing { printError(bilingual("manquant : \(path)", "missing: \(path)")) }
        for path in check.damaged { printError(bilingual("abîmé : \(path)", "damaged: \(path)")) }
        if check.state.phase != .idle {
            printError(
                bilingual(
                    "une mise à jour est en attente : lancez « demokit update » ou « demokit verify --repair »",
                    "an update is pending: run \"demokit update\" or \"demokit verify --repair\""))
        }
        if check.trust != nil && !check.signed {
            printError(bilingual("la signature du manifeste est invalide", "the manifest's signature is invalid"))
        }
        guard check.isHealthy, check.trust == nil || check.signed else { throw ExitCode.failure }
        if !output.quiet {
            print(
                bilingual(
                    "Clé intacte : \(check.checkedFiles) fichiers vérifiés (publication n° \(manifest.release.number)\(check.signed ? ", signée" : ", non signée")).",
                    "Key intact: \(check.checkedFiles) files checked (release #\(manifest.release.number)\(check.signed ? ", signed" : ", unsigned"))."))
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Affiche la version, le canal, la dernière mise à jour et le travail en attente d'une clé. / Shows a key's version, channel, last update and pending work."
    )

    @Argument(help: "Dossier de la clé. / The key's folder.")
    var keyPath: String

    func run() throws {
        let key = URL(fileURLWithPath: keyPath)
        let check = KeyCheck.run(key: key, hashFiles: false)
        guard let manifest = check.manifest else {
            if check.state.phase != .idle {
                print(bilingual("Mise à jour interrompue : lancez « demokit update »", "Interrupted update: run \"demokit update\""))
                return
            }
            throw fail(UpdateRefusal.notAKey(key.path))
        }
        print("Kit : \(manifest.kit.id)")
        print(
            bilingual(
                "Version : \(manifest.kit.version) (publication n° \(manifest.release.number))",
                "Version: \(manifest.kit.version) (release #\(manifest.release.number))"))
        print(bilingual("Canal : \(manifest.kit.channel)", "Channel: \(manifest.kit.channel)"))
        print(bilingual("Signée : \(check.signed ? "oui" : "non")", "Signed: \(check.signed ? "yes" : "no")"))
        if let expires = manifest.release.expires { print(bilingual("Expire le : \(expires)", "Expires: \(expires)")) }
        if let trust = check.trust {
            print(bilingual("Confiance : version \(trust.version), expire le \(trust.expires)", "Trust: version \(trust.version), expires \(trust.expires)"))
        }
        print(bilingual("Dernière mise à jour : \(check.state.lastUpdate ?? "jamais")", "Last update: \(check.state.lastUpdate ?? "never")"))
        switch check.state.phase {
        case .idle: print(bilingual("En attente : rien", "Pending: nothing"))
        case .staging:
            print(
                bilingual(
                    "En attente : préparation de la publication n° \(check.state.targetNumber ?? 0) (la clé est intacte ; relancez « demokit update »)",
                    "Pending: staging release #\(check.state.targetNumber ?? 0) (the key is intact; run \"demokit update\" again)"))
        case .applying:
            print(
                bilingual(
                    "En attente : installation de la publication n° \(check.state.targetNumber ?? 0) à terminer (« demokit update » ou « demokit verify --repair »)",
                    "Pending: release #\(check.state.targetNumber ?? 0) must be finished (\"demokit update\" or \"demokit verify --repair\")"))
        }
    }
}
