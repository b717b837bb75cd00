package models

import (
	"errors"
	"fmt"

	"gocv.io/x/gocv"
)

// OpenCVProber runs the model in OpenCV's DNN module on a zero input of
// shape in and returns the output's shape.
func OpenCVProber(in []int) Prober {
	return func(model []byte, tensor string) ([]int64, error) {
		net, err := gocv.ReadNetFromONNXBytes(model)
		if err != nil {
			return nil, err
		}
		defer net.Close()
		if net.Empty() {
			return nil, errors.New("opencv loaded an empty net")
		}
		blob := gocv.NewMatWithSizes(in, gocv.MatTypeCV32F)
		defer blob.Close()
		blob.SetTo(gocv.NewScalar(0, 0, 0, 0))
		net.SetInput(blob, "")
		out := net.Forward("")
		defer out.Close()
		if out.Empty() {
			return nil, fmt.Errorf("no output for %s", tensor)
		}
		var s []int64
		for _, d := range out.Size() {
			s = append(s, int64(d))
		}
		return s, nil
	}
}
