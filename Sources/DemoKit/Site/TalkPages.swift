import Foundation

/// « Présenter »: each profile's talk as one page of slides (`presenter/<id>.html`,
/// template `talk`) and its one-page handout (`fiches/presentations/<id>.html`,
/// template `sheet-talk`). The slides' words come from `payload/talks/`; the
/// applications, providers and contacts from the rest of the kit.
extension SitePages {
    /// Slides show a few items: more would not be read from the back of a room.
    static let slideApps = 6
    static let slideProviders = 6
    static let slideUsers = 3
    /// The handout must fit one A4 page.
    static let handoutApps = 5
    static let handoutFacts = 1

    func talkHref(_ profile: String, from page: SitePage) -> String {
        page.base + "presenter/\(profile).html"
    }

    func talkSheetHref(_ profile: String, from page: SitePage) -> String {
        page.base + "fiches/presentations/\(profile).html"
    }

    func talkContext(_ talk: Talk, from page: SitePage) -> [String: Any] {
        let profile = kit.profiles.first { $0.id.value == talk.profile.value }
        var elapsed = 0
        var slides: [[String: Any]] = []
        for (index, slide) in talk.slides.enumerated() {
            var context = slideContext(slide, talk: talk, profile: profile, from: page)
            context["number"] = index + 1
            context["minutes"] = slide.minutes
            // When the slide should start, for the presenter's clock.
            context["startSeconds"] = elapsed * 60
            elapsed += slide.minutes
            slides.append(context)
        }
        var context = talkHeader(talk, profile: profile, from: page)
        context["slides"] = slides
        return context
    }

    /// What the slides and the handout both show: the talk's title, its budget, the profile.
    func talkHeader(_ talk: Talk, profile: Profile?, from page: SitePage) -> [String: Any] {
        let heading = language.pick(talk.title)
        return compact([
            "title": title(heading.text),
            "talk": compact([
                "title": heading.text, "titleLang": heading.lang,
                "subtitle": talk.subtitle.map { language.pick($0).text },
                "minutes": talk.minutes, "budgetSeconds": Talk.budgetMinutes * 60, "count": talk.slides.count,
            ]),
            "profile": profile.map { profileSummary($0, from: page) },
            "sheetHref": talkSheetHref(talk.profile.value, from: page),
        ])
    }

    func slideContext(_ slide: TalkSlide, talk: Talk, profile: Profile?, from page: SitePage) -> [String: Any] {
        var context: [String: Any] = ["kind": slide.kind.value]
        context["is" + slide.type.rawValue.prefix(1).uppercased() + slide.type.rawValue.dropFirst()] = true
        let defaultTitle: String? =
            switch slide.type {
            case .opening: language.pick(talk.title).text
            case .applications: words("talkApplications")
            case .providers: words("talkProviders")
            case .tryNow: words("talkTry")
            case .closing: words("talkClosing")
            case .argument: nil
            }
        context["heading"] = slide.title.map { language.pick($0).text } ?? defaultTitle
        context["points"] = listOrNil(slide.points.map { ["text": language.pick($0).text, "lang": language.pick($0).lang] })
        context["facts"] = listOrNil(slide.facts.compactMap { kit.fact($0.value) }.map(factContext))
        if let notes = slide.notes {
            context["notes"] = paragraphs(language.pick(notes).text).map { ["text": $0] }
        }
        switch slide.type {
        case .opening:
            if let subtitle = talk.subtitle { context["subtitle"] = language.pick(subtitle).text }
            if let profile { context["audience"] = language.pick(profile.audience).text }
        case .applications:
            context["apps"] = slideApps(slide, profile: profile).map { entry in
                var summary = softwareSummary(entry, from: page)
                if !entry.users.isEmpty { summary["users"] = entry.users.prefix(Self.slideUsers).joined(separator: ", ") }
                return summary
            }
        case .providers:
            context["providers"] = listOrNil(talkProviders(profile, from: page))
        case .tryNow:
            context["apps"] = tryApps(profile, from: page)
        case .closing:
            if let contact = kit.settings.contact { context["contact"] = contactContext(contact) }
            context["catalogueHref"] = page.base + "index.html"
        case .argument:
            break
        }
        return compact(context)
    }

    func slideApps(_ slide: TalkSlide, profile: Profile?) -> [CatalogueEntry] {
        if !slide.apps.isEmpty { return slide.apps.compactMap { kit.entry($0.value) } }
        guard let profile else { return [] }
        return Array(appPositions(profile).prefix(Self.slideApps).map { kit.catalogue[$0] })
    }

