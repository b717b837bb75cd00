package backoffice

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/plateward/alpr/analytics"
	"github.com/plateward/alpr/edge/drive"
	"github.com/plateward/alpr/edge/plate"
)

// carHit receives a hit a car pushes for the dispatch board; a hit sent
// again is acknowledged without a second row.
func (a *App) carHit(w http.ResponseWriter, r *http.Request, car string) {
	h, err := drive.DecodePushedHit(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	_, err = a.store.DB().ExecContext(r.Context(), `INSERT INTO dispatch_hits (id, vehicle, officer, alerted_at, plate, matched_plate, match_kind,
		list_name, list_code, ncic_number, priority, reason, vehicle_desc, camera, has_fix, lat, lon, received_at, crop)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		h.ID, car, h.Officer, h.AlertedAt, plate.Normalize(h.Plate), h.MatchedPlate, h.MatchKind, h.ListName, h.ListCode, h.NCICNumber,
		h.Priority, h.Reason, h.VehicleDesc, h.Camera, h.HasFix, h.Lat, h.Lon, a.opts.Now(), nilIfEmpty(h.CropJPEG))
	if err != nil {
		http.Error(w, "store the hit: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// nilIfEmpty is b, or NULL for none.
func nilIfEmpty(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// dispatchCrop sends the plate crop a car pushed with a hit on the board
// (its reads and crops are records too: only the board's roles see it,
// and only for a hit still on the board, as the board shows it).
func (a *App) dispatchCrop(w http.ResponseWriter, r *http.Request) {
	var crop []byte
	err := a.store.DB().QueryRowContext(r.Context(), `SELECT crop FROM dispatch_hits WHERE id = ? AND crop IS NOT NULL
		AND (acked_at IS NULL OR alerted_at >= ?)`, r.PathValue("id"), a.opts.Now().Add(-24*time.Hour)).Scan(&crop)
	if err != nil {
		http.Error(w, "no crop for this hit on the board", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Write(crop)
}

// BoardHit is a hit on the dispatch board.
type BoardHit struct {
	drive.PushedHit
	Vehicle    string
	ReceivedAt time.Time
	AckedBy    string
	AckedAt    time.Time
	AckNote    string
	HasCrop    bool // the car sent the plate's crop (dispatchCrop)
}

func (a *App) boardHits(r *http.Request) ([]BoardHit, error) {
	since := a.opts.Now().Add(-24 * time.Hour)
	rows, err := a.store.DB().QueryContext(r.Context(), `SELECT id, vehicle, coalesce(officer, ''), alerted_at, plate, matched_plate, match_kind,
		list_name, coalesce(list_code, ''), coalesce(ncic_number, ''), priority, reason, coalesce(vehicle_desc, ''), coalesce(camera, ''),
		has_fix, coalesce(lat, 0), coalesce(lon, 0), received_at, coalesce(acked_by, ''), acked_at, coalesce(ack_note, ''), crop IS NOT NULL
		FROM dispatch_hits WHERE acked_at IS NULL OR alerted_at >= ?
		ORDER BY acked_at IS NOT NULL, CASE priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, alerted_at DESC LIMIT 200`, since)
	if err != nil {
		return nil, fmt.Errorf("read the dispatch board: %w", err)
	}
	defer rows.Close()
	var out []BoardHit
	for rows.Next() {
		var b BoardHit
		var acked sql.NullTime
		if err := rows.Scan(&b.ID, &b.Vehicle, &b.Officer, &b.AlertedAt, &b.Plate, &b.MatchedPlate, &b.MatchKind, &b.ListName, &b.ListCode,
			&b.NCICNumber, &b.Priority, &b.Reason, &b.VehicleDesc, &b.Camera, &b.HasFix, &b.Lat, &b.Lon, &b.ReceivedAt, &b.AckedBy, &acked, &b.AckNote, &b.HasCrop); err != nil {
			return nil, err
		}
		b.AckedAt = acked.Time
		out = append(out, b)
	}
	return out, rows.Err()
}

// auditBoardView records a user's view of the board at most once a
// quarter hour: the page reloads itself every few seconds.
func (a *App) auditBoardView(r *http.Request, shown int) {
	user, now := current(r).user, a.opts.Now()
	a.boardMu.Lock()
	last, ok := a.lastBoardView[user]
	due := !ok || now.Sub(last) >= 15*time.Minute
	if due {
		a.lastBoardView[user] = now
	}
	a.boardMu.Unlock()
	if due {
		a.audit(r.Context(), user, "dispatch.view", fmt.Sprintf("%d hits on the board", shown))
	}
}

// board is the dispatch page's data.
type board struct {
	Hits []BoardHit
	Open int
	Loc  *time.Location
	Map  MapTiles // the open hits' map
}

func (a *App) readBoard(r *http.Request) (board, error) {
	hits, err := a.boardHits(r)
	a.auditBoardView(r, len(hits))
	b := board{Hits: hits, Loc: a.store.Location(), Map: a.opts.Map}
	for _, h := range hits {
		if h.AckedAt.IsZero() {
			b.Open++
		}
	}
	return b, err
}

func (a *App) dispatchRender(w http.ResponseWriter, r *http.Request, status int, errMsg, note string) {
	b, err := a.readBoard(r)
	if err != nil && errMsg == "" {
		errMsg, status = err.Error(), http.StatusInternalServerError
	}
	a.render(w, r, status, "dispatch", "Dispatch", view{Data: b, Error: errMsg, Note: note})
}

// dispatchPage is the board; ?acked=1 after an acknowledgement (the POST
// redirects here, so that the address stays the board's).
func (a *App) dispatchPage(w http.ResponseWriter, r *http.Request) {
	note := ""
	if r.URL.Query().Get("acked") != "" {
		note = "Acknowledged."
	}
	a.dispatchRender(w, r, http.StatusOK, "", note)
}

// dispatchBoard is the board's rows alone, which the page's script
// (static/dispatch.js) fetches every few seconds to update the board in
// place, leaving a note being typed as it is.
func (a *App) dispatchBoard(w http.ResponseWriter, r *http.Request) {
	b, err := a.readBoard(r)
	if err != nil {
		http.Error(w, "the dispatch board could not be read", http.StatusInternalServerError)
		return
	}
	v := view{Data: b}
	if s, ok := r.Context().Value(ctxKey{}).(*session); ok {
		v.User, v.Role, v.CSRF = s.user, s.role, s.csrf
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Open-Hits", fmt.Sprint(b.Open))
	w.Header().Set("X-Board-Time", a.opts.Now().In(b.Loc).Format("15:04:05 MST")) // the department's time, as every page shows it
	if err := a.pages["dispatch"].ExecuteTemplate(w, "rows", v); err != nil {
		a.opts.Log.Error("render", "page", "dispatch rows", "err", err)
	}
}

// errNotOnBoard is an acknowledgement of a hit already acknowledged or
// not on the board.
var errNotOnBoard = errors.New("not an open hit on the board")

// dispatchAck is dispatch's acknowledgement of a hit: the change and its
// audit entry commit together or not at all.
func (a *App) dispatchAck(w http.ResponseWriter, r *http.Request) {
	id, user, now := r.PathValue("id"), current(r).user, a.opts.Now()
	note := strings.TrimSpace(r.PostFormValue("note"))
	err := a.store.Audited(r.Context(), analytics.Access{User: user, Reason: "dispatch acknowledgement", Case: "dispatch"}, "dispatch.ack",
		map[string]any{"hit": id, "note": note}, now, func(tx *sql.Tx) (int, error) {
			res, err := tx.ExecContext(r.Context(), `UPDATE dispatch_hits SET acked_by = ?, acked_at = ?, ack_note = ? WHERE id = ? AND acked_at IS NULL`,
				user, now, note, id)
			if err != nil {
				return 0, err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return 0, errNotOnBoard
			}
			return 1, nil
		})
	switch {
	case errors.Is(err, errNotOnBoard):
		a.dispatchRender(w, r, http.StatusConflict, "this hit was already acknowledged, or is not on the board", "")
		return
	case err != nil:
		a.dispatchRender(w, r, http.StatusInternalServerError, err.Error(), "")
		return
	}
	http.Redirect(w, r, "/dispatch?acked=1", http.StatusSeeOther)
}
