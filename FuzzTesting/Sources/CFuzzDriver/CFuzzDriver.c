// The declaration in include/CFuzzDriver.h is all this target holds; SwiftPM needs a source file.
#include "CFuzzDriver.h"