    /// The providers of the profile's applications, each with the software it supports
    /// and where it works; those serving the kit's région (`kit.yml`) first.
    func talkProviders(_ profile: Profile?, from page: SitePage) -> [[String: Any]] {
        guard let profile else { return [] }
        var order: [String] = []
        var found: [String: (provider: EntryProvider, software: [String])] = [:]
        for entry in appPositions(profile).map({ kit.catalogue[$0] }) {
            for provider in kit.providers(of: entry) {
                let key = provider.record?.id.value ?? TextFolding.fold(provider.name)
                if found[key] == nil { order.append(key) }
                found[key, default: (provider, [])].software.append(entry.name)
            }
        }
        let region = kit.settings.region
        func isNear(_ key: String) -> Bool {
            guard let region, let record = found[key]?.provider.record else { return false }
            return record.servedRegions.contains(region)
        }
        // Near ones first, then those with a record (a page, an area), each group in
        // the order the applications name them.
        let ranked = order.enumerated().sorted { a, b in
            let ra = (isNear(a.element) ? 0 : 1, found[a.element]?.provider.record == nil ? 1 : 0, a.offset)
            let rb = (isNear(b.element) ? 0 : 1, found[b.element]?.provider.record == nil ? 1 : 0, b.offset)
            return ra < rb
        }.map(\.element)
        return ranked.prefix(Self.slideProviders).compactMap { found[$0] }.map { item in
            var context: [String: Any] = ["name": item.provider.name, "software": item.software.joined(separator: ", ")]
            if let record = item.provider.record {
                context["href"] = page.base + "prestataires/\(record.id.value).html"
                context["area"] = providerArea(record)
            }
            return context
        }
    }

    /// What runs from the key: the live desktop, the Windows programs, the online demos.
    func tryApps(_ profile: Profile?, from page: SitePage) -> [[String: Any]] {
        guard let profile else { return [] }
        return appPositions(profile).map { kit.catalogue[$0] }.compactMap { entry in
            guard let start = start(entry) else { return nil }
            var summary: [String: Any] = ["name": entry.name, "href": page.base + "logiciels/\(entry.id.value).html"]
            summary["live"] = start["live"] != nil ? true : nil
            summary["windows"] = start["windows"] != nil ? true : nil
            summary["online"] = (start["online"] as? [String: Any])?["url"]
            return compact(summary)
        }
    }

    /// `{"list": items}`, or nothing when there is none: `{{#points}}<ul>{{#list}}…`
    /// then draws the list's frame only when it has items.
    func listOrNil(_ items: [[String: Any]]) -> [String: Any]? {
        items.isEmpty ? nil : ["list": items]
    }

    func factContext(_ fact: TalkFact) -> [String: Any] {
        let text = language.pick(fact.text), source = language.pick(fact.source)
        return compact([
            "id": fact.id.value, "text": text.text, "lang": text.lang, "source": source.text, "sourceLang": source.lang,
            "url": fact.url, "date": fact.date,
        ])
    }

    func contactContext(_ contact: KitContact) -> [String: Any] {
        compact([
            "name": contact.name, "website": contact.website, "email": contact.email, "phone": contact.phone,
            "address": contact.address,
        ])
    }

    /// The handout: the talk's arguments and facts, the applications and the contacts.
    func talkSheetContext(_ talk: Talk, from page: SitePage) -> [String: Any] {
        let profile = kit.profiles.first { $0.id.value == talk.profile.value }
        var context = talkHeader(talk, profile: profile, from: page)
        context["arguments"] = talk.slides.filter { $0.type == .argument }.map { slide in
            compact([
                "heading": slide.title.map { language.pick($0).text },
                "facts": listOrNil(slide.facts.prefix(Self.handoutFacts).compactMap { kit.fact($0.value) }.map(factContext)),
            ])
        }
        context["apps"] = (profile.map { appPositions($0) } ?? []).prefix(Self.handoutApps).map { softwareSummary(kit.catalogue[$0], from: page) }
        context["providers"] = listOrNil(talkProviders(profile, from: page))
        if let contact = kit.settings.contact { context["contact"] = contactContext(contact) }
        context["pageHref"] = talkHref(talk.profile.value, from: page)
        return context
    }
}
