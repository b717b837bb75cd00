package backoffice

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/plateward/alpr/analytics"
)

// The audit log's entries as sentences: what the user did, in the words
// an auditor reads, from the entry's action and its detail (the search's
// parameters as JSON, or a line of text). The raw detail stays beside it.

// auditVerbs says what an action did; {key} is the detail's value of key.
var auditVerbs = map[string]string{
	"search.plate":          "searched the reads of plate {plate}",
	"search.partial":        "searched the partial plate {pattern}",
	"search.misread":        "searched possible misreads of {plate}",
	"search.stakeout":       "searched the reads within {radius_m} m of {lat}, {lon}",
	"search.geofence":       "searched the reads inside an area",
	"search.locate":         "asked where and when {plate} is seen",
	"search.convoy":         "searched the plates travelling with {plate}",
	"search.retro":          "searched earlier reads of {plates} plates new on a hot list",
	"sql":                   "ran a query in the SQL console",
	"sql.refused":           "was refused a query in the SQL console",
	"export.plate":          "exported the reads of {plate} to {recipient}",
	"export.refused":        "was refused an export",
	"export.authorise":      "authorised exports to {recipient} for {purpose}",
	"export.revoke":         "revoked authorisation {id}",
	"evidence.export":       "exported an evidence package",
	"hold.add":              "placed a hold",
	"hold.release":          "released a hold",
	"login.failed":          "failed to log in",
	"login.locked":          "was locked out after failed logins",
	"login":                 "logged in",
	"logout":                "logged out",
	"user.create":           "created the account",
	"user.edit":             "edited the account",
	"user.disable":          "disabled the account",
	"user.enable":           "enabled the account",
	"user.unlock":           "unlocked the account",
	"user.reset":            "reset the password of",
	"user.password":         "changed the password of",
	"agency.add":            "listed the agency",
	"agency.remove":         "took off the list the agency",
	"hotlist.accept":        "accepted a hot-list version",
	"hotlist.reject":        "rejected a hot-list file",
	"hotlist.manual.add":    "added a manual hot-list entry",
	"hotlist.manual.expire": "ended a manual hot-list entry",
	"dispatch.view":         "viewed the dispatch board",
	"dispatch.ack":          "acknowledged a hit on the dispatch board",
	"report.download":       "downloaded a report",
	"retention.policy":      "adopted a retention policy",
}

var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)

// auditSentence is the entry as a sentence, in loc's time for any times
// in its detail.
func auditSentence(e analytics.AuditEntry, loc *time.Location) string {
	action, failed := strings.CutSuffix(e.Action, ".failed")
	verb, ok := auditVerbs[action]
	if !ok {
		verb = "did " + e.Action
		failed = false
	}
	var params map[string]any
	text := ""
	if strings.HasPrefix(strings.TrimSpace(e.Detail), "{") {
		_ = json.Unmarshal([]byte(e.Detail), &params) // not JSON after all: shown as it is beside
	} else {
		text = strings.TrimSpace(e.Detail)
	}
	used := map[string]bool{"rows": true, "failed": true, "from": true, "to": true}
	s := placeholder.ReplaceAllStringFunc(verb, func(m string) string {
		k := m[1 : len(m)-1]
		used[k] = true
		if v, ok := params[k]; ok {
			return valueText(v, loc)
		}
		return "?"
	})
	s = e.User + " " + s
	if text != "" {
		s += " " + text
	}
	if w := windowText(params, loc); w != "" {
		s += ", " + w
	}
	var more []string
	for k, v := range params {
		if t := valueText(v, loc); !used[k] && t != "" {
			more = append(more, strings.ReplaceAll(k, "_", " ")+" "+t)
		}
	}
	sort.Strings(more)
	if len(more) > 0 {
		s += " (" + strings.Join(more, ", ") + ")"
	}
	switch {
	case failed:
		s += ": it failed"
		if f, ok := params["failed"].(string); ok && f != "" {
			s += " (" + f + ")"
		}
	case params["rows"] != nil:
		s += ": " + valueText(params["rows"], loc) + " answered"
	}
	if e.Case != "" && e.Case != "-" {
		s += "; case " + e.Case
	}
	return s + "."
}

// windowText is a search's window in words ("" for all time).
func windowText(params map[string]any, loc *time.Location) string {
	from, to := timeParam(params["from"]), timeParam(params["to"])
	f := func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04 MST") }
	switch {
	case from.IsZero() && to.IsZero():
		return ""
	case to.IsZero():
		return "from " + f(from)
	case from.IsZero():
		return "until " + f(to)
	}
	return "from " + f(from) + " to " + f(to)
}

// timeParam reads a time from a detail's value; the zero time (an open
// end) and anything else is zero.
func timeParam(v any) time.Time {
	s, ok := v.(string)
	if !ok {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() <= 1 {
		return time.Time{}
	}
	return t
}

// valueText is a detail's value in words.
func valueText(v any, loc *time.Location) string {
	switch x := v.(type) {
	case string:
		if t := timeParam(x); !t.IsZero() {
			return t.In(loc).Format("2006-01-02 15:04 MST")
		}
		return x
	case float64:
		if x == float64(int64(x)) {
			return fmt.Sprint(int64(x))
		}
		return fmt.Sprintf("%.5g", x)
	case nil:
		return "none"
	}
	b, _ := json.Marshal(v) //nolint:errchkjson // a value json.Unmarshal made
	return string(b)
}
