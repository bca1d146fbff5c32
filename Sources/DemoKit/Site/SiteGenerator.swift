import Crypto
import Foundation

/// Pre-renders the catalogue website: static pages that open from `file://` with no
/// server, every link relative and naming an explicit `.html` file. French pages are
/// under `catalogue/`, the same pages in English under `catalogue/en/`.
///
/// Templates get plain dictionaries (`docs/theme.md` lists their keys); everything
/// from imported data goes through Mustache's `{{…}}`, which escapes it.
struct SiteGenerator: Sendable {
    var kit: Kit
    var theme: Theme

    init(kit: Kit, theme: Theme) {
        self.kit = kit
        self.theme = theme
    }

    /// Where the search index is written, relative to the key's root.
    static let indexPath = "catalogue/search-index.js"

    /// `alongside`: other work to share the cores with (the catalogue database), given
    /// the entries' texts (`EntryTexts`).
    func plan(alongside: (([EntryTexts]) throws -> Void)? = nil) throws -> [PlannedFile] {
        var files: [PlannedFile] = []
        files.append(
            .text(
                "index.html",
                try theme.render("root", ["kit": kitContext(.fr), "kitEn": kitContext(.en), "strings": theme.strings["fr"] ?? [:]]),
                role: .site))
        // The search index, the entries' digests (in parts), each language's pages and
        // `alongside`, taken by whichever core is free, longest first: a rebuild after
        // one entry changed waits for the longest of them.
        var index = ""
        let kit = kit, theme = theme
        let partSize = max(1, (kit.catalogue.count + 3) / 4)
        let parts = stride(from: 0, to: kit.catalogue.count, by: partSize).map { $0..<min($0 + partSize, kit.catalogue.count) }
        let digests = UncheckedResults<[String]>(count: parts.count)
        let pages = UncheckedResults<SitePages>(count: SiteLanguage.allCases.count)
        let texts = EntryTexts.of(kit)
        var jobs: [() throws -> Void] = [{ index = SearchIndex(kit: kit, texts: texts).script }]
        if let alongside { jobs.append { try alongside(texts) } }
        for (number, part) in parts.enumerated() {
            jobs.append { digests.set(number, PageKey.entryDigests(Array(kit.catalogue[part]))) }
        }
        for (number, language) in SiteLanguage.allCases.enumerated() {
            jobs.append { pages.set(number, SitePages(kit: kit, language: language, strings: theme.strings[language.rawValue] ?? [:], texts: texts)) }
        }
        try concurrentJobs(jobs)
        let entryDigests = digests.values.flatMap { $0! }
        let languagePages = pages.values.map { $0! }
        let others = PageKey.kitWithoutCatalogue(kit)
        let catalogueDigest = PageKey.catalogue(entryDigests)
        for pages in languagePages {
            let site = LanguageSite(generator: self, language: pages.language)
            for (page, template, context, inputs) in pages.all() {
                let make = Unchecked(context)
                // Pages are named by their inputs, so a rebuild after one entry changed
                // does not make every page's context (and the full lists) only to hash
                // them. Worked out when the page is written, not held until then (peak
                // memory).
                files.append(
                    PlannedFile(
                        path: page.keyPath,
                        content: .generated {
                            let theme = site.generator.theme.templatesHash, shared = (site.sharedKeys, site.sharedDigest)
                            func context() -> [String: Any] {
                                site.generator.pageContext(page, make.value()).merging(site.shared) { _, shared in shared }
                            }
                            let listed: [String]?
                            switch inputs {
                            case .context:
                                let full = context()
                                let key = PageKey.hash(template: template, context: full, shared: shared, theme: theme)
                                return (key, { Data(try site.theme.render(template, full).utf8) })
                            case let .entries(positions): listed = positions.map { entryDigests[$0] }
                            case .catalogue: listed = nil
                            }
                            let named = PageKey.inputs(entries: listed, catalogue: catalogueDigest, kit: others, path: page.keyPath)
                            let key = PageKey.hash(template: template, inputs: named, shared: shared, theme: theme)
                            return (key, { Data(try site.theme.render(template, context()).utf8) })
                        },
                        role: .site))
            }
        }
        files.append(.text(Self.indexPath, index, role: .site))
        files += SiteIcons.files(kit)
        for asset in theme.assets {
            files.append(PlannedFile(path: "catalogue/assets/\(asset.path)", content: .copy(asset.url), role: .site))
        }
        return files
    }

