import CArchive

/// Gives memory freed by a finished stage back to the system, so the next stage's
/// peak does not add to it (glibc keeps freed pages for reuse): a build's peak
/// memory stays flat, whatever the size of the key.
public enum Memory {
    /// Blocks of at least this size get a mapping of their own, given back when freed
    /// (`demokit_fix_mmap_threshold`). Smaller than a large list page's string, larger
    /// than the buffers files are copied and hashed through, which are reused.
    static let mappedBlockSize: Int32 = 1 << 20

    /// Called once, at the start of the process, before other threads allocate.
    public static func configure() {
        #if os(Linux)
            demokit_fix_mmap_threshold(mappedBlockSize)
        #endif
    }

    static func releaseFree() {
        #if os(Linux)
            demokit_release_free_memory()
        #endif
    }
}
