// Package archtest holds the tests that keep the code's shape: which packages may import
// which (see imports_test.go).
package archtest
