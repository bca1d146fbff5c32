import Yams

/// `payload/talks/<profile>.yml`: the profile's « Présenter » talk, a short deck a
/// presenter gives at a town hall. The words are the kit's (French and English); the
/// applications, providers and contacts come from the rest of the kit, so the slides
/// follow the catalogue. `docs/talk.md` describes the format.
struct Talk: Sendable {
    /// The profile id: the file's name.
    var profile: Located<String>
    var title: LocalizedText
    var subtitle: LocalizedText?
    var slides: [TalkSlide]

    /// Field notes: people lose attention after about twenty minutes.
    static let budgetMinutes = 20

    var minutes: Int { slides.reduce(0) { $0 + $1.minutes } }

    static func read(_ fields: MappingReader, profile: Located<String>) -> Talk? {
        let title = fields.localized("title", required: true)
        let subtitle = fields.localized("subtitle")
        var slides: [TalkSlide] = []
        let slidesNode = fields.value("slides")
        if let node = slidesNode {
            if case let .sequence(items) = node {
                slides = items.compactMap { item in
                    fields.reader.mapping(item, what: "slides").flatMap { TalkSlide.read($0) }
                }
            } else {
                fields.reader.error(at: node, bilingual("« slides » : une liste est attendue", "\"slides\": expected a list"))
            }
        }
        fields.finish()
        if slidesNode == nil {
            fields.reader.error(at: fields.node, bilingual("champ obligatoire manquant : « slides »", "missing required field \"slides\""))
        }
        let total = slides.reduce(0) { $0 + $1.minutes }
        if total > budgetMinutes, let last = slides.last {
            fields.reader.appendDiagnostic(
                last.kind.diagnostic(
                    bilingual(
                        "l'exposé dure \(total) min, plus que les \(budgetMinutes) min prévues : raccourcissez « minutes » de certaines diapositives",
                        "the talk lasts \(total) min, more than the \(budgetMinutes) min budget: lower some slides' \"minutes\"")))
        }
        guard let title else { return nil }
        return Talk(profile: profile, title: title, subtitle: subtitle, slides: slides)
    }
}

/// One slide. What it shows besides its own words depends on its kind.
struct TalkSlide: Sendable {
    enum Kind: String, CaseIterable, Sendable {
        /// The talk's title, the profile and the kit.
        case opening
        /// One argument (open formats, quality, costs, maturity) with sourced facts.
        case argument
        /// The profile's applications: icon, what each replaces, who uses it.
        case applications
        /// « Qui peut vous aider près de chez vous » from the catalogue's providers.
        case providers
        /// « Essayer maintenant »: what runs from the key.
        case tryNow = "try"
        /// The association's contacts from `kit.yml`.
        case closing
    }

    var kind: Located<String>
    var title: LocalizedText?
    var points: [LocalizedText]
    /// Ids from `payload/talks/facts.yml`.
    var facts: [Located<String>]
    /// Catalogue ids (`applications`); empty: the profile's first applications.
    var apps: [Located<String>]
    var notes: LocalizedText?
    var minutes: Int

    var type: Kind { Kind(rawValue: kind.value) ?? .argument }

    static func read(_ fields: MappingReader) -> TalkSlide? {
        let kind = fields.string("kind", required: true)
        let title = fields.localized("title")
        let points = localizedList(fields, "points")
        let facts = fields.strings("facts")
        let apps = fields.strings("apps")
        let notes = fields.localized("notes")
        let minutes = fields.int("minutes", range: 0...20)
        fields.finish()
        guard let kind else { return nil }
        guard Kind(rawValue: kind.value) != nil else {
            var message = BilingualMessage("type de diapositive inconnu « \(kind.value) »", "unknown slide kind \"\(kind.value)\"")
            message.suggest(closest(to: kind.value, in: Kind.allCases.map(\.rawValue)))
            fields.reader.appendDiagnostic(kind.diagnostic(message.text))
            return nil
        }
        if kind.value == Kind.argument.rawValue, title == nil {
            fields.reader.appendDiagnostic(
                kind.diagnostic(
                    bilingual("un argument a besoin d'un titre (title:)", "an argument needs a title (title:)")))
        }
        if !apps.isEmpty, kind.value != Kind.applications.rawValue {
            fields.reader.appendDiagnostic(
                apps[0].diagnostic(
                    bilingual(
                        "« apps » ne sert que sur une diapositive « applications »",
                        "\"apps\" only applies to an \"applications\" slide")))
        }
        return TalkSlide(
            kind: kind, title: title, points: points, facts: facts, apps: apps, notes: notes, minutes: minutes ?? 2)
    }

    /// A list of `{fr: …, en: …}` items.
    static func localizedList(_ fields: MappingReader, _ key: String) -> [LocalizedText] {
        guard let node = fields.value(key) else { return [] }
        guard case let .sequence(items) = node else {
            fields.reader.error(at: node, bilingual("« \(key) » : une liste est attendue", "\"\(key)\": expected a list"))
            return []
        }
        return items.compactMap { item in
            guard let item = fields.reader.mapping(item, what: key) else { return nil }
            let fr = item.string("fr", required: true)
            let en = item.string("en")
            item.finish()
            return fr.map { LocalizedText(fr: $0.value, en: en?.value) }
        }
    }
}

/// One entry of `payload/talks/facts.yml`: a figure or an example a slide cites, with
/// where it comes from, so a presenter can answer « d'où vient ce chiffre ? ».
struct TalkFact: Sendable {
    var id: Located<String>
    var text: LocalizedText
    var source: LocalizedText
    var url: String?
    /// The year or day the source gives for the fact, when it gives one.
    var date: String?

    static func read(_ fields: MappingReader) -> TalkFact? {
        let id = fields.string("id", required: true)
        let text = fields.localized("text", required: true)
        let source = fields.localized("source", required: true)
        let url = fields.string("url")
        let date = fields.string("date")
        fields.finish()
        if let id { _ = checkIdentifier(id, fields.reader, what: "id") }
        if let url, !(url.value.hasPrefix("https://") || url.value.hasPrefix("http://")) {
            fields.reader.appendDiagnostic(
                url.diagnostic(bilingual("adresse web attendue (https://…)", "expected a web address (https://…)")))
        }
        guard let id, let text, let source else { return nil }
        return TalkFact(id: id, text: text, source: source, url: url?.value, date: date?.value)
    }
}

/// `contact:` in `profiles/kit.yml`: who made the key, shown on the talk's last slide
/// and its handout.
struct KitContact: Sendable {
    var name: String
    var website: String?
    var email: String?
    var phone: String?
    var address: String?

    static func read(_ node: Node, _ reader: ManifestReader) -> KitContact? {
        guard let fields = reader.mapping(node, what: "contact") else { return nil }
        let name = fields.string("name", required: true)
        let website = fields.string("website")
        let email = fields.string("email")
        let phone = fields.string("phone")
        let address = fields.string("address")
        fields.finish()
        if let email, !email.value.contains("@") {
            reader.appendDiagnostic(email.diagnostic(bilingual("adresse électronique invalide", "invalid e-mail address")))
        }
        guard let name else { return nil }
        return KitContact(name: name.value, website: website?.value, email: email?.value, phone: phone?.value, address: address?.value)
    }
}
