// Command sdkfloor is the second baseline of the init-time benchmark: what any
// function of ours pays before its own code, aws-lambda-go plus aws-sdk-go-v2's
// config and DynamoDB client, built at init (config.LoadDefaultConfig,
// dynamodb.NewFromConfig, no network call) as the functions do, and a constant
// answer. Built and started like hello, so a function's difference to it is what
// its own code adds.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// db is kept so that the client is built at init, as in the functions.
var db *dynamodb.Client

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	db = dynamodb.NewFromConfig(cfg)
	lambda.Start(func() (string, error) { return "floor", nil })
}
