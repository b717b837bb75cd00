package models

import (
	"fmt"
	"slices"

	"github.com/advancedclimatesystems/gonnx/onnx"
)

// Prober runs a model up to one of its tensors on a zero input of the
// model's fixed shape and returns that tensor's shape.
type Prober func(model []byte, tensor string) ([]int64, error)

// truncated returns the model cut so that tensor is its only output.
func (g *graph) truncated(tensor string) ([]byte, error) {
	c := &graph{m: cloneModel(g.m)}
	c.m.Graph.Output = []*onnx.ValueInfoProto{{Name: tensor, Type: &onnx.TypeProto{
		Value: &onnx.TypeProto_TensorType{TensorType: &onnx.TypeProto_Tensor{ElemType: elemFloat, Shape: &onnx.TensorShapeProto{}}}}}}
	c.prune()
	return c.bytes()
}

// cloneModel copies the model's structure, sharing nodes and tensors,
// which the truncation only drops and never changes.
func cloneModel(m *onnx.ModelProto) *onnx.ModelProto {
	return &onnx.ModelProto{
		IrVersion: m.IrVersion, OpsetImport: m.OpsetImport, ProducerName: m.ProducerName,
		Graph: &onnx.GraphProto{
			Name: m.Graph.Name, Node: slices.Clone(m.Graph.Node), Input: m.Graph.Input,
			Output: m.Graph.Output, Initializer: m.Graph.Initializer,
		},
	}
}

// fixRec makes the text recogniser loadable by OpenCV 4.6 at a fixed input
// of 1×3×48×width, walking the graph in order:
//   - every Shape node becomes a constant (its input's shape, probed);
//   - the integer arithmetic on shapes (Cast, Slice, Concat, Gather,
//     Squeeze, Unsqueeze) is folded to constants;
//   - every Reshape target is pinned to explicit dimensions (no 0, no -1);
//   - every rank-1 constant that a Mul or Add broadcasts over a larger
//     tensor (the LayerNorm scales and shifts, the linear biases) is
//     expanded to that tensor's full shape, which OpenCV 4.6 cannot
//     broadcast by itself.
//
// It returns counts of each fix for the record.
func fixRec(g *graph, width int64, probe Prober) (map[string]int, error) {
	counts := map[string]int{}
	if err := g.setInputShape(1, 3, 48, width); err != nil {
		return counts, err
	}
	shapeOf := func(tensor string) ([]int64, error) {
		b, err := g.truncated(tensor)
		if err != nil {
			return nil, err
		}
		s, err := probe(b, tensor)
		if err != nil {
			return nil, fmt.Errorf("probe %s: %w", tensor, err)
		}
		return s, nil
	}
	nodes := g.m.Graph.Node
	for i := 0; i < len(nodes); i++ {
		n := nodes[i]
		switch n.OpType {
		case "Shape":
			s, err := shapeOf(n.Input[0])
			if err != nil {
				return counts, err
			}
			nodes[i] = constNode(n.Output[0], int64Tensor(s))
			counts["shape"]++
		case "Cast", "Slice", "Concat", "Gather", "Squeeze", "Unsqueeze":
			if v, ok, err := g.foldInts(n); err != nil {
				return counts, err
			} else if ok {
				nodes[i] = constNode(n.Output[0], int64Tensor(v))
				counts["folded"]++
			}
		case "Reshape":
			t, ok := g.constTensor(n.Input[1])
			if !ok {
				return counts, fmt.Errorf("reshape %s: target is not constant after folding", n.Name)
			}
			target, err := ints(t)
			if err != nil {
				return counts, err
			}
			in, err := shapeOf(n.Input[0])
			if err != nil {
				return counts, err
			}
			pinned, err := pinReshape(in, target)
			if err != nil {
				return counts, fmt.Errorf("reshape %s: %w", n.Name, err)
			}
			name := n.Output[0] + ".target"
			nodes = slices.Insert(nodes, i, constNode(name, int64Tensor(pinned)))
			i++
			n.Input[1] = name
			counts["reshape"]++
		case "Mul", "Add":
			for j := range 2 {
				t, ok := g.constTensor(n.Input[j])
				if !ok || len(t.Dims) != 1 || t.Dims[0] <= 1 {
					continue
				}
				other, err := shapeOf(n.Input[1-j])
				if err != nil {
					return counts, err
				}
				if len(other) <= 1 || other[len(other)-1] != t.Dims[0] {
					continue
				}
				vals, err := floats(t)
				if err != nil {
					return counts, err
				}
				name := n.Output[0] + ".expanded"
				nodes = slices.Insert(nodes, i, constNode(name, floatTensor(other, tile(vals, other))))
				i++
				n.Input[j] = name
				counts["broadcast"]++
			}
		}
		g.m.Graph.Node = nodes
		g.index()
	}
	g.prune()
	return counts, nil
}

