package alert

// Style is how a hit of one priority looks and sounds.
type Style struct {
	Colour  string // card background, CSS colour
	Ink     string // the card's text colour: WCAG AA contrast (4.5:1 or more) on Colour
	ToneHz  []int  // the tone's pitches, played in turn
	ToneMs  int    // each pitch's length
	Repeat  int    // times the pattern plays; 0: until the officer confirms
	Mutable bool   // the officer may mute it
}

// StyleOf returns the style of a priority ("high", "medium", "low").
// High-priority hits (armed and dangerous, Amber alerts) sound until the
// officer acts and cannot be muted.
func StyleOf(priority string) Style {
	switch priority {
	case "high":
		return Style{Colour: "#b00020", Ink: "#ffffff", ToneHz: []int{960, 770}, ToneMs: 350, Repeat: 0, Mutable: false}
	case "medium":
		return Style{Colour: "#a33a00", Ink: "#ffffff", ToneHz: []int{880, 0}, ToneMs: 200, Repeat: 3, Mutable: true}
	}
	return Style{Colour: "#f9a825", Ink: "#000000", ToneHz: []int{660}, ToneMs: 300, Repeat: 1, Mutable: true}
}

// Code is a disposition an officer can choose.
type Code struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// DefaultCodes is the disposition list when the car's configuration names
// none.
func DefaultCodes() []Code {
	return []Code{
		{"confirmed-stop", "Confirmed — stop made"},
		{"confirmed-no-stop", "Confirmed — unable to stop"},
		{"misread", "Misread"},
		{"wrong-state", "Wrong state"},
		{"record-not-valid", "Record no longer valid"},
		{"covert-no-action", "Covert — no action"},
	}
}
