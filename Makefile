# Conveniences; the README's commands work without make.
BIN := bin/globus-setup
PKG := ./cmd/globus-setup

.PHONY: build run demo test bench lint fuzz clean

build:
	go build -o $(BIN) $(PKG)

# The wizard on your real vault and Globus.
run: build
	./$(BIN)

# The wizard against the built-in emulator, with a throwaway vault.
demo: build
	./$(BIN) --demo

test:
	go test -race ./...

bench:
	go test -run '^$$' -bench . -benchmem ./vault/ ./tui/ ./steps/ ./termsafe/

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	go vet ./...
	staticcheck ./...

fuzz:
	go test -run '^$$' -fuzz FuzzNormalizeUUID -fuzztime 20s ./steps/
	go test -run '^$$' -fuzz FuzzDecryptVault -fuzztime 20s ./vault/
	go test -run '^$$' -fuzz FuzzDecodeDoc -fuzztime 20s ./vault/
	go test -run '^$$' -fuzz FuzzLine -fuzztime 20s ./termsafe/
	go test -run '^$$' -fuzz FuzzValidateDescription -fuzztime 20s ./steps/

clean:
	rm -rf bin
