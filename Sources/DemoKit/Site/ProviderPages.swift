/// The providers page (`prestataires.html`), a page per provider record
/// (`prestataires/<id>.html`) and the providers shown on software pages. Every text
/// from a provider file goes through Mustache's escaping `{{…}}`.
extension SitePages {
    /// `add(path, template, inputs, context)` of `all()`.
    typealias AddPage = (String, String, Inputs, @escaping (SitePage) -> [String: Any]) -> Void

    func addProviderPages(_ add: AddPage) {
        // The records are part of the kit's other parts (`PageKey.kitWithoutCatalogue`);
        // which entries they support follows from the whole catalogue.
        let supported = kit.softwarePositionsByProvider()
        add("prestataires.html", "providers", .catalogue) { [self] page in
            providersContext(supported, from: page)
        }
        for provider in kit.providers {
            add("prestataires/\(provider.id.value).html", "provider", .catalogue) { [self] page in
                let positions = (supported[provider.id.value] ?? []).sorted {
                    SiteSort.key(kit.catalogue[$0].name) < SiteSort.key(kit.catalogue[$1].name)
                }
                var detail = providerCard(provider, software: positions, from: page)
                if let website = provider.website { detail["website"] = website }
                if let comptoir = provider.comptoir { detail["comptoir"] = "https://comptoir-du-libre.org/fr/users/\(comptoir)" }
                if let cnll = provider.cnll { detail["cnll"] = cnll }
                if !provider.sources.isEmpty {
                    detail["sources"] = [
                        "list": provider.sources.map { source in
                            compact([
                                "facts": source.facts.map(factLabel).joined(separator: ", "), "url": source.url,
                                "document": source.document, "date": source.date,
                            ])
                        }
                    ]
                }
                return [
                    "title": title(provider.name + " — " + words("providerHeading")),
                    "provider": detail,
                    "listHref": page.base + "prestataires.html",
                ]
            }
        }
    }

    func providersContext(_ supported: [String: [Int]], from page: SitePage) -> [String: Any] {
        func positions(_ provider: Provider) -> [Int] {
            (supported[provider.id.value] ?? []).sorted { SiteSort.key(kit.catalogue[$0].name) < SiteSort.key(kit.catalogue[$1].name) }
        }
        let records = kit.providers.sorted { SiteSort.key($0.name) < SiteSort.key($1.name) }
        // Names that no record matches, grouped as before records existed.
        let others = groups(\.providers, from: page).filter { group in
            let key = CatalogueMerge.normalisedName(group["name"] as? String ?? "")
            return !kit.providers.contains { $0.matches(key) }
        }
        var context = compact([
            "title": title(words("providersTitle")),
            "providers": records.isEmpty ? nil : ["list": records.map { providerCard($0, software: positions($0), from: page) }],
            "others": others.isEmpty ? nil : ["list": others],
            "filter": [
                "regions": FrenchAreas.regions.map { region in
                    [
                        "value": region.slug, "label": region.name,
                        "departements": region.departements.compactMap(FrenchAreas.departement).map { ["value": $0.code, "label": "\($0.code) — \($0.name)"] },
                    ] as [String: Any]
                }
            ],
        ])
        if let region = kit.settings.region {
            let near = records.filter { $0.servedRegions.contains(region) }
            let national = records.filter(\.national).count
            context["near"] = compact([
                "region": region, "list": near.isEmpty ? nil : near.map { providerCard($0, software: positions($0), from: page) },
                "none": near.isEmpty, "nationalCount": national == 0 ? nil : national,
            ])
        }
        return context
    }

    /// What a provider is and where it works, as the list and its own page show it.
    func providerCard(_ provider: Provider, software positions: [Int], from page: SitePage) -> [String: Any] {
        let kind = language.pick(provider.kind.label)
        return compact([
            "id": provider.id.value, "name": provider.name, "href": page.base + "prestataires/\(provider.id.value).html",
            "kind": kind.text, "kindLang": kind.lang, "where": providerArea(provider),
            "national": provider.national,
            "departements": provider.servedDepartements.joined(separator: " "),
            "regions": provider.servedRegions.compactMap { FrenchAreas.region(named: $0)?.slug }.joined(separator: " "),
            "software": positions.isEmpty
                ? nil
                : ["list": positions.map { ["name": kit.catalogue[$0].name, "href": page.base + "logiciels/\(kit.catalogue[$0].id.value).html"] }],
        ])
    }

    /// « Hérault (34) ; toute la France », or that it is not known.
    func providerArea(_ provider: Provider) -> String {
        var parts = provider.regions
        parts += provider.departements.compactMap(FrenchAreas.departement).map { "\($0.name) (\($0.code))" }
        if provider.national { parts.append(words("providerNational")) }
        return parts.isEmpty ? words("providerAreaUnknown") : parts.joined(separator: language == .fr ? " ; " : "; ")
    }

    /// The software page's providers: each with a link and where it works when it has a record.
    func entryProviders(_ entry: CatalogueEntry, from page: SitePage, limit: Int) -> [String: Any]? {
        let linked = kit.providers(of: entry)
        guard !linked.isEmpty else { return nil }
        return [
            "list": linked.prefix(limit).map { provider -> [String: Any] in
                guard let record = provider.record else { return ["name": provider.name] }
                return [
                    "name": provider.name, "href": page.base + "prestataires/\(record.id.value).html", "where": providerArea(record),
                ]
            }
        ]
    }

    func factLabel(_ fact: String) -> String {
        let labels: [String: LocalizedText] = [
            "name": LocalizedText(fr: "nom", en: "name"), "website": LocalizedText(fr: "site web", en: "website"),
            "kind": LocalizedText(fr: "type d'organisme", en: "kind of organisation"),
            "regions": LocalizedText(fr: "régions", en: "régions"), "departements": LocalizedText(fr: "départements", en: "départements"),
            "national": LocalizedText(fr: "toute la France", en: "all of France"),
            "software": LocalizedText(fr: "logiciels", en: "software"),
            "comptoir": LocalizedText(fr: "Comptoir du Libre", en: "Comptoir du Libre"), "cnll": LocalizedText(fr: "CNLL", en: "CNLL"),
        ]
        return labels[fact].map { language.pick($0).text } ?? fact
    }
}
