# The whole workflow: `make run` and `make test` need nothing else on a fresh machine
# (Go, Node/npm, Java and cfn-lint come with the machine image).
# See README.md for what each target does.

SHELL := /bin/bash
ROOT  := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# How every Lambda binary is built (provided.al2023, a `bootstrap` binary, no RPC: see README "Deploying").
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags "-s -w"

BIN_DIR     := .local/bin
TOOLS_DIR   := infra/tools
NODE_STAMP  := $(TOOLS_DIR)/node_modules/.package-lock.json
SPECTRAL    := $(TOOLS_DIR)/node_modules/.bin/spectral
DDB_VERSION := 2.9.30
DDB_JAR     := .tools/dynamodb/DynamoDBLocal.jar

# Fuzz targets that `make test` runs briefly, as package:FuzzName, e.g.
#   FUZZ_TARGETS := ./shared/strictjson:FuzzDecode ./shared/importer:FuzzParse
FUZZ_TARGETS := ./shared/strictjson:FuzzDecode \
	./shared/registration:FuzzDecodeStart ./shared/registration:FuzzDecodeComplete \
	./shared/school:FuzzDecodeForm ./shared/account:FuzzDecodeAccount \
	./shared/staff:FuzzDecodeStaff \
	./shared/contact:FuzzDecodeContact \
	./shared/forum:FuzzDecodeForum ./shared/resource:FuzzDecodeResource \
	./shared/event:FuzzDecodeEvent \
	./shared/room:FuzzDecodeRoom \
	./shared/moderation:FuzzDecodeRemoval \
	./shared/directory:FuzzParseQuery ./shared/twinspace:FuzzDecodeTwinSpace \
	./shared/files:FuzzDecodeFile \
	./shared/importer:FuzzParse \
	./shared/project:FuzzDecodeProject ./shared/certification:FuzzDecodeWindow \
	./shared/certification:FuzzDecodeSave ./shared/certification:FuzzDecodeEvaluation \
	./shared/outbox:FuzzSuppressions \
	./shared/httpapi:FuzzDecodeForm ./shared/confirm:FuzzDecodeChoice ./shared/optout:FuzzVerify \
	./shared/cursor:FuzzDecode \
	./shared/twinspace:FuzzDecodePagePatch ./shared/twinspace:FuzzParseEmbeds
# A count, not a duration: a duration -fuzztime can fail spuriously with "context deadline
# exceeded" on a loaded machine (a race in Go 1.26's fuzz coordinator, golang/go#75804).
FUZZTIME     ?= 30000x
# Go minimises every new interesting input for up to 60 s by default, during which a run
# makes no progress; a count keeps each minimisation short and make test's time steady.
FUZZMINIMIZE ?= 500x

# A recipe that fails leaves no half-made target behind to look finished.
.DELETE_ON_ERROR:

.PHONY: tools chromium build run invoke import test validate bench clean distclean

## tools: the npm tools (local SES, Spectral), the DynamoDB Local jar and Chromium, when missing
tools: $(NODE_STAMP) $(DDB_JAR) chromium

# The browser of the end-to-end tests (infra/browser): Debian's chromium package, unless
# a Chromium or Chrome is on PATH or CHROME_PATH names one. apt-get needs root: sudo
# when we are not root and sudo exists.
chromium:
	@if [ -n "$$CHROME_PATH" ] || command -v chromium || command -v chromium-browser || command -v google-chrome; then :; \
	else \
		command -v apt-get || { echo "chromium is missing, and there is no apt-get to install it" >&2; exit 1; }; \
		sudo=; if [ "$$(id -u)" != 0 ]; then \
			command -v sudo || { echo "chromium is missing: as root, apt-get install -y chromium" >&2; exit 1; }; \
			sudo=sudo; \
		fi; \
		echo "installing chromium with apt-get" >&2; \
		$$sudo apt-get update -qq >&2 && \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >&2; \
	fi >/dev/null

