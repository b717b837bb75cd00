// Package alert is the in-car alert page (order A.3, C.2): a local web page
// on the car's computer that shows live reads and, for every hot-list hit,
// a full-screen card with the plate crop beside the list's record, coloured
// and sounded by priority. The officer takes three steps on every hit —
// visual confirmation, verification of wanted status with dispatch, and a
// disposition — and each is written to the drive with officer and time.
// Logout is refused while any hit lacks a disposition, unless a supervisor
// overrides it, which is recorded as such.
//
// The page listens on loopback only, has no settings (the car's
// configuration is signed by IT), and every POST carries the page's token,
// so no other web page in the car's browser can act on a hit.
package alert
