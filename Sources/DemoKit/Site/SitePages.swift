import Foundation

/// The pages of one language and the context each template gets (`docs/theme.md`).
/// Links are built here, relative to the page that shows them, so templates never
/// compute a path.
///
/// A class: each page of the catalogue keeps a closure that makes its context, and
/// they all share one instance instead of each holding a copy of these tables. The
/// tables hold positions in `kit.catalogue`, not copies of its entries, for the same
/// reason (peak memory).
final class SitePages: Sendable {
    let kit: Kit
    let language: SiteLanguage
    /// The theme's words for this language (`strings.json`).
    let strings: [String: String]

    /// Worked out once for all pages (a 10,000-entry catalogue lists each entry on
    /// several pages): entries in reading order, by id, by category; summaries.
    let sortedOrder: [Int]
    let positionByID: [String: Int]
    let byCategory: [String: [Int]]
    let summaries: [String: String]
    let onKey: Set<String>

    convenience init(kit: Kit, language: SiteLanguage, strings: [String: String]) {
        self.init(kit: kit, language: language, strings: strings, texts: EntryTexts.of(kit))
    }

    /// `texts`: each entry's, in catalogue order (`EntryTexts.of`).
    init(kit: Kit, language: SiteLanguage, strings: [String: String], texts: [EntryTexts]) {
        self.kit = kit
        self.language = language
        self.strings = strings
        let catalogue = kit.catalogue
        sortedOrder = catalogue.indices.map { (SiteSort.key(catalogue[$0].name), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
        positionByID = Dictionary(catalogue.indices.map { (catalogue[$0].id.value, $0) }, uniquingKeysWith: { first, _ in first })
        var byCategory: [String: [Int]] = [:]
        for position in sortedOrder {
            for category in Set(catalogue[position].categories.map(\.value)) { byCategory[category, default: []].append(position) }
        }
        self.byCategory = byCategory
        summaries = Dictionary(
            zip(catalogue, texts).map { entry, texts in (entry.id.value, texts.summary(entry, language)) }, uniquingKeysWith: { first, _ in first })
        onKey = Set(kit.profiles.flatMap { $0.apps.map(\.value) })
    }

    /// Entries in reading order (sorted by name).
    var sortedCatalogue: [CatalogueEntry] { sortedOrder.map { kit.catalogue[$0] } }

    func entries(inCategory id: String) -> [CatalogueEntry] {
        (byCategory[id] ?? []).map { kit.catalogue[$0] }
    }

    /// Printed sheets must fit one A4 page whatever the imported data holds.
    static let sheetDescriptionLength = 900
    static let sheetListLength = 8
    static let sheetApps = 10
    /// A spoken pitch is longer than a sheet holds: the sheet keeps whole paragraphs
    /// up to this many characters (at least the first).
    static let sheetPitchLength = 700

    /// What a page's context follows from besides its path, its language and the
    /// kit's other parts (profiles, categories, applications, settings): a page is
    /// named by these (`PageKey.inputs`), so a rebuild makes the contexts of the
    /// pages that changed only. `PageKeyInputTests` checks that equal inputs always
    /// give equal contexts, on every page.
    enum Inputs: Equatable {
        /// These entries, by position in the catalogue, in this order.
        case entries([Int])
        /// The whole catalogue.
        case catalogue
        /// Its context itself, hashed: for a small page that shows a few values
        /// worked out from the whole catalogue (counts, sources), which then keeps
        /// its key when an entry changes but not those values.
        case context
    }

    /// A page, its template, and its context — made only when the page is written.
    typealias Page = (page: SitePage, template: String, context: () -> [String: Any], inputs: Inputs)

    func all() -> [Page] {
        var pages: [Page] = []
        func add(_ path: String, _ template: String, inputs: Inputs = .catalogue, _ build: @escaping (SitePage) -> [String: Any]) {
            let page = SitePage(language: language, path: path)
            pages.append((page, template, { build(page) }, inputs))
        }
        add("index.html", "home", inputs: .context) { [self] page in
            [
                "title": title(words("homeHeading")),
                "heading": words("homeHeading"),
                "profiles": kit.profiles.map { profileSummary($0, from: page) },
                "count": kit.catalogue.count,
            ]
        }
        for profile in kit.profiles {
            let apps = Inputs.entries(appPositions(profile))
            add("profils/\(profile.id.value).html", "profile", inputs: apps) { [self] page in
                var context = profileDetail(profile, from: page, sheet: false)
                context["title"] = title(language.pick(profile.name).text)
                context["sheetHref"] = page.base + "fiches/profils/\(profile.id.value).html"
                if kit.talk(profile.id.value) != nil {
                    context["talkHref"] = talkHref(profile.id.value, from: page)
                    context["talkSheetHref"] = talkSheetHref(profile.id.value, from: page)
                }
                return context
            }
            add("fiches/profils/\(profile.id.value).html", "sheet-profile", inputs: apps) { [self] page in
                var context = profileDetail(profile, from: page, sheet: true)
                context["title"] = title(words("sheet") + " : " + language.pick(profile.name).text)
                context["pageHref"] = page.base + "profils/\(profile.id.value).html"
                return context
            }
        }
        add("logiciels/index.html", "software-list") { [self] page in
            [
                "title": title(words("softwareListTitle")),
                "software": sortedCatalogue.map { softwareSummary($0, from: page) },
            ]
        }
        for position in kit.catalogue.indices {
            let id = kit.catalogue[position].id.value
            add("logiciels/\(id).html", "software", inputs: .entries([position])) { [self] page in
                let entry = kit.catalogue[position]
                return [
                    "title": title(entry.name + " — " + words("softwareHeading")),
                    "software": softwareDetail(entry, from: page, sheet: false),
                    "sheetHref": page.base + "fiches/logiciels/\(entry.id.value).html",
                ]
            }
            add("fiches/logiciels/\(id).html", "sheet-software", inputs: .entries([position])) { [self] page in
                let entry = kit.catalogue[position]
                return [
                    "title": title(words("sheet") + " : " + entry.name),
                    "software": softwareDetail(entry, from: page, sheet: true),
                    "pageHref": page.base + "logiciels/\(entry.id.value).html",
                ]
            }
        }
        add("categories/index.html", "category-list", inputs: .context) { [self] page in
            [
                "title": title(words("categoriesTitle")),
                "categories": sortedCategories.map { category in
                    [
                        "id": category.id.value, "name": language.pick(category.name).text, "nameLang": language.pick(category.name).lang,
                        "href": page.base + "categories/\(category.id.value).html",
                        "count": byCategory[category.id.value]?.count ?? 0,
                    ]
                },
            ]
        }
        for category in kit.categories {
            add("categories/\(category.id.value).html", "category", inputs: .entries(byCategory[category.id.value] ?? [])) { [self] page in
                let name = language.pick(category.name)
                return [
                    "title": title(name.text + " — " + words("categoryHeading")),
                    "category": ["id": category.id.value, "name": name.text, "nameLang": name.lang],
                    "software": entries(inCategory: category.id.value).map { softwareSummary($0, from: page) },
                ]
            }
        }
        add("alternatives.html", "alternatives") { [self] page in
            ["title": title(words("alternativesTitle")), "products": groups(\.replaces, from: page)]
        }
        addProviderPages { add($0, $1, inputs: $2, $3) }
        for talk in kit.talks {
            add("presenter/\(talk.profile.value).html", "talk", inputs: .context) { [self] page in talkContext(talk, from: page) }
            add("fiches/presentations/\(talk.profile.value).html", "sheet-talk", inputs: .context) { [self] page in
                talkSheetContext(talk, from: page)
            }
        }
        add("credits.html", "credits", inputs: .context) { [self] page in
            compact(["title": title(words("creditsTitle")), "sources": sources(), "iconCredits": iconCredits(from: page)])
        }
        return pages
    }

    func words(_ key: String) -> String {
        // Theme.readStrings guarantees both languages have every key.
        strings[key] ?? key
    }

    /// Unique titles: the page's own subject, then the kit's name.
    func title(_ subject: String) -> String {
        subject + " — " + language.pick(kit.settings.name).text
    }

    var sortedCategories: [Category] {
        kit.categories.sorted { SiteSort.key(language.pick($0.name).text) < SiteSort.key(language.pick($1.name).text) }
    }

    func profileSummary(_ profile: Profile, from page: SitePage) -> [String: Any] {
        let name = language.pick(profile.name)
        let audience = language.pick(profile.audience)
        return [
            "id": profile.id.value, "name": name.text, "nameLang": name.lang,
            "audience": audience.text, "audienceLang": audience.lang, "appCount": profile.apps.count,
            "href": page.base + "profils/\(profile.id.value).html",
        ]
    }

    /// The positions of the profile's applications that have an entry, in its order.
    func appPositions(_ profile: Profile) -> [Int] {
        profile.apps.compactMap { positionByID[$0.value] }
    }

    func profileDetail(_ profile: Profile, from page: SitePage, sheet: Bool) -> [String: Any] {
        let pitch = language.pick(profile.pitch)
        var apps = appPositions(profile).map { kit.catalogue[$0] }
        if sheet { apps = Array(apps.prefix(Self.sheetApps)) }
        return [
            "profile": profileSummary(profile, from: page),
            "pitch": (sheet ? Self.sheetParagraphs(paragraphs(pitch.text)) : paragraphs(pitch.text)).map { ["text": $0] },
            "pitchLang": pitch.lang,
            "apps": apps.map { entry in
                var summary = softwareSummary(entry, from: page)
                summary["start"] = start(entry)
                return summary
            },
        ]
    }

    /// The first paragraphs that fit `sheetPitchLength`; never none.
    static func sheetParagraphs(_ all: [String]) -> [String] {
        var kept: [String] = []
        var length = 0
        for paragraph in all {
            if !kept.isEmpty, length + paragraph.count > sheetPitchLength { break }
            kept.append(paragraph)
            length += paragraph.count
        }
        return kept
    }

    func isOnKey(_ entry: CatalogueEntry) -> Bool {
        onKey.contains(entry.id.value)
    }

    func softwareSummary(_ entry: CatalogueEntry, from page: SitePage) -> [String: Any] {
        let description = language.pick(entry.description)
        return compact([
            "id": entry.id.value, "name": entry.name,
            "summary": summaries[entry.id.value] ?? SearchIndex.summary(description.text), "summaryLang": description.lang,
            "licence": entry.licence.value, "replaces": entry.replaces.joined(separator: ", "),
            "onKey": isOnKey(entry), "href": page.base + "logiciels/\(entry.id.value).html",
            // false rather than absent: a list item without an icon must not take
            // an enclosing context's (Mustache looks names up outwards).
            "iconHref": iconHref(for: entry, from: page).map { $0 as Any } ?? false,
        ])
    }

    /// How to start an application of the key; absent when it is only in the catalogue.
    func start(_ entry: CatalogueEntry) -> [String: Any]? {
        guard let app = kit.apps[entry.id.value] else { return nil }
        var start: [String: Any] = [:]
        let placement = kit.placements[entry.id.value]
        if let windows = placement?.windows { start["windows"] = ["path": windows.start] }
        if let linux = placement?.linux { start["linux"] = ["path": linux.path] }
        if let missing = placement?.notOnKey, !missing.isEmpty {
            start["missing"] = ["platforms": missing.map { SitePlatform.label($0, language) }.joined(separator: ", ")]
        }
        if !app.livePackages.isEmpty {
            start["live"] = compact(["packages": app.livePackages.joined(separator: " "), "desktop": app.liveDesktop])
        }
        if let url = app.onlineURL, !url.isEmpty { start["online"] = ["url": url] }
        return start.isEmpty ? nil : start
    }

    func softwareDetail(_ entry: CatalogueEntry, from page: SitePage, sheet: Bool) -> [String: Any] {
        var detail = softwareSummary(entry, from: page)
        let description = language.pick(entry.description)
        var text = description.text
        // Walks the first characters only, not the whole text twice (`count`, then `prefix`).
        if sheet, text.utf8.count > Self.sheetDescriptionLength,
            let cut = text.index(text.startIndex, offsetBy: Self.sheetDescriptionLength, limitedBy: text.endIndex), cut < text.endIndex
        {
            text = String(text[..<cut]) + "…"
        }
        detail["description"] = paragraphs(text).map { ["text": $0] }
        detail["descriptionLang"] = description.lang
        detail["platforms"] = nonEmpty(entry.platforms.map { SitePlatform.label($0, language) }.joined(separator: ", "))
        detail["categories"] = entry.categories.compactMap { kit.category($0.value) }.map { category in
            [
                "name": language.pick(category.name).text, "nameLang": language.pick(category.name).lang,
                "href": page.base + "categories/\(category.id.value).html",
            ]
        }
        detail["website"] = entry.website.flatMap(nonEmpty)
        detail["repository"] = entry.repository.flatMap(nonEmpty)
        detail["documentation"] = entry.documentation.flatMap(nonEmpty)
        detail["bugTracker"] = kit.packageFacts[entry.id.value]?.bugTracker
        detail["packageSource"] = packageSource(entry)
        let limit = sheet ? Self.sheetListLength : Int.max
        if !entry.users.isEmpty { detail["users"] = ["list": Array(entry.users.prefix(limit))] }
        detail["providers"] = entryProviders(entry, from: page, limit: limit)
        let profiles = kit.profiles.filter { $0.apps.contains { $0.value == entry.id.value } }
        if !profiles.isEmpty { detail["profiles"] = ["list": profiles.map { profileSummary($0, from: page) }] }
        detail["start"] = start(entry)
        detail["health"] = healthContext(kit.health(of: entry))
        // Flat keys: a `licence` inside a `source` section would fall back to the
        // software's licence when absent (Mustache looks up enclosing contexts).
        detail["sourceName"] = SourceInfo.displayName(entry.source.name)
        detail["sourceLicence"] = entry.source.licence ?? SourceInfo.licence(entry.source.name)
        return detail
    }

    /// Community health with its inputs, so a presenter can explain the score.
    func healthContext(_ health: CommunityHealth) -> [String: Any] {
        [
            "score": health.score,
            "level": language.pick(health.level.label).text,
            "advice": language.pick(health.advice).text,
            "inputs": health.inputs.map { ["label": language.pick($0.label).text, "value": language.pick($0.value).text] },
        ]
    }

    /// Proprietary products or providers, each with the software that goes with it.
    func groups(_ names: KeyPath<CatalogueEntry, [String]>, from page: SitePage) -> [[String: Any]] {
        var grouped: [String: (name: String, entries: [CatalogueEntry])] = [:]
        for position in sortedOrder {
            let entry = kit.catalogue[position]
            for name in entry[keyPath: names] {
                let key = TextFolding.fold(name)
                grouped[key, default: (name, [])].entries.append(entry)
            }
        }
        // Each group's first name as met in reading order; groups sorted by it.
        return grouped.values.map { (SiteSort.key($0.name), $0) }.sorted { $0.0 < $1.0 }.map { _, group in
            [
                "name": group.name,
                "software": group.entries.map { softwareSummary($0, from: page) },
            ]
        }
    }

    /// Each data source with its licence and how many entries came from it.
    func sources() -> [[String: Any]] {
        let bySource = Dictionary(grouping: kit.catalogue, by: \.source.name)
        return bySource.keys.sorted().map { name in
            let entries = bySource[name] ?? []
            return compact([
                "id": name, "name": SourceInfo.displayName(name),
                "licence": entries.compactMap(\.source.licence).first ?? SourceInfo.licence(name),
                "url": SourceInfo.url(name), "count": entries.count,
            ])
        }
    }

    /// Mustache renders a section for any present value, an empty string included:
    /// absent and empty values are left out so `{{#key}}…{{/key}}` skips them.
    func compact(_ values: [String: Any?]) -> [String: Any] {
        var out: [String: Any] = [:]
        for (key, value) in values {
            guard let value else { continue }
            if let text = value as? String, text.isEmpty { continue }
            out[key] = value
        }
        return out
    }

    func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }

    /// Paragraphs are separated by an empty line; a single line break is a space;
    /// spaces and tabs around a paragraph are dropped. Works on UTF-8 bytes, a line
    /// feed being one byte that no other scalar holds: appending scalar by scalar and
    /// asking each its general category is slow over every page of a large catalogue.
    /// Only the ends of a paragraph are read as scalars, to trim them.
    func paragraphs(_ text: String) -> [String] {
        func isBlank(_ scalar: Unicode.Scalar) -> Bool {
            scalar == " " || scalar == "\t" || (!scalar.isASCII && scalar.properties.generalCategory == .spaceSeparator)
        }
        var paragraphs: [String] = []
        var current: [UInt8] = []
        func flush() {
            if !current.isEmpty {
                let scalars = String(decoding: current, as: UTF8.self).unicodeScalars
                if let first = scalars.firstIndex(where: { !isBlank($0) }), let last = scalars.lastIndex(where: { !isBlank($0) }) {
                    paragraphs.append(String(scalars[first...last]))
                }
            }
            current.removeAll(keepingCapacity: true)
        }
        var lineIsEmpty = true
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") {
                if lineIsEmpty {
                    flush()
                } else {
                    current.append(UInt8(ascii: " "))
                }
                lineIsEmpty = true
            } else {
                current.append(byte)
                lineIsEmpty = false
            }
        }
        flush()
        return paragraphs
    }
}
