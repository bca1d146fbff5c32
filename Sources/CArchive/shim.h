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
// free pages back to the system between them (issue 8, peak memory).
#include <malloc.h>
static inline void demokit_release_free_memory(void) {
    malloc_trim(0);
}

// glibc serves a block of 128 KiB or more with its own mapping, given back when it
// is freed, but raises that threshold up to 32 MiB each time such a block is freed:
// after the first page of a 10,000-entry list (3.5 MB, its string doubling on the
// way), the next lists' strings came from the arenas, which keep what is freed. A
// rebuild of that key peaked at 216 MiB of RSS for 152 MB of live heap. A fixed
// threshold keeps the mappings: 190 MiB (issue 8, peak memory).
static inline void demokit_fix_mmap_threshold(int bytes) {
    mallopt(M_MMAP_THRESHOLD, bytes);
}

// renameat2(RENAME_EXCHANGE) swaps two paths in one step (Linux 3.15+, ext4, Btrfs,
// XFS, tmpfs…): a rebuilt key and the previous one trade places with no moment
// where the output is missing. Through syscall(), as glibc only declares renameat2
// with _GNU_SOURCE. Returns 0, or -1 with errno (EINVAL or ENOSYS where unsupported).
#include <fcntl.h>
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>
static inline int demokit_exchange_paths(const char *a, const char *b) {
#ifdef SYS_renameat2
    return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 2 /* RENAME_EXCHANGE */);
#else
    errno = ENOSYS;
    return -1;
#endif
}
