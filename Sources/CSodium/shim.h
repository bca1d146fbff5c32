// libsodium (Debian: libsodium-dev): BLAKE2b-512 for minisign's prehashed signatures.
#include <sodium.h>
