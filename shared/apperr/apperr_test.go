package apperr

import (
	"errors"
	"fmt"
	"testing"
)

func TestFieldNames(t *testing.T) {
	err := Invalid(FieldError{Field: "school.country", Message: "unknown"}, FieldError{Field: "email", Message: "required"})
	if got := fmt.Sprint(FieldNames(fmt.Errorf("wrapped: %w", err))); got != "[school.country email]" {
		t.Fatalf("FieldNames: %s", got)
	}
	if got := FieldNames(errors.New("plain")); got != nil {
		t.Fatalf("a plain error names %v", got)
	}
}
