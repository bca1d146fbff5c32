import ArgumentParser
import DemoKit
import Foundation

struct AddApp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-app",
        abstract:
            "Épingle une application (dossier ou zip PortableApps, .paf.exe, AppImage) dans le kit. / Pins an application (PortableApps folder or zip, .paf.exe, AppImage) into the kit.",
        discussion: """
            Calcule taille et SHA-256, lit appinfo.ini, écrit payload/apps/<id>.yml, ajoute l'application au profil et range le fichier dans le cache.
            Computes size and SHA-256, reads appinfo.ini, writes payload/apps/<id>.yml, adds the application to the profile and stores the file in the cache.
            Un dossier PortableApps est d'abord mis dans un .zip reproductible (à publier à l'adresse --url). Sans fiche de catalogue, --new-entry en commence une depuis appinfo.ini.
            A PortableApps folder is first packed into a reproducible .zip (to publish at the --url address). Without a catalogue entry, --new-entry starts one from appinfo.ini.
            """)

    @Argument(help: "Fichier ou dossier local, ou adresse http(s). / Local file or folder, or http(s) address.")
    var source: String

    @Option(name: .long, help: "Profil qui liste l'application. / Profile that lists the application.")
    var profile: String

    @Option(name: .long, help: "Identifiant dans le catalogue (deviné sinon). / Catalogue id (guessed otherwise).")
    var id: String?

    @Option(name: .long, help: "Pour un fichier local : l'adresse d'où il vient. / For a local file: the address it comes from.")
    var url: String?

    @Flag(
        name: .long,
        help:
            "Sans fiche de catalogue : en commencer une depuis appinfo.ini, à compléter. / Without a catalogue entry: start one from appinfo.ini, to complete."
    )
    var newEntry = false

    @OptionGroup var kit: KitOption
    @OptionGroup var cache: CacheOption
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let progress = output.reporter()
        var options = AppAdder.Options(kitRoot: kit.url, source: source, profile: profile, cache: cache.url)
        options.id = id
        options.url = url
        options.newEntry = newEntry
        options.displayPrefix = kit.displayPrefix
        let report: AppAdder.Report
        do {
            report = try await AppAdder(options: options, progress: progress).run()
        } catch {
            throw fail(error)
        }
        guard !output.quiet else { return }
        var what = report.platform
        if let info = report.info { what += " — \(info.name) \(info.version ?? "") (\(info.appID), \(info.start))" }
        print(
            bilingual(
                "\(report.id) (\(what)) épinglé dans \(report.appFile) : \(report.pin.size) octets, sha256 \(report.pin.sha256).",
                "\(report.id) (\(what)) pinned in \(report.appFile): \(report.pin.size) bytes, sha256 \(report.pin.sha256)."))
        if report.addedToProfile {
            print(bilingual("Ajouté au profil \(profile).", "Added to profile \(profile)."))
        }
        if let packed = report.packed {
            print(
                bilingual(
                    "Archive du dossier : \(packed.path) — publiez-la à \(report.pin.url).",
                    "Archive of the folder: \(packed.path) — publish it at \(report.pin.url)."))
        }
        if let entry = report.startedEntry {
            print(
                bilingual(
                    "Fiche de catalogue commencée : \(entry). À compléter, puis « demokit validate » :",
                    "Catalogue entry started: \(entry). To complete, then \"demokit validate\":"))
            for diagnostic in report.toComplete { print("  \(diagnostic.description)") }
        }
    }
}