    /// What a page gets for where it is: its language, its paths, the other language's link.
    func pageContext(_ page: SitePage, _ context: [String: Any]) -> [String: Any] {
        var context = context
        let language = page.language
        context["lang"] = language.rawValue
        context["root"] = page.root
        context["base"] = page.base
        context["assets"] = page.root + "catalogue/assets/"
        context["searchIndex"] = page.root + Self.indexPath
        let other = language.other
        context["switch"] = [
            "href": page.root + other.folder + page.path, "lang": other.rawValue,
            "label": theme.strings[language.rawValue]?["switchLabel"] ?? other.rawValue,
            "title": theme.strings[language.rawValue]?["switchTitle"] ?? "",
        ]
        return context
    }

    /// What every page of a language gets, whatever the page: these keys win over a
    /// page's own, and are hashed once for all pages (`PageKey`).
    func sharedContext(_ language: SiteLanguage) -> [String: Any] {
        [
            "t": theme.strings[language.rawValue] ?? [:],
            "kit": kitContext(language),
            "filters": filterContext(language),
        ]
    }

    func kitContext(_ language: SiteLanguage) -> [String: Any] {
        let name = language.pick(kit.settings.name)
        return ["name": name.text, "nameLang": name.lang, "version": kit.settings.version]
    }

    /// The options of the search filters, rendered into every page so they work
    /// before the index is loaded.
    func filterContext(_ language: SiteLanguage) -> [String: Any] {
        let licences = Set(kit.catalogue.map(\.licence.value)).sorted()
        let platforms = Set(kit.catalogue.flatMap(\.platforms)).sorted()
        return [
            "profiles": kit.profiles.map { ["value": $0.id.value, "label": language.pick($0.name).text] },
            "categories": kit.categories.map { ["value": $0.id.value, "label": language.pick($0.name).text] }
                .sorted { SiteSort.key($0["label"] ?? "") < SiteSort.key($1["label"] ?? "") },
            "licences": licences.map { ["value": $0, "label": $0] },
            "platforms": platforms.map { ["value": $0, "label": SitePlatform.label($0, language)] },
        ]
    }
}

/// What all pages of a language share, held once: every page's closure points to it
/// rather than keeping a copy.
/// Unchecked: `[String: Any]` is not `Sendable`; these are constants, only read.
final class LanguageSite: @unchecked Sendable {
    let generator: SiteGenerator
    /// The theme with the partials that show only shared values swapped for their
    /// HTML, rendered once (`ConstantPartials`).
    let theme: Theme
    /// Computed and hashed once per language: every page carries the same words,
    /// kit name and filter options, so a page's key hashes only its own values.
    let shared: [String: Any]
    let sharedKeys: [String]
    let sharedDigest: String

    init(generator: SiteGenerator, language: SiteLanguage) {
        self.generator = generator
        var shared = generator.sharedContext(language)
        // The constant partials' HTML follows from the shared values and the
        // templates, both already in every page's key.
        sharedDigest = PageKey.digest(of: shared)
        let constants = ConstantPartials(theme: generator.theme, shared: shared)
        shared[ConstantPartials.contextKey] = constants.html
        theme = constants.apply(to: generator.theme)
        self.shared = shared
        sharedKeys = Array(shared.keys)
    }
}

/// A page's key: a hash of its template set, its template and every value of its
/// context, so a page is rendered again exactly when something it shows changed.
enum PageKey {
    /// demokit itself renders: another build of it may render other bytes.
    static let renderer = ExecutableIdentity.current

