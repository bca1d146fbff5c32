import Yams

/// `payload/providers/<id>.yml`: an organisation that supports software of the
/// catalogue (installation, hosting, training, maintenance), where it works, and where
/// each of these facts comes from. Documented in `docs/provider.md`.
///
/// Catalogue entries keep naming providers as plain text (`providers: [atReal]`); a
/// record is linked to an entry by its name or id, or by its own `software` list
/// (`Kit.providers(of:)`).
struct Provider: Sendable, Equatable {
    enum Kind: String, Sendable, CaseIterable {
        case company, cooperative, association
        /// A public body (a syndicat mixte, a public interest group…).
        case `public`

        var label: LocalizedText {
            switch self {
            case .company: return LocalizedText(fr: "Entreprise", en: "Company")
            case .cooperative: return LocalizedText(fr: "Coopérative (SCOP, SCIC)", en: "Cooperative")
            case .association: return LocalizedText(fr: "Association", en: "Association")
            case .public: return LocalizedText(fr: "Organisme public", en: "Public body")
            }
        }
    }

    var id: Located<String>
    var name: String
    var website: String?
    var kind: Kind
    /// Official names (`FrenchAreas.regions`), in the order written.
    var regions: [String]
    /// INSEE codes (`FrenchAreas.departements`), in the order written.
    var departements: [String]
    /// Works anywhere in France, not only in the régions and départements listed.
    var national: Bool
    /// Catalogue entry ids, as written (checked against the catalogue by `KitLoader`).
    var software: [Located<String>]
    /// Its identifier on the Comptoir du Libre (comptoir-du-libre.org/fr/users/ID).
    var comptoir: String?
    /// Its identifier in the CNLL's directory of members.
    var cnll: String?
    var sources: [ProviderSource]

    /// The fields a source can vouch for.
    static let factFields = ["name", "website", "kind", "regions", "departements", "national", "software", "comptoir", "cnll"]

    /// The facts this record states (name and kind always).
    var presentFacts: [String] {
        Self.factFields.filter { field in
            switch field {
            case "name", "kind": return true
            case "website": return website != nil
            case "regions": return !regions.isEmpty
            case "departements": return !departements.isEmpty
            case "national": return national
            case "software": return !software.isEmpty
            case "comptoir": return comptoir != nil
            case "cnll": return cnll != nil
            default: return false
            }
        }
    }

    /// The source of a fact: the first that names it.
    func source(of fact: String) -> ProviderSource? {
        sources.first { $0.facts.contains(fact) }
    }

    /// Every département it serves: those listed and those of its régions, sorted by code.
    var servedDepartements: [String] {
        let fromRegions = regions.compactMap(FrenchAreas.region(named:)).flatMap(\.departements)
        let all = Set(departements + fromRegions)
        return FrenchAreas.departements.map(\.code).filter(all.contains)
    }

    /// Every région where it serves at least one département, in `FrenchAreas` order.
    var servedRegions: [String] {
        let served = Set(servedDepartements)
        return FrenchAreas.regions.filter { $0.departements.contains(where: served.contains) }.map(\.name)
    }

