package project

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"etwin/shared/apperr"
	"etwin/shared/httpapi"
)

func validForm() CreateInput {
	n := 24
	return CreateInput{Title: "Water around us", Summary: "Pupils measure water.", Language: "en",
		AgeRange: &AgeRange{Min: 10, Max: 12}, Pupils: &n, Themes: []string{"environment"}, Tools: []string{"twinspace_pages"},
		Objectives: "o", Methodology: "m", ExpectedResults: "r", CofounderID: "m-1"}
}

func TestCreateInputValidate(t *testing.T) {
	in := validForm()
	if err := in.Validate(); err != nil {
		t.Fatalf("valid form refused: %v", err)
	}
	for name, tc := range map[string]struct {
		change func(*CreateInput)
		field  string
	}{
		"no title":        {func(in *CreateInput) { in.Title = " " }, "title"},
		"long title":      {func(in *CreateInput) { in.Title = strings.Repeat("a", MaxTitle+1) }, "title"},
		"no summary":      {func(in *CreateInput) { in.Summary = "" }, "summary"},
		"language":        {func(in *CreateInput) { in.Language = "xx" }, "language"},
		"no age range":    {func(in *CreateInput) { in.AgeRange = nil }, "ageRange"},
		"min too low":     {func(in *CreateInput) { in.AgeRange.Min = 1 }, "ageRange.min"},
		"max below min":   {func(in *CreateInput) { in.AgeRange.Max = 9 }, "ageRange.max"},
		"no pupils":       {func(in *CreateInput) { in.Pupils = nil }, "pupils"},
		"zero pupils":     {func(in *CreateInput) { z := 0; in.Pupils = &z }, "pupils"},
		"no themes":       {func(in *CreateInput) { in.Themes = nil }, "themes"},
		"unknown theme":   {func(in *CreateInput) { in.Themes = []string{"nope"} }, "themes.0"},
		"unknown tool":    {func(in *CreateInput) { in.Tools = []string{"twinspace_pages", "nope"} }, "tools.1"},
		"no objectives":   {func(in *CreateInput) { in.Objectives = "" }, "objectives"},
		"no methodology":  {func(in *CreateInput) { in.Methodology = "" }, "methodology"},
		"no results":      {func(in *CreateInput) { in.ExpectedResults = "" }, "expectedResults"},
		"no cofounder":    {func(in *CreateInput) { in.CofounderID = "" }, "cofounderId"},
		"bad cofounder":   {func(in *CreateInput) { in.CofounderID = "a b" }, "cofounderId"},
		"bad school":      {func(in *CreateInput) { in.SchoolID = "a/b" }, "schoolId"},
		"control in text": {func(in *CreateInput) { in.Summary = "a\x00b" }, "summary"},
	} {
		t.Run(name, func(t *testing.T) {
			in := validForm()
			r := *in.AgeRange
			in.AgeRange = &r
			tc.change(&in)
			err := in.Validate()
			if apperr.StatusOf(err) != 422 || !slices.Contains(apperr.FieldNames(err), tc.field) {
				t.Fatalf("%v names %v, want %s", err, apperr.FieldNames(err), tc.field)
			}
		})
	}
}

func TestPatchInputValidate(t *testing.T) {
	var empty PatchInput
	if apperr.StatusOf(empty.Validate()) != 422 {
		t.Fatal("an empty patch was accepted")
	}
	bad := "xx"
	zero := 0
	in := PatchInput{Language: &bad, Version: &zero, Themes: &[]string{}}
	if f := apperr.FieldNames(in.Validate()); !slices.Contains(f, "language") || !slices.Contains(f, "version") || !slices.Contains(f, "themes") {
		t.Fatalf("fields %v", f)
	}
	title := "New"
	if err := (&PatchInput{Title: &title}).Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestDecisionInputs(t *testing.T) {
	if f := apperr.FieldNames((&CofounderDecisionInput{Decision: "maybe"}).Validate()); !slices.Equal(f, []string{"decision"}) {
		t.Fatalf("cofounder: %v", f)
	}
	if f := apperr.FieldNames((&CofounderDecisionInput{Decision: Reject, SchoolID: "s-1"}).Validate()); !slices.Equal(f, []string{"schoolId"}) {
		t.Fatalf("cofounder reject with a school: %v", f)
	}
	if f := apperr.FieldNames((&NSODecisionInput{Decision: Approve}).Validate()); !slices.Equal(f, []string{"comment"}) {
		t.Fatalf("nso without comment: %v", f)
	}
	empty := ""
	if err := (&NSODecisionInput{Decision: Approve, Comment: &empty}).Validate(); err != nil {
		t.Fatalf("approval with an empty comment: %v", err)
	}
	if f := apperr.FieldNames((&NSODecisionInput{Decision: Reject, Comment: &empty}).Validate()); !slices.Equal(f, []string{"comment"}) {
		t.Fatalf("rejection without a reason: %v", f)
	}
}

// The strict decoder refuses unknown fields (cofounderId in a PATCH among them).
func TestPatchRefusesCofounder(t *testing.T) {
	var in PatchInput
	err := httpapi.DecodeBytes([]byte(`{"cofounderId":"m-2"}`), &in)
	if err == nil || !slices.Contains(apperr.FieldNames(err), "cofounderId") {
		t.Fatalf("%v", err)
	}
}

// FuzzDecodeProject: no body makes the decoders or validators panic, and whatever they
// refuse is a 4xx.
func FuzzDecodeProject(f *testing.F) {
	good, _ := json.Marshal(validForm())
	for _, s := range []string{string(good), `{"title":"x","version":3}`, `{"decision":"approve","schoolId":"s"}`,
		`{"decision":"reject","comment":""}`, `{"ageRange":{"min":"a"}}`, `[]`, `{"pupils":1e99}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		check := func(err error) {
			if err != nil {
				if s := apperr.StatusOf(err); s < 400 || s > 499 {
					t.Fatalf("status %d for %q: %v", s, raw, err)
				}
			}
		}
		var c CreateInput
		if err := httpapi.DecodeBytes(raw, &c); err == nil {
			check(c.Validate())
		} else {
			check(err)
		}
		var p PatchInput
		if err := httpapi.DecodeBytes(raw, &p); err == nil {
			check(p.Validate())
		} else {
			check(err)
		}
		var cd CofounderDecisionInput
		if err := httpapi.DecodeBytes(raw, &cd); err == nil {
			check(cd.Validate())
		} else {
			check(err)
		}
		var nd NSODecisionInput
		if err := httpapi.DecodeBytes(raw, &nd); err == nil {
			check(nd.Validate())
		} else {
			check(err)
		}
	})
}
