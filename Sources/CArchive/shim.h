#include <archive.h>
#include <archive_entry.h>

// AE_IFREG and AE_IFDIR are macros with casts, which Swift cannot import.
static const unsigned int DEMOKIT_AE_IFREG = AE_IFREG;
static const unsigned int DEMOKIT_AE_IFDIR = AE_IFDIR;

// ioctl is variadic, which Swift cannot call: FICLONE (reflink, on Btrfs, XFS…) through
// a fixed signature. Returns 0 on success, -1 with errno (EOPNOTSUPP on ext4).
#include <sys/ioctl.h>
#include <linux/fs.h>
static inline int demokit_clone_file(int destination, int source) {
    return ioctl(destination, FICLONE, source);
}

// malloc.h is not part of Swift's Glibc module. A build frees its pages' data in
// phases (catalogue loaded, database and site planned, files written); glibc keeps
// the freed memory and its peak would add up across phases: malloc_trim gives the
// free pages back to the system between them.
#include <malloc.h>
static inline void demokit_release_free_memory(void) {
    malloc_trim(0);
}

// glibc serves a large block with its own mapping, given back when it is freed, but
// raises that threshold each time such a block is freed: after the first large page
// of a big catalogue, the next pages' strings come from the arenas, which keep what
// is freed, and the peak grows with the catalogue. A fixed threshold keeps the
// mappings, so large pages are given back as soon as they are written.
static inline void demokit_fix_mmap_threshold(int bytes) {
    mallopt(M_MMAP_THRESHOLD, bytes);
}
