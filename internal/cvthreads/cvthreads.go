// Package cvthreads sets how many threads OpenCV's own parallel loops use,
// which gocv v0.32 does not expose. A benchmark "on one core" sets 1; the
// edge reader leaves OpenCV's default or gives it what the workers leave.
package cvthreads

/*
#cgo pkg-config: opencv4
#cgo CXXFLAGS: -std=c++11
#include "cvthreads.h"
*/
import "C"

// Set sets the number of threads OpenCV uses (0 or 1: none besides the
// caller's).
func Set(n int) { C.plateward_cv_set_num_threads(C.int(n)) }

// Get returns the number of threads OpenCV uses.
func Get() int { return int(C.plateward_cv_get_num_threads()) }
