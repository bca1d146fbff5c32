import CArchive

/// Gives memory freed by a finished stage back to the system, so the next stage's
/// peak does not add to it (glibc keeps freed pages for reuse; issue 8 asks for a
/// flat peak under 200 MiB).
enum Memory {
    static func releaseFree() {
        #if os(Linux)
            demokit_release_free_memory()
        #endif
    }
}
