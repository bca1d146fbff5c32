import Foundation

/// The single timestamp stamped on every generated file, archive entry and image,
/// so two builds of the same inputs are byte-identical.
///
/// Order: `SOURCE_DATE_EPOCH` (reproducible-builds.org convention), else the kit's
/// `date:` (its release date, 00:00 UTC).
public enum SourceDate {
    static func resolve(kitDate: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> Date {
        if let raw = environment["SOURCE_DATE_EPOCH"], let seconds = Int64(raw.trimmingCharacters(in: .whitespaces)), seconds >= 0 {
            return Date(timeIntervalSince1970: TimeInterval(seconds))
        }
        if let kitDate, let date = parseDay(kitDate) { return date }
        return Date(timeIntervalSince1970: 0)
    }

    /// Parses `YYYY-MM-DD` as midnight UTC.
    public static func parseDay(_ text: String) -> Date? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            parts[0].count == 4, (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        var components = DateComponents()
        components.year = y
        components.month = m
        components.day = d
        var calendar = Calendar(identifier: .gregorian)
        guard let utc = TimeZone(identifier: "UTC") else { return nil }
        calendar.timeZone = utc
        guard let date = calendar.date(from: components) else { return nil }
        // Reject dates the calendar silently rolled over (2026-02-31).
        let back = calendar.dateComponents([.year, .month, .day], from: date)
        return back.year == y && back.month == m && back.day == d ? date : nil
    }
}
