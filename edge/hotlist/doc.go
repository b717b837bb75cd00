// Package hotlist parses hot lists and matches reads against them.
//
// # NCIC license-plate-reader extract (fixed width)
//
// One header line, then one entry a line. Byte offsets (half-open):
//
//	[0:10)  NIC   NCIC number; its first character is the list code
//	[10:19) ORI   originating agency
//	[19:27) DATE  entry date, YYYYMMDD
//	[27:37) LIC   plate, blank padded
//	[37:39) LIS   plate state
//	[39:43) LIY   plate expiry year (may be blank)
//	[43:45) LIT   plate type
//	[45:49) VYR   vehicle year
//	[49:53) VMA   make
//	[53:56) VMO   model
//	[56:58) VST   style
//	[58:)   VCO   colour
//
// A line shorter than 39 bytes, with an unknown list code, a bad date or an
// empty plate is reported with file and line and skipped; a file with no
// valid entry is refused (ErrNoEntries), so a bad delivery never replaces a
// good list.
package hotlist
