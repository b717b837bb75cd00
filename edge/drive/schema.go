package drive

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// Kind is the kind of record a drive file holds.
type Kind string

// The record kinds. Part of the format.
const (
	KindReads        Kind = "reads"
	KindHits         Kind = "hits"
	KindDispositions Kind = "dispositions"
	KindShifts       Kind = "shifts"
)

// Kinds lists every record kind in the order ingest loads them.
func Kinds() []Kind { return []Kind{KindShifts, KindReads, KindHits, KindDispositions} }

// Format metadata keys and values. Part of the format.
const (
	MetaFormat  = "plateward.format"
	MetaVersion = "plateward.version"
	MetaKind    = "plateward.kind"

	FormatName   = "drive"
	VersionMajor = 1
	VersionMinor = 1
)

// FileExt is the extension of a drive stream file and EncExt of an
// encrypted one; SealExt is appended to either for the seal.
const (
	FileExt = ".arrows"
	EncExt  = ".arrows.age" // an age-encrypted stream
	SealExt = ".sha256"
)

// tsUTC is the type of every time column: microseconds, UTC.
func tsUTC() arrow.DataType { return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"} }

func meta(k Kind) arrow.Metadata {
	return arrow.NewMetadata(
		[]string{MetaFormat, MetaVersion, MetaKind},
		[]string{FormatName, fmt.Sprintf("%d.%d", VersionMajor, VersionMinor), string(k)},
	)
}

func f(name string, t arrow.DataType, nullable bool) arrow.Field {
	return arrow.Field{Name: name, Type: t, Nullable: nullable}
}

// Schema returns the Arrow schema of a record kind.
func Schema(k Kind) (*arrow.Schema, error) {
	md := meta(k)
	switch k {
	case KindReads:
		return arrow.NewSchema(readFields(), &md), nil
	case KindHits:
		return arrow.NewSchema(hitFields(), &md), nil
	case KindDispositions:
		return arrow.NewSchema(dispositionFields(), &md), nil
	case KindShifts:
		return arrow.NewSchema(shiftFields(), &md), nil
	}
	return nil, fmt.Errorf("schema of %q: %w", k, ErrUnknownKind)
}

func readFields() []arrow.Field {
	str, f32, f64, i32 := arrow.BinaryTypes.String, arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float64, arrow.PrimitiveTypes.Int32
	return []arrow.Field{
		f("id", str, false),
		f("captured_at", tsUTC(), false),
		f("plate", str, false),
		f("raw_text", str, false),
		f("confidence", f32, false),
		f("candidates", arrow.ListOf(str), false),
		f("candidate_confidences", arrow.ListOf(f32), false),
		f("state", str, true),
		f("camera", str, false),
		f("vehicle", str, false),
		f("officer", str, false),
		f("shift_id", str, false),
		f("gps_fix", arrow.FixedWidthTypes.Boolean, false),
		f("lat", f64, true),
		f("lon", f64, true),
		f("gps_at", tsUTC(), true),
		f("box_x", i32, false),
		f("box_y", i32, false),
		f("box_w", i32, false),
		f("box_h", i32, false),
		f("crop_jpeg", arrow.BinaryTypes.Binary, false),
		f("overview_jpeg", arrow.BinaryTypes.Binary, true),
		// Added in 1.1: the fix's quality and the car's motion.
		f("gps_quality", i32, true),
		f("gps_speed_mps", f32, true),
		f("gps_heading_deg", f32, true),
	}
}

func hitFields() []arrow.Field {
	str := arrow.BinaryTypes.String
	return []arrow.Field{
		f("id", str, false),
		f("read_id", str, false),
		f("alerted_at", tsUTC(), false),
		f("plate", str, false),
		f("matched_plate", str, false),
		f("match_kind", str, false),
		f("list_name", str, false),
		f("list_code", str, false),
		f("ncic_number", str, true),
		f("priority", str, false),
		f("reason", str, false),
		f("list_state", str, true),
		f("vehicle_desc", str, true),
		f("covert", arrow.FixedWidthTypes.Boolean, false),
		f("camera", str, false),
		f("vehicle", str, false),
		f("officer", str, false),
		f("shift_id", str, false),
	}
}

func dispositionFields() []arrow.Field {
	str := arrow.BinaryTypes.String
	return []arrow.Field{
		f("id", str, false),
		f("hit_id", str, false),
		f("event_at", tsUTC(), false),
		f("step", str, false),
		f("code", str, false),
		f("note", str, true),
		f("officer", str, false),
		f("vehicle", str, false),
		f("shift_id", str, false),
	}
}

func shiftFields() []arrow.Field {
	str := arrow.BinaryTypes.String
	return []arrow.Field{
		f("id", str, false),
		f("shift_id", str, false),
		f("event_at", tsUTC(), false),
		f("event", str, false),
		f("officer", str, false),
		f("vehicle", str, false),
		f("cameras", arrow.ListOf(str), false),
		f("hotlist_version", str, false),
		f("selfcheck_ok", arrow.FixedWidthTypes.Boolean, false),
		f("detail", str, true),
	}
}

// addedIn returns how many columns minor version m added to kind k. Part
// of the format.
func addedIn(k Kind, m int) int {
	if k == KindReads && m == 1 {
		return 3 // gps_quality, gps_speed_mps, gps_heading_deg
	}
	return 0
}

// CheckSchema verifies that a schema read from a file is a drive schema
// this package can read and returns its kind. An unknown major version is
// ErrUnknownVersion with the version named.
func CheckSchema(s *arrow.Schema) (Kind, error) {
	md := s.Metadata()
	if v, ok := md.GetValue(MetaFormat); !ok || v != FormatName {
		return "", fmt.Errorf("%w: metadata %s=%q", ErrNotDrive, MetaFormat, v)
	}
	ver, _ := md.GetValue(MetaVersion)
	major, minorS, _ := strings.Cut(ver, ".")
	minor, merr := strconv.Atoi(minorS)
	if m, err := strconv.Atoi(major); err != nil || m != VersionMajor || merr != nil || minor < 0 {
		return "", fmt.Errorf("%w: file is version %q, this reader knows %d.x", ErrUnknownVersion, ver, VersionMajor)
	}
	k, _ := md.GetValue(MetaKind)
	want, err := Schema(Kind(k))
	if err != nil {
		return "", err
	}
	// Minor versions only add columns at the end: the columns of the
	// file's own minor version must all be there, in order.
	wf := want.Fields()
	for m := VersionMinor; m > minor; m-- {
		wf = wf[:len(wf)-addedIn(Kind(k), m)]
	}
	if s.NumFields() < len(wf) {
		return "", fmt.Errorf("%w: %s has %d columns, want at least %d", ErrSchemaMismatch, k, s.NumFields(), len(wf))
	}
	for i, fld := range wf {
		got := s.Field(i)
		if got.Name != fld.Name || !arrow.TypeEqual(got.Type, fld.Type) {
			return "", fmt.Errorf("%w: %s column %d is %s %s, want %s %s", ErrSchemaMismatch, k, i, got.Name, got.Type, fld.Name, fld.Type)
		}
	}
	return Kind(k), nil
}
