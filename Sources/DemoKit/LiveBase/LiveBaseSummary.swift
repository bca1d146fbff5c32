/// A built live system described for a volunteer: each layer, its size and profiles.
public enum LiveBaseSummary {
    public static func lines(_ record: BuiltBaseRecord) -> [String] {
        let all = record.plan.profiles.map(\.id)
        var lines = [
            bilingual(
                "Système live Debian \(record.plan.suite) (noyau \(record.kernelVersion), \(record.packageCount) paquets\(record.mirrorReleaseDate.map { ", miroir du \($0)" } ?? "")) :",
                "Debian \(record.plan.suite) live system (kernel \(record.kernelVersion), \(record.packageCount) packages\(record.mirrorReleaseDate.map { ", mirror of \($0)" } ?? "")):"
            )
        ]
        for layer in record.layers {
            let who = layer.profiles == all ? bilingual("tous les profils", "every profile") : layer.profiles.joined(separator: ", ")
            lines.append("  live/\(layer.file)  \(formatBytes(layer.size))  \(who)  (\(layer.packages.count) \(bilingual("paquets", "packages")))")
        }
        return lines
    }
}
