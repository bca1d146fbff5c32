import ArgumentParser
import DemoKit
import Foundation

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Montre, avant toute copie, la place que prend la clé et si elle tient. / Shows, before any copying, the room the key takes and whether it fits.",
        discussion: """
            Tailles par partie et par profil, applications partagées, règles FAT32. Code de sortie 1 si la clé ne tient pas ou enfreint FAT32.
            Sizes per part and per profile, shared applications, FAT32 rules. Exit code 1 when the key does not fit or breaks FAT32 rules.
            """)

    @OptionGroup var kit: KitOption
    @OptionGroup var cache: CacheOption

    @Option(
        name: .long, help: "Taille de la clé, ex. 8 Go, 8G, 7.5GiB. / Key size, e.g. 8G, 16G, 7.5GiB.", transform: ByteSize.argument)
    var size: ByteSize?

    @Option(name: .customLong("profile"), help: "Ne garder que ce profil (répétable). / Keep only this profile (repeatable).")
    var profiles: [String] = []

    @Option(
        name: .customLong("base-iso"),
        help: "Image du système live qui partagera la clé (comptée, pas copiée). / Live system image that will share the key (counted, not copied).")
    var baseISO: String?

    @OptionGroup var output: OutputOptions

    func run() throws {
        var options = KitBuilder.Options(kitRoot: kit.url, output: URL(fileURLWithPath: "build/kit"))
        options.profiles = profiles
        options.cache = cache.url
        options.displayPrefix = kit.displayPrefix
        options.debianBase = .useIfBuilt
        if let baseISO {
            // `plan` writes no key: the ISO is only counted, at its size.
            guard let size = (try? FileManager.default.attributesOfItem(atPath: baseISO))?[.size] as? NSNumber else {
                throw fail(FileError(path: baseISO, reason: bilingual("fichier introuvable", "file not found")))
            }
            options.baseSystemBytes = size.int64Value
        }
        let result: (plan: KeyPlan, missing: [MissingArtifactsError.Item], warnings: [Diagnostic])
        do {
            let progress: any ProgressReporter = output.quiet ? SilentProgress() : QuietStages(output.reporter())
            result = try KitBuilder(options: options, progress: progress).plan()
        } catch {
            throw fail(error)
        }
        let plan = result.plan
        for warning in result.warnings { printError(warning.description) }
        func line(_ label: String, _ bytes: Int64) -> String {
            label.padding(toLength: 66, withPad: " ", startingAt: 0) + " " + formatBytes(bytes).leftPadded(10) + "  (\(bytes))"
        }
        var text: [String] = []
        text.append(bilingual("Contenu de la clé", "Key contents") + ":")
        for part in KeyPlan.Part.allCases {
            var label = "  " + part.label
            if part == .base, plan.bytes(.base) == 0 { label += bilingual(" (aucun)", " (none)") }
            text.append(line(label, plan.bytes(part)))
        }
        text.append(line("  total", plan.totalBytes))
        text.append("")
        text.append(bilingual("Applications par profil", "Applications per profile") + ":")
        for profile in plan.profiles {
            var label = "  \(profile.id): \(profile.appsOnKey)/\(profile.apps) " + bilingual("sur la clé", "on the key")
            if profile.sharedBytes > 0 {
                label += bilingual(", dont partagé ", ", shared ") + formatBytes(profile.sharedBytes)
            }
            text.append(line(label, profile.bytes))
        }
        text += liveBaseLines()
        if !plan.shared.isEmpty {
            text.append("")
            text.append(bilingual("Partagé entre profils (une seule copie sur la clé)", "Shared between profiles (one copy on the key)") + ":")
            for app in plan.shared {
                text.append(line("  \(app.id) (\(app.profiles.joined(separator: ", ")))", app.bytes))
            }
        }
        if !result.missing.isEmpty {
            text.append("")
            text.append(
                bilingual(
                    "Pas encore dans le cache (compté à sa taille de téléchargement ; demokit fetch) :",
                    "Not in the cache yet (counted at its download size; demokit fetch):"))
            for item in result.missing { text.append(line("  \(item.app) (\(item.platform))", item.pin.size)) }
        }
        var failed = false
        if !plan.fat32Problems.isEmpty {
            failed = true
            text.append("")
            text.append(bilingual("Problèmes FAT32", "FAT32 problems") + ":")
            for problem in plan.fat32Problems { text.append("  \(problem.path): \(problem.problem.message)") }
        }
        if let key = size {
            let fit = plan.fit(key)
            text.append("")
            text.append(
                bilingual(
                    "Clé de \(key.bytes) octets : \(formatBytes(fit.used)) utilisés sur FAT32 (grappes de \(fit.clusterSize / 1024) Kio) sur \(formatBytes(fit.usable)) utilisables.",
                    "Key of \(key.bytes) bytes: \(formatBytes(fit.used, english: true)) used on FAT32 (\(fit.clusterSize / 1024) KiB clusters) of \(formatBytes(fit.usable, english: true)) usable."
                ))
            if fit.fits {
                text.append(
                    bilingual(
                        "Elle tient : il reste \(formatBytes(fit.usable - fit.used)).", "It fits: \(formatBytes(fit.usable - fit.used, english: true)) left."))
            } else {
                failed = true
                text.append(
                    bilingual(
                        "Elle ne tient pas : il manque \(formatBytes(fit.used - fit.usable)).",
                        "It does not fit: \(formatBytes(fit.used - fit.usable, english: true)) short."))
            }
        }
        print(text.joined(separator: "\n"))
        if failed { throw ExitCode.failure }
    }
}

extension Plan {
    /// The layers of the kit's Debian live system, with their sizes and profiles.
    func liveBaseLines() -> [String] {
        guard baseISO == nil, let loaded = try? KitLoader(root: kit.url, displayPrefix: kit.displayPrefix).loadValid().kit,
            let selected = try? loaded.selecting(profiles: profiles), let plan = try? LiveBasePlan.make(kit: selected)
        else { return [] }
        if let base = LiveBaseBuilder(plan: plan, kit: selected, store: ContentStore(root: cache.url)).existing() {
            return [""] + LiveBaseSummary.lines(base.record)
        }
        return [
            "",
            bilingual(
                "Système live Debian \(plan.suite) pas encore construit (non compté ci-dessus) : demokit base build",
                "Debian \(plan.suite) live system not built yet (not counted above): demokit base build"),
        ]
    }
}

/// Planning shows its stages only with --verbose: the table is the output.
struct QuietStages: ProgressReporter {
    let base: any ProgressReporter
    init(_ base: any ProgressReporter) { self.base = base }
    func stage(_ name: String) { base.detail(name) }
    func advance(files: Int, bytes: Int64, totalFiles: Int?, totalBytes: Int64?) {}
    func info(_ text: String) { base.detail(text) }
    func detail(_ text: String) { base.detail(text) }
    func warning(_ text: String) { base.warning(text) }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
