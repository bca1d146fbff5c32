import Foundation

extension KitLoader {
    static let talksFolder = "payload/talks"
    static let factsFile = "payload/talks/facts.yml"

    /// `payload/talks/`: one talk per profile and the facts they cite. Every reference
    /// (profile, fact, application) must exist, so a slide never shows a blank.
    /// `entryFiles`: entries whose file exists but has errors, already reported.
    func loadTalks(
        profiles: [Profile], entryIDs: Set<String>, entryFiles: Set<String>, _ diagnostics: inout [Diagnostic]
    ) -> ([Talk], [TalkFact]) {
        var facts: [TalkFact] = []
        if FileManager.default.fileExists(atPath: root.appendingPathComponent(Self.factsFile).path) {
            facts = readList(Self.factsFile, &diagnostics) { TalkFact.read($0) }
            var seen: [String: Located<String>] = [:]
            for fact in facts {
                if let first = seen[fact.id.value] {
                    diagnostics.append(
                        fact.id.diagnostic(
                            bilingual(
                                "fait « \(fact.id.value) » en double (déjà ligne \(first.line))",
                                "duplicate fact \"\(fact.id.value)\" (already at line \(first.line))")))
                }
                seen[fact.id.value] = fact.id
            }
        }
        let factIDs = facts.map(\.id.value)
        let profileIDs = profiles.map(\.id.value)
        var talks: [Talk] = []
        for file in yamlFiles(in: Self.talksFolder) where file != Self.factsFile {
            let name = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            let profileName = Located(name, file: display(file), line: 1, column: 1)
            guard profileIDs.contains(name) else {
                var message = BilingualMessage(
                    "exposé pour un profil inconnu « \(name) » : nommez le fichier d'après un profil (profiles/<id>.yml)",
                    "talk for an unknown profile \"\(name)\": name the file after a profile (profiles/<id>.yml)")
                message.suggest(closest(to: name, in: profileIDs))
                diagnostics.append(profileName.diagnostic(message.text))
                continue
            }
            guard let talk = readOne(file, &diagnostics, { Talk.read($0, profile: profileName) }) else { continue }
            for slide in talk.slides {
                for fact in slide.facts where !factIDs.contains(fact.value) {
                    var message = BilingualMessage(
                        "fait inconnu « \(fact.value) » : ajoutez-le à \(Self.factsFile)",
                        "unknown fact \"\(fact.value)\": add it to \(Self.factsFile)")
                    message.suggest(closest(to: fact.value, in: factIDs))
                    diagnostics.append(fact.diagnostic(message.text))
                }
                for app in slide.apps where !entryIDs.contains(app.value) && !entryFiles.contains(app.value) {
                    diagnostics.append(Self.unknownEntry(app, Self.unknownApplication, ids: entryIDs))
                }
            }
            talks.append(talk)
        }
        let order = profiles.map(\.id.value)
        talks.sort { (order.firstIndex(of: $0.profile.value) ?? .max) < (order.firstIndex(of: $1.profile.value) ?? .max) }
        return (talks, facts)
    }
}
