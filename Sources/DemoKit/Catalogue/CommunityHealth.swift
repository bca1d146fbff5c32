import Foundation

/// How alive the community behind a software is, from the facts the catalogue holds
/// only (no network), so a presenter can explain the figure and the catalogue can
/// plainly advise against software nobody maintains. The formula is documented in
/// `docs/community-health.md`; the time reference is the kit's date, never the clock,
/// so two builds of the same kit give the same scores.
struct CommunityHealth: Sendable, Equatable, Codable {
    enum Level: String, Sendable, Codable, CaseIterable {
        /// Strong: a community and support are known.
        case strong
        /// Fair: some signs of life.
        case fair
        /// Weak: few signs of life.
        case weak
        /// Advise against: abandoned, obsolete, or no sign of life for years.
        case avoid
        /// Not enough known facts to judge.
        case unknown

        var label: LocalizedText {
            switch self {
            case .strong: return LocalizedText(fr: "Communauté solide", en: "Strong community")
            case .fair: return LocalizedText(fr: "Communauté correcte", en: "Fair community")
            case .weak: return LocalizedText(fr: "Communauté fragile", en: "Weak community")
            case .avoid: return LocalizedText(fr: "Déconseillé", en: "Not recommended")
            case .unknown: return LocalizedText(fr: "Non évalué", en: "Not assessed")
            }
        }
    }

    /// One fact that counts in the score, as a presenter would say it.
    struct Input: Sendable, Equatable, Codable {
        /// Stable key: `sill_status`, `sill_years`, `users`, `providers`, `support_contract`, `release_age`, `development`.
        var key: String
        var label: LocalizedText
        var value: LocalizedText
        var points: Int
        var maximum: Int
    }

    /// 0–100.
    var score: Int
    var level: Level
    var inputs: [Input]
    /// A plain sentence a presenter can read aloud.
    var advice: LocalizedText

    /// Points for each input; they add up to 100.
    enum Weights {
        static let sillStatus = 20
        static let sillYears = 15
        static let users = 20
        static let providers = 15
        static let supportContract = 10
        static let release = 20
    }

    /// Above this score a software is `strong`, above `fairScore` `fair`, else `weak`.
    static let strongScore = 60
    static let fairScore = 35
    /// A last release older than this (years), with a score under `fairScore`, advises against.
    static let staleYears = 4.0
    /// Score cap for obsolete or unmaintained software.
    static let avoidCap = 15

