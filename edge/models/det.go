package models

import (
	"fmt"

	"github.com/advancedclimatesystems/gonnx/onnx"
)

// fixDet rewrites the text detector's Clip nodes from the opset-11 form
// (min and max as inputs) to the attribute form, the only one OpenCV 4.6
// parses. It returns how many it rewrote.
func fixDet(g *graph) (int, error) {
	n := 0
	for _, node := range g.m.Graph.Node {
		if node.OpType != "Clip" || len(node.Input) == 1 {
			continue
		}
		var attrs []*onnx.AttributeProto
		for i, name := range []string{"min", "max"} {
			if i+1 >= len(node.Input) || node.Input[i+1] == "" {
				continue
			}
			t, ok := g.constTensor(node.Input[i+1])
			if !ok {
				return n, fmt.Errorf("clip %s: %s is not a constant", node.Name, name)
			}
			v, err := floats(t)
			if err != nil || len(v) != 1 {
				return n, fmt.Errorf("clip %s: %s is not one float", node.Name, name)
			}
			attrs = append(attrs, attrFloat(name, v[0]))
		}
		node.Input = node.Input[:1]
		node.Attribute = append(node.Attribute, attrs...)
		n++
	}
	g.prune()
	return n, nil
}
