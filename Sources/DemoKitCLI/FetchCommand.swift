import ArgumentParser
import DemoKit
import Foundation

struct Fetch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Télécharge dans le cache les fichiers d'applications qui manquent (en ligne). / Downloads the missing application files into the cache (online).",
        discussion: """
            Les téléchargements interrompus reprennent où ils en étaient ; chaque fichier est vérifié (taille et SHA-256 épinglés dans payload/apps/). \
            Ensuite, demokit build fonctionne hors ligne.
            Interrupted downloads continue where they stopped; every file is checked (size and SHA-256 pinned in payload/apps/). \
            Then demokit build works offline.
            """)

    @OptionGroup var kit: KitOption
    @OptionGroup var cache: CacheOption

    @Option(name: .customLong("profile"), help: "Seulement pour ce profil (répétable). / Only for this profile (repeatable).")
    var profiles: [String] = []

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let progress = output.reporter()
        let report: ArtifactFetcher.Report
        do {
            let (loaded, warnings) = try KitLoader(root: kit.url, displayPrefix: kit.displayPrefix).loadValid()
            for warning in warnings { progress.warning(warning.description) }
            let selected = try loaded.selecting(profiles: profiles)
            report = try await ArtifactFetcher(store: ContentStore(root: cache.url), progress: progress).fetch(selected)
        } catch {
            throw fail(error)
        }
        guard !output.quiet else { return }
        print(
            bilingual(
                "Cache \(cache.url.path) : \(report.fetched.count) fichier(s) téléchargé(s), \(report.present.count) déjà présent(s).",
                "Cache \(cache.url.path): \(report.fetched.count) file(s) downloaded, \(report.present.count) already there."))
    }
}
