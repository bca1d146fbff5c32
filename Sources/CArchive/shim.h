#include <archive.h>
#include <archive_entry.h>

// AE_IFREG and AE_IFDIR are macros with casts, which Swift cannot import.
static const unsigned int DEMOKIT_AE_IFREG = AE_IFREG;
static const unsigned int DEMOKIT_AE_IFDIR = AE_IFDIR;
