package notices

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestNoticesAreCurrent regenerates THIRD_PARTY_NOTICES.md from the
// module graph: a dependency added, removed or upgraded without `make
// notices` fails here, and so does a module whose licence is not
// recognised or not allowed.
func TestNoticesAreCurrent(t *testing.T) {
	root := filepath.Join("..", "..")
	mods, err := Modules(context.Background(), root, "./cmd/alpr", "duckdb_arrow")
	if err != nil {
		t.Fatal(err)
	}
	if len(mods) < 20 {
		t.Fatalf("only %d modules found in the binary", len(mods))
	}
	want := Render(mods, Components())
	got, err := os.ReadFile(filepath.Join(root, "THIRD_PARTY_NOTICES.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("THIRD_PARTY_NOTICES.md is out of date with the module graph: run make notices and review the change")
	}
	if _, err := os.Stat(filepath.Join(root, "LICENSE")); err != nil {
		t.Fatal(err)
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"MIT", "Permission is hereby granted, free of charge, to any person", []string{"MIT"}},
		{"BSD-3", "Redistribution and use in source and binary forms, with or without\nmodification ... * Neither the name of Google Inc. nor", []string{"BSD-3-Clause"}},
		{"BSD-2", "Redistribution and use in source and binary forms, with or without modification, are permitted. THIS SOFTWARE IS PROVIDED", []string{"BSD-2-Clause"}},
		{"Apache", "Apache License\nVersion 2.0, January 2004 ... Licensed under the Apache License, Version 2.0", []string{"Apache-2.0"}},
		{"two in one file, in order", "Permission is hereby granted, free of charge ... Licensed under the Apache License, Version 2.0", []string{"MIT", "Apache-2.0"}},
		{"GPL is not recognised", "GNU GENERAL PUBLIC LICENSE Version 3", nil},
		{"AGPL is not recognised", "GNU AFFERO GENERAL PUBLIC LICENSE Version 3", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Classify(tc.text); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("%v, want %v", got, tc.want)
			}
		})
	}
}

// TestUnknownLicenceIsRefused builds a throwaway module that depends on
// a local module licensed under the AGPL: listing it fails, naming it.
func TestUnknownLicenceIsRefused(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("app/go.mod", "module example.com/app\n\ngo 1.21\n\nrequire example.com/copyleft v0.0.0\n\nreplace example.com/copyleft => ../copyleft\n")
	write("app/main.go", "package main\n\nimport _ \"example.com/copyleft\"\n\nfunc main() {}\n")
	write("copyleft/go.mod", "module example.com/copyleft\n\ngo 1.21\n")
	write("copyleft/lib.go", "package copyleft\n")
	write("copyleft/LICENSE", "GNU AFFERO GENERAL PUBLIC LICENSE\nVersion 3, 19 November 2007\n")
	_, err := Modules(context.Background(), filepath.Join(dir, "app"), ".", "")
	if !errors.Is(err, ErrUnknownLicence) || !bytes.Contains([]byte(err.Error()), []byte("example.com/copyleft")) {
		t.Fatalf("an AGPL dependency: %v", err)
	}
}