    static func read(_ fields: MappingReader) -> Provider? {
        let reader = fields.reader
        let id = fields.string("id", required: true)
        let name = fields.string("name", required: true)
        let website = fields.string("website")
        let kind = fields.string("kind", required: true)
        let regions = fields.strings("regions")
        let departements = fields.strings("departements")
        let national = fields.bool("national") ?? false
        let software = fields.strings("software")
        let comptoir = fields.string("comptoir")
        let cnll = fields.string("cnll")
        let sourcesNode = fields.value("sources")
        fields.finish()

        if let id { checkIdentifier(id, reader, what: "id") }
        if let website, !isWebAddress(website.value) {
            reader.appendDiagnostic(
                website.diagnostic(
                    bilingual(
                        "adresse invalide « \(website.value) » : elle doit commencer par https:// ou http://",
                        "invalid address \"\(website.value)\": it must start with https:// or http://")))
        }
        let kinds = Kind.allCases.map(\.rawValue)
        let parsedKind = kind.flatMap { Kind(rawValue: $0.value) }
        if let kind, parsedKind == nil {
            var message = BilingualMessage(
                "« kind » : valeur inconnue « \(kind.value) » (valeurs : \(kinds.joined(separator: ", ")))",
                "\"kind\": unknown value \"\(kind.value)\" (values: \(kinds.joined(separator: ", ")))")
            message.suggest(closest(to: kind.value, in: kinds))
            reader.appendDiagnostic(kind.diagnostic(message.text))
        }
        var regionNames: [String] = []
        for region in regions {
            if let known = FrenchAreas.region(named: region.value) {
                regionNames.append(known.name)
            } else {
                reader.appendDiagnostic(region.diagnostic(unknownRegion(region.value)))
            }
        }
        var codes: [String] = []
        for departement in departements {
            guard let known = FrenchAreas.departement(departement.value) else {
                var message = BilingualMessage(
                    "département inconnu « \(departement.value) » : écrivez son code (« 34 », « 2A », « 971 »)",
                    "unknown département \"\(departement.value)\": write its code (\"34\", \"2A\", \"971\")")
                message.suggest(FrenchAreas.departements.first { TextFolding.fold($0.name) == TextFolding.fold(departement.value) }?.code)
                reader.appendDiagnostic(departement.diagnostic(message.text))
                continue
            }
            if !regionNames.isEmpty, !regionNames.contains(known.region) {
                reader.appendDiagnostic(
                    departement.diagnostic(
                        bilingual(
                            "le département \(known.code) (\(known.name)) est en \(known.region), absente de « regions » : ajoutez cette région ou retirez le département",
                            "département \(known.code) (\(known.name)) is in \(known.region), which \"regions\" does not list: add that région or remove the département"
                        )))
            }
            codes.append(known.code)
        }
        let sources = sourcesNode.map { ProviderSource.readList($0, reader) } ?? []
        guard let id, let name, let parsedKind else { return nil }
        let provider = Provider(
            id: id, name: name.value, website: website?.value, kind: parsedKind, regions: unique(regionNames),
            departements: unique(codes), national: national, software: software, comptoir: comptoir?.value, cnll: cnll?.value,
            sources: sources)
        let unsourced = provider.presentFacts.filter { provider.source(of: $0) == nil }
        if !unsourced.isEmpty {
            reader.error(
                at: sourcesNode ?? fields.node,
                bilingual(
                    "faits sans source : \(unsourced.joined(separator: ", ")) : nommez-les dans « facts » d'une des « sources »",
                    "facts without a source: \(unsourced.joined(separator: ", ")): name them in the \"facts\" of one of the \"sources\""))
        }
        return provider
    }

    static func unknownRegion(_ name: String) -> String {
        var message = BilingualMessage(
            "région inconnue « \(name) » : écrivez son nom officiel (ex. « Hauts-de-France »)",
            "unknown région \"\(name)\": write its official name (e.g. \"Hauts-de-France\")")
        message.suggest(closest(to: name, in: FrenchAreas.regions.map(\.name)))
        return message.text
    }

    private static func unique(_ values: [String]) -> [String] {
        var seen: Set<String> = []
        return values.filter { seen.insert($0).inserted }
    }
}

/// Where some facts of a provider record come from: a web address or a document, and
/// the day they were recorded.
struct ProviderSource: Sendable, Equatable {
    /// `Provider.factFields` names.
    var facts: [String]
    var url: String?
    /// A document that is not on the web (« plaquette commerciale 2026 »).
    var document: String?
    /// `YYYY-MM-DD`.
    var date: String

    static func readList(_ node: Node, _ reader: ManifestReader) -> [ProviderSource] {
        guard case let .sequence(items) = node else {
            reader.error(at: node, bilingual("« sources » : une liste est attendue", "\"sources\": expected a list"))
            return []
        }
        return items.compactMap { item in reader.mapping(item, what: "sources").flatMap(read) }
    }

    static func read(_ fields: MappingReader) -> ProviderSource? {
        let reader = fields.reader
        let facts = fields.strings("facts", required: true)
        let url = fields.string("url")
        let document = fields.string("document")
        let date = fields.string("date", required: true)
        fields.finish()
        for fact in facts where !Provider.factFields.contains(fact.value) {
            var message = BilingualMessage(
                "fait inconnu « \(fact.value) » (valeurs : \(Provider.factFields.joined(separator: ", ")))",
                "unknown fact \"\(fact.value)\" (values: \(Provider.factFields.joined(separator: ", ")))")
            message.suggest(closest(to: fact.value, in: Provider.factFields))
            reader.appendDiagnostic(fact.diagnostic(message.text))
        }
        if let url, !isWebAddress(url.value) {
            reader.appendDiagnostic(
                url.diagnostic(
                    bilingual(
                        "adresse invalide « \(url.value) » : elle doit commencer par https:// ou http://",
                        "invalid address \"\(url.value)\": it must start with https:// or http://")))
        }
        if url == nil, document == nil {
            reader.error(
                at: fields.node,
                bilingual(
                    "source sans référence : indiquez « url: » (page web) ou « document: » (titre du document)",
                    "source without a reference: give \"url:\" (a web page) or \"document:\" (the document's title)"))
        }
        if let date, SourceDate.parseDay(date.value) == nil {
            reader.appendDiagnostic(
                date.diagnostic(
                    bilingual("date invalide « \(date.value) » : écrivez AAAA-MM-JJ", "invalid date \"\(date.value)\": write YYYY-MM-DD")))
        }
        guard let date, !facts.isEmpty else { return nil }
        return ProviderSource(facts: facts.map(\.value), url: url?.value, document: document?.value, date: date.value)
    }
}
