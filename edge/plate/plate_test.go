package plate

import "testing"

func TestNormalize(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"dash and space", "ab-1 c2d", "AB1C2D"},
		{"punctuation", "  X.Y·Z 9 ", "XYZ9"},
		{"empty", "", ""},
		{"letter O is the digit 0", "bo55-Oz", "B0550Z"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Normalize(tc.in); got != tc.want {
				t.Fatalf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestEquivalent(t *testing.T) {
	c := NewCanonicalizer()
	cases := []struct {
		name string
		a, b string
		want bool
	}{
		{"identical", "AB1C2D", "AB1C2D", true},
		{"O for 0 and 8 for B", "A81C2D", "AB1C2D", true},
		{"I L 1", "1IL", "LL1", true},
		{"different letter", "AB1C2E", "AB1C2D", false},
		{"different length", "AB1C2", "AB1C2D", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.Equivalent(tc.a, tc.b); got != tc.want {
				t.Fatalf("Equivalent(%q,%q) = %v", tc.a, tc.b, got)
			}
			if got := c.Canonical(tc.a) == c.Canonical(tc.b); got != tc.want {
				t.Fatalf("canonical forms disagree with Equivalent for %q %q", tc.a, tc.b)
			}
			ka, oka := c.Key(tc.a)
			kb, okb := c.Key(tc.b)
			if !oka || !okb || (ka == kb) != tc.want {
				t.Fatalf("keys disagree with Equivalent for %q %q: %x %v %x %v", tc.a, tc.b, ka, oka, kb, okb)
			}
		})
	}
	if Alternatives('O') != "0DQ" || Alternatives('X') != "" {
		t.Fatalf("alternatives: %q %q", Alternatives('O'), Alternatives('X'))
	}
}

func TestKey(t *testing.T) {
	c := NewCanonicalizer()
	cases := []struct {
		name string
		in   string
		ok   bool
	}{
		{"seven characters", "AB1C2D3", true},
		{"ten characters", "ABCDEFGH12", true},
		{"eleven characters", "ABCDEFGH123", false},
		{"empty", "", false},
		{"wildcard", "AB?12", false},
		{"lower case is not normalised", "ab12", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok := c.Key(tc.in); ok != tc.ok {
				t.Fatalf("Key(%q) ok = %v, want %v", tc.in, ok, tc.ok)
			}
		})
	}
	// A shorter plate is never the prefix-key of a longer one.
	a, _ := c.Key("A")
	aa, _ := c.Key("AA")
	zero, _ := c.Key("0")
	if a == aa || a == zero {
		t.Fatalf("keys collide: A %x AA %x 0 %x", a, aa, zero)
	}
}

func TestGlob(t *testing.T) {
	cases := []struct {
		pattern, text string
		want          bool
	}{
		{"AB?C2D", "AB1C2D", true}, {"AB?C2D", "ABC2D", false}, {"AB*", "AB1C2D", true},
		{"*2D", "AB1C2D", true}, {"A*C*D", "AB1C2D", true}, {"A*X", "AB1C2D", false},
		{"*", "", true}, {"?", "", false}, {"AB1C2D", "AB1C2D", true}, {"AB1C2D", "AB1C2E", false},
	}
	for _, tc := range cases {
		if got := Glob(tc.pattern, tc.text); got != tc.want {
			t.Errorf("Glob(%q, %q) = %v", tc.pattern, tc.text, got)
		}
	}
	if got := NormalizePattern("ab-?c *"); got != "AB?C*" || !IsPattern(got) {
		t.Errorf("NormalizePattern: %q", got)
	}
}

// TestTranslateArgsMatchTheStore: migration 0003 of the store writes these
// strings literally.
func TestTranslateArgsMatchTheStore(t *testing.T) {
	from, to := TranslateArgs()
	if from != "ODQILZSBG" || to != "000112586" {
		t.Fatalf("TranslateArgs = %q %q: update analytics/migrations/0003_plate_key.sql too", from, to)
	}
}

func TestIsStateCode(t *testing.T) {
	for code, want := range map[string]bool{"MO": true, "DC": true, "PR": true, "ON": true, "MX": true, "US": true,
		"": false, "mo": false, "XX": false, "M": false, "MOO": false, "<s": false, "ZZ": false} {
		if got := IsStateCode(code); got != want {
			t.Errorf("IsStateCode(%q) = %v, want %v", code, got, want)
		}
	}
}
