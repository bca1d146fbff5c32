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
