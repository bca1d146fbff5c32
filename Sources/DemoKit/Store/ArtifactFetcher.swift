import Foundation

/// `demokit fetch`: downloads into the content store every pinned artifact of the
/// kit's profiles that it lacks, resuming interrupted downloads and rejecting files
/// whose hash is not the pinned one.
public struct ArtifactFetcher: Sendable {
    var store: ContentStore
    var downloader: Downloader
    var progress: any ProgressReporter

    public init(store: ContentStore, downloader: Downloader = Downloader(), progress: any ProgressReporter = SilentProgress()) {
        self.store = store
        self.downloader = downloader
        self.progress = progress
    }

    public struct Report: Sendable {
        /// Artifacts downloaded by this run.
        public var fetched: [ArtifactPin] = []
        /// Artifacts that were already in the store.
        public var present: [ArtifactPin] = []
        var failures: [DownloadError] = []
        /// Bytes that came from earlier, interrupted downloads.
        var resumedBytes: Int64 = 0
    }

    /// The pinned artifacts of the kit's profiles' applications, each once, in profile order.
    static func pins(of kit: Kit) -> [(app: String, pin: ArtifactPin)] {
        var seen: Set<String> = []
        var result: [(String, ArtifactPin)] = []
        var ids: Set<String> = []
        for id in kit.profiles.flatMap({ $0.apps.map(\.value) }) where ids.insert(id).inserted {
            for pin in kit.apps[id]?.pins ?? [] where seen.insert(pin.sha256).inserted {
                result.append((id, pin))
            }
        }
        return result
    }

    public func fetch(_ kit: Kit) async throws -> Report {
        var report = Report()
        let wanted = Self.pins(of: kit)
        var toFetch: [(app: String, pin: ArtifactPin)] = []
        progress.stage(bilingual("vérification du cache \(store.root.path)", "checking the cache \(store.root.path)"))
        for item in wanted {
            switch try store.status(of: item.pin) {
            case .present:
                report.present.append(item.pin)
            case .mismatched:
                progress.warning(
                    bilingual(
                        "\(item.app) : le fichier du cache est abîmé, il est téléchargé à nouveau",
                        "\(item.app): the cached file is damaged, downloading it again"))
                store.remove(sha256: item.pin.sha256)
                toFetch.append(item)
            case .missing:
                toFetch.append(item)
            }
        }
        let totalBytes = toFetch.reduce(Int64(0)) { $0 + $1.pin.size }
        var doneBytes: Int64 = 0
        for (index, item) in toFetch.enumerated() {
            progress.stage(
                bilingual(
                    "téléchargement \(index + 1)/\(toFetch.count) : \(item.app) (\(formatBytes(item.pin.size)))",
                    "downloading \(index + 1)/\(toFetch.count): \(item.app) (\(formatBytes(item.pin.size, english: true)))"))
            progress.detail(item.pin.url)
            let reporter = progress
            let before = doneBytes
            let count = toFetch.count
            do {
                let result = try await downloader.download(
                    from: item.pin.url, to: store.objectURL(sha256: item.pin.sha256), partial: store.partialURL(sha256: item.pin.sha256),
                    expecting: .init(size: item.pin.size, sha256: item.pin.sha256)
                ) { bytes, _ in
                    reporter.advance(files: index, bytes: before + bytes, totalFiles: count, totalBytes: totalBytes)
                }
                report.fetched.append(item.pin)
                report.resumedBytes += result.resumedFrom
                if result.resumedFrom > 0 {
                    progress.info(
                        bilingual(
                            "  repris à \(formatBytes(result.resumedFrom))", "  resumed at \(formatBytes(result.resumedFrom, english: true))"))
                }
            } catch let error as DownloadError {
                progress.warning("\(item.app): \(error.message)")
                report.failures.append(error)
            }
            doneBytes += item.pin.size
            progress.advance(files: index + 1, bytes: doneBytes, totalFiles: count, totalBytes: totalBytes)
        }
        if !report.failures.isEmpty {
            throw FetchError(report: report)
        }
        return report
    }
}

/// Some artifacts could not be downloaded; the others were.
struct FetchError: UserFacingError {
    var report: ArtifactFetcher.Report

    var message: String {
        bilingual(
            "\(report.failures.count) téléchargement(s) en échec (\(report.fetched.count) réussi(s)) : relancez demokit fetch, les téléchargements interrompus reprennent où ils en étaient",
            "\(report.failures.count) download(s) failed (\(report.fetched.count) succeeded): run demokit fetch again, interrupted downloads continue where they stopped"
        )
    }
}
