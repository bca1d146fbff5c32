#ifndef DEMOKIT_CLINUX_H
#define DEMOKIT_CLINUX_H

// glibc's allocator controls, which Swift's Glibc module leaves out (malloc.h).
#include <malloc.h>

#endif
