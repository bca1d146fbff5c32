import ArgumentParser
import DemoKit
import Foundation

/// `demokit catalogue …`: the offline catalogue of free software.
struct CatalogueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalogue",
        abstract: "Catalogue hors ligne : import, recherche, fiche, contrôle. / Offline catalogue: import, search, show, check.",
        subcommands: [
            CatalogueImport.self, CatalogueSearchCommand.self, CatalogueShow.self, CatalogueCheckCommand.self,
            CataloguePackageFacts.self, CatalogueBench.self,
        ]
    )
}

/// Where the database comes from: `--db FILE`, or built from `--kit DIR` in a temporary folder.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "Dossier du kit (la base est construite à part). / Kit folder (the database is built aside). (défaut/default: .)")
    var kit: String?

    @Option(name: .long, help: "Base du catalogue déjà construite (demokit/catalogue.sqlite). / A built catalogue database.")
    var db: String?

    func validate() throws {
        if kit != nil && db != nil {
            throw ValidationError(bilingual("--kit et --db s'excluent : choisissez l'un des deux", "--kit and --db exclude each other: pick one"))
        }
    }

    /// Opens the database; with a kit, `temporary` is the folder to remove afterwards.
    func open() throws -> (search: CatalogueSearch, temporary: URL?) {
        if let db {
            return (try CatalogueSearch(databaseAt: URL(fileURLWithPath: db)), nil)
        }
        let kitPath = kit ?? "."
        let prefix = kitPath == "." || kitPath == "./" ? "" : (kitPath.hasSuffix("/") ? kitPath : kitPath + "/")
        let (loaded, _) = try KitLoader(root: URL(fileURLWithPath: kitPath), displayPrefix: prefix).loadValid()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("demokit-catalogue-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("catalogue.sqlite")
        do {
            try CatalogueWriter.write(loaded, to: url)
            return (try CatalogueSearch(databaseAt: url), folder)
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
    }
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

struct CatalogueImport: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case sill, publiccode, comptoir
    }

    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Importe un catalogue public dans le kit (payload/catalogue/imported/). / Imports a public catalogue into the kit.",
        discussion: """
            --format sill FICHIER : export JSON du SILL. --format publiccode CHEMIN… : fichiers publiccode.yml (ou dossiers).
            --format comptoir FICHIER : export du Comptoir du Libre (comptoir-du-libre_export_v1.json), qui ajoute utilisateurs
            et prestataires aux logiciels du kit. L'import remplace le précédent de la même source et affiche ce qui a changé.
            Un fichier publiccode.yml refusé n'empêche pas les autres d'entrer, sauf avec --all-or-nothing.
            --format sill FILE: the SILL JSON export. --format publiccode PATH…: publiccode.yml files (or folders).
            --format comptoir FILE: the Comptoir du Libre export, which adds users and providers to the kit's software.
            The import replaces the previous one of the same source and shows what changed. A refused publiccode.yml file
            does not keep the others out, unless --all-or-nothing.
            """)

    @Option(name: .long, help: "sill | publiccode | comptoir")
    var format: Format

    @Argument(help: "Fichier(s) à importer. / File(s) to import.")
    var paths: [String]

    @OptionGroup var kit: KitOption

    @Option(
        name: .long,
        help: "Date des données (AAAA-MM-JJ ; défaut : celle des données ou du nom du fichier). / The data's date (default: from the data or the file name).")
    var date: String?

    @Flag(name: .long, help: "Un seul fichier refusé et rien n'est écrit. / One refused file and nothing is written.")
    var allOrNothing = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if (format == .sill || format == .comptoir) && paths.count != 1 {
            throw ValidationError(
                bilingual("--format \(format.rawValue) : un seul fichier JSON", "--format \(format.rawValue): exactly one JSON file"))
        }
        if let date, SourceDate.parseDay(date) == nil {
            throw ValidationError(bilingual("--date : écrivez AAAA-MM-JJ", "--date: write YYYY-MM-DD"))
        }
    }

    func run() throws {
        let importer = CatalogueImporter(kitRoot: kit.url)
        do {
            let batch: ImportBatch
            switch format {
            case .sill:
                batch = try SILLImporter.read(
                    contentsOf: URL(fileURLWithPath: paths[0]), display: paths[0], date: date, kitCategories: try importer.categories())
            case .publiccode:
                let urls = paths.map { URL(fileURLWithPath: $0) }
                let cwd = FileManager.default.currentDirectoryPath + "/"
                batch = try PublicCodeImporter.read(
                    paths: urls, display: { $0.path.hasPrefix(cwd) ? String($0.path.dropFirst(cwd.count)) : $0.path }, date: date,
                    kitCategories: try importer.categories(), allOrNothing: allOrNothing)
            case .comptoir:
                _ = try importer.categories()  // the kit must be there
                batch = try ComptoirImporter.read(contentsOf: URL(fileURLWithPath: paths[0]), display: paths[0], date: date, kitRoot: kit.url)
            }
            let report = try importer.write(batch)
            // Refused files and warnings are always shown; notes with --verbose.
            for refusal in report.refused {
                for diagnostic in refusal.diagnostics where diagnostic.severity != .note || output.verbose {
                    printError(diagnostic.description)
                }
            }
            let warnings = report.notes.filter { $0.severity != .note }
            for diagnostic in report.notes where diagnostic.severity != .note || output.verbose {
                if !output.quiet || diagnostic.severity == .error { printError(diagnostic.description) }
            }
            let hidden = report.notes.count - warnings.count
            if !output.verbose && hidden > 0 && !output.quiet {
                printError(
                    bilingual(
                        "\(hidden) remarque(s) (entrées ignorées, licences corrigées) : --verbose pour les voir",
                        "\(hidden) note(s) (skipped entries, fixed licences): --verbose to see them"))
            }
            if !output.quiet { print(report.summary) }
            if let refused = report.refusedSummary {
                printError("demokit: \(bilingual("erreur", "error")): \(refused)")
                throw ExitCode.failure
            }
        } catch let error as ImportError {
            for diagnostic in error.diagnostics { printError(diagnostic.description) }
            printError("demokit: \(bilingual("erreur", "error")): \(error.message)")
            throw ExitCode.failure
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw fail(error)
        }
    }
}

