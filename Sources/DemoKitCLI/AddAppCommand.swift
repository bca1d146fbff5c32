import ArgumentParser
import DemoKit
import Foundation

struct AddApp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-app",
        abstract:
            "Épingle un fichier d'application (zip PortableApps, .paf.exe, AppImage) dans le kit. / Pins an application file (PortableApps zip, .paf.exe, AppImage) into the kit.",
        discussion: """
            Calcule taille et SHA-256, lit appinfo.ini, écrit payload/apps/<id>.yml, ajoute l'application au profil et range le fichier dans le cache.
            Computes size and SHA-256, reads appinfo.ini, writes payload/apps/<id>.yml, adds the application to the profile and stores the file in the cache.
            """)

    @Argument(help: "Fichier local ou adresse http(s). / Local file or http(s) address.")
    var source: String

    @Option(name: .long, help: "Profil qui liste l'application. / Profile that lists the application.")
    var profile: String

    @Option(name: .long, help: "Identifiant dans le catalogue (deviné sinon). / Catalogue id (guessed otherwise).")
    var id: String?

    @Option(name: .long, help: "Pour un fichier local : l'adresse d'où il vient. / For a local file: the address it comes from.")
    var url: String?

    @OptionGroup var kit: KitOption
    @OptionGroup var cache: CacheOption
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let progress = output.reporter()
        var options = AppAdder.Options(kitRoot: kit.url, source: source, profile: profile, cache: cache.url)
        options.id = id
        options.url = url
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
    }
}
