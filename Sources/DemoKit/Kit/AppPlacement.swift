import Foundation

/// Where an application sits on the key, per platform: what the pages and the
/// profile lists show a presenter ("double-click apps\windows\…\X.exe").
struct AppPlacement: Sendable, Codable, Equatable {
    struct Portable: Sendable, Codable, Equatable {
        /// The launcher, Windows-style: `apps\windows\LibreOfficePortable\LibreOfficePortable.exe`.
        var start: String
        /// The app's folder on the key, `apps/windows/<AppID>`.
        var folder: String
        var name: String
        var version: String?
        /// `[Details] Category` (PortableApps.com's menu category).
        var category: String?
    }

    struct AppImage: Sendable, Codable, Equatable {
        /// `apps/linux/<name>.AppImage`.
        var path: String
    }

    var windows: Portable?
    var linux: AppImage?
    /// Platforms whose file is pinned but not on this key (built with `--skip-missing`).
    var notOnKey: [String] = []

    init(windows: Portable? = nil, linux: AppImage? = nil, notOnKey: [String] = []) {
        self.windows = windows
        self.linux = linux
        self.notOnKey = notOnKey
    }
}