struct CatalogueSearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Cherche un logiciel par besoin ou par produit remplacé. / Searches software by need or replaced product.")

    @Argument(help: "Ce que vous cherchez (« courrier », « Word », « visio »). / What you look for.")
    var query: String = ""

    @OptionGroup var database: DatabaseOptions

    @Option(name: .long, help: "Seulement les logiciels de ce profil. / Only software of this profile.")
    var profile: String?

    @Option(name: .long, help: "Seulement cette catégorie. / Only this category.")
    var category: String?

    @Option(name: .long, help: "Seulement cette licence (GPL-3.0, AGPL…). / Only this licence.")
    var licence: String?

    @Option(name: .long, help: "Seulement cette plateforme (windows, linux, macos, web…). / Only this platform.")
    var platform: String?

    @Option(name: .long, help: "Nombre maximal de résultats. / Maximum number of results.")
    var limit: Int = 20

    @Flag(name: .long, help: "Sortie JSON pour les scripts. / JSON output for scripts.")
    var json = false

    func run() throws {
        do {
            let (search, temporary) = try database.open()
            defer { if let temporary { try? FileManager.default.removeItem(at: temporary) } }
            let filters = CatalogueSearch.Filters(profile: profile, category: category, licence: licence, platform: platform)
            let results = try search.search(query, filters: filters, limit: max(1, limit))
            if json {
                try printJSON(results)
                return
            }
            if results.isEmpty {
                print(bilingual("aucun résultat pour « \(query) »", "no result for \"\(query)\""))
                return
            }
            for result in results {
                let health = result.health.map { " · \($0)/100" } ?? ""
                print("\(result.id)\t\(result.name) — \(result.description) [\(result.licence)\(health)]")
            }
        } catch {
            throw fail(error)
        }
    }
}

struct CatalogueShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Tout ce que le catalogue sait d'un logiciel, avec les sources. / Everything known about one software, with sources.")

    @Argument(help: "Identifiant du logiciel. / Software id.")
    var id: String

    @OptionGroup var database: DatabaseOptions

    @Flag(name: .long, help: "Sortie JSON pour les scripts. / JSON output for scripts.")
    var json = false

    func run() throws {
        do {
            let (search, temporary) = try database.open()
            defer { if let temporary { try? FileManager.default.removeItem(at: temporary) } }
            guard let details = try search.details(id) else {
                var message = BilingualMessage("logiciel inconnu « \(id) »", "unknown software \"\(id)\"")
                message.suggest(suggestion(for: id, among: try search.allIDs()))
                printError("demokit: \(bilingual("erreur", "error")): \(message.text)")
                throw ExitCode.failure
            }
            if json {
                try printJSON(details)
            } else {
                print(details.text)
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw fail(error)
        }
    }
}

struct CatalogueCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Rapport de qualité du catalogue (code de sortie non nul seulement sur erreur). / Catalogue quality report (non-zero exit only on errors).")

    @OptionGroup var kit: KitOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        let report = CatalogueCheck(loader: KitLoader(root: kit.url, displayPrefix: kit.displayPrefix)).run()
        for diagnostic in report.diagnostics where !(output.quiet && diagnostic.severity != .error) {
            print(diagnostic.description)
        }
        print(report.summary)
        if report.hasErrors { throw ExitCode.failure }
    }
}

struct CatalogueBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Mesure import, index et recherche sur un catalogue généré. / Measures import, index and search on a generated catalogue.",
        shouldDisplay: false)

    @Option(name: .long, help: "Nombre d'entrées générées. / Number of generated entries.")
    var entries: Int = 10_000

    @Option(name: .long, help: "Passes sur les requêtes. / Rounds over the queries.")
    var rounds: Int = 20

    @Flag(name: .long, help: "Sortie JSON. / JSON output.")
    var json = false

    func run() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("demokit-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            let result = try CatalogueBenchmark(entries: max(1, entries), rounds: max(1, rounds)).run(in: folder)
            if json { try printJSON(result) } else { print(result.text) }
        } catch {
            throw fail(error)
        }
    }
}
