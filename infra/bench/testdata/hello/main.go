// Command hello is the baseline of the init-time benchmark: the smallest Go Lambda
// (aws-lambda-go, a constant answer), built like the real functions
// (-tags lambda.norpc -trimpath -ldflags "-s -w") and started through the same
// local Runtime API, so the difference to a function is what the function adds.
package main

import "github.com/aws/aws-lambda-go/lambda"

func main() {
	lambda.Start(func() (string, error) { return "hello", nil })
}
