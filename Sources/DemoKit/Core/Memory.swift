import CLinux

/// glibc's allocator set so that a build's peak memory stays flat, whatever the size
/// of the key.
public enum Memory {
    /// Smaller than a large list page's string, larger than the buffers files are
    /// copied and hashed through, which are reused.
    static let mappedBlockSize: Int32 = 1 << 20

    /// Called once, at the start of the process, before other threads allocate.
    public static func configure() {
        // A fixed threshold: glibc would raise it each time a large block is freed, and
        // the next large pages would then come from the arenas, which keep freed memory.
        // Blocks this large get a mapping of their own, given back when freed.
        mallopt(M_MMAP_THRESHOLD, mappedBlockSize)
    }

    /// Between two stages: the pages freed by the one that ended go back to the system,
    /// so the next one's peak does not add to it.
    static func releaseFree() {
        malloc_trim(0)
    }
}
