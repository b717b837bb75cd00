package cvthreads

import "testing"

func TestSetGet(t *testing.T) {
	old := Get()
	defer Set(old)
	Set(1)
	if got := Get(); got != 1 {
		t.Fatalf("threads %d after Set(1)", got)
	}
}
