import ArgumentParser
import DemoKit
import Foundation

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Construit l'arborescence de la clé (et une archive). / Builds the key's file tree (and an archive).")

    @OptionGroup var kit: KitOption

    @Option(name: .long, help: "Dossier de sortie. / Output folder. (défaut/default: build/kit)")
    var out: String = "build/kit"

    @Option(name: .customLong("profile"), help: "Ne garder que ce profil (répétable). / Keep only this profile (repeatable).")
    var profiles: [String] = []

    @Option(name: .long, help: "Écrire aussi une archive .tar, .tar.gz, .tar.zst ou .zip. / Also write an archive.")
    var archive: String?

    @OptionGroup var cache: CacheOption

    @Flag(
        name: .long,
        help:
            "Construire même si des fichiers d'applications manquent dans le cache (les listes le disent). / Build even when application files are missing from the cache (the lists say so)."
    )
    var skipMissing = false

    @Option(
        name: .customLong("base-iso"),
        help: "ISO Debian Live dont la clé démarre (sinon base: de profiles/kit.yml). / Debian Live ISO the key boots (else base: in profiles/kit.yml).")
    var baseISO: String?

    @Flag(
        name: .customLong("no-base"),
        help: "Clé sans système live (catalogue seulement). / A key without live system (catalogue only).")
    var noBase = false

    @Option(
        name: .long,
        help: "Miroir Debian du système live (défaut : les sources apt de la machine). / Debian mirror of the live system.")
    var mirror: String?

    @Option(name: .long, help: "Écrire aussi une image disque brute (.img). / Also write a raw disk image (.img).")
    var image: String?

    @Option(
        name: .long,
        help:
            "Taille de la clé, ex. 8 Go, 8G (10^9), 7.5GiB : refuse une clé qui ne tient pas, et fixe la taille de l'image (défaut : au plus juste). / Key size, e.g. 8G (10^9), 7.5GiB: refuses a key that does not fit, and sets the image size (default: smallest that fits).",
        transform: ByteSize.argument)
    var size: ByteSize?

    @Option(
        name: .customLong("kernel-args"),
        help: "Paramètres du noyau ajoutés à chaque entrée, ex. \"console=ttyS0,115200 panic=-1\". / Kernel parameters added to every entry.")
    var kernelArgs: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let archive, ArchiveFormat(fileName: archive) == nil {
            throw ValidationError(
                bilingual(
                    "--archive : extension inconnue « \(archive) » (utilisez .tar, .tar.gz, .tar.zst ou .zip)",
                    "--archive: unknown extension \"\(archive)\" (use .tar, .tar.gz, .tar.zst or .zip)"))
        }
    }

    func run() throws {
        let progress = output.reporter()
        var options = KitBuilder.Options(kitRoot: kit.url, output: URL(fileURLWithPath: out))
        options.profiles = profiles
        options.archive = archive.map { URL(fileURLWithPath: $0) }
        options.displayPrefix = kit.displayPrefix
        options.cache = cache.url
        options.skipMissing = skipMissing
        options.keySize = size
        options.fetchCommand = "demokit fetch --kit \(kit.kit)" + (cache.cache.map { " --cache \($0)" } ?? "")
        options.base = baseISO.map { BaseSource(iso: URL(fileURLWithPath: $0)) }
        options.debianBase = noBase ? .ignore : .build(mirror: mirror)
        options.kernelParameters = kernelArgs.map { $0.split(separator: " ").map(String.init) } ?? []
        options.image = image.map { URL(fileURLWithPath: $0) }
        options.imageSize = size
        let report: KitBuilder.Report
        do {
            report = try KitBuilder(options: options, progress: progress).build()
        } catch {
            throw fail(error)
        }
        for warning in report.warnings { progress.warning(warning.description) }
        guard !output.quiet else { return }
        let summary = report.summary
        let index = URL(fileURLWithPath: out).standardizedFileURL.appendingPathComponent("index.html").path
        print(
            bilingual(
                "Clé construite dans \(out) : \(summary.files) fichiers, \(formatBytes(summary.bytes)), profils \(summary.profiles.joined(separator: ", ")).",
                "Key built in \(out): \(summary.files) files, \(formatBytes(summary.bytes, english: true)), profiles \(summary.profiles.joined(separator: ", "))."
            ))
        print(bilingual("Ouvrir le catalogue : file://\(index)", "Open the catalogue: file://\(index)"))
        if !report.missing.isEmpty {
            print(
                bilingual(
                    "Pas sur cette clé (--skip-missing) : \(report.missing.map { "\($0.app) (\($0.platform))" }.joined(separator: ", ")).",
                    "Not on this key (--skip-missing): \(report.missing.map { "\($0.app) (\($0.platform))" }.joined(separator: ", "))."))
        }
        if let archive = report.archive {
            print(bilingual("Archive : \(archive.path)", "Archive: \(archive.path)"))
        }
        if report.bootable {
            print(bilingual("La clé démarre : UEFI (Secure Boot compris) et BIOS.", "The key boots: UEFI (Secure Boot included) and BIOS."))
        } else {
            print(bilingual("La clé ne démarre pas (pas de système de base).", "The key does not boot (no base system)."))
        }
        if let image = report.image {
            print(
                bilingual(
                    "Image disque : \(image.path) (demokit write \(image.path) /dev/sdX)", "Disk image: \(image.path) (demokit write \(image.path) /dev/sdX)"))
        }
    }
}