    /// A page, from what its context is made of (`SitePages.Inputs`): the digests of
    /// the entries it shows in their order (`entries`), or of the whole catalogue
    /// when `entries` is nil; the kit's other parts (profiles, categories,
    /// applications, settings); its path. `PageKeyInputTests` checks that whenever
    /// these are equal, so are the contexts.
    static func inputs(entries: [String]?, catalogue: String, kit others: String, path: String) -> String {
        if let entries { return StableDigest.of([entries, others, path] as [Any], prefix: ["listed-entries"]) }
        return StableDigest.of([catalogue, others, path] as [Any], prefix: ["catalogue"])
    }

    /// The whole catalogue, from its entries' digests in catalogue order.
    static func catalogue(_ entryDigests: [String]) -> String {
        StableDigest.of(entryDigests, prefix: ["catalogue"])
    }

    /// Each entry's content: every stored property, a field added later included.
    static func entryDigests(_ entries: [CatalogueEntry]) -> [String] {
        entries.map { StableDigest.of($0) }
    }

    /// The kit's parts an entry's page may show besides the entry: all but the catalogue.
    static func kitWithoutCatalogue(_ kit: Kit) -> String {
        var others = kit
        others.catalogue = []
        return StableDigest.of(others)
    }

    /// A page's key from its context (`SitePages.Inputs.context`). `shared`: the keys
    /// and digest of the values every page of the language gets
    /// (`SiteGenerator.sharedContext`), which replace the page's own under those keys.
    static func hash(template: String, context: [String: Any], shared: (keys: [String], digest: String), theme: String) -> String {
        var context = context
        for key in shared.keys { context[key] = nil }
        return digest(of: context, prefix: [renderer, theme, template, shared.digest, "context"])
    }

    /// A page's key: its inputs (`inputs(entries:catalogue:kit:path:)`), its template,
    /// the theme's templates and the digest of the values every page of the language
    /// gets (`SiteGenerator.sharedContext`), which replace the page's own under their keys.
    static func hash(template: String, inputs: String, shared: (keys: [String], digest: String), theme: String) -> String {
        StableDigest.of(inputs, prefix: [renderer, theme, template, shared.digest, "inputs"])
    }

    static func digest(of context: [String: Any], prefix: [String] = []) -> String {
        StableDigest.of(context, prefix: prefix)
    }
}

/// A page of one language: its path under the language's folder, and the relative
/// prefixes that reach the key's root and the language's folder from it.
///
/// The prefixes are worked out once: a list page asks for `base` once per entry it
/// lists, once per entry of the catalogue for the software list.
struct SitePage {
    let language: SiteLanguage
    /// Under `catalogue/` (French) or `catalogue/en/` (English): `logiciels/office.html`.
    let path: String
    let root: String
    let base: String

    init(language: SiteLanguage, path: String) {
        self.language = language
        self.path = path
        let folderDepth = language.folder.utf8.count { $0 == UInt8(ascii: "/") }
        let depth = folderDepth + path.utf8.count { $0 == UInt8(ascii: "/") }
        root = String(repeating: "../", count: depth)
        base = String(repeating: "../", count: depth - folderDepth)
    }

    var keyPath: String { language.folder + path }
}

enum SiteLanguage: String, CaseIterable, Sendable {
    case fr, en

    var folder: String { self == .fr ? "catalogue/" : "catalogue/en/" }
    var other: SiteLanguage { self == .fr ? .en : .fr }

    /// The text for this language and the language it is really in: an English page
    /// shows the French text when there is no translation, marked `lang="fr"`.
    func pick(_ text: LocalizedText) -> (text: String, lang: String) {
        if self == .en, let english = text.en, !english.isEmpty { return (english, "en") }
        return (text.fr, "fr")
    }
}

enum SitePlatform {
    static func label(_ id: String, _ language: SiteLanguage) -> String {
        switch id {
        case "windows": return "Windows"
        case "linux": return "Linux"
        case "macos": return "macOS"
        case "web": return language == .fr ? "Web (navigateur)" : "Web (browser)"
        case "android": return "Android"
        case "ios": return "iOS"
        default: return id
        }
    }
}