# npm ci writes node_modules/.package-lock.json; touching it marks the install as
# newer than the lockfile, so this runs again only when the lockfile changes.
$(NODE_STAMP): $(TOOLS_DIR)/package-lock.json $(TOOLS_DIR)/package.json
	cd $(TOOLS_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# DynamoDB Local ships inside this npm package: only its emulator folder is kept
# (npm install of the package would pull hundreds of MB that are not needed).
$(DDB_JAR):
	@command -v java >/dev/null || { echo "java is missing: apt-get install -y openjdk-17-jre-headless"; exit 1; }
	rm -rf .tools/dynamodb .tools/dynamodb.part && mkdir -p .tools/dynamodb.part
	cd .tools && npm pack --silent amplify-dynamodb-simulator@$(DDB_VERSION) >/dev/null
	tar -xzf .tools/amplify-dynamodb-simulator-$(DDB_VERSION).tgz -C .tools/dynamodb.part --strip-components=2 package/emulator
	rm -f .tools/amplify-dynamodb-simulator-$(DDB_VERSION).tgz
	mv .tools/dynamodb.part .tools/dynamodb
	touch $@

## build: every functions/<folder> → .local/bin/<folder>/bootstrap for this machine
# One go build for all (it builds in parallel) into .out/<folder>, then each binary
# moves to <folder>/bootstrap. Folders without Go code yet are skipped.
build:
	@pkgs=$$(for d in functions/*/; do ls $$d*.go >/dev/null 2>&1 && echo ./$${d%/}; done); \
	if [ -z "$$pkgs" ]; then echo "no functions to build"; exit 0; fi; \
	rm -rf $(BIN_DIR)/.out && \
	CGO_ENABLED=0 go build $(LAMBDA_FLAGS) -o $(BIN_DIR)/.out/ $$pkgs && \
	for p in $$pkgs; do f=$${p##*/}; mkdir -p $(BIN_DIR)/$$f && mv $(BIN_DIR)/.out/$$f $(BIN_DIR)/$$f/bootstrap; done; \
	rm -rf $(BIN_DIR)/.out

## build-<LogicalId>: what `sam build` calls (Metadata BuildMethod: makefile) for each
# function: RegistrationStartFunction → functions/registration-start, for Lambda.
build-%Function:
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set (sam build sets it)"; exit 1; }
	folder=$$(echo '$*' | sed -E 's/([a-z0-9])([A-Z])/\1-\2/g' | tr '[:upper:]' '[:lower:]'); \
	cd $(ROOT) && GOOS=linux GOARCH=arm64 CGO_ENABLED=0 \
		go build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/$$folder

## run: the whole stack on fixed ports (API :3000, DynamoDB :8000, SES :8005), foreground
run: tools build
	go run ./infra/cmd/local run

## invoke: run one function once against the running `make run` stack: make invoke FN=eligibility-sweep
invoke: build
	@test -n "$(FN)" || { echo "usage: make invoke FN=<function folder or logical ID>"; exit 2; }
	go run ./infra/cmd/local invoke $(FN)

## import: load a JSON Lines file (docs/import.md) into the running `make run` stack: make import FILE=data.jsonl
# FILE is taken relative to the directory make was called from ($(PWD), also with -C).
import:
	@test -n "$(FILE)" || { echo "usage: make import FILE=<file.jsonl>"; exit 2; }
	cd $(ROOT) && go run ./infra/cmd/import -endpoint http://127.0.0.1:8000 -table Table \
		"$(if $(filter /%,$(FILE)),$(FILE),$(PWD)/$(FILE))"

## test: lint, then every Go test against a fresh stack on free ports, then short fuzz runs
# local exec rebuilds the function binaries older than their code (and only those), so
# `build`, which relinks every function, is not a prerequisite. The fuzz runs start no
# stack: testenv starts one only for a test that uses it.
test: tools validate
	go run ./infra/cmd/local exec -- go test ./... -count=1 -timeout 20m
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzz $$fn in $$pkg for $(FUZZTIME)"; \
		go test -run='^$$' -fuzz="^$$fn\$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=$(FUZZMINIMIZE) $$pkg; \
	done

## validate: the template with cfn-lint, the OpenAPI file with Spectral
validate: tools
	cfn-lint template.yaml
	@if [ -f docs/openapi.yaml ]; then \
		echo "$(SPECTRAL) lint docs/openapi.yaml"; \
		$(SPECTRAL) lint --ruleset $(TOOLS_DIR)/spectral.yaml docs/openapi.yaml; \
	fi

## bench: the use-case benchmarks against a fresh stack; writes docs/benchmarks.md (reported, not asserted)
# The bulk import first, each size in a DynamoDB Local of its own, in memory
# (docs/benchmarks-import.md): 1,000,000 teachers, then 100,000 with the kill-and-resume
# check. In memory because DynamoDB Local on disk (even on tmpfs, -data /dev/shm/...) writes
# at about half the rate; at 1,000,000 teachers its memory stays well within this
# machine's 24 GB (the report gives the peak).
bench: tools build
	go run ./infra/cmd/bench-import -members 1000000 -check 0 -reimport=false
	go run ./infra/cmd/bench-import -members 100000 -check 20000 -append
	go run ./infra/cmd/local exec -- go run ./infra/cmd/bench

## clean: build output and local data (the tools stay)
clean:
	rm -rf .local .aws-sam

## distclean: also the downloaded tools
distclean: clean
	rm -rf .tools $(TOOLS_DIR)/node_modules