    static func compute(_ entry: CatalogueEntry, reference: String) -> CommunityHealth {
        var inputs: [Input] = []
        var negative: [LocalizedText] = []
        var known = false

        // SILL status.
        let statusPoints: Int
        let statusValue: LocalizedText
        switch entry.sillStatus {
        case "recommended":
            statusPoints = Weights.sillStatus
            statusValue = LocalizedText(fr: "recommandé", en: "recommended")
        case "observation":
            statusPoints = Weights.sillStatus / 2
            statusValue = LocalizedText(fr: "en observation", en: "under observation")
        case "withdrawn":
            statusPoints = 0
            statusValue = LocalizedText(fr: "retiré de la liste", en: "withdrawn from the list")
        default:
            statusPoints = 0
            statusValue = entry.sill == nil ? LocalizedText(fr: "absent", en: "not listed") : LocalizedText(fr: "inconnu", en: "unknown")
        }
        if entry.sillStatus != nil { known = true }
        inputs.append(
            Input(
                key: "sill_status", label: LocalizedText(fr: "Statut au SILL (socle de l'État)", en: "Status on the SILL (State's list)"),
                value: statusValue, points: statusPoints, maximum: Weights.sillStatus))

        // Years on the SILL: 3 points a year.
        let years = entry.sillYears.count
        inputs.append(
            Input(
                key: "sill_years", label: LocalizedText(fr: "Années au SILL", en: "Years on the SILL"),
                value: yearsText(entry.sillYears), points: min(Weights.sillYears, 3 * years), maximum: Weights.sillYears))
        if years > 0 { known = true }

        // Known users.
        let users = entry.users.count
        let userPoints = users == 0 ? 0 : users == 1 ? 8 : users < 5 ? 14 : Weights.users
        inputs.append(
            Input(
                key: "users", label: LocalizedText(fr: "Utilisateurs connus (communes, organismes publics)", en: "Known users (towns, public bodies)"),
                value: LocalizedText(fr: "\(users)", en: "\(users)"), points: userPoints, maximum: Weights.users))
        if users > 0 { known = true }

        // Known service providers.
        let providers = entry.providers.count
        let providerPoints = providers == 0 ? 0 : providers == 1 ? 10 : Weights.providers
        inputs.append(
            Input(
                key: "providers", label: LocalizedText(fr: "Prestataires connus", en: "Known service providers"),
                value: LocalizedText(fr: "\(providers)", en: "\(providers)"), points: providerPoints, maximum: Weights.providers))
        if providers > 0 { known = true }

        // The State's support contract.
        inputs.append(
            Input(
                key: "support_contract", label: LocalizedText(fr: "Couvert par le marché de support de l'État", en: "Covered by the State's support contract"),
                value: entry.supportContract ? LocalizedText(fr: "oui", en: "yes") : LocalizedText(fr: "non connu", en: "not known"),
                points: entry.supportContract ? Weights.supportContract : 0, maximum: Weights.supportContract))
        if entry.supportContract { known = true }

        // Age of the last known release, at the kit's date.
        var releasePoints = 0
        var releaseValue = LocalizedText(fr: "inconnue", en: "unknown")
        var releaseAge: Double?
        if let day = entry.releaseDate.flatMap(SourceDate.parseDay), let now = SourceDate.parseDay(reference) {
            known = true
            let age = max(0, now.timeIntervalSince(day) / (365.25 * 86_400))
            releaseAge = age
            releasePoints = age <= 1 ? Weights.release : age <= 2 ? 12 : age <= staleYears ? 5 : 0
            let shown = String(format: "%.1f", age)
            releaseValue = LocalizedText(
                fr: "\(entry.releaseDate ?? "") (il y a \(shown.replacingOccurrences(of: ".", with: ",")) an(s))",
                en: "\(entry.releaseDate ?? "") (\(shown) year(s) ago)")
            // A date read from a Debian package says which one, so a presenter can cite it.
            let source = entry.source(of: "release_date")
            if source.name == PackageFacts.sourceName, let package = source.id {
                let version = entry.version.map { " \($0)" } ?? ""
                releaseValue.fr = "version\(version) du \(releaseValue.fr) — source : paquet Debian \(package), lu le \(source.date ?? "")"
                releaseValue.en = "release\(version) of \(releaseValue.english) — source: Debian package \(package), read on \(source.date ?? "")"
            }
        }
        inputs.append(
            Input(
                key: "release_age", label: LocalizedText(fr: "Dernière version connue", en: "Last known release"),
                value: releaseValue, points: releasePoints, maximum: Weights.release))

        // Development status and maintenance (publiccode.yml): informative, 0 points,
        // but obsolete or unmaintained software is advised against.
        if entry.developmentStatus != nil || entry.maintenance != nil {
            known = true
            let parts = [entry.developmentStatus, entry.maintenance.map { "maintenance: \($0)" }].compactMap { $0 }
            inputs.append(
                Input(
                    key: "development", label: LocalizedText(fr: "État du développement", en: "Development status"),
                    value: LocalizedText(fr: parts.joined(separator: ", "), en: parts.joined(separator: ", ")), points: 0, maximum: 0))
        }
        if entry.developmentStatus == "obsolete" {
            negative.append(LocalizedText(fr: "le projet se déclare obsolète", en: "the project declares itself obsolete"))
        }
        if entry.maintenance == "none" {
            negative.append(LocalizedText(fr: "personne n'en assure la maintenance", en: "nobody maintains it"))
        }

        var score = inputs.reduce(0) { $0 + $1.points }
        if let releaseAge, releaseAge > staleYears, score < fairScore {
            negative.append(
                LocalizedText(
                    fr: "aucune version connue depuis plus de \(Int(staleYears)) ans", en: "no known release for more than \(Int(staleYears)) years"))
        }
        if entry.sillStatus == "withdrawn", score < fairScore {
            negative.append(LocalizedText(fr: "l'État l'a retiré de sa liste", en: "the State withdrew it from its list"))
        }
        let level: Level
        if !negative.isEmpty {
            score = min(score, avoidCap)
            level = .avoid
        } else if !known {
            level = .unknown
        } else {
            level = score >= strongScore ? .strong : score >= fairScore ? .fair : .weak
        }
        return CommunityHealth(score: score, level: level, inputs: inputs, advice: advice(level, negative, entry))
    }

    static func yearsText(_ years: [Int]) -> LocalizedText {
        guard let first = years.first, let last = years.last else { return LocalizedText(fr: "0", en: "0") }
        let range = first == last ? "\(first)" : "\(first)–\(last)"
        return LocalizedText(fr: "\(years.count) (\(range))", en: "\(years.count) (\(range))")
    }

    static func advice(_ level: Level, _ negative: [LocalizedText], _ entry: CatalogueEntry) -> LocalizedText {
        switch level {
        case .strong:
            return LocalizedText(
                fr: "\(entry.name) peut être adopté sereinement : des utilisateurs, du support et une activité récente sont connus.",
                en: "\(entry.name) can be adopted with confidence: users, support and recent activity are known.")
        case .fair:
            return LocalizedText(
                fr: "\(entry.name) est un choix raisonnable : vérifiez auprès d'un prestataire ou d'une commune utilisatrice avant de vous engager.",
                en: "\(entry.name) is a reasonable choice: check with a provider or a town using it before committing.")
        case .weak:
            return LocalizedText(
                fr: "\(entry.name) a peu de signes de vie connus : à réserver à un essai, avec un plan de sortie.",
                en: "\(entry.name) shows few known signs of life: keep it to a trial, with an exit plan.")
        case .avoid:
            return LocalizedText(
                fr: "Déconseillé : \(negative.map(\.fr).joined(separator: " ; ")). Préférez une alternative suivie.",
                en: "Not recommended: \(negative.map { $0.english }.joined(separator: "; ")). Prefer a maintained alternative.")
        case .unknown:
            return LocalizedText(
                fr: "Le catalogue ne sait rien de la communauté de \(entry.name) : renseignez-vous avant de le recommander.",
                en: "The catalogue knows nothing about \(entry.name)'s community: find out before recommending it.")
        }
    }
}

extension Kit {
    /// The community health of an entry at the kit's date. Its providers are the
    /// linked ones (`providers(of:)`): the names it gives and the provider records
    /// that list it.
    func health(of entry: CatalogueEntry) -> CommunityHealth {
        guard !providers.isEmpty else { return CommunityHealth.compute(entry, reference: settings.date) }
        var linked = entry
        linked.providers = providers(of: entry).map(\.name)
        return CommunityHealth.compute(linked, reference: settings.date)
    }
}
