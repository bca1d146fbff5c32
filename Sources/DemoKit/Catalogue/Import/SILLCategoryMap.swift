/// How SILL categories (`c`) and functions (`f`) map to the kit's categories.
///
/// Rules are tried in order on the accent-folded function, then on the category; each
/// gives candidate kit categories, most specific first, and the first one the kit
/// defines wins. Nothing found: the generic candidates; none of those in the kit:
/// the entry is skipped with a note.
enum SILLCategoryMap {
    struct Rule: Sendable {
        /// Folded words, any of which in the function (or category) selects the rule.
        var words: [String]
        var candidates: [String]
    }

    /// Matched against the function (`f`): the most precise information.
    static let functionRules: [Rule] = [
        Rule(words: ["cimetiere", "cimetieres", "concessions", "funeraire"], candidates: ["cimetiere"]),
        Rule(words: ["gestion du courrier", "courrier entrant", "courriers"], candidates: ["courrier", "gestion-documentaire"]),
        Rule(words: ["elections", "electorale", "electoral"], candidates: ["elections"]),
        Rule(words: ["urbanisme", "permis de construire", "cadastre"], candidates: ["urbanisme", "cartographie-sig"]),
        Rule(words: ["parapheur", "signature electronique"], candidates: ["signature-electronique"]),
        Rule(words: ["visioconference", "conference en ligne", "webconference"], candidates: ["visioconference", "collaboration"]),
        Rule(words: ["messagerie instantanee", "chat"], candidates: ["messagerie-instantanee", "messagerie"]),
        Rule(words: ["courrielleur", "client de messagerie", "webmail", "liste de diffusion"], candidates: ["messagerie", "collaboration"]),
        Rule(words: ["sondage", "questionnaire"], candidates: ["sondage", "collaboration"]),
        Rule(words: ["participation citoyenne"], candidates: ["participation-citoyenne", "relation-usagers"]),
        Rule(words: ["formulaire", "demarche", "dematerialisation"], candidates: ["relation-usagers", "dematerialisation"]),
        Rule(words: ["archivage"], candidates: ["archivage", "gestion-documentaire"]),
        Rule(words: ["pdf"], candidates: ["pdf", "bureautique"]),
        Rule(
            words: ["suite bureautique", "opendocument", "correction grammaticale", "terminologique", "editeur de textes", "redaction"],
            candidates: ["bureautique"]),
        Rule(
            words: ["graphisme", "image", "schema", "diagramme", "publication assistee", "capture d'ecran", "maquettage"],
            candidates: ["graphisme", "bureautique"]),
        Rule(words: ["son", "video", "multimedia", "dvd", "streaming"], candidates: ["multimedia"]),
        Rule(words: ["apprentissage", "pedagogique", "enseignement", "ecoles", "formation", "lecteurs debutants"], candidates: ["education"]),
        Rule(words: ["bibliotheque"], candidates: ["bibliotheque", "education"]),
        Rule(words: ["lecteur d'ecran", "accessibilite", "contraste"], candidates: ["accessibilite"]),
        Rule(words: ["geographique", "carte", "openstreetmap", "geomatique", "sig"], candidates: ["cartographie-sig"]),
        Rule(words: ["statistiques de frequentation", "contenus web", "sites web"], candidates: ["site-web"]),
        Rule(words: ["navigateur", "publicites", "moteur de recherche"], candidates: ["navigateur"]),
        Rule(words: ["microblogue", "forum", "reseau social"], candidates: ["reseaux-sociaux", "collaboration"]),
        Rule(
            words: ["partage de fichiers", "wiki", "notes", "gestion de projet", "taches", "connaissances", "idees"],
            candidates: ["collaboration"]),
        Rule(
            words: ["mots de passe", "chiffrement", "antivirus", "pare-feu", "effacement", "pisteurs", "sso", "identites"],
            candidates: ["securite"]),
        Rule(words: ["inventaire", "parc", "ticket", "support", "glpi", "deploiement", "telediffusion"], candidates: ["parc-informatique"]),
        Rule(words: ["distribution gnu/linux", "distribution educative"], candidates: ["systeme", "education"]),
        Rule(words: ["compression", "synchronisation", "sauvegarde", "client ftp", "trier des fichiers"], candidates: ["utilitaires"]),
    ]

    /// Matched against the category (`c`) when no function rule applied.
    static let categoryRules: [Rule] = [
        Rule(words: ["visiophonie"], candidates: ["visioconference"]),
        Rule(words: ["messagerie agenda contacts", "serveur smtp"], candidates: ["messagerie"]),
        Rule(words: ["consultation et edition de documents", "outil de productivite"], candidates: ["bureautique"]),
        Rule(words: ["outil collaboratif", "partage de fichiers"], candidates: ["collaboration"]),
        Rule(words: ["gestion de contenu web"], candidates: ["site-web"]),
        Rule(words: ["moteur sig"], candidates: ["cartographie-sig"]),
        Rule(words: ["navigateur web"], candidates: ["navigateur"]),
        Rule(words: ["accessibilite"], candidates: ["accessibilite"]),
        Rule(words: ["authentification", "chiffrement", "antivirus", "pare-feu"], candidates: ["securite"]),
        Rule(words: ["compression", "synchronisation"], candidates: ["utilitaires"]),
        Rule(words: ["systeme d'exploitation"], candidates: ["systeme"]),
        Rule(words: ["outil metier"], candidates: ["relation-usagers", "dematerialisation"]),
        Rule(
            words: [
                "deploiement gestion d'actif", "outils systeme", "supervision", "service level", "serveur", "virtualisation",
                "haute disponibilite", "sauvegarde", "gestion des logs", "load balancer", "bases de donnees", "gestionnaire de donnees",
                "moteur de recherche", "gestion des acces",
            ], candidates: ["parc-informatique", "systeme"]),
    ]

    /// For everything else (developer tools: tests, IDEs, packaging…).
    static let generic = ["utilitaires", "autres", "divers", "parc-informatique"]

    /// The kit category for a SILL entry, or nil when the kit has none that fits.
    static func category(function: String, category: String, kitCategories: Set<String>) -> String? {
        let f = TextFolding.tokens(function), c = TextFolding.tokens(category)
        func first(_ rules: [(phrases: [[String]], candidates: [String])], _ words: [String]) -> String? {
            for rule in rules where rule.phrases.contains(where: { contains(words, $0) }) {
                if let hit = rule.candidates.first(where: kitCategories.contains) { return hit }
            }
            return nil
        }
        return first(functionPhrases, f) ?? first(categoryPhrases, c) ?? first(functionPhrases, c)
            ?? generic.first(where: kitCategories.contains)
    }

    /// The rules' phrases as words, computed once.
    static let functionPhrases = functionRules.map { ($0.words.map(TextFolding.tokens), $0.candidates) }
    static let categoryPhrases = categoryRules.map { ($0.words.map(TextFolding.tokens), $0.candidates) }

    /// Whole-word (or whole-phrase) match, so « son » does not match « personne ».
    static func matches(_ text: String, _ phrase: String) -> Bool {
        contains(TextFolding.tokens(text), TextFolding.tokens(phrase))
    }

    /// `words` contains `phrase` as consecutive words.
    static func contains(_ words: [String], _ phrase: [String]) -> Bool {
        guard !phrase.isEmpty, words.count >= phrase.count else { return false }
        for start in 0...(words.count - phrase.count) where words[start] == phrase[0] {
            if Array(words[start..<start + phrase.count]) == phrase { return true }
        }
        return false
    }
}
