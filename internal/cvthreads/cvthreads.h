#ifndef PLATEWARD_CVTHREADS_H
#define PLATEWARD_CVTHREADS_H
#ifdef __cplusplus
extern "C" {
#endif
void plateward_cv_set_num_threads(int n);
int plateward_cv_get_num_threads(void);
#ifdef __cplusplus
}
#endif
#endif
