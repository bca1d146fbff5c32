// The target is its header (include/CLinux.h); SwiftPM needs a source file to build it.
