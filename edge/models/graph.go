package models

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/advancedclimatesystems/gonnx/onnx"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// graph wraps an ONNX model with the look-ups the fixes need.
type graph struct {
	m    *onnx.ModelProto
	prod map[string]*onnx.NodeProto // output name → node that makes it
}

func parseModel(b []byte) (*graph, error) {
	m := &onnx.ModelProto{}
	if err := proto.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("parse onnx: %w", err)
	}
	if m.Graph == nil {
		return nil, fmt.Errorf("parse onnx: no graph")
	}
	g := &graph{m: m}
	g.index()
	return g, nil
}

func (g *graph) index() {
	g.prod = map[string]*onnx.NodeProto{}
	for _, n := range g.m.Graph.Node {
		for _, o := range n.Output {
			g.prod[o] = n
		}
	}
}

func (g *graph) bytes() ([]byte, error) {
	keepZeroAttributes(g.m.Graph)
	b, err := proto.Marshal(g.m)
	if err != nil {
		return nil, fmt.Errorf("write onnx: %w", err)
	}
	return b, nil
}

// constTensor returns the tensor of the Constant node that makes name.
func (g *graph) constTensor(name string) (*onnx.TensorProto, bool) {
	n := g.prod[name]
	if n == nil || n.OpType != "Constant" {
		return nil, false
	}
	for _, a := range n.Attribute {
		if a.Name == "value" && a.T != nil {
			return a.T, true
		}
	}
	return nil, false
}

// ONNX element types used here.
const (
	elemFloat = 1
	elemInt32 = 6
	elemInt64 = 7
)

func floats(t *onnx.TensorProto) ([]float32, error) {
	if t.DataType != elemFloat {
		return nil, fmt.Errorf("tensor %s: type %d is not float", t.Name, t.DataType)
	}
	if len(t.FloatData) > 0 {
		return t.FloatData, nil
	}
	out := make([]float32, len(t.RawData)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.RawData[4*i:]))
	}
	return out, nil
}

func ints(t *onnx.TensorProto) ([]int64, error) {
	switch t.DataType {
	case elemInt64:
		if len(t.Int64Data) > 0 {
			return t.Int64Data, nil
		}
		out := make([]int64, len(t.RawData)/8)
		for i := range out {
			out[i] = int64(binary.LittleEndian.Uint64(t.RawData[8*i:])) //nolint:gosec // ONNX stores int64 as its two's-complement bits
		}
		return out, nil
	case elemInt32:
		if len(t.Int32Data) > 0 {
			out := make([]int64, len(t.Int32Data))
			for i, v := range t.Int32Data {
				out[i] = int64(v)
			}
			return out, nil
		}
		out := make([]int64, len(t.RawData)/4)
		for i := range out {
			out[i] = int64(int32(binary.LittleEndian.Uint32(t.RawData[4*i:]))) //nolint:gosec // ONNX stores int32 as its two's-complement bits
		}
		return out, nil
	}
	return nil, fmt.Errorf("tensor %s: type %d is not an integer", t.Name, t.DataType)
}

func floatTensor(dims []int64, vals []float32) *onnx.TensorProto {
	raw := make([]byte, 4*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	return &onnx.TensorProto{Dims: dims, DataType: elemFloat, RawData: raw}
}

func int64Tensor(vals []int64) *onnx.TensorProto {
	raw := make([]byte, 8*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(v)) //nolint:gosec // ONNX stores int64 as its two's-complement bits
	}
	return &onnx.TensorProto{Dims: []int64{int64(len(vals))}, DataType: elemInt64, RawData: raw}
}

// constNode makes a Constant node that outputs t as name.
func constNode(name string, t *onnx.TensorProto) *onnx.NodeProto {
	return &onnx.NodeProto{
		OpType: "Constant", Name: name + ".const", Output: []string{name},
		Attribute: []*onnx.AttributeProto{{Name: "value", Type: onnx.AttributeProto_TENSOR, T: t}},
	}
}

func attrFloat(name string, v float32) *onnx.AttributeProto {
	return &onnx.AttributeProto{Name: name, Type: onnx.AttributeProto_FLOAT, F: v}
}

// ONNX is a proto2 format, but the Go types here are generated from its
// proto3 form, which leaves a zero scalar out of the encoding. An attribute
// "axis: 0" or "min: 0.0" would then reach OpenCV with no value at all.
// The attribute's type says which value field is meant, so a zero one is
// written back as an unknown field, which the encoder emits as it is.
const (
	attrFieldF = 2
	attrFieldI = 3
)

func keepZeroAttributes(g *onnx.GraphProto) {
	for _, n := range g.Node {
		for _, a := range n.Attribute {
			var raw []byte
			switch {
			case a.Type == onnx.AttributeProto_INT && a.I == 0:
				raw = protowire.AppendVarint(protowire.AppendTag(nil, attrFieldI, protowire.VarintType), 0)
			case a.Type == onnx.AttributeProto_FLOAT && a.F == 0:
				raw = protowire.AppendFixed32(protowire.AppendTag(nil, attrFieldF, protowire.Fixed32Type), 0)
			default:
				continue
			}
			a.ProtoReflect().SetUnknown(raw)
			if a.G != nil {
				keepZeroAttributes(a.G)
			}
		}
	}
}

// setInputShape fixes the dimensions of the graph's first input.
func (g *graph) setInputShape(dims ...int64) error {
	in := g.m.Graph.Input
	if len(in) == 0 || in[0].Type == nil || in[0].Type.GetTensorType() == nil {
		return fmt.Errorf("model has no tensor input")
	}
	sh := in[0].Type.GetTensorType().Shape
	if sh == nil || len(sh.Dim) != len(dims) {
		return fmt.Errorf("input %s has rank %d, want %d", in[0].Name, len(sh.GetDim()), len(dims))
	}
	for i, d := range dims {
		sh.Dim[i].Value = &onnx.TensorShapeProto_Dimension_DimValue{DimValue: d}
	}
	return nil
}

// prune removes nodes whose outputs nothing uses (repeatedly), keeping
// graph outputs.
func (g *graph) prune() {
	for {
		used := map[string]bool{}
		for _, o := range g.m.Graph.Output {
			used[o.Name] = true
		}
		for _, n := range g.m.Graph.Node {
			for _, in := range n.Input {
				used[in] = true
			}
		}
		keep := g.m.Graph.Node[:0]
		removed := false
		for _, n := range g.m.Graph.Node {
			live := false
			for _, o := range n.Output {
				if used[o] {
					live = true
				}
			}
			if live {
				keep = append(keep, n)
			} else {
				removed = true
			}
		}
		g.m.Graph.Node = keep
		if !removed {
			g.index()
			return
		}
	}
}
