import ArgumentParser
import DemoKit
import Foundation

/// `demokit catalogue package-facts`: what the live applications' Debian packages say
/// (summary, links, latest release, icon), written into the kit for offline builds.
struct CataloguePackageFacts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package-facts",
        abstract:
            "Lit icônes et métainfo des paquets Debian des applications live (payload/packages/). / Reads icons and metainfo from the live applications' Debian packages.",
        discussion: """
            Pour chaque application dont live.packages nomme des paquets Debian : le .deb est pris dans le cache (debs/), sinon
            téléchargé (apt-get download, sources apt du système live). Écrit payload/packages/<id>.yml et
            payload/packages/icons/ ; à relancer quand les paquets changent, puis à committer.
            For each application whose live.packages name Debian packages: the .deb comes from the cache (debs/), else is
            downloaded (apt-get download, the live system's apt sources). Writes payload/packages/<id>.yml and
            payload/packages/icons/; run it again when the packages change, then commit.
            """)

    @OptionGroup var kit: KitOption
    @OptionGroup var cache: CacheOption

    @Option(name: .long, help: "Miroir Debian (défaut : les sources apt de la machine). / Debian mirror (default: the machine's apt sources).")
    var mirror: String?

    @OptionGroup var output: OutputOptions

    func run() throws {
        do {
            let loaded = try KitLoader(root: kit.url, displayPrefix: kit.displayPrefix).loadValid().kit
            let collector = PackageFactsCollector(kit: loaded, store: ContentStore(root: cache.url), mirror: mirror)
            let report = try collector.run { id in
                if output.verbose { printError(bilingual("paquets de \(id)…", "packages of \(id)…")) }
            }
            if !output.quiet {
                for path in report.changed { print(path) }
                for facts in report.facts {
                    for note in facts.notes { print("\(kit.displayPrefix)\(PackageFacts.folder)/\(facts.id.value).yml: \(note)") }
                }
                print(report.summary)
            }
        } catch {
            throw fail(error)
        }
    }
}
