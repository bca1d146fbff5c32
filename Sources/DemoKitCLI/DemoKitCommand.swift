import ArgumentParser
import DemoKit
import Foundation

/// `demokit`: builds offline, bootable USB demo keys of free software for town halls.
public struct DemoKitCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "demokit",
        abstract: "Construit des clés USB de démonstration de logiciels libres pour les mairies. / Builds USB demo keys of free software for town halls.",
        version: DemoKitVersion.current,
        subcommands: [
            Validate.self, Build.self, Plan.self, Fetch.self, AddApp.self, CatalogueCommand.self, Serve.self,
            Base.self, Write.self,
            Keygen.self, Publish.self, Rotate.self, Update.self, Verify.self, Status.self,
        ]
    )

    public init() {}

    /// The program's entry point. Called from an async function so that the async
    /// `main()` is chosen (top-level code picks the synchronous one, which refuses
    /// async subcommands).
    public static func start() async {
        Memory.configure()
        await main()
    }
}

/// Options every command shares.
struct OutputOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "N'affiche que les erreurs. / Only print errors.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Affiche le détail de chaque étape. / Print details of every step.")
    var verbose = false

    func reporter() -> any ProgressReporter {
        ConsoleProgress(level: quiet ? .quiet : (verbose ? .verbose : .normal), live: isatty(STDERR_FILENO) != 0)
    }
}

struct KitOption: ParsableArguments {
    @Option(name: .long, help: "Dossier du kit (profiles/ et payload/). / Kit folder. (défaut/default: .)")
    var kit: String = "."

    var url: URL { URL(fileURLWithPath: kit) }

    /// How diagnostics name files: relative to the kit as typed.
    var displayPrefix: String {
        kit == "." || kit == "./" ? "" : (kit.hasSuffix("/") ? kit : kit + "/")
    }
}

/// The content store of application artifacts.
struct CacheOption: ParsableArguments {
    @Option(
        name: .long,
        help: "Cache des fichiers d'applications. / Application files cache. (défaut/default: $XDG_CACHE_HOME/demokit ou/or ~/.cache/demokit)")
    var cache: String?

    var url: URL { cache.map { URL(fileURLWithPath: $0) } ?? ContentStore.defaultRoot() }
}

/// Prints a library error the way a volunteer can act on it, then exits non-zero.
func fail(_ error: Error) -> ExitCode {
    switch error {
    case let invalid as KitValidationError:
        for diagnostic in invalid.diagnostics { printError(diagnostic.description) }
        printError(invalid.message)
    case let userFacing as UserFacingError:
        printError("demokit: \(bilingual("erreur", "error")): \(userFacing.message)")
    default:
        printError("demokit: \(bilingual("erreur", "error")): \(error)")
    }
    return ExitCode.failure
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
