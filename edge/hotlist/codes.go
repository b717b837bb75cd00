package hotlist

// Priority orders alerts: a high-priority hit is shown first, in red, with
// a tone the officer cannot mute.
type Priority int

// Priorities, lowest first.
const (
	PriorityLow Priority = iota + 1
	PriorityMedium
	PriorityHigh
)

// String returns "low", "medium" or "high".
func (p Priority) String() string {
	switch p {
	case PriorityHigh:
		return "high"
	case PriorityMedium:
		return "medium"
	case PriorityLow:
		return "low"
	}
	return "unknown"
}

// CodeInfo describes an NCIC list code.
type CodeInfo struct {
	Code     byte
	Reason   string
	Priority Priority
}

// NCICCode returns what an NCIC list code means and its default priority;
// ok is false for a code the extract does not define. Persons who may be
// in danger or dangerous rank high; property, medium; advisory files, low.
func NCICCode(c byte) (CodeInfo, bool) {
	switch c {
	case 'A':
		return CodeInfo{c, "Amber alert", PriorityHigh}, true
	case 'F':
		return CodeInfo{c, "Felony vehicle", PriorityHigh}, true
	case 'W':
		return CodeInfo{c, "Wanted person", PriorityHigh}, true
	case 'M':
		return CodeInfo{c, "Missing person", PriorityHigh}, true
	case 'L':
		return CodeInfo{c, "Violent person", PriorityHigh}, true
	case 'T':
		return CodeInfo{c, "Gang/terrorist", PriorityHigh}, true
	case 'V':
		return CodeInfo{c, "Stolen vehicle", PriorityMedium}, true
	case 'P':
		return CodeInfo{c, "Stolen plate", PriorityMedium}, true
	case 'R':
		return CodeInfo{c, "Canadian stolen vehicle", PriorityMedium}, true
	case 'H':
		return CodeInfo{c, "Protection order", PriorityMedium}, true
	case 'C':
		return CodeInfo{c, "Supervised release", PriorityLow}, true
	case 'K':
		return CodeInfo{c, "Protective interest", PriorityLow}, true
	case 'X':
		return CodeInfo{c, "Sex offender", PriorityLow}, true
	}
	return CodeInfo{}, false
}
