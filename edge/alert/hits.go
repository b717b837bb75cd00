package alert

import (
	"errors"
	"fmt"
	"time"

	"github.com/plateward/alpr/edge/drive"
)

// Errors of the officer's steps; match with errors.Is.
var (
	ErrNoSuchHit    = errors.New("no such hit")
	ErrStepOrder    = errors.New("step out of order")
	ErrBadValue     = errors.New("value not allowed")
	ErrPendingHits  = errors.New("hits without a disposition")
	ErrNotOverrider = errors.New("override needs a trained supervisor")
)

// Steps and their values, as written to the drive.
const (
	StepConfirm     = "confirm"
	StepVerify      = "verify"
	StepDisposition = "disposition"

	ConfirmMatch   = "match"   // the crop shows the listed plate and state
	ConfirmMisread = "misread" // it does not
	VerifyWanted   = "wanted"  // dispatch says the record is still valid
	VerifyNotValid = "not-wanted"
)

// hitState is one hit and how far the officer has taken it.
type hitState struct {
	Hit       drive.Hit `json:"hit"`
	Colour    string    `json:"colour"`
	Style     Style     `json:"style"`
	ReadAt    time.Time `json:"read_at"`
	Confirmed string    `json:"confirmed"`
	Verified  string    `json:"verified"`
	Code      string    `json:"code"`
	Note      string    `json:"note"`
	Done      bool      `json:"done"`
	crop      []byte
}

// step applies one officer step to the hit, checking the order: confirm
// first; verify only after a match; a disposition after verification, or
// straight after a misread.
func (h *hitState) step(step, value, note string, codes []Code) error {
	if h.Done {
		return fmt.Errorf("%w: hit %s already has a disposition", ErrStepOrder, h.Hit.ID)
	}
	switch step {
	case StepConfirm:
		if h.Confirmed != "" {
			return fmt.Errorf("%w: hit already confirmed as %s", ErrStepOrder, h.Confirmed)
		}
		if value != ConfirmMatch && value != ConfirmMisread {
			return fmt.Errorf("%w: confirmation %q", ErrBadValue, value)
		}
		h.Confirmed = value
	case StepVerify:
		if h.Confirmed != ConfirmMatch {
			return fmt.Errorf("%w: verify wanted status after confirming the plate matches", ErrStepOrder)
		}
		if h.Verified != "" {
			return fmt.Errorf("%w: already verified", ErrStepOrder)
		}
		if value != VerifyWanted && value != VerifyNotValid {
			return fmt.Errorf("%w: verification %q", ErrBadValue, value)
		}
		h.Verified = value
	case StepDisposition:
		if h.Confirmed == "" || (h.Confirmed == ConfirmMatch && h.Verified == "") {
			return fmt.Errorf("%w: confirm the plate and verify wanted status first", ErrStepOrder)
		}
		ok := false
		for _, c := range codes {
			ok = ok || c.Code == value
		}
		if !ok {
			return fmt.Errorf("%w: disposition %q", ErrBadValue, value)
		}
		h.Code, h.Note, h.Done = value, note, true
	default:
		return fmt.Errorf("%w: unknown step %q", ErrBadValue, step)
	}
	return nil
}
