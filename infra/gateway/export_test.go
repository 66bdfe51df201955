package gateway

// What the external tests (package gateway_test, which may import localstack) need
// from the internal ones.

// BinDirForTests is where TestMain built the test functions.
func BinDirForTests() string { return binDir }

// AtExitForTests runs f after all the tests.
func AtExitForTests(f func()) { atExit = append(atExit, f) }
