import Foundation

/// Sorting for people: accent- and case-insensitive, then by the raw text so equal
/// keys still sort the same way on every machine.
enum SiteSort {
    static func key(_ text: String) -> String { TextFolding.fold(text) + "\u{0}" + text }
}