// tile repeats vals (the last dimension) to fill shape.
func tile(vals []float32, shape []int64) []float32 {
	n := int64(1)
	for _, d := range shape {
		n *= d
	}
	out := make([]float32, n)
	for i := range out {
		out[i] = vals[i%len(vals)]
	}
	return out
}

// pinReshape resolves a Reshape target's 0 (copy) and -1 (infer) entries
// against the input's shape.
func pinReshape(in, target []int64) ([]int64, error) {
	total := int64(1)
	for _, d := range in {
		total *= d
	}
	out := slices.Clone(target)
	known, infer := int64(1), -1
	for i, d := range out {
		switch d {
		case 0:
			if i >= len(in) {
				return nil, fmt.Errorf("target %v copies dim %d of %v", target, i, in)
			}
			out[i] = in[i]
			known *= in[i]
		case -1:
			infer = i
		default:
			known *= d
		}
	}
	if infer >= 0 {
		if known == 0 || total%known != 0 {
			return nil, fmt.Errorf("target %v does not fit %v", target, in)
		}
		out[infer] = total / known
		known *= out[infer]
	}
	if known != total {
		return nil, fmt.Errorf("target %v has %d elements, input %v has %d", out, known, in, total)
	}
	return out, nil
}

// foldInts evaluates an integer op whose inputs are all constant.
func (g *graph) foldInts(n *onnx.NodeProto) ([]int64, bool, error) {
	var ins [][]int64
	for _, name := range n.Input {
		t, ok := g.constTensor(name)
		if !ok {
			return nil, false, nil
		}
		if t.DataType != elemInt64 && t.DataType != elemInt32 {
			return nil, false, nil
		}
		v, err := ints(t)
		if err != nil {
			return nil, false, err
		}
		ins = append(ins, v)
	}
	attrInts := func(name string) []int64 {
		for _, a := range n.Attribute {
			if a.Name == name {
				if len(a.Ints) > 0 {
					return a.Ints
				}
				return []int64{a.I}
			}
		}
		return nil
	}
	switch n.OpType {
	case "Cast":
		to := attrInts("to")
		if len(to) != 1 || (to[0] != elemInt64 && to[0] != elemInt32) {
			return nil, false, nil
		}
		return ins[0], true, nil
	case "Concat", "Unsqueeze", "Squeeze":
		var out []int64
		for _, v := range ins {
			out = append(out, v...)
		}
		return out, true, nil
	case "Slice":
		starts, ends := attrInts("starts"), attrInts("ends")
		if len(ins) >= 3 {
			starts, ends = ins[1], ins[2]
		}
		if len(starts) != 1 || len(ends) != 1 {
			return nil, false, fmt.Errorf("slice %s: only 1-D shape slices fold", n.Name)
		}
		v := ins[0]
		s, e := clamp(starts[0], len(v)), clamp(ends[0], len(v))
		return slices.Clone(v[s:max(s, e)]), true, nil
	case "Gather":
		var out []int64
		for _, idx := range ins[1] {
			out = append(out, ins[0][clamp(idx, len(ins[0]))])
		}
		return out, true, nil
	}
	return nil, false, nil
}

func clamp(i int64, n int) int {
	if i < 0 {
		i += int64(n)
	}
	return int(max(0, min(i, int64(n))))
}
