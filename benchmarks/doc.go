// Package benchmarks holds the system's measurements: the accuracy
// benchmark on labelled plate images, the real-time edge benchmark, and the
// report that collects every figure with the command that produced it.
// The micro-benchmarks live beside their code in *_bench_test.go files
// (`make bench` runs them all); `alpr bench` runs the system benchmarks.
package benchmarks
