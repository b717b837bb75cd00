#include <opencv2/core.hpp>
#include "cvthreads.h"

void plateward_cv_set_num_threads(int n) { cv::setNumThreads(n); }
int plateward_cv_get_num_threads(void) { return cv::getNumThreads(); }
