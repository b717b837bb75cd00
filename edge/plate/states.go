package plate

// IsStateCode reports whether code is the two-letter code of a plate's
// issuer as NCIC's LIS field writes it: the 50 states and DC, the US
// territories (AS, GU, MP, PR, VI), US government plates (US), the
// Canadian provinces and territories, and Mexico (MX).
func IsStateCode(code string) bool {
	switch code {
	case "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
		"LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
		"OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
		"AS", "GU", "MP", "PR", "VI", "US",
		"AB", "BC", "MB", "NB", "NF", "NL", "NS", "NT", "NU", "ON", "PE", "PQ", "QC", "SK", "YT",
		"MX":
		return true
	}
	return false
}
